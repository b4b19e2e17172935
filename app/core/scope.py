"""Reading one school-owned row on behalf of a caller: out of scope means "not found"."""

from typing import TypeVar

from sqlmodel import Session, SQLModel

from app.core.errors import NotFound

M = TypeVar("M", bound=SQLModel)


def get_in_schools(session: Session, model: type[M], object_id: int, school_ids: frozenset[int] | set[int],
                   *, message: str = "未找到") -> M:
    """The row if it belongs to one of `school_ids`; 404 otherwise, so other schools' ids reveal nothing."""
    row = session.get(model, object_id)
    if row is None or row.school_id not in school_ids:
        raise NotFound(message=message)
    return row
