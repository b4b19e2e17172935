from datetime import date, datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, Session, SQLModel, delete

from app.core.clock import today, utcnow
from app.core.types import UTCDateTime
from app.attendance.models import ServiceSession
from app.duty.models import PatrolRecord
from app.pickup.models import Handoff


class Figures(SQLModel):
    """A school's figures for one service day (`app/reports/service.py: compute_day`)."""

    school_id: int = Field(foreign_key="school.id", primary_key=True)
    day: date = Field(primary_key=True)
    expected: int
    present: int
    leave: int
    absent: int
    released: int
    # {"qr": n, "manual": n, "walk_home": n}
    by_method: dict = Field(default_factory=dict, sa_type=JSON, nullable=False)
    # {"17:00": n, "17:10": n}: releases per 10 minutes of school-local time
    buckets: dict = Field(default_factory=dict, sa_type=JSON, nullable=False)
    latest_release_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late: int
    with_guard: int
    patrols_due: int
    patrols_done: int
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DayFigures(Figures, table=True):
    """One school's figures for one past service day, kept so dashboards need not re-read the raw rows
    (a district of 100 schools has millions of attendance rows). Today's figures are never kept here: they change."""

    __tablename__ = "day_figures"


class TodayFigures(Figures, table=True):
    """One school's figures for today as last counted, at most `today_figures_max_age_seconds` old when a dashboard
    reads them: counting today for 100 schools takes seconds, and the worker recounts every
    `today_figures_refresh_seconds`. One row per school (its `day` is the day they were counted, which the readers
    check)."""

    __tablename__ = "today_figures"

    day: date


def forget_figures(session: Session, school_id: int, days) -> None:
    """A past day's records changed (a roll call corrected, leave decided late): its figures are computed again."""
    past = [d for d in days if d < today()]
    if past:
        session.exec(delete(DayFigures).where(DayFigures.school_id == school_id, DayFigures.day.in_(past)))


# The indexes the dashboards' plans need (EXPLAIN ANALYZE on the benchmark's district, docs/benchmarks.md): a day of
# one school's releases, patrols and sessions, read by compute_day and, for many schools at once, by the set-based
# figures (app/reports/rollup.py), which otherwise scanned all 17 M releases. Declared here, beside what needs them.
Index("ix_handoff_school_id_day", Handoff.school_id, Handoff.day)
Index("ix_patrol_record_school_id_day", PatrolRecord.school_id, PatrolRecord.day)
Index("ix_service_session_school_id_day", ServiceSession.school_id, ServiceSession.day)
