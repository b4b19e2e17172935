from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class InboxMessage(SQLModel, table=True):
    """The in-app record of every notification; it never depends on WeChat."""

    __tablename__ = "inbox_message"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    event: str = Field(max_length=40)
    title: str = Field(max_length=100)
    body: str = Field(max_length=500)
    page: str | None = Field(default=None, max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The same key is never delivered twice (e.g. "pickup:<handoff id>:<account id>").
    dedupe_key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxStatus:
    PENDING = "pending"      # waiting for a worker (possibly after a back-off)
    SENDING = "sending"      # claimed by a worker until lease_until
    SENT = "sent"
    SKIPPED = "skipped"      # no WeChat acceptance left, no openid, or no template: the inbox has it
    REFUSED = "refused"      # WeChat said 43101: the user refused or used up their subscription
    FAILED = "failed"        # gave up; an admin may retry

    ALL = (PENDING, SENDING, SENT, SKIPPED, REFUSED, FAILED)


class OutboxMessage(SQLModel, table=True):
    """A WeChat subscribe message to deliver, written in the same transaction as its cause."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    inbox_id: int = Field(foreign_key="inbox_message.id", index=True)
    event: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    wechat_msgid: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubscriptionGrant(SQLModel, table=True):
    """What a person accepted in wx.requestSubscribeMessage, per template.

    One-time templates allow exactly one send per acceptance, so acceptances are counted
    and used up; long-term templates (education qualifies) allow many.
    """

    __tablename__ = "subscription_grant"
    __table_args__ = (UniqueConstraint("account_id", "template_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    template_id: str = Field(max_length=64)
    long_term: bool = False
    remaining: int = 0
    last_choice: str = Field(default="accept", max_length=10)  # accept | reject | ban | filter
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WeChatAccessToken(SQLModel, table=True):
    """The one cached access token, shared by every worker through the database."""

    __tablename__ = "wechat_access_token"

    appid: str = Field(primary_key=True, max_length=40)
    token: str = Field(max_length=1024)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
