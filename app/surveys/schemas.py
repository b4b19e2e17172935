from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.core.inputs import Input

QuestionKind = Literal["rating", "single", "multiple", "text"]
Audience = Literal["in_care", "all"]
KIND_LABELS = {"rating": "评分", "single": "单选", "multiple": "多选", "text": "填空"}
# The five points of a rating question, 1 to 5; 4 and 5 count as satisfied (满意 + 非常满意).
RATING_LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
SATISFIED_FROM = 4
STATE_LABELS = {"draft": "草稿", "scheduled": "未开始", "open": "进行中", "closed": "已结束"}
AUDIENCE_LABELS = {"in_care": "参加课后服务的学生家长", "all": "全校学生家长"}
TEXT_MAX = 1000


class QuestionIn(Input):
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=200, description="题目")
    required: bool = True
    options: list[str] = Field(default_factory=list, max_length=20, description="单选、多选题的选项（按顺序）")

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> "QuestionIn":
        self.text = self.text.strip()
        if not self.text:
            raise ValueError("题目不能为空")
        options = [o.strip() for o in self.options]
        if self.kind in ("single", "multiple"):
            if len(options) < 2:
                raise ValueError("单选、多选题至少要有两个选项")
            if any(not o or len(o) > 100 for o in options):
                raise ValueError("选项不能为空，最多 100 个字")
            if len(set(options)) != len(options):
                raise ValueError("选项不能重复")
        elif options:
            raise ValueError("评分题和填空题没有选项")
        self.options = options
        return self


class SurveyIn(Input):
    title: str = Field(min_length=1, max_length=100)
    intro: str = Field(default="", max_length=2000, description="问卷说明（开头的话）")
    audience: Audience = Field(default="in_care", description="in_care：参加本学期课后服务的学生家长；all：全校学生家长")
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("标题不能为空")
        return value.strip()


def _in_utc(value: datetime | None) -> datetime | None:
    """A moment with its zone, as stored and answered: in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("时间须带时区，例如 2026-12-20T18:00:00+08:00")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("时间超出范围") from None


class PublishIn(Input):
    opens_at: datetime | None = Field(default=None, description="开始时间，默认立即开始")
    closes_at: datetime | None = Field(default=None, description="截止时间，默认手动结束")

    @model_validator(mode="after")
    def _closes_after_opening(self) -> "PublishIn":
        self.opens_at, self.closes_at = _in_utc(self.opens_at), _in_utc(self.closes_at)
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("截止时间须晚于开始时间")
        return self


class ClosesAtIn(Input):
    closes_at: datetime | None = Field(description="新的截止时间（须晚于现在）；null 表示不设截止、手动结束")

    @model_validator(mode="after")
    def _in_utc(self) -> "ClosesAtIn":
        self.closes_at = _in_utc(self.closes_at)
        return self


class OptionOut(BaseModel):
    id: int
    text: str


class QuestionOut(BaseModel):
    id: int
    kind: QuestionKind
    kind_label: str
    text: str
    required: bool
    options: list[OptionOut] = Field(description="单选、多选题的选项；评分题为 1–5 分及其说明")


class SurveyOut(BaseModel):
    id: int
    school_id: int
    term_id: int
    title: str
    intro: str
    audience: Audience
    audience_label: str
    status: Literal["draft", "published", "closed"]
    state: Literal["draft", "scheduled", "open", "closed"] = Field(
        description="draft 草稿 / scheduled 已发布未开始 / open 进行中 / closed 已结束（手动结束或已过截止时间）")
    state_label: str
    opens_at: datetime | None
    closes_at: datetime | None
    published_at: datetime | None
    closed_at: datetime | None
    announced_at: datetime | None = Field(description="已通知家长的时间（发布即开始时随发布通知；定时开始的到时由后台通知）")
    questions: list[QuestionOut]
    responses: int = Field(description="已提交的份数")
    created_at: datetime
    updated_at: datetime


class AnswerIn(Input):
    question_id: int = Field(ge=1, le=1000)
    rating: int | None = Field(default=None, description="评分题：1–5")
    option_ids: list[int] | None = Field(default=None, max_length=20, description="单选题一个、多选题一个或多个选项 id")
    text: str | None = Field(default=None, max_length=TEXT_MAX, description="填空题")


class ResponseIn(Input):
    answers: list[AnswerIn] = Field(max_length=50)


class AnswerOut(BaseModel):
    question_id: int
    rating: int | None = None
    option_ids: list[int] | None = None
    text: str | None = None


class ResponseOut(BaseModel):
    survey_id: int
    student_id: int
    submitted_at: datetime
    answers: list[AnswerOut]


class MySurvey(BaseModel):
    """A survey as a guardian sees it for one child."""

    id: int
    title: str
    intro: str
    state: Literal["open", "closed"]
    closes_at: datetime | None
    questions: list[QuestionOut]
    answered: bool
    response: ResponseOut | None = Field(description="已提交的答卷（提交后不能修改）")


class MyChildSurveys(BaseModel):
    student_id: int
    student_name: str
    school_id: int
    school_name: str
    class_name: str
    surveys: list[MySurvey]


# ---------- results ----------

class RatingBucket(BaseModel):
    score: int
    label: str
    count: int
    share: float = Field(description="占该题作答人数的百分比")


class RatingResult(BaseModel):
    distribution: list[RatingBucket]
    average: float
    satisfied: int = Field(description="4–5 分（满意、非常满意）的人数")
    satisfied_rate: float = Field(description="满意率 = 4–5 分人数 / 作答人数 × 100")


class OptionResult(BaseModel):
    option_id: int
    text: str
    count: int
    share: float = Field(description="占该题作答人数的百分比（多选题各项之和可超过 100）")


class TextAnswer(BaseModel):
    question_id: int
    question_text: str
    text: str
    grade: int
    class_name: str
    submitted_at: datetime


class QuestionResult(BaseModel):
    question_id: int
    kind: QuestionKind
    kind_label: str
    text: str
    required: bool
    answered: int = Field(description="作答人数")
    rating: RatingResult | None = None
    options: list[OptionResult] | None = None
    texts: list[TextAnswer] | None = None


class ResultFilter(BaseModel):
    grade: int | None
    class_id: int | None
    label: str = Field(description="如「全校」「三年级」「三年级1班」")


class SurveyResults(BaseModel):
    survey: SurveyOut
    filter: ResultFilter
    responses: int = Field(description="符合筛选条件的答卷份数")
    eligible: int = Field(description="应答学生数（问卷面向的学生，按筛选条件）")
    response_rate: float
    rating_answers: int = Field(description="全部评分题的作答次数")
    satisfied_answers: int = Field(description="其中 4–5 分的次数")
    satisfied_rate: float = Field(description="满意率 = 4–5 分次数 / 评分题作答次数 × 100")
    questions: list[QuestionResult]


class SuggestionsOut(BaseModel):
    survey_id: int
    filter: ResultFilter
    items: list[TextAnswer] = Field(description="填空题的全部回答，最新的在前；不显示学生姓名")
