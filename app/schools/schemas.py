from datetime import date

from app.core.ids import Id
from pydantic import BaseModel, Field, model_validator


class SchoolOut(BaseModel):
    id: int
    name: str
    code: str
    district_id: int | None
    timezone: str


class TermIn(BaseModel):
    name: str = Field(min_length=1, max_length=50, examples=["2026-2027学年第一学期"])
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> "TermIn":
        if self.ends_on < self.starts_on:
            raise ValueError("学期结束日期不能早于开始日期")
        return self


class TermUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    starts_on: date | None = None
    ends_on: date | None = None


class TermOut(BaseModel):
    id: int
    school_id: int
    name: str
    starts_on: date
    ends_on: date
    is_current: bool


class ClassIn(BaseModel):
    grade: int = Field(ge=1, le=6)
    number: int = Field(ge=1, le=99)
    head_staff_id: Id | None = None


class ClassUpdate(BaseModel):
    head_staff_id: Id | None = None


class ClassOut(BaseModel):
    id: int
    school_id: int
    grade: int
    number: int
    name: str
    head_staff_id: Id | None
    head_staff_name: str | None = None
    student_count: int = 0
