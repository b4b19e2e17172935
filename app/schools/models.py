from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime

GRADE_NAMES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级"}


class District(SQLModel, table=True):
    """An education bureau (教育局) that oversees several schools, read-only."""

    __tablename__ = "district"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    code: str = Field(max_length=30, unique=True)


class School(SQLModel, table=True):
    __tablename__ = "school"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    code: str = Field(max_length=30, unique=True)
    district_id: int | None = Field(default=None, foreign_key="district.id", index=True)
    timezone: str = Field(default="Asia/Shanghai", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Term(SQLModel, table=True):
    """A school term (学期); applications, clubs, fees and groups never span two."""

    __tablename__ = "term"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=50)
    starts_on: date
    ends_on: date


class SchoolClass(SQLModel, table=True):
    """An administrative class (行政班), e.g. 三年级2班."""

    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("school_id", "grade", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    grade: int = Field(ge=1, le=6)
    number: int = Field(ge=1, le=99)
    head_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)

    @property
    def name(self) -> str:
        return class_name(self.grade, self.number)


def class_name(grade: int, number: int) -> str:
    return f"{GRADE_NAMES.get(grade, f'{grade}年级')}{number}班"


class SchoolRules(SQLModel, table=True):
    """A school's own choices where the seeds give a default (设置). No row means the defaults."""

    __tablename__ = "school_rules"

    school_id: int = Field(foreign_key="school.id", primary_key=True)
    # Make-up working days (调休, e.g. a Saturday that counts as a Monday): most schools run no service.
    service_on_makeup_days: bool = False
    group_max: int = 45              # no care group (临时班) over this
    class_keeps_group_at: int = 30   # a class with this many staying children keeps its own group
    children_per_tutor: int = 25
    # Expected but not marked present this long after the session starts → absence alert.
    absence_alert_minutes: int = 15
    # Leave for today asked after this time is flagged urgent to the session's teacher.
    leave_cutoff: str = Field(default="14:00", max_length=5)
    # Not collected this long after the grade's end time → late (guardians and duty leader told);
    # this long → handed to the guard (门卫).
    late_grace_minutes: int = 10
    guard_after_minutes: int = 30
    # The duty leader checks each session this many times per lesson (每节课巡查两次) of this length.
    patrols_per_lesson: int = 2
    lesson_minutes: int = 40
    # Pay for the finance office (补助, set by each school within its 绩效工资): per session served, per duty day.
    pay_per_session_cents: int = 0
    pay_per_duty_day_cents: int = 0
