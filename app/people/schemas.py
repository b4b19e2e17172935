from datetime import date, datetime
from typing import Literal

from app.core.ids import Id
from app.core.inputs import Input
from pydantic import BaseModel, Field, field_validator

from app.people.models import STAFF_ROLES
from app.privacy.schemas import ConsentOffer

Priority = Literal["disabled", "left_behind", "migrant", "low_income", "single_parent", "dual_working"]
Gender = Literal["male", "female"]
StaffRole = Literal["admin", "class_head", "teacher", "duty_leader", "guard"]
assert set(StaffRole.__args__) == set(STAFF_ROLES)

PHONE_PATTERN = r"^1\d{10}$"


def normalise_phone(value: str) -> str:
    """Phones arrive as '138 0013 8000', '+86-13800138000', '138-0013-8000'; keep the 11 digits."""
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


class PhoneMixin(Input):
    @field_validator("phone", mode="before", check_fields=False)
    @classmethod
    def _phone(cls, value):  # noqa: ANN001
        return normalise_phone(value) if isinstance(value, str) else value


class StudentIn(Input):
    class_id: Id
    student_no: str = Field(min_length=1, max_length=30, pattern=r"^[0-9A-Za-z\-]+$")
    name: str = Field(min_length=1, max_length=50)
    gender: Gender
    birth_date: date | None = None
    priority: list[Priority] = Field(default_factory=list, description="优先保障群体")


class StudentUpdate(Input):
    class_id: Id | None = None
    name: str | None = Field(default=None, min_length=1, max_length=50)
    gender: Gender | None = None
    birth_date: date | None = None
    priority: list[Priority] | None = None
    is_active: bool | None = None


class StudentOut(BaseModel):
    id: int
    school_id: int
    class_id: Id
    class_name: str
    grade: int
    student_no: str
    name: str
    gender: str
    birth_date: date | None = Field(description="管理员、本班班主任和孩子的家长可见，其他人为 null")
    has_photo: bool
    photo_url: str | None = Field(default=None, description="照片的签名链接（约一小时有效，<image> 可直接加载）；"
                                                            "仅孩子的家长可见，其他人及无照片时为 null")
    priority: list[Priority] | None = Field(description="优先保障群体；管理员、本班班主任和孩子的家长可见，其他人为 null")
    is_active: bool


class GuardianLinkIn(PhoneMixin):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN, description="11 位手机号")
    relation: str = Field(min_length=1, max_length=20, examples=["妈妈"])
    may_pick_up: bool = True


class GuardianshipUpdate(Input):
    relation: str | None = Field(default=None, min_length=1, max_length=20)
    may_pick_up: bool | None = None


class GuardianshipOut(BaseModel):
    id: int
    student_id: int
    guardian_id: int
    name: str
    phone: str = Field(description="管理员、本班班主任、当天值班领导和本人可见全号，其他人为 138****5678")
    relation: str
    may_pick_up: bool
    wechat_bound: bool


class StaffIn(PhoneMixin):
    name: str = Field(min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    roles: list[StaffRole] = Field(min_length=1)
    username: str | None = Field(default=None, min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str | None = Field(default=None, min_length=8, max_length=128)


class StaffUpdate(PhoneMixin):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    roles: list[StaffRole] | None = Field(default=None, min_length=1)
    is_active: bool | None = None
    username: str | None = Field(default=None, min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str | None = Field(default=None, min_length=8, max_length=128)


class StaffOut(BaseModel):
    id: int
    school_id: int
    name: str
    phone: str | None
    roles: list[str]
    is_active: bool
    username: str | None
    wechat_bound: bool


class BindIn(PhoneMixin):
    student_no: str = Field(min_length=1, max_length=30)
    student_name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN, description="登记在学校的家长手机号")
    # Optional in the schema so that a missing consent is CONSENT_REQUIRED, which the mini-program can act on.
    consent: ConsentOffer | None = Field(default=None, description="阅读并同意的处理规则版本与各项（roster 必选）")


class BoundStudent(BaseModel):
    id: int
    name: str
    class_name: str
    school_name: str


class BindOut(BaseModel):
    student: BoundStudent
    relation: str


class StaffBindCodeOut(BaseModel):
    code: str = Field(description="交给本人在小程序中输入，24 小时内有效，只能用一次")
    expires_at: datetime


class StaffBindIn(Input):
    code: str = Field(min_length=4, max_length=20)


class StaffBindOut(BaseModel):
    school_id: int
    school_name: str
    staff: StaffOut
