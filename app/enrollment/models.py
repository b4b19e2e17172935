from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class PlanStatus:
    DRAFT = "draft"
    PUBLISHED = "published"    # the current version guardians read and sign
    SUPERSEDED = "superseded"  # an older published version, kept for the signatures made on it


class ServicePlan(SQLModel, table=True):
    """The term's published service plan (服务方案公示), one row per version."""

    __tablename__ = "service_plan"
    __table_args__ = (UniqueConstraint("term_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    version: int = 0  # 0 while a draft; 1, 2, … once published
    status: str = Field(default=PlanStatus.DRAFT, max_length=12)
    weekdays: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5], sa_column=Column(JSON, nullable=False))
    # Dismissal per grade band: {"low": "17:00", "mid": "17:20", "high": "17:30"}.
    end_times: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Optional winter timetable (冬令时): {"starts_on": "2026-11-01", "low": …, "mid": …, "high": …}.
    winter: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # When the service begins (after the last lesson); homework help first, then activities.
    starts_at: str = Field(default="15:40", max_length=5)
    homework_minutes: int = 40
    content: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fee_cents: int = 0
    fee_period: str = Field(default="term", max_length=10)  # month | term
    waiver_rules: str = Field(default="", sa_column=Column(Text, nullable=False))
    safety_measures: str = Field(default="", sa_column=Column(Text, nullable=False))
    agreement_title: str = Field(default="课后服务协议书", max_length=100)
    agreement_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    agreement_hash: str = Field(default="", max_length=64)
    capacity: int | None = None        # places the school can offer; None = everyone who applies
    priority_first: bool = True        # priority groups are approved first under a cap
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, foreign_key="account.id")


class AppStatus:
    SUBMITTED = "submitted"
    CLASS_APPROVED = "class_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"

    LIVE = (SUBMITTED, CLASS_APPROVED, APPROVED, REJECTED)
    LABELS = {SUBMITTED: "待班主任审核", CLASS_APPROVED: "待教导处审定", APPROVED: "已通过", REJECTED: "未通过",
              WITHDRAWN: "已退出", DECLINED: "不参加"}


class Application(SQLModel, table=True):
    """A family's answer for one child and one term: an application, or a decision not to take part.

    One row per child per term, so "one live application" holds even under concurrent taps.
    """

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("term_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    applicant_account_id: int = Field(foreign_key="account.id", index=True)
    status: str = Field(max_length=16, index=True)
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pickup_mode: str = Field(default="guardian", max_length=10)  # guardian | delegate | self
    self_statement: str | None = Field(default=None, sa_column=Column(Text))
    priority_claims: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=500)
    decline_reason: str | None = Field(default=None, max_length=500)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A withdrawn child leaves care from this date (the next service day).
    leaves_on: date | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApplicationEvent(SQLModel, table=True):
    """Every transition, with who, when and why; never changed afterwards."""

    __tablename__ = "application_event"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    action: str = Field(max_length=20)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_account_id: int = Field(foreign_key="account.id")
    actor_role: str = Field(max_length=16)
    comment: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreementSignature(SQLModel, table=True):
    """Who signed which version of the agreement, when, from where, and a hash of the exact text."""

    __tablename__ = "agreement_signature"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    plan_id: int = Field(foreign_key="service_plan.id")
    plan_version: int
    account_id: int = Field(foreign_key="account.id")
    signer_name: str = Field(max_length=50)
    text_hash: str = Field(max_length=64)
    client: str | None = Field(default=None, max_length=200)
    client_ip: str | None = Field(default=None, max_length=64)
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bill(SQLModel, table=True):
    """The term's fee for one approved child; a waiver (减免) halves or clears it. Never spans terms."""

    __tablename__ = "bill"
    __table_args__ = (UniqueConstraint("term_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    amount_cents: int
    waiver: str = Field(default="none", max_length=6)  # none | half | full
    waiver_reason: str | None = Field(default=None, max_length=200)
    waived_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def due_cents(self) -> int:
        return {"none": self.amount_cents, "half": self.amount_cents // 2, "full": 0}[self.waiver]
