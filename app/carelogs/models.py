from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class CareLogVersion(SQLModel, table=True):
    """One version of a session's care log (看护工作手册). Amending adds a version; none is ever changed."""

    __tablename__ = "care_log_version"
    __table_args__ = (UniqueConstraint("session_id", "version", name="uq_care_log_version_session_version"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    session_id: int = Field(foreign_key="service_session.id", index=True)
    version: int
    activities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    # [{"student_id", "note"}]: e.g. needed help with maths.
    child_notes: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unusual: str | None = Field(default=None, sa_column=Column(Text))
    written_by: int = Field(foreign_key="account.id")
    written_by_name: str = Field(max_length=50)
    written_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
