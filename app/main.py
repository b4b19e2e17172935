"""The application: routers, middleware, error handlers."""

from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from app.attendance.router import router as attendance_router
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.calendar.router import router as calendar_router
from app.caregroups.router import router as caregroups_router
from app.core.admission import AdmissionMiddleware
from app.core.config import get_settings
from app.core.deps import SessionDep, public
from app.core.db import get_engine
from app.core.errors import ErrorResponse, install_error_handlers
from app.core.idempotency import IdempotencyMiddleware
from app.core.logging import RequestLogMiddleware, configure_logging
from app.clubs.router import router as clubs_router, rush as clubs_rush
from app.console.router import mount_console
from app.dataprotection.router import router as dataprotection_router
from app.carelogs.router import router as carelogs_router
from app.duty.router import router as duty_router
from app.incidents.router import router as incidents_router
from app.enrollment.router import router as enrollment_router
from app.leave.router import router as leave_router
from app.notify.router import router as notify_router
from app.people.router import router as people_router
from app.reports.router import router as reports_router
from app.pickup.router import gate as pickup_gate, router as pickup_router
from app.privacy.router import router as privacy_router
from app.schools.router import router as schools_router
from app.surveys.router import router as surveys_router
from app.workload.router import router as workload_router

API_PREFIX = "/api/v1"

# Every route may answer with the one error shape; documenting it keeps the OpenAPI schema honest.
ERROR_RESPONSES = {status: {"model": ErrorResponse, "description": text_}
                   for status, text_ in [(400, "请求有误"), (401, "未登录"), (403, "无权限"), (404, "未找到"),
                                         (409, "冲突"), (422, "输入有误"), (429, "过于频繁")]}

DESCRIPTION = """课后（Kehou）：小学课后服务平台的接口。

错误统一为 `{"error": {"code": "...", "message": "中文说明", "fields": {...}}}`。
登录：`POST /api/v1/auth/wechat`（小程序）或 `POST /api/v1/auth/password`（网页后台），
然后在请求头带上 `Authorization: Bearer <token>`。"""


@asynccontextmanager
async def lifespan(app: FastAPI):
    """In dev, deliver notifications in-process so a newcomer sees them arrive (`make run`)."""
    stop = None
    if get_settings().deliver_in_process:
        from app.auth.router import get_wechat
        from app.notify.worker import start_in_process
        _, stop = start_in_process(get_engine(), get_wechat())
    yield
    if stop is not None:
        stop.set()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(title="课后 Kehou", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    install_error_handlers(app)
    # Tests point this at their rolled-back session.
    app.state.session_factory = lambda: Session(get_engine())
    app.add_middleware(IdempotencyMiddleware, session_factory=lambda: app.state.session_factory())
    # Inside the log, so the logged time includes waiting for admission under a rush.
    app.add_middleware(AdmissionMiddleware, limit=settings.max_requests_in_flight)
    app.add_middleware(RequestLogMiddleware)  # added last = outermost: logs replays too

    # The club rush (抢课) first, beside `api` rather than inside it: to match a request against an included
    # router, FastAPI walks every route under it, and every family taps this one in the same second.
    # So is the gate at 17:30 (verify and release).
    app.include_router(clubs_rush, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    app.include_router(pickup_gate, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for router in (auth_router, schools_router, people_router, notify_router, enrollment_router,
                   clubs_router, calendar_router, caregroups_router, attendance_router, leave_router,
                   workload_router, pickup_router, duty_router, carelogs_router, incidents_router,
                   audit_router, reports_router, surveys_router, dataprotection_router, privacy_router):
        api.include_router(router)
    app.include_router(api)

    @app.get("/healthz", dependencies=[Depends(public)], tags=["运维"], summary="存活与数据库检查",
             responses={503: {"model": ErrorResponse}})
    def healthz(session: SessionDep) -> JSONResponse:
        try:
            session.exec(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means "not healthy"
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    mount_console(app)  # the browser console at /admin (docs/console.md)
    return app
