"""Reading one school-owned row on behalf of a caller: out of scope means "not found"."""

from typing import TypeVar

from sqlmodel import Session, SQLModel

from app.core.errors import AppError, NotFound

M = TypeVar("M", bound=SQLModel)


def get_in_schools(session: Session, model: type[M], object_id: int, school_ids: frozenset[int] | set[int],
                   *, code: str = "NOT_FOUND", message: str = "未找到") -> M:
    """The row if it belongs to one of `school_ids`; 404 otherwise, so other schools' ids reveal nothing."""
    row = session.get(model, object_id)
    if row is None or row.school_id not in school_ids:
        raise NotFound(code, message)
    return row


def acting_school(school_ids: frozenset[int], school_id: int | None = None) -> int:
    """The one school a staff route acts on: the one asked for if the caller works there, else their only one."""
    if school_id is not None:
        if school_id not in school_ids:
            raise NotFound("SCHOOL_NOT_FOUND", "未找到该学校")
        return school_id
    if len(school_ids) != 1:
        raise AppError("SCHOOL_REQUIRED", "请指定学校（school_id）", status_code=422)
    return next(iter(school_ids))
