from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.ids import Id
from app.core.inputs import Input, Text

Activity = Literal["homework", "reading", "activity", "club", "other"]
ACTIVITY_LABELS = {"homework": "作业辅导", "reading": "阅读", "activity": "活动", "club": "社团", "other": "其他"}


class ChildNote(Input):
    student_id: Id
    note: Text = Field(min_length=1, max_length=300)


class CareLogIn(Input):
    activities: list[Activity] = Field(min_length=1, max_length=5)
    summary: Text = Field(min_length=1, max_length=2000, description="孩子们做了什么")
    child_notes: list[ChildNote] = Field(default_factory=list, max_length=60)
    unusual: str | None = Field(default=None, max_length=2000, description="异常情况（没有可不填）")


class ChildNoteOut(ChildNote):
    name: str


class CareLogOut(BaseModel):
    session_id: int
    version: int
    activities: list[str]
    activity_labels: list[str]
    summary: str
    child_notes: list[ChildNoteOut]
    unusual: str | None
    written_by: str
    written_at: datetime


class CareLogHistory(BaseModel):
    current: CareLogOut | None
    versions: list[CareLogOut] = Field(description="全部版本，最早的在前")
