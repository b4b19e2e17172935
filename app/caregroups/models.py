from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class TutorOffer(SQLModel, table=True):
    """A teacher's offer to tutor care groups this term (教师自愿申请), on the weekdays they can."""

    __tablename__ = "tutor_offer"
    __table_args__ = (UniqueConstraint("term_id", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CareGroup(SQLModel, table=True):
    """A care group (临时班) of one term: one class's staying children, or several small classes of a grade."""

    __tablename__ = "care_group"
    __table_args__ = (UniqueConstraint("term_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    name: str = Field(max_length=50)
    grade: int
    room: str = Field(default="", max_length=50)
    # The classes whose children it was built for (a merged group lists several).
    class_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CareGroupMember(SQLModel, table=True):
    """A child's care group for the term; one per child per term, so a child is never in two."""

    __tablename__ = "care_group_member"
    __table_args__ = (UniqueConstraint("term_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    group_id: int = Field(foreign_key="care_group.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    placed_by: str = Field(default="build", max_length=8)  # build | hand (an admin's move)
    reason: str | None = Field(default=None, max_length=200)
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CareGroupTutor(SQLModel, table=True):
    """Who tutors a group on which weekday (1 = Monday)."""

    __tablename__ = "care_group_tutor"
    __table_args__ = (UniqueConstraint("group_id", "weekday", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    group_id: int = Field(foreign_key="care_group.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    weekday: int
    placed_by: str = Field(default="build", max_length=8)  # build | hand
