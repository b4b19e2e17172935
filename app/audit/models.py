from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """A staff member's read of children's data (未成年人网络保护条例 art. 36, PIPL art. 51).

    Append-only: the migration installs database triggers that refuse UPDATE and DELETE on this table and on
    `audit_event_student`, so no code path (nor a mistaken query) can edit the trail."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    account_id: int = Field(index=True)  # no foreign key: the trail outlives accounts
    actor_name: str = Field(max_length=50)
    roles: str = Field(max_length=100)
    school_id: int = Field(index=True)
    action: str = Field(max_length=30)
    detail: str = Field(default="", max_length=200)
    student_count: int = 0
    client_ip: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)


class AuditEventStudent(SQLModel, table=True):
    """Which children an audit event touched (so a guardian can see who read their child's data)."""

    __tablename__ = "audit_event_student"

    event_id: int = Field(foreign_key="audit_event.id", primary_key=True)
    student_id: int = Field(primary_key=True, index=True)
