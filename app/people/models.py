from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime

# The six priority groups the seeds name (优先保障), in the order schools list them.
PRIORITY_FLAGS: dict[str, str] = {
    "priority_disabled": "残疾儿童",
    "priority_left_behind": "留守儿童",
    "priority_migrant": "进城务工随迁子女",
    "priority_low_income": "家庭经济困难",
    "priority_single_parent": "单亲家庭",
    "priority_dual_working": "双职工家庭",
}

STAFF_ROLES: dict[str, str] = {
    "admin": "管理员",
    "class_head": "班主任",
    "teacher": "课后服务教师",
    "duty_leader": "值班领导",
    "guard": "门卫",
}


class Student(SQLModel, table=True):
    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("school_id", "student_no"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    student_no: str = Field(max_length=30)
    name: str = Field(max_length=50)
    # Pinyin initials ("zxm" for 张小明) so a teacher can search with a few letters.
    name_initials: str = Field(default="", max_length=50, index=True)
    gender: str = Field(max_length=10)  # male | female
    birth_date: date | None = None
    photo_path: str | None = Field(default=None, max_length=200)
    priority_disabled: bool = False
    priority_left_behind: bool = False
    priority_migrant: bool = False
    priority_low_income: bool = False
    priority_single_parent: bool = False
    priority_dual_working: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Guardian(SQLModel, table=True):
    """A child's adult as the school knows them (phone from the roster).

    One row per school: a parent with children in two schools has two rows, both
    linked to the same Account once they bind in the mini-program.
    """

    __tablename__ = "guardian"
    __table_args__ = (UniqueConstraint("school_id", "phone"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    # The guardian's own photo, so the teacher at the gate can check the face against it.
    photo_path: str | None = Field(default=None, max_length=200)


class Guardianship(SQLModel, table=True):
    __tablename__ = "guardianship"
    __table_args__ = (UniqueConstraint("student_id", "guardian_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    relation: str = Field(max_length=20)  # 父亲 / 母亲 / 爷爷 / 奶奶 / 外公 / 外婆 / 其他
    may_pick_up: bool = True


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("school_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    is_active: bool = True
    # A one-time code the admin hands over so the person can link their WeChat (stored hashed).
    bind_code_hash: str | None = Field(default=None, max_length=64)
    bind_code_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DistrictOfficial(SQLModel, table=True):
    """A 教育局 user: reads its schools' figures, changes nothing."""

    __tablename__ = "district_official"
    __table_args__ = (UniqueConstraint("district_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="district.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=50)


class BindAttempt(SQLModel, table=True):
    """Every try to bind a child (or a staff code), kept to rate-limit guessing and for the audit."""

    __tablename__ = "bind_attempt"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="guardian", max_length=10)  # guardian | staff
    account_id: int = Field(foreign_key="account.id", index=True)
    # The school and student the number pointed at, when it matched one; guesses count against them.
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    student_id: int | None = Field(default=None, foreign_key="student.id", index=True)
    student_no: str = Field(max_length=30)
    succeeded: bool
    client_ip: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
