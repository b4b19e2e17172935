from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 50


def page_params(page: Annotated[int, Query(ge=1, le=100000, description="页码，从 1 开始")] = 1,
                page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50) -> PageParams:
    return PageParams(page=page, page_size=page_size)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(session: Session, query: SelectOfScalar, params: PageParams) -> tuple[list, int]:
    """One page of `query` and the total count (the query must already be ordered)."""
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = session.exec(query.offset((params.page - 1) * params.page_size).limit(params.page_size)).all()
    return list(rows), total
