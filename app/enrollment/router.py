from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlmodel import select

from app.audit.service import record_access
from app.core.deps import DISTRICT, GUARDIAN, STAFF, Caller, SessionDep, allow
from app.core.ids import PathId, QueryId
from app.core.inputs import Input
from app.core.scope import get_in_schools
from app.core.xlsx import export_route, xlsx_response
from app.enrollment import reports, service
from app.enrollment.models import AppStatus, Bill
from app.enrollment.schemas import (
    ApplicationIn, ApplicationOut, ApplicationSummary, ApplicationUpdate, BillOut, BulkApproveIn, BulkResult,
    DeclineIn, FeeSummary, HistoryItem, NotRespondedRow, PlanIn, PlanOut, ReviewIn, SignIn, WaiverIn,
)
from app.people.schemas import Priority
from app.schools.models import SchoolClass, Term
from app.schools.service import get_term

router = APIRouter(tags=["课后服务申请与协议"])

Admin = Annotated[Caller, Depends(allow("admin"))]
Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]
Reviewer = Annotated[Caller, Depends(allow("admin", "class_head"))]
ReviewerOrGuardian = Annotated[Caller, Depends(allow("admin", "class_head", GUARDIAN))]
Reader = Annotated[Caller, Depends(allow(*STAFF, GUARDIAN, DISTRICT))]


class WithdrawIn(Input):
    reason: str | None = Field(default=None, max_length=500)


# ---------- the plan (公示) ----------

@router.get("/terms/{term_id}/plan", response_model=PlanOut, summary="本学期公示的课后服务方案（当前版本）")
def current_plan(term_id: PathId, session: SessionDep, caller: Reader) -> PlanOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids)
    return service.plan_out(service.require_published_plan(session, term.id), term)


@router.get("/terms/{term_id}/plan/versions", response_model=list[PlanOut], summary="方案的全部版本（含草稿）")
def plan_versions(term_id: PathId, session: SessionDep, caller: Admin) -> list[PlanOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return [service.plan_out(p, term) for p in service.plan_versions(session, term.id)]


@router.put("/terms/{term_id}/plan/draft", response_model=PlanOut, summary="编辑方案草稿")
def save_draft(term_id: PathId, body: PlanIn, session: SessionDep, caller: Admin) -> PlanOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.plan_out(service.save_draft(session=session, term=term, data=body), term)


@router.post("/terms/{term_id}/plan/publish", response_model=PlanOut, summary="发布草稿为新版本（公示）")
def publish(term_id: PathId, session: SessionDep, caller: Admin) -> PlanOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.plan_out(service.publish(session=session, term=term, account_id=caller.account_id), term)


# ---------- guardians ----------

@router.post("/applications", response_model=ApplicationOut, status_code=201, summary="家长为孩子申请课后服务")
def apply(body: ApplicationIn, session: SessionDep, caller: Guardian) -> ApplicationOut:
    return service.apply(session=session, caller=caller, data=body)


@router.get("/applications", response_model=list[ApplicationOut], summary="我的孩子的申请")
def my_applications(session: SessionDep, caller: Guardian, term_id: QueryId | None = None) -> list[ApplicationOut]:
    return service.guardian_applications(session=session, caller=caller, term_id=term_id)


@router.post("/applications/decline", response_model=ApplicationOut, summary="不参加课后服务（可注明原因）")
def decline(body: DeclineIn, session: SessionDep, caller: Guardian) -> ApplicationOut:
    return service.decline(session=session, caller=caller, student_id=body.student_id, term_id=body.term_id,
                           reason=body.reason)


@router.get("/applications/{application_id}", response_model=ApplicationOut, summary="申请详情")
def get_application(application_id: PathId, session: SessionDep, caller: ReviewerOrGuardian) -> ApplicationOut:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    return service.application_outs(session, [app])[0]


@router.patch("/applications/{application_id}", response_model=ApplicationOut, summary="修改申请（被驳回后修改即重新提交）")
def edit(application_id: PathId, body: ApplicationUpdate, session: SessionDep, caller: Guardian) -> ApplicationOut:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    return service.edit(session=session, caller=caller, app=app, data=body)


@router.post("/applications/{application_id}/sign", response_model=ApplicationOut, summary="签署协议（须为当前公示版本）")
def sign(application_id: PathId, body: SignIn, request: Request, session: SessionDep, caller: Guardian) -> ApplicationOut:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    client = body.client or request.headers.get("user-agent", "")[:200] or None
    return service.sign(session=session, caller=caller, app=app, plan_version=body.plan_version,
                        shown_hash=body.text_hash, client=client,
                        client_ip=request.client.host if request.client else None)


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationOut, summary="退出课后服务")
def withdraw(application_id: PathId, body: WithdrawIn, session: SessionDep, caller: Guardian) -> ApplicationOut:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    return service.withdraw(session=session, caller=caller, app=app, reason=body.reason)


@router.get("/applications/{application_id}/history", response_model=list[HistoryItem], summary="审核记录")
def history(application_id: PathId, session: SessionDep, caller: ReviewerOrGuardian) -> list[HistoryItem]:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    return service.history(session=session, app=app)


# ---------- review ----------

@router.post("/applications/{application_id}/review", response_model=ApplicationOut,
             summary="审核：班主任初审，教导处审定（驳回须填原因）")
def review(application_id: PathId, body: ReviewIn, session: SessionDep, caller: Reviewer) -> ApplicationOut:
    app = service.readable_application(session=session, caller=caller, application_id=application_id)
    return service.review(session=session, caller=caller, app=app, approve=body.decision == "approve",
                          comment=body.comment)


@router.post("/terms/{term_id}/applications/bulk-approve", response_model=list[BulkResult], summary="批量审定通过")
def bulk_approve(term_id: PathId, body: BulkApproveIn, session: SessionDep, caller: Admin) -> list[BulkResult]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.bulk_approve(session=session, caller=caller, term=term, application_ids=body.application_ids,
                                comment=body.comment)


@router.get("/terms/{term_id}/applications/queue", response_model=list[ApplicationOut],
            summary="等待审定的申请，按审定顺序（优先保障群体在前）")
def waiting_queue(term_id: PathId, session: SessionDep, caller: Admin) -> list[ApplicationOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.application_outs(session, service.waiting_queue(session, term.id))


@router.post("/terms/{term_id}/applications/approve-in-order", response_model=list[BulkResult],
             summary="按优先顺序审定，直到名额用完")
def approve_in_order(term_id: PathId, session: SessionDep, caller: Admin) -> list[BulkResult]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.approve_in_order(session=session, caller=caller, term=term, comment=None)


def _reviewable_classes(session: SessionDep, caller: Caller, term: Term) -> set[int] | None:
    """None for an admin (every class); a class head sees the classes they head."""
    if caller.actor.has_role(term.school_id, "admin"):
        return None
    staff_id = caller.actor.staff_id(term.school_id)
    return set(session.exec(select(SchoolClass.id).where(
        SchoolClass.school_id == term.school_id, SchoolClass.head_staff_id == staff_id)).all())


@router.get("/terms/{term_id}/applications", response_model=list[ApplicationOut],
            summary="申请列表（班主任只看本班），可按班级、状态、优先群体筛选")
def list_applications(term_id: PathId, session: SessionDep, caller: Reviewer, class_id: QueryId | None = None,
                      status: Annotated[str | None, Query(pattern="^(" + "|".join(AppStatus.LABELS) + ")$")] = None,
                      priority: Priority | None = None) -> list[ApplicationOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    allowed = _reviewable_classes(session, caller, term)
    class_ids = allowed if class_id is None else ({class_id} & allowed if allowed is not None else {class_id})
    return reports.filtered_applications(session, term, class_ids=class_ids, status=status, priority=priority)


@export_route(router, "/terms/{term_id}/applications/export.xlsx", summary="导出申请名单（.xlsx）")
def export_applications(term_id: PathId, session: SessionDep, caller: Admin, class_id: QueryId | None = None,
                        status: Annotated[str | None, Query(pattern="^(" + "|".join(AppStatus.LABELS) + ")$")] = None,
                        priority: Priority | None = None) -> Response:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    rows = reports.filtered_applications(session, term, class_ids={class_id} if class_id else None, status=status,
                                         priority=priority)
    record_access(session, caller, school_id=term.school_id, action="export.applications",
                  student_ids=(r.student_id for r in rows), detail=term.name)
    return xlsx_response(reports.export_xlsx(session, term, rows), f"课后服务申请-{term.name}.xlsx",
                         "applications.xlsx")


@router.get("/terms/{term_id}/applications/not-responded", response_model=list[NotRespondedRow],
            summary="尚未回复的学生（班主任只看本班），便于跟进")
def not_responded(term_id: PathId, session: SessionDep, caller: Reviewer) -> list[NotRespondedRow]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return reports.not_responded(session, term, _reviewable_classes(session, caller, term))


@router.get("/terms/{term_id}/applications/summary", response_model=ApplicationSummary,
            summary="参与情况汇总：按状态、年级、班级、优先群体；未回复名单")
def summary(term_id: PathId, session: SessionDep, caller: Annotated[Caller, Depends(allow("admin", DISTRICT))]
            ) -> ApplicationSummary:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return reports.summary(session, term)


# ---------- fees ----------

@router.get("/terms/{term_id}/bills", response_model=list[BillOut], summary="本学期收费名单")
def list_bills(term_id: PathId, session: SessionDep, caller: Admin) -> list[BillOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.bills(session, term.id)


@export_route(router, "/terms/{term_id}/bills/export.xlsx", summary="导出收费名单（.xlsx，含减免与合计）")
def export_bills(term_id: PathId, session: SessionDep, caller: Admin) -> Response:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    bills = service.bills(session, term.id)
    record_access(session, caller, school_id=term.school_id, action="export.bills",
                  student_ids=(b.student_id for b in bills), detail=term.name)
    return xlsx_response(reports.bills_xlsx(session, term, bills), f"课后服务收费名单-{term.name}.xlsx", "bills.xlsx")


@router.put("/bills/{bill_id}/waiver", response_model=BillOut, summary="减免（全免或减半，须注明原因）")
def set_waiver(bill_id: PathId, body: WaiverIn, session: SessionDep, caller: Admin) -> BillOut:
    bill = get_in_schools(session, Bill, bill_id, caller.school_ids, message="未找到该账单")
    return service.set_waiver(session=session, bill=bill, data=body, account_id=caller.account_id)


@router.get("/terms/{term_id}/fees/summary", response_model=FeeSummary, summary="收费公示：应收、减免、实收合计")
def fees_summary(term_id: PathId, session: SessionDep, caller: Annotated[Caller, Depends(allow("admin", GUARDIAN, DISTRICT))]
                 ) -> FeeSummary:
    term = get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids)
    return service.fee_summary(session, term.id)
