from datetime import datetime

from pydantic import BaseModel, Field


class AuditOut(BaseModel):
    id: int
    at: datetime
    account_id: int
    actor_name: str
    roles: str
    school_id: int
    action: str
    action_label: str
    detail: str
    student_ids: list[int] = Field(description="涉及的学生（最多列出 200 个）")
    student_count: int
    client_ip: str | None


class AccessOut(BaseModel):
    """What a guardian sees: who (name and role) read what about their child, and when."""

    at: datetime
    actor_name: str
    roles: str
    action_label: str


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int
