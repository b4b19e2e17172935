from pydantic import BaseModel, Field

from app.core.inputs import Input
from app.privacy.schemas import ConsentSummary


class WeChatLoginIn(Input):
    code: str = Field(min_length=1, max_length=128, description="wx.login 返回的 code")


class PasswordLoginIn(Input):
    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MySchool(BaseModel):
    id: int
    name: str
    roles: list[str]
    staff_id: int | None = None


class MyChild(BaseModel):
    id: int
    name: str
    school_id: int
    school_name: str
    class_id: int
    class_name: str
    relation: str
    may_pick_up: bool
    consent: ConsentSummary = Field(description="儿童个人信息处理规则：needed 为真时请家长（重新）阅读并同意")


class MeOut(BaseModel):
    account_id: int
    name: str
    roles: list[str]
    schools: list[MySchool]
    children: list[MyChild]
