from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.core.ids import Id
from app.core.inputs import Input
from app.people.schemas import Priority

TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
Weekday = Literal[1, 2, 3, 4, 5, 6, 7]
PickupMode = Literal["guardian", "delegate", "self"]


class EndTimes(Input):
    low: str = Field(default="17:00", pattern=TIME_PATTERN, description="低年级（1–2）放学时间")
    mid: str = Field(default="17:20", pattern=TIME_PATTERN, description="中年级（3–4）")
    high: str = Field(default="17:30", pattern=TIME_PATTERN, description="高年级（5–6）")

    @model_validator(mode="after")
    def _not_after_six(self) -> "EndTimes":
        if max(self.low, self.mid, self.high) > "18:00":
            raise ValueError("课后服务结束时间不得晚于 18:00")
        return self


class WinterTimes(EndTimes):
    starts_on: date = Field(description="冬令时开始日期")


class PlanIn(Input):
    weekdays: list[Weekday] = Field(default=[1, 2, 3, 4, 5], min_length=1, max_length=7)
    end_times: EndTimes = Field(default_factory=EndTimes)
    winter: WinterTimes | None = None
    starts_at: str = Field(default="15:40", pattern=TIME_PATTERN, description="课后服务开始时间（放学后）")
    homework_minutes: int = Field(default=40, ge=0, le=60, description="作业辅导时长（不超过一节课）")
    content: list[str] = Field(default_factory=lambda: ["作业辅导", "阅读", "体育活动", "社团"], max_length=30)
    fee_cents: int = Field(default=0, ge=0, le=10_000_000, description="收费（分）")
    fee_period: Literal["month", "term"] = "term"
    waiver_rules: str = Field(default="", max_length=2000)
    safety_measures: str = Field(default="", max_length=5000)
    agreement_title: str = Field(default="课后服务协议书", min_length=1, max_length=100)
    agreement_text: str = Field(min_length=1, max_length=20000)
    capacity: int | None = Field(default=None, ge=1, le=100000, description="可提供的名额；不填为不限")
    priority_first: bool = True

    @field_validator("weekdays")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> "PlanIn":
        ends = [self.end_times] + ([self.winter] if self.winter else [])
        if self.starts_at >= min(min(e.low, e.mid, e.high) for e in ends):
            raise ValueError("课后服务开始时间须早于各年级的结束时间")
        return self


class PlanOut(PlanIn):
    id: int
    term_id: int
    version: int
    status: str
    agreement_hash: str
    term_fee_cents: int
    published_at: datetime | None


class ApplicationIn(Input):
    student_id: Id
    term_id: Id
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    pickup_mode: PickupMode = "guardian"
    self_statement: str | None = Field(default=None, max_length=2000, description="自行回家的情况说明")
    priority_claims: list[Priority] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=500)


class ApplicationUpdate(Input):
    weekdays: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    pickup_mode: PickupMode | None = None
    self_statement: str | None = Field(default=None, max_length=2000)
    priority_claims: list[Priority] | None = None
    note: str | None = Field(default=None, max_length=500)


class DeclineIn(Input):
    student_id: Id
    term_id: Id
    reason: str | None = Field(default=None, max_length=500)


class SignIn(Input):
    plan_version: int = Field(ge=1, le=100000)
    text_hash: str | None = Field(default=None, max_length=64, description="客户端显示文本的 SHA-256（可选，用于核对）")
    client: str | None = Field(default=None, max_length=200)


class ReviewIn(Input):
    decision: Literal["approve", "reject"]
    comment: str | None = Field(default=None, max_length=500)


class BulkApproveIn(Input):
    application_ids: list[Id] = Field(min_length=1, max_length=1000)
    comment: str | None = Field(default=None, max_length=500)


class BulkResult(BaseModel):
    application_id: int
    ok: bool
    status: str | None = None
    code: str | None = None
    message: str | None = None


class SignatureOut(BaseModel):
    plan_version: int
    signer_name: str
    signed_at: datetime
    text_hash: str
    client: str | None


class ApplicationOut(BaseModel):
    id: int
    term_id: int
    student_id: int
    student_name: str
    class_id: int
    class_name: str
    status: str
    status_label: str
    weekdays: list[int]
    pickup_mode: str
    self_statement: str | None
    priority: list[str]          # from the roster and the guardian's claims
    priority_claims: list[str]
    note: str | None
    decline_reason: str | None
    submitted_at: datetime | None
    leaves_on: date | None
    signature: SignatureOut | None
    in_care: bool                # approved and signed: the child may stay


class HistoryItem(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    actor_name: str
    actor_role: str
    comment: str | None
    at: datetime


class WaiverIn(Input):
    waiver: Literal["none", "half", "full"]
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _reason_for_waiver(self) -> "WaiverIn":
        if self.waiver != "none" and not (self.reason and self.reason.strip()):
            raise ValueError("减免须填写原因")
        return self


class BillOut(BaseModel):
    id: int
    student_id: int
    student_name: str
    class_name: str
    amount_cents: int
    waiver: str
    waiver_reason: str | None
    due_cents: int


class FeeSummary(BaseModel):
    term_id: int
    children_billed: int
    gross_cents: int
    waived_cents: int
    due_cents: int
    full_waivers: int
    half_waivers: int


class CountRow(BaseModel):
    key: str
    label: str
    eligible: int = 0
    applied: int = 0
    approved: int = 0
    declined: int = 0
    not_responded: int = 0


class PriorityRow(BaseModel):
    key: str
    label: str
    approved: int
    share_of_approved: float   # e.g. 83.13 (%)
    text: str                  # "随迁子女 69 人，占 83.13%"


class NotRespondedRow(BaseModel):
    student_id: int
    student_name: str
    class_id: int
    class_name: str


class ApplicationSummary(BaseModel):
    term_id: int
    eligible: int
    by_status: dict[str, int]
    participation_rate: float
    by_grade: list[CountRow]
    by_class: list[CountRow]
    by_priority: list[PriorityRow]
    declined_reasons: list[str]
    not_responded: dict[str, list[str]]   # class name → children without any answer yet
    capacity: int | None
    waiting: int
