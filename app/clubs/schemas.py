from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.core.ids import Id
from app.core.inputs import Input
from app.enrollment.schemas import TIME_PATTERN, Weekday

Category = Literal["art", "sport", "science", "language", "labour", "other"]


class ClubIn(Input):
    name: str = Field(min_length=1, max_length=50)
    category: Category
    description: str = Field(default="", max_length=2000)
    teacher_staff_id: Id | None = None
    venue: str = Field(default="", max_length=50)
    weekdays: list[Weekday] = Field(min_length=1, max_length=5)
    start_time: str = Field(pattern=TIME_PATTERN)
    end_time: str = Field(pattern=TIME_PATTERN)
    capacity: int = Field(ge=1, le=500)
    grades: list[int] = Field(min_length=1, max_length=6)
    min_to_open: int | None = Field(default=None, ge=1, le=500)

    @field_validator("grades")
    @classmethod
    def _grades(cls, value: list[int]) -> list[int]:
        if any(g < 1 or g > 6 for g in value):
            raise ValueError("年级应为 1–6")
        return sorted(set(value))

    @model_validator(mode="after")
    def _times(self) -> "ClubIn":
        if self.end_time <= self.start_time:
            raise ValueError("结束时间须晚于开始时间")
        if self.min_to_open is not None and self.min_to_open > self.capacity:
            raise ValueError("开班最少人数不能多于名额")
        self.weekdays = sorted(set(self.weekdays))
        return self


class ClubOut(BaseModel):
    id: int
    term_id: int
    name: str
    category: str
    category_label: str
    description: str
    teacher_staff_id: int | None
    teacher_name: str | None
    venue: str
    weekdays: list[int]
    start_time: str
    end_time: str
    capacity: int
    grades: list[int]
    min_to_open: int | None
    enrolled: int
    free_seats: int
    waitlisted: int
    # A signed link good for about an hour (an <image> cannot send the login token); null without a cover.
    cover_url: str | None = None
    # For a guardian asking about one child: may the child choose it, and if not, why.
    may_choose: bool | None = None
    reason: str | None = None
    my_status: str | None = None


class RoundIn(Input):
    name: str = Field(min_length=1, max_length=50)
    mode: Literal["first_come", "lottery"]
    opens_at: datetime
    closes_at: datetime
    drop_deadline: datetime | None = None
    max_per_child: int = Field(default=2, ge=1, le=10)
    priority_first: bool = True

    @model_validator(mode="after")
    def _window(self) -> "RoundIn":
        for name in ("opens_at", "closes_at", "drop_deadline"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} 须带时区，例如 2026-09-01T12:00:00+08:00")
        if self.closes_at <= self.opens_at:
            raise ValueError("截止时间须晚于开始时间")
        if self.drop_deadline is not None and self.drop_deadline < self.opens_at:
            raise ValueError("退选截止时间不能早于选课开始时间")
        return self


class RoundOut(RoundIn):
    id: int
    term_id: int
    seed: str | None
    drawn_at: datetime | None
    is_open: bool


class EnrollIn(Input):
    student_id: Id


class EnrollmentOut(BaseModel):
    id: int
    club_id: int
    club_name: str
    student_id: int
    student_name: str
    status: str
    status_label: str
    position: int | None  # place on the waiting list, 1 = next in


class ChoicesIn(Input):
    club_ids: list[Id] = Field(min_length=1, max_length=5, description="按志愿顺序排列，最多 5 个")

    @field_validator("club_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("志愿不能重复")
        return value


class DrawIn(Input):
    seed: str | None = Field(default=None, max_length=64, description="不填则随机生成并记录")


class MoveIn(Input):
    to_club_id: Id | None = Field(default=None, description="不填则移出该社团")
    reason: str = Field(min_length=1, max_length=200)


class RosterRow(BaseModel):
    student_id: int
    student_name: str
    class_name: str
    status: str
    position: int | None
    guardians: list[str]  # "妈妈 李娟 13800000001"; the phone masked (138****0001) unless the caller may read it


class DrawResult(BaseModel):
    round_id: int
    seed: str
    clubs: list[dict]  # {club_id, name, enrolled: [names], waitlisted: [names]}
