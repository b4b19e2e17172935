from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class DutyRole:
    LEADER = "leader"   # 值班领导: patrols, handles incidents, signs the day off, 清校
    PATROL = "patrol"   # 巡查人员 helping the leader
    LABELS = {LEADER: "值班领导", PATROL: "巡查"}


class DutyAssignment(SQLModel, table=True):
    """Who is on duty on a service day (值班表). One leader per day; a swap keeps who was replaced and why."""

    __tablename__ = "duty_assignment"
    __table_args__ = (UniqueConstraint("school_id", "day", "staff_id", name="uq_duty_assignment_day_staff"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    day: date = Field(index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    role: str = Field(max_length=10)
    assigned_by: int = Field(foreign_key="account.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    swapped_from_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    swap_reason: str | None = Field(default=None, max_length=200)


class PatrolOrder:
    GOOD, FAIR, POOR = "good", "fair", "poor"
    LABELS = {GOOD: "良好", FAIR: "一般", POOR: "较差"}


class PatrolRecord(SQLModel, table=True):
    """A duty leader's check of one session (巡查): never changed afterwards."""

    __tablename__ = "patrol_record"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    session_id: int = Field(foreign_key="service_session.id", index=True)
    day: date = Field(index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    teacher_present: bool
    headcount_seen: int
    # The roll call's present count when the patrol was recorded, so a difference stays visible later.
    roster_present: int
    order: str = Field(max_length=5)
    note: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
