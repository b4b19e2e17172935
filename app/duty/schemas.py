from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.ids import Id
from app.core.inputs import Input, Text


class DayRosterIn(Input):
    date: date
    leader_staff_id: Id
    patrol_staff_ids: list[Id] = Field(default_factory=list, max_length=10)


class GenerateIn(Input):
    from_: date | None = Field(default=None, alias="from", description="默认今天（不早于学期开始）")
    to: date | None = Field(default=None, description="默认学期结束")
    overwrite: bool = Field(default=False, description="已排的日子是否重排")

    model_config = {"populate_by_name": True}


class SwapIn(Input):
    date: date
    from_staff_id: Id
    to_staff_id: Id
    reason: Text = Field(min_length=1, max_length=200)


class DutyPerson(BaseModel):
    staff_id: int
    name: str
    role: str
    role_label: str
    swapped_from: str | None = Field(default=None, description="换班：原来是谁")
    swap_reason: str | None = None


class RosterDayOut(BaseModel):
    date: date
    weekday: int
    leader: DutyPerson | None
    patrols: list[DutyPerson]


class SessionPatrolsOut(BaseModel):
    session_id: int
    name: str
    room: str
    starts_at: str
    ends_at: str
    teachers: list[str]
    expected_count: int
    present_count: int
    patrols_expected: int = Field(description="本场次应巡查次数（每节课 × 次数）")
    patrols_due_now: int = Field(description="到现在应巡查而未巡查的次数")
    patrols_done: int
    next_due_at: str | None = Field(description="下一次应巡查的时间 HH:MM")


class DutyTodayOut(BaseModel):
    date: date
    served: bool
    on_duty: bool
    role: str | None
    role_label: str | None
    leader: DutyPerson | None
    patrols: list[DutyPerson]
    sessions: list[SessionPatrolsOut]
    expected: list[str] = Field(description="今天值班要做的事")


class PatrolIn(Input):
    session_id: Id
    at: datetime | None = Field(default=None, description="巡查时间，默认现在")
    teacher_present: bool
    headcount_seen: int = Field(ge=0, le=200)
    order: Literal["good", "fair", "poor"]
    note: str | None = Field(default=None, max_length=500)


class PatrolOut(BaseModel):
    id: int
    session_id: int
    session_name: str
    at: datetime
    time: str
    by: str
    teacher_present: bool
    headcount_seen: int
    roster_present: int
    headcount_differs: bool = Field(description="看到的人数与点名已到人数不一致，需要核实")
    order: str
    order_label: str
    note: str | None


class ReportSession(BaseModel):
    session_id: int
    name: str
    kind_label: str
    starts_at: str
    ends_at: str
    teachers: list[str]
    expected: int
    present: int
    leave: int
    absent: int
    patrols_expected: int
    patrols_done: int


class ReportIncident(BaseModel):
    id: int
    time: str
    type_label: str
    severity_label: str
    place: str
    children: list[str]
    status: str
    resolution: str | None


class ReportPickups(BaseModel):
    released: int
    by_method: dict[str, int]
    manual: int
    late: int
    with_guard: int
    latest_release: str | None = Field(description="最后一名学生离校时间 HH:MM")
    cleared_at: str | None
    cleared_by: str | None


class ReportCorrection(BaseModel):
    text: str
    written_by: str
    written_at: datetime


class DailyReportOut(BaseModel):
    date: date
    school_name: str
    served: bool
    leader: str | None
    sessions: list[ReportSession]
    totals: dict[str, int] = Field(description="expected / present / leave / absent / patrols_expected / patrols_done")
    patrols: list[PatrolOut]
    patrols_missing: int
    incidents: list[ReportIncident]
    pickups: ReportPickups
    signed: bool
    signed_by: str | None = None
    signed_at: datetime | None = None
    corrections: list[ReportCorrection] = Field(default_factory=list)


class CorrectionIn(Input):
    text: Text = Field(min_length=1, max_length=2000)
