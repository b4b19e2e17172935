from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class PickupDevice(SQLModel, table=True):
    """A phone registered to show pickup codes (docs/pickup-code.md). Its secret is derived, never stored."""

    __tablename__ = "pickup_device"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    salt: str = Field(max_length=64)
    label: str = Field(default="", max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PickupCodeUse(SQLModel, table=True):
    """A code that released children: the unique pair makes a code release once."""

    __tablename__ = "pickup_code_use"
    __table_args__ = (UniqueConstraint("device_id", "issued_at"),)

    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="pickup_device.id")
    issued_at: int  # the code's Unix second
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PickupDelegate(SQLModel, table=True):
    """An adult a guardian allowed to take one child for a date range (临时授权接送)."""

    __tablename__ = "pickup_delegate"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    relation: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    # The guardian who named them (the teacher reads "由妈妈授权").
    granted_by_guardian_id: int = Field(foreign_key="guardian.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The one-time invitation (hashed) and the account that accepted it.
    invite_hash: str = Field(max_length=64, unique=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: int | None = Field(default=None, foreign_key="account.id")


class PickupBlock(SQLModel, table=True):
    """禁止接送: the adult with this phone may not take this child, whatever else says so (a custody order)."""

    __tablename__ = "pickup_block"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    reason: str = Field(max_length=500)
    created_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lifted_by: int | None = Field(default=None, foreign_key="account.id")


class HandoffMethod:
    QR = "qr"
    MANUAL = "manual"
    WALK_HOME = "walk_home"
    LABELS = {QR: "扫码", MANUAL: "人工核对", WALK_HOME: "自行回家"}


class Handoff(SQLModel, table=True):
    """Who released which child to whom, how, where and when. One per child per day."""

    __tablename__ = "handoff"
    __table_args__ = (UniqueConstraint("student_id", "day", name="uq_handoff_student_day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    day: date = Field(index=True)
    method: str = Field(max_length=10)
    # The adult: a guardian or a delegate; both empty for walk_home.
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id")
    delegate_id: int | None = Field(default=None, foreign_key="pickup_delegate.id")
    adult_name: str = Field(max_length=50)
    relation: str = Field(default="", max_length=20)
    released_by_staff_id: int = Field(foreign_key="staff.id")
    released_by_name: str = Field(max_length=50)
    session_id: int | None = Field(default=None, foreign_key="service_session.id")
    place: str = Field(default="", max_length=50)
    note: str | None = Field(default=None, max_length=500)
    device_id: int | None = Field(default=None, foreign_key="pickup_device.id")
    released_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LateStage:
    LATE = "late"
    WITH_GUARD = "with_guard"
    LABELS = {LATE: "超时未接", WITH_GUARD: "已交门卫"}


class LatePickup(SQLModel, table=True):
    """A child still in care after their end time plus the grace (LateEvent): raised once, then handed to the guard."""

    __tablename__ = "late_pickup"
    __table_args__ = (UniqueConstraint("student_id", "day", name="uq_late_pickup_student_day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    day: date = Field(index=True)
    end_time: str = Field(max_length=5)
    stage: str = Field(max_length=10)
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    to_guard_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Clearance(SQLModel, table=True):
    """清校: the duty leader's confirmation that no child is left at school that day (ClearanceCheck)."""

    __tablename__ = "clearance"
    __table_args__ = (UniqueConstraint("school_id", "day", name="uq_clearance_school_day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    day: date
    cleared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cleared_by_staff_id: int = Field(foreign_key="staff.id")
    cleared_by_name: str = Field(max_length=50)
    released_count: int = 0
