from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class ConsentScope:
    """What a guardian agrees to, each separately (PIPL art. 29: separate consent for a child's data)."""

    ROSTER = "roster"                # the child's roster and care records, and binding the guardian's WeChat
    PHOTO = "photo"                  # the child's photo and the guardian's own pickup photo
    NOTIFICATIONS = "notifications"  # WeChat subscribe messages about the child (through Tencent)

    ALL = (ROSTER, PHOTO, NOTIFICATIONS)
    LABELS = {ROSTER: "花名册与课后服务信息", PHOTO: "照片", NOTIFICATIONS: "消息通知"}


class PrivacyConsent(SQLModel, table=True):
    """One guardian's consent to one scope of the processing rules for one child, as given; a withdrawal sets
    `withdrawn_at` and a later consent is a new row, so the history is kept for the inspector."""

    __tablename__ = "privacy_consent"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    # Who ticked the box (the guardian record's WeChat account at the time).
    account_id: int | None = Field(default=None, foreign_key="account.id")
    scope: str = Field(max_length=20)
    rules_version: str = Field(max_length=20)
    given_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
