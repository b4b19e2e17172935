from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.core.ids import Id
from app.core.inputs import Input, Text

IncidentKind = Literal["injury", "illness", "conflict", "missing_child", "property", "other"]
Severity = Literal["low", "medium", "high"]
SEVERITY_LABELS = {"low": "轻微", "medium": "一般", "high": "严重"}


class IncidentIn(Input):
    type: IncidentKind
    severity: Severity
    at: datetime | None = Field(default=None, description="发生时间，默认现在")
    place: Text = Field(min_length=1, max_length=100)
    student_ids: list[Id] = Field(default_factory=list, max_length=30)
    description: Text = Field(min_length=1, max_length=2000)
    actions_taken: Text = Field(min_length=1, max_length=2000, description="已采取的处理措施")


class CorrectionFields(Input):
    severity: Severity | None = None
    place: Text | None = Field(default=None, min_length=1, max_length=100)
    description: Text | None = Field(default=None, min_length=1, max_length=2000)
    actions_taken: Text | None = Field(default=None, min_length=1, max_length=2000)


class EntryIn(Input):
    kind: Literal["follow_up", "correction", "close"]
    text: Text = Field(min_length=1, max_length=2000, description="跟进内容 / 更正说明 / 处理结果")
    changes: CorrectionFields | None = None

    @model_validator(mode="after")
    def _correction_changes_something(self) -> "EntryIn":
        if self.kind == "correction" and not (self.changes and self.changes.model_dump(exclude_none=True)):
            raise ValueError("更正请写明要改的内容（changes）")
        return self


class EntryOut(BaseModel):
    id: int
    kind: str
    text: str
    changes: dict
    written_by: str
    written_at: datetime


class InvolvedChild(BaseModel):
    student_id: int
    name: str
    class_name: str


class IncidentOut(BaseModel):
    id: int
    day: date
    type: str
    type_label: str
    severity: str
    severity_label: str
    at: datetime
    place: str
    children: list[InvolvedChild]
    description: str
    actions_taken: str
    reported_by: str
    reported_at: datetime
    status: Literal["open", "closed"]
    resolution: str | None
    entries: list[EntryOut] = Field(description="跟进、更正和结案，按时间先后；原始报告从不改动")
    original: dict = Field(description="最初报告的内容")
