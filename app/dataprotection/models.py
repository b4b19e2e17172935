from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class StudentErasure(SQLModel, table=True):
    """That a child's personal data was erased, when, by whom and why (PIPL art. 47). One per child: erasing again
    answers with this row. The access audit keeps its own `student.erase` event beside it."""

    __tablename__ = "student_erasure"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", unique=True)
    erased_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_by: int = Field(foreign_key="account.id")
    erased_by_name: str = Field(max_length=50)
    # The admin's reason, with the child's name taken out (it would undo the erasure).
    reason: str = Field(max_length=200)
    # What was done, e.g. {"guardians_erased": 1, "notifications": 4}: rows counted, no names.
    removed: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RetentionRules(SQLModel, table=True):
    """How long a school keeps children's records (docs/privacy.md, "Retention"). No row means the defaults.

    Dated records are kept until this many days after the end of the term they fall in (a record dated between two
    terms waits for the next term's end); a photo of a child who left, this many days after they were marked left."""

    __tablename__ = "retention_rules"

    school_id: int = Field(foreign_key="school.id", primary_key=True)
    photo_days: int = 0            # a child's (and their guardians') photos once the child has left
    pickup_days: int = 365         # handoffs, late pickups, ended pickup delegates
    attendance_days: int = 1095    # roll-call marks, absence alerts, handovers, leave requests
    notification_days: int = 180   # inbox messages and their WeChat outbox rows
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, foreign_key="account.id")
