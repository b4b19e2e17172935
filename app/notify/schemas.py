from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.inputs import Input


class InboxItem(BaseModel):
    id: int
    event: str
    title: str
    body: str
    page: str | None
    created_at: datetime
    read: bool


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int
    page: int
    page_size: int
    unread: int


class ReadAllOut(BaseModel):
    updated: int


class TemplateOut(BaseModel):
    event: str
    title: str
    template_id: str
    long_term: bool


SubscribeChoice = Literal["accept", "reject", "ban", "filter"]


class SubscriptionsIn(Input):
    """What wx.requestSubscribeMessage answered: template id → accept / reject / ban / filter."""

    results: dict[str, SubscribeChoice] = Field(min_length=1, max_length=20)


class SubscriptionOut(BaseModel):
    template_id: str
    event: str | None
    long_term: bool
    remaining: int
    last_choice: str


class OutboxItem(BaseModel):
    id: int
    event: str
    account_id: int
    recipient_name: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


class RetriedOut(BaseModel):
    retried: int
