from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.ids import Id
from app.core.inputs import Input
from app.privacy.models import ConsentScope

Scope = Literal["roster", "photo", "notifications"]
assert set(Scope.__args__) == set(ConsentScope.ALL)
ScopeStatus = Literal["given", "stale", "withdrawn", "none"]
RulesVersionText = Field(min_length=1, max_length=20, description="所同意的处理规则版本（GET /privacy/rules 的 version）")


class ConsentOffer(Input):
    """What the guardian ticked on the bind page: the rules version read and the scopes agreed to."""

    version: str = RulesVersionText
    scopes: list[Scope] = Field(max_length=3, description="roster 必选；photo、notifications 可选")


class ConsentIn(ConsentOffer):
    student_id: Id
    scopes: list[Scope] = Field(min_length=1, max_length=3)


class WithdrawIn(Input):
    student_id: Id
    scopes: list[Scope] = Field(min_length=1, max_length=3,
                                description="roster 即解除您在该校与孩子的绑定（并撤回其余各项）")


class RulesLine(BaseModel):
    text: str
    item: bool = Field(description="列表项（否则为段落）")


class RulesSection(BaseModel):
    title: str
    lines: list[RulesLine]


class RulesVersionOut(BaseModel):
    version: str
    effective_from: date
    changes: str


class ScopeOut(BaseModel):
    scope: Scope
    label: str
    required: bool = Field(description="绑定孩子时必须同意")


class RulesOut(BaseModel):
    version: str
    title: str
    effective_from: date
    current_version: str
    is_current: bool
    school_name: str | None
    markdown: str
    sections: list[RulesSection]
    scopes: list[ScopeOut]
    versions: list[RulesVersionOut]


class ScopeState(BaseModel):
    scope: Scope
    label: str
    status: ScopeStatus = Field(description="given 已同意当前版本 | stale 同意的是旧版本 | withdrawn 已撤回 | none 未同意")
    version: str | None = None
    given_at: datetime | None = None
    withdrawn_at: datetime | None = None


class ChildConsentsOut(BaseModel):
    student_id: int
    student_name: str
    school_id: int
    school_name: str
    rules_version: str = Field(description="当前版本")
    needed: bool = Field(description="须（重新）同意当前版本的花名册与课后服务信息")
    scopes: list[ScopeState]


class ConsentSummary(BaseModel):
    """A child's consent as GET /me tells it: whether the guardian is asked (again), and what is agreed now."""

    rules_version: str
    needed: bool
    given: list[Scope] = Field(description="已同意当前版本的各项")
