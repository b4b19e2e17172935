from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class DayChangeKind:
    CANCEL = "cancel"  # a day the plan would serve, called off (运动会, 期中考试…)
    ADD = "add"        # a day the plan would not serve, added (a make-up day the school serves…)
    LABELS = {CANCEL: "停课", ADD: "加开"}


class CalendarChange(SQLModel, table=True):
    """A school's own change to the term's service days, with its reason; one per date."""

    __tablename__ = "calendar_change"
    __table_args__ = (UniqueConstraint("term_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    day: date
    kind: str = Field(max_length=8)
    reason: str = Field(max_length=100)
    # An added weekend day (调休上班) runs a weekday's clubs and tutors: "按周五课表" → 5.
    follows_weekday: int | None = None
    created_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
