from datetime import date, datetime

from pydantic import BaseModel, Field

from app.enrollment.schemas import CountRow, PriorityRow


class Named(BaseModel):
    id: int
    name: str


class Participation(BaseModel):
    eligible: int
    applied: int
    approved: int
    declined: int
    participation_rate: float
    declined_reasons: list[str]
    by_grade: list[CountRow]
    by_class: list[CountRow]
    by_priority: list[PriorityRow]


class AttendancePoint(BaseModel):
    date: date
    expected: int
    present: int
    leave: int
    absent: int


class Attendance(BaseModel):
    series: list[AttendancePoint]
    expected: int
    present: int
    leave: int
    absent: int
    attendance_rate: float


class Bucket(BaseModel):
    from_: str = Field(serialization_alias="from")
    to: str
    count: int


class LatestRelease(BaseModel):
    date: date
    time: str


class Pickups(BaseModel):
    released: int
    by_method: dict[str, int]
    buckets: list[Bucket]
    latest: list[LatestRelease]
    late: int
    with_guard: int


class ClubFill(BaseModel):
    club_id: int
    name: str
    capacity: int
    enrolled: int
    waitlisted: int
    fill_rate: float


class Teachers(BaseModel):
    staff: int
    participating: int
    participation_rate: float
    sessions: int


class Patrols(BaseModel):
    due: int
    done: int
    rate: float


class Incidents(BaseModel):
    total: int
    open: int
    by_type: dict[str, int]


class Fees(BaseModel):
    children_billed: int
    billed_cents: int
    waived_cents: int
    due_cents: int
    waivers_half: int
    waivers_full: int


class SurveyRate(BaseModel):
    survey_id: int
    title: str
    responses: int
    satisfied_rate: float


class Satisfaction(BaseModel):
    surveys: list[SurveyRate]
    satisfied_rate: float


class SchoolDashboard(BaseModel):
    school: Named
    term: Named
    from_: date = Field(serialization_alias="from")
    to: date
    participation: Participation
    attendance: Attendance
    pickups: Pickups
    clubs: list[ClubFill]
    teachers: Teachers
    patrols: Patrols
    incidents: Incidents
    fees: Fees
    satisfaction: Satisfaction
    computed_at: datetime
    # When today's figures in the range were counted (at most a minute ago; the worker recounts them every 30 s);
    # None when the range has no day being served today.
    today_counted_at: datetime | None = None


class SchoolRow(BaseModel):
    """One school's key figures in a district report, with its rank on each (1 = best)."""

    school: Named
    term: Named | None
    eligible: int
    approved: int
    participation_rate: float
    attendance_rate: float
    late: int
    teacher_participation_rate: float
    patrol_rate: float
    incidents: int
    satisfied_rate: float
    ranks: dict[str, int]


class DistrictDashboard(BaseModel):
    district: Named
    from_: date | None = Field(serialization_alias="from")
    to: date
    schools: list[SchoolRow]
    totals: dict[str, float]
    # When the oldest of today's figures in the rows was counted (the worker recounts them every 30 s); None
    # when the range does not include a day being served today.
    today_counted_at: datetime | None = None
