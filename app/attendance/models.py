from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class SessionKind:
    CARE_GROUP = "care_group"
    CLUB = "club"


class ServiceSession(SQLModel, table=True):
    """One care group or one club meeting on one service day (a 课时 for its teachers).

    Created on first need for a day (`app/attendance/places.py`), so a day cancelled
    beforehand never has sessions and the times are the ones in force that day.
    """

    __tablename__ = "service_session"
    __table_args__ = (UniqueConstraint("day", "care_group_id", name="uq_service_session_day_group"),
                      UniqueConstraint("day", "club_id", name="uq_service_session_day_club"))

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    day: date = Field(index=True)
    kind: str = Field(max_length=12)
    care_group_id: int | None = Field(default=None, foreign_key="care_group.id", index=True)
    club_id: int | None = Field(default=None, foreign_key="club.id", index=True)
    name: str = Field(max_length=50)
    room: str = Field(default="", max_length=50)
    starts_at: str = Field(max_length=5)  # school-local "HH:MM"
    ends_at: str = Field(max_length=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionStaff(SQLModel, table=True):
    """Who serves a session; each row counts as one session served (一次相当于加课时一节)."""

    __tablename__ = "session_staff"
    __table_args__ = (UniqueConstraint("session_id", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    session_id: int = Field(foreign_key="service_session.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    # Set when an admin put a substitute in (代课): who and why.
    replaced_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    reason: str | None = Field(default=None, max_length=200)


class AttendanceStatus:
    PRESENT = "present"
    ABSENT = "absent"
    LEAVE = "leave"
    LATE = "late"
    LABELS = {PRESENT: "已到", ABSENT: "缺席", LEAVE: "请假", LATE: "迟到"}
    ARRIVED = (PRESENT, LATE)


class Attendance(SQLModel, table=True):
    """A child's mark in one session; the last write wins, with who and when."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    session_id: int = Field(foreign_key="service_session.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    status: str = Field(max_length=8)
    marked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    marked_by: int = Field(foreign_key="account.id")
    # When the child first arrived (kept when a later mark only corrects the status).
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AbsenceAlert(SQLModel, table=True):
    """An absence alert raised for a child in a session; the unique row makes it fire once."""

    __tablename__ = "absence_alert"
    __table_args__ = (UniqueConstraint("session_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    session_id: int = Field(foreign_key="service_session.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Handover(SQLModel, table=True):
    """A class head's handover (交接) of the staying children on one day; confirming again replaces it."""

    __tablename__ = "handover"
    __table_args__ = (UniqueConstraint("class_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    day: date
    present_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    missing_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str | None = Field(default=None, max_length=500)
    confirmed_by: int = Field(foreign_key="account.id")
    confirmed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
