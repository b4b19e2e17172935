from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class LeaveKind:
    SICK = "sick"
    PERSONAL = "personal"
    EARLY_PICKUP = "early_pickup"  # the child comes, but a guardian collects them early
    LABELS = {SICK: "病假", PERSONAL: "事假", EARLY_PICKUP: "提前接走"}


class LeaveStatus:
    SUBMITTED = "submitted"
    APPROVED = "approved"
    NOTED = "noted"          # the class head has seen it (已知悉); counts like an approval
    CANCELLED = "cancelled"
    LABELS = {SUBMITTED: "待班主任处理", APPROVED: "已批准", NOTED: "班主任已知悉", CANCELLED: "已撤销"}
    IN_FORCE = (APPROVED, NOTED)


class LeaveRequest(SQLModel, table=True):
    """A guardian's leave request (请假) for one child, over one or more service days."""

    __tablename__ = "leave_request"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    kind: str = Field(max_length=12)
    reason: str = Field(max_length=200)
    early_pickup_time: str | None = Field(default=None, max_length=5)
    status: str = Field(default=LeaveStatus.SUBMITTED, max_length=10, index=True)
    # Asked for today after the school's cutoff: the session's teacher is told at once.
    urgent: bool = False
    requested_by: int = Field(foreign_key="account.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    comment: str | None = Field(default=None, max_length=200)


class LeaveDay(SQLModel, table=True):
    """One day of a leave request, so "who is on leave on this date" is one indexed query."""

    __tablename__ = "leave_day"
    __table_args__ = (UniqueConstraint("leave_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    leave_id: int = Field(foreign_key="leave_request.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    day: date = Field(index=True)
