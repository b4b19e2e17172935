from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.core.inputs import Input


class Timetable(BaseModel):
    starts_at: str = Field(description="开始时间")
    homework_ends_at: str = Field(description="作业辅导结束（不超过一节课）")
    activity_starts_at: str = Field(description="活动/社团开始")
    end_times: dict[str, str] = Field(description="各年级段结束时间：low 低年级、mid 中年级、high 高年级")
    winter: bool = Field(description="是否冬令时")


class ClubMeeting(BaseModel):
    club_id: int
    name: str
    venue: str
    starts_at: str
    ends_at: str


class DayOut(BaseModel):
    date: date
    weekday: int
    kind: str = Field(description="regular | holiday | makeup | cancelled | added | not_planned | weekend")
    kind_label: str
    served: bool
    note: str | None = Field(description="节假日名称，或学校停课/加开的原因")
    runs_as_weekday: int = Field(description="当天按周几的社团和教师安排")
    change_id: int | None
    timetable: Timetable | None
    clubs: list[ClubMeeting] = Field(default_factory=list, description="当天活动的社团（服务日才有）")
    leave_count: int | None = Field(default=None, description="当天请假（已批准或已知悉）的学生数；仅教职工可见")


class CalendarOut(BaseModel):
    term_id: int
    weekdays: list[int]
    service_day_count: int
    days: list[DayOut]
    warnings: list[str]
    leave_cutoff: str = Field(description="当天请假截止时间；之后的请假标为紧急并立即通知老师")


class DayChangeIn(Input):
    date: date
    kind: Literal["cancel", "add"]
    reason: str = Field(min_length=1, max_length=100, examples=["运动会"])
    follows_weekday: Literal[1, 2, 3, 4, 5] | None = Field(default=None, description="加开日按周几课表")

    @model_validator(mode="after")
    def _weekday_only_when_adding(self) -> "DayChangeIn":
        if self.follows_weekday is not None and self.kind != "add":
            raise ValueError("只有加开的日期才能指定按周几课表")
        return self
