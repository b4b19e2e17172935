from datetime import date

from app.core.ids import Id
from app.core.inputs import Input
from pydantic import BaseModel, Field, model_validator


class SchoolOut(BaseModel):
    id: int
    name: str
    code: str
    district_id: int | None
    timezone: str


class TermIn(Input):
    name: str = Field(min_length=1, max_length=50, examples=["2026-2027学年第一学期"])
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> "TermIn":
        if self.ends_on < self.starts_on:
            raise ValueError("学期结束日期不能早于开始日期")
        return self


class TermUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    starts_on: date | None = None
    ends_on: date | None = None


class TermOut(BaseModel):
    id: int
    school_id: int
    name: str
    starts_on: date
    ends_on: date
    is_current: bool


class ClassIn(Input):
    grade: int = Field(ge=1, le=6)
    number: int = Field(ge=1, le=99)
    head_staff_id: Id | None = None


class ClassUpdate(Input):
    head_staff_id: Id | None = None


class ClassOut(BaseModel):
    id: int
    school_id: int
    grade: int
    number: int
    name: str
    head_staff_id: Id | None
    head_staff_name: str | None = None
    student_count: int = 0


class RulesIn(Input):
    """A school's settings where the seeds give a default."""

    service_on_makeup_days: bool = Field(default=False, description="调休上班日是否提供课后服务")
    group_max: int = Field(default=45, ge=10, le=80, description="临时班人数上限")
    class_keeps_group_at: int = Field(default=30, ge=1, le=80, description="留校人数达到此数的班级单独成班")
    children_per_tutor: int = Field(default=25, ge=5, le=60, description="每名看护教师对应学生数")
    absence_alert_minutes: int = Field(default=15, ge=1, le=120, description="开始后多少分钟未到即提醒")
    leave_cutoff: str = Field(default="14:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                              description="当天请假截止时间，之后的请假标为紧急")
    late_grace_minutes: int = Field(default=10, ge=0, le=60, description="放学后多少分钟仍未接走即为超时，通知家长和值班领导")
    guard_after_minutes: int = Field(default=30, ge=5, le=120, description="放学后多少分钟仍未接走即交门卫看护")
    patrols_per_lesson: int = Field(default=2, ge=1, le=6, description="值班领导每节课巡查每个场次的次数")
    lesson_minutes: int = Field(default=40, ge=20, le=60, description="一节课的时长（分钟），用于计算应巡查次数")
    pay_per_session_cents: int = Field(default=0, ge=0, le=100_000, description="每次课后服务补助（分），0 为未设置")
    pay_per_duty_day_cents: int = Field(default=0, ge=0, le=100_000, description="每个值班日补助（分），0 为未设置")

    @model_validator(mode="after")
    def _class_fits_a_group(self) -> "RulesIn":
        if self.class_keeps_group_at > self.group_max:
            raise ValueError("单独成班人数不能超过临时班人数上限")
        if self.guard_after_minutes <= self.late_grace_minutes:
            raise ValueError("交门卫的时间应晚于超时提醒的时间")
        return self


class RulesOut(RulesIn):
    school_id: int
