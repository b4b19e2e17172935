from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.calendar.schemas import DayOut
from app.core.ids import Id
from app.core.inputs import Input

# "unmarked" takes a mark back (撤销): the row is deleted, as if the child had not been marked.
MarkStatus = Literal["present", "absent", "leave", "late", "unmarked"]


class SchoolDayOut(DayOut):
    """The calendar's word on the date, for one school (kind `no_plan` when no published plan covers it)."""

    school_id: int
    school_name: str


class TeacherOut(BaseModel):
    staff_id: int
    name: str


class SessionOut(BaseModel):
    id: int
    school_id: int
    date: date
    kind: str = Field(description="care_group 看护班 | club 社团")
    kind_label: str
    name: str
    room: str
    starts_at: str
    ends_at: str
    teachers: list[TeacherOut]
    serving: bool = Field(description="调用者是否是本场次的教师")
    expected_count: int = Field(description="今天应在本场次的孩子（含请假待处理的）")
    arrived_count: int = Field(description="已到（含迟到）")
    leave_count: int = Field(description="本来在本场次、今天请假（已批准或班主任已知悉）的孩子")


class SessionsOut(BaseModel):
    date: date
    sessions: list[SessionOut]
    days: list[SchoolDayOut] = Field(description="调用者所在各校当天的日历（是否服务、停课原因、时间表）")


class LeaveOut(BaseModel):
    leave_id: int
    kind: str
    kind_label: str
    pending: bool = Field(description="还在等班主任处理（仍按应到计）")
    early_pickup_time: str | None
    label: str = Field(examples=["病假", "提前接走 16:30", "事假（待班主任处理）"])


class RosterRow(BaseModel):
    student_id: int
    name: str
    class_id: int
    class_name: str
    photo_url: str | None = Field(description="约一小时有效的签名链接，<image> 可直接加载")
    expected: bool = Field(description="今天应在本场次")
    place: str = Field(description="今天应在哪里：本场次名称、社团名、请假……")
    note: str | None = Field(description="给老师看的提示，如「在社团：书法」「交接时未到」")
    status: str | None = Field(description="present | absent | leave | late；未点名为 null")
    status_label: str | None
    arrived_at: datetime | None = Field(description="第一次点到（已到或迟到）的时间")
    marked_at: datetime | None
    marked_by: str | None
    leave: LeaveOut | None
    club: str | None = Field(description="看护班名单上：今天去了哪个社团")
    absence_alert: bool = Field(description="已发出未到提醒")
    handover_missing: bool = Field(description="班主任交接时未到")


class RosterOut(BaseModel):
    session: SessionOut
    rows: list[RosterRow]


class MarkIn(Input):
    student_id: Id
    status: MarkStatus


class HandoverRow(BaseModel):
    student_id: int
    name: str
    photo_url: str | None
    destination_kind: str = Field(description="care_group | club | leave | unplaced")
    destination: str = Field(description="去向：看护班或社团名称；请假；未分班")
    session_id: int | None
    room: str | None
    starts_at: str | None
    expected: bool = Field(description="应交接（请假已批准的孩子不在此列）")
    leave: LeaveOut | None
    present: bool | None = Field(description="已保存的交接里是否在场；尚未交接为 null")
    missing: bool = Field(description="交接时未到（且没有请假）")


class SavedHandover(BaseModel):
    present_ids: list[int]
    missing_ids: list[int]
    notes: str | None
    confirmed_by: str
    confirmed_at: datetime


class HandoverOut(BaseModel):
    class_id: int
    class_name: str
    day: DayOut
    rows: list[HandoverRow]
    handover: SavedHandover | None


class HandoverIn(Input):
    date: date
    present_ids: list[Id] = Field(max_length=200)
    notes: str | None = Field(default=None, max_length=500)


class ChildPlaceOut(BaseModel):
    kind: str = Field(description="care_group | club | leave | unplaced | not_in_care")
    label: str
    session_id: int | None
    room: str | None
    starts_at: str | None
    ends_at: str | None
    teachers: list[str]


class ChildAttendanceOut(BaseModel):
    status: str
    status_label: str
    arrived_at: datetime | None
    marked_at: datetime


class ChildHandoverOut(BaseModel):
    status: Literal["pending", "handed_over", "missing", "not_listed"]
    label: str
    confirmed_at: datetime | None


class ChildDayOut(BaseModel):
    student_id: int
    student_name: str
    date: date
    day: DayOut
    place: ChildPlaceOut
    attendance: ChildAttendanceOut | None
    leave: LeaveOut | None
    handover: ChildHandoverOut | None = Field(description="班主任交接：不在托管的日子为 null")
    absence_alert: bool
