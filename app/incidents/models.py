from datetime import date, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class IncidentType:
    LABELS = {"injury": "受伤", "illness": "身体不适", "conflict": "同学冲突", "missing_child": "学生走失",
              "property": "财物", "other": "其他"}


class Incident(SQLModel, table=True):
    """突发情况, as first reported. Never changed: corrections, follow-ups and the closing are IncidentEntry rows."""

    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    day: date = Field(index=True)
    type: str = Field(max_length=16)
    severity: str = Field(max_length=8)  # low | medium | high
    at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(max_length=100)
    student_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    actions_taken: str = Field(sa_column=Column(Text, nullable=False))
    reported_by: int = Field(foreign_key="account.id")
    reported_by_name: str = Field(max_length=50)
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IncidentEntry(SQLModel, table=True):
    """What was added to an incident afterwards: a follow-up, a correction of a field, or the closing."""

    __tablename__ = "incident_entry"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: str = Field(max_length=10)  # follow_up | correction | close
    text: str = Field(sa_column=Column(Text, nullable=False))
    # For a correction: the fields it changes, e.g. {"place": "操场东侧"}.
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    written_by: int = Field(foreign_key="account.id")
    written_by_name: str = Field(max_length=50)
    written_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
