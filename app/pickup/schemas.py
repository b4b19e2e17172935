from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.core.ids import Id
from app.core.inputs import Input
from app.people.schemas import PHONE_PATTERN, PhoneMixin

ChildStatus = Literal["ready", "released", "on_leave", "not_in_care", "not_authorised"]
CodeText = Field(min_length=1, max_length=64, description="扫到的接送码（KH 开头）")
Note = Field(default=None, max_length=500)


# ---------- the phone ----------

class DeviceIn(Input):
    label: str = Field(default="", max_length=50, description="例如 “妈妈的手机”")


class DeviceRegistered(BaseModel):
    device_id: int
    secret: str = Field(description="base32；只在登记时给出一次，服务器不保存")
    step_seconds: int
    max_age_seconds: int
    server_time: int = Field(description="Unix 秒；手机用它校正时钟")
    prefix: str


class DeviceOut(BaseModel):
    id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


class MyPhotoOut(BaseModel):
    photo_url: str | None


# ---------- who took whom ----------

class ReleaseOut(BaseModel):
    student_id: int
    student_name: str
    method: str = Field(description="qr 扫码 | manual 人工核对 | walk_home 自行回家")
    method_label: str
    adult_name: str
    relation: str
    released_at: datetime
    released_time: str = Field(description="学校当地时间 HH:MM")
    released_by: str = Field(description="确认的老师")
    place: str
    note: str | None = None
    summary: str = Field(description="已由 妈妈（李娜）17:23 接走，王老师确认")


class HandoffsOut(BaseModel):
    released: list[ReleaseOut]


class AdultOut(BaseModel):
    kind: Literal["guardian", "delegate"]
    name: str
    relation: str
    photo_url: str | None = None
    authorised_by: str | None = Field(default=None, description="临时授权：由谁授权")
    valid_to: date | None = None


class ChildOut(BaseModel):
    student_id: int
    school_id: int
    name: str
    class_name: str
    grade: int
    photo_url: str | None
    relation: str = Field(description="此人与孩子的关系")
    via: Literal["guardian", "delegate"]
    authorised_by: str | None = None
    place: str = Field(description="孩子现在应在哪里")
    end_time: str | None = Field(description="本年级放学时间")
    status: ChildStatus
    status_label: str
    reason: str | None = Field(default=None, description="不能接走时的原因")
    late: str | None = Field(default=None, description="late 超时未接 | with_guard 已交门卫")
    released: ReleaseOut | None = None


class VerifyIn(Input):
    code: str = CodeText


class VerifyOut(BaseModel):
    adult: AdultOut
    children: list[ChildOut]
    code_age_seconds: int


class ReleaseIn(Input):
    code: str = CodeText
    student_ids: list[Id] = Field(min_length=1, max_length=10)
    note: str | None = Note


class ManualReleaseIn(Input):
    student_id: Id
    guardian_id: Id | None = None
    delegate_id: Id | None = None
    note: str = Field(min_length=1, max_length=500, description="如：核对了身份证，家长未带手机")

    @model_validator(mode="after")
    def _one_adult(self) -> "ManualReleaseIn":
        if (self.guardian_id is None) == (self.delegate_id is None):
            raise ValueError("请指定一位接走的大人（guardian_id 或 delegate_id 二选一）")
        return self


class WalkHomeIn(Input):
    student_ids: list[Id] = Field(min_length=1, max_length=100)


class PickupAdultOut(BaseModel):
    """An adult the teacher may check a child against, for the manual fallback."""

    kind: Literal["guardian", "delegate"]
    guardian_id: int | None = None
    delegate_id: int | None = None
    name: str
    relation: str
    phone: str = Field(description="管理员、本班班主任、当天值班领导、照看该孩子的门卫可见全号，其他人为 138****5678")
    photo_url: str | None = None
    allowed: bool
    reason: str | None = None
    authorised_by: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class ChildAdultsOut(BaseModel):
    child: ChildOut
    adults: list[PickupAdultOut]


# ---------- delegates and blocks ----------

class DelegateIn(PhoneMixin):
    student_id: Id
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN)
    relation: str = Field(min_length=1, max_length=20, description="如 姑姑、邻居")
    from_: date = Field(alias="from")
    to: date

    model_config = {"populate_by_name": True}

    @model_validator(mode="after")
    def _range(self) -> "DelegateIn":
        if self.to < self.from_:
            raise ValueError("结束日期不能早于开始日期")
        if (self.to - self.from_).days > 92:
            raise ValueError("临时授权最长一个学期内的三个月")
        return self


class DelegateOut(BaseModel):
    id: int
    student_id: int
    student_name: str
    school_name: str
    name: str
    phone: str
    relation: str
    from_: date = Field(serialization_alias="from")
    to: date
    granted_by: str
    status: Literal["invited", "accepted", "revoked", "expired"]
    status_label: str
    invite_code: str | None = Field(default=None, description="只在新建时给出；分享给被授权人")
    invite_path: str | None = None

    model_config = {"populate_by_name": True}


class DelegateAcceptIn(PhoneMixin):
    invite_code: str = Field(min_length=6, max_length=40)
    phone: str = Field(pattern=PHONE_PATTERN)


class BlockIn(PhoneMixin):
    student_id: Id
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN)
    reason: str = Field(min_length=1, max_length=500)


class BlockOut(BaseModel):
    id: int
    student_id: int
    student_name: str
    name: str
    phone: str
    reason: str
    created_at: datetime
    lifted_at: datetime | None


# ---------- the day ----------

class TodayChildOut(BaseModel):
    student_id: int
    name: str
    school_name: str
    class_name: str
    via: Literal["guardian", "delegate"]
    status: ChildStatus
    status_label: str
    reason: str | None = None
    place: str
    end_time: str | None
    late: str | None = None
    released: ReleaseOut | None = None


class WalkHomeChildOut(BaseModel):
    student_id: int
    name: str
    class_name: str
    photo_url: str | None
    place: str
    end_time: str | None
    statement: str
    may_leave_now: bool
    released: ReleaseOut | None = None


class LateChildOut(BaseModel):
    student_id: int
    name: str
    class_name: str
    photo_url: str | None
    place: str
    end_time: str
    stage: str
    stage_label: str
    late_since: datetime
    to_guard_at: datetime | None
    guardians: list[dict] = Field(description="[{name, relation, phone}]：联系家长；phone 仅管理员、本班班主任、"
                                              "当天值班领导和照看该孩子的门卫可见全号，其他人为 138****5678")


class BoardCount(BaseModel):
    key: str
    name: str
    in_care: int
    released: int
    remaining: int
    late: int


class RemainingChild(BaseModel):
    student_id: int
    name: str
    class_name: str
    place: str
    end_time: str | None
    late: str | None


class ClearanceOut(BaseModel):
    date: date
    cleared_at: datetime
    cleared_by: str
    released_count: int


class BoardOut(BaseModel):
    date: date
    served: bool
    in_care: int
    released: int
    remaining: int
    late: int
    with_guard: int
    latest_release_at: datetime | None
    by_grade: list[BoardCount]
    by_group: list[BoardCount]
    not_released: list[RemainingChild]
    clearance: ClearanceOut | None


class HandoffListOut(BaseModel):
    date: date
    items: list[ReleaseOut]
