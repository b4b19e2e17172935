from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime

CATEGORIES = {"art": "艺术", "sport": "体育", "science": "科技", "language": "语言", "labour": "劳动", "other": "其他"}


class Club(SQLModel, table=True):
    """A club (社团) of one term: fixed weekdays, a teacher, a room and limited seats."""

    __tablename__ = "club"
    __table_args__ = (UniqueConstraint("term_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    name: str = Field(max_length=50)
    category: str = Field(max_length=10)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    cover_path: str | None = Field(default=None, max_length=200)
    teacher_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    venue: str = Field(default="", max_length=50)
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    start_time: str = Field(max_length=5)  # "HH:MM", school-local
    end_time: str = Field(max_length=5)
    capacity: int
    grades: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    min_to_open: int | None = None
    # Seats taken, kept on the row so a seat is taken by one conditional UPDATE (never oversold).
    enrolled_count: int = 0
    is_active: bool = True


class SelectionRound(SQLModel, table=True):
    __tablename__ = "selection_round"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    name: str = Field(max_length=50)
    mode: str = Field(max_length=12)  # first_come | lottery
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    drop_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_per_child: int = 2
    priority_first: bool = True
    seed: str | None = Field(default=None, max_length=64)  # the lottery's recorded seed
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EnrollmentStatus:
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    DROPPED = "dropped"
    LABELS = {ENROLLED: "已选上", WAITLISTED: "候补中", DROPPED: "已退出"}


class ClubEnrollment(SQLModel, table=True):
    """A child's place in a club: enrolled, waiting (ordered by `queue_key`), or dropped."""

    __tablename__ = "club_enrollment"
    __table_args__ = (UniqueConstraint("club_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    club_id: int = Field(foreign_key="club.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="selection_round.id")
    status: str = Field(max_length=12, index=True)
    # Waiting order: the lottery writes its own order here, first come uses the request time.
    queue_key: float = 0.0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EnrollmentEvent(SQLModel, table=True):
    """What happened to a place and why (promotions, drops, an admin's move with its reason)."""

    __tablename__ = "club_enrollment_event"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    enrollment_id: int = Field(foreign_key="club_enrollment.id", index=True)
    action: str = Field(max_length=20)
    to_status: str = Field(max_length=12)
    reason: str | None = Field(default=None, max_length=200)
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LotteryChoice(SQLModel, table=True):
    __tablename__ = "lottery_choice"
    __table_args__ = (UniqueConstraint("round_id", "student_id", "rank", name="uq_lottery_choice_rank"),
                      UniqueConstraint("round_id", "student_id", "club_id", name="uq_lottery_choice_club"))

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    round_id: int = Field(foreign_key="selection_round.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    club_id: int = Field(foreign_key="club.id")
    rank: int
