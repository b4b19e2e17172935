from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class SurveyStatus:
    DRAFT = "draft"          # the admin is still writing it; guardians never see it
    PUBLISHED = "published"  # open from opens_at (if any) until closes_at (if any) or until closed
    CLOSED = "closed"        # closed by hand; answers are kept, no new ones


class Survey(SQLModel, table=True):
    """A term's satisfaction survey (满意度调查). Its questions are fixed once published, so every answer keeps
    meaning what it meant when it was given."""

    __tablename__ = "survey"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    title: str = Field(max_length=100)
    intro: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Whose families are asked: "in_care" (an approved application in the term) or "all" (every active child).
    audience: str = Field(default="in_care", max_length=10, sa_column_kwargs={"server_default": "in_care"})
    # [{"id", "kind" (rating | single | multiple | text), "text", "required", "options": [{"id", "text"}]}]
    questions: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=SurveyStatus.DRAFT, max_length=10, index=True,
                        sa_column_kwargs={"server_default": SurveyStatus.DRAFT})
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the families asked were told it opened (at publishing, or by the worker at opens_at); None until then.
    announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyResponse(SQLModel, table=True):
    """One child's answered survey: at most one per child per survey (the unique key holds it under double taps).
    The class and grade are kept as they were when answered, so results by class stay put."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    survey_id: int = Field(foreign_key="survey.id")  # leads the unique key, which serves as its index
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    grade: int
    answered_by: int = Field(foreign_key="account.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SurveyAnswer(SQLModel, table=True):
    """The answer to one question of a response: a rating (1–5), chosen option ids, or a text."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    response_id: int = Field(foreign_key="survey_response.id")  # leads the unique key
    question_id: int
    rating: int | None = None
    option_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))
    text: str | None = Field(default=None, sa_column=Column(Text))
