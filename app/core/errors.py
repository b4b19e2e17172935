"""One error shape for every failure: {"error": {"code", "message", "fields"?}}.

`code` is stable English for programs; `message` is Chinese for people.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("kehou.errors")


class AppError(Exception):
    """A refusal the client can act on. Raise it from services; routers need not catch it."""

    status_code = 400
    code = "BAD_REQUEST"
    message = "请求有误"

    def __init__(self, code: str | None = None, message: str | None = None, *,
                 status_code: int | None = None, fields: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None):
        self.code = code or self.code
        self.message = message or self.message
        self.status_code = status_code or self.status_code
        self.fields = fields
        self.extra = extra
        super().__init__(f"{self.code}: {self.message}")


class NotAuthenticated(AppError):
    status_code, code, message = 401, "NOT_AUTHENTICATED", "请先登录"


class Forbidden(AppError):
    status_code, code, message = 403, "FORBIDDEN", "没有权限进行此操作"


class NotFound(AppError):
    status_code, code, message = 404, "NOT_FOUND", "未找到"


class Conflict(AppError):
    status_code, code, message = 409, "CONFLICT", "与现有数据冲突"


class TooManyRequests(AppError):
    status_code, code, message = 429, "TOO_MANY_REQUESTS", "尝试次数过多，请稍后再试"


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None
    # Row-by-row problems, e.g. of a roster import: [{"row", "column", "message"}].
    errors: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The body of every error reply (documented in OpenAPI for every route)."""

    error: ErrorBody


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None,
                   extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if extra:
        body.update(extra)
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def app_error_response(exc: AppError) -> JSONResponse:
    retry = (exc.extra or {}).get("retry_after")
    return error_response(exc.status_code, exc.code, exc.message, exc.fields, exc.extra,
                          headers={"Retry-After": str(retry)} if retry else None)


# pydantic error type → Chinese wording; `{}` placeholders take the error's ctx.
_VALIDATION_MESSAGES = {
    "missing": "为必填项",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "time_parsing": "时间格式应为 HH:MM",
    "enum": "取值应为 {expected} 之一",
    "literal_error": "取值应为 {expected} 之一",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是合法的 JSON",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "extra_forbidden": "不是可接受的字段",
    "value_error": "取值不正确",
    "uuid_parsing": "格式不正确",
    "int_from_float": "应为整数",
    "finite_number": "应为有限数字",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        template = _VALIDATION_MESSAGES.get(err.get("type", ""), "取值不正确")
        try:
            text = template.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            text = "取值不正确"
        own = str((err.get("ctx") or {}).get("error", "")) if err.get("type") == "value_error" else ""
        if any("\u4e00" <= ch <= "\u9fff" for ch in own):
            text = own  # our own validators explain themselves in Chinese (e.g. 结束时间须晚于开始时间)
        fields.setdefault(_field_name(tuple(err.get("loc", ()))), text)
    return fields


_HTTP_CODES = {
    401: ("NOT_AUTHENTICATED", "请先登录"),
    403: ("FORBIDDEN", "没有权限进行此操作"),
    404: ("NOT_FOUND", "未找到"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    413: ("PAYLOAD_TOO_LARGE", "上传内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return app_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = validation_fields(list(exc.errors()))
        summary = "；".join(f"{k}{v}" if k != "body" else v for k, v in fields.items())
        return error_response(422, "VALIDATION_ERROR", f"输入有误：{summary}", fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", "请求无法处理"))
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the schema let through (a NUL byte, a number out of range):
        # the client's input, and the transaction is rolled back, so nothing changed.
        log.info("database refused input on %s %s: %s", request.method, request.url.path, exc.orig)
        return error_response(422, "INVALID_INPUT", "输入包含无法保存的字符或数值")

    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: OverflowError) -> JSONResponse:
        # A date so far out that arithmetic on it leaves the calendar (`?to=0001-01-02` minus a week): the
        # client's input; routes that read nothing back have written nothing.
        log.info("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return error_response(422, "OUT_OF_RANGE", "日期或数值超出了可处理的范围")

    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _pool_exhausted(request: Request, exc: SQLAlchemyTimeoutError) -> JSONResponse:
        # Every database connection stayed busy for the pool's whole time-out: a rush, not a bug.
        # Nothing was written; the mini-program retries idempotent calls by itself.
        log.warning("no database connection free for %s %s", request.method, request.url.path)
        return error_response(503, "BUSY", "人数太多，请稍后再试", headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "INTERNAL_ERROR", "服务器开小差了，请稍后再试")
