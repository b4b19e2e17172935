from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from app.core.ids import Id
from app.core.inputs import Input
from app.enrollment.schemas import Weekday


class TutorOfferIn(Input):
    weekdays: list[Weekday] = Field(min_length=1, max_length=7, description="能看护的日子，1 = 周一")
    note: str | None = Field(default=None, max_length=200, examples=["周三下午有教研，只能其他日子"])

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


class AssignmentOut(BaseModel):
    group_id: int
    group_name: str
    weekday: int


class TutorOfferOut(BaseModel):
    staff_id: int
    staff_name: str
    roles: list[str]
    weekdays: list[int]
    note: str | None
    updated_at: datetime
    assignments: list[AssignmentOut] = Field(description="已安排的看护（看护班、周几）")


class TutorOut(BaseModel):
    staff_id: int
    name: str
    placed_by: str = Field(description="build 自动安排 | hand 管理员指定")
    active: bool


class GroupDayOut(BaseModel):
    weekday: int
    weekday_label: str
    children: int = Field(description="这一天留在本班的学生数（按申请的服务日）")
    tutors_needed: int
    tutors: list[TutorOut]


class GroupWarning(BaseModel):
    code: str = Field(description="OVER_GROUP_MAX | TOO_FEW_TUTORS | NOT_PLACED | OTHER_GRADE | TUTOR_NOT_OFFERED")
    message: str
    group_id: int | None = None
    weekday: int | None = None
    student_id: int | None = None


class CareGroupOut(BaseModel):
    id: int
    term_id: int
    name: str
    grade: int
    room: str
    class_ids: list[int]
    class_names: list[str]
    members: int
    days: list[GroupDayOut]
    warnings: list[GroupWarning]


class MemberOut(BaseModel):
    student_id: int
    name: str
    class_id: int
    class_name: str
    photo_url: str | None = Field(description="学生照片的签名链接（<image> 可直接加载）；无照片时为空")
    weekdays: list[int] = Field(description="申请的服务日；空表示已不在托管名单，重新分班时移出")
    placed_by: str = Field(description="build 自动分班 | hand 管理员调整")
    reason: str | None


class CareGroupDetail(CareGroupOut):
    roster: list[MemberOut]


class CareGroupsOut(BaseModel):
    term_id: int
    weekdays: list[int] = Field(description="方案的服务日")
    children: int = Field(description="本学期审定通过、仍在校的学生数")
    placed: int
    unplaced: int
    groups: list[CareGroupOut]
    warnings: list[GroupWarning]


class BuildOut(CareGroupsOut):
    groups_created: int
    groups_removed: int = Field(description="已无学生、也从未开课而删去的看护班")
    newly_placed: int
    left: int = Field(description="申请已不在通过状态（或已离校）而移出的学生")
    tutors_added: int
    tutors_released: int


class CareGroupUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    room: str | None = Field(default=None, max_length=50)

    @field_validator("name", "room")
    @classmethod
    def _strip(cls, value: str | None, info) -> str | None:
        if value is None:
            return None
        if info.field_name == "name" and not value.strip():
            raise ValueError("班名不能为空")
        return value.strip()


class MoveIn(Input):
    student_id: Id
    reason: str = Field(min_length=1, max_length=200, examples=["与双胞胎姐姐同班看护"])


class MoveOut(BaseModel):
    group: CareGroupOut
    from_group: CareGroupOut | None
    warnings: list[GroupWarning] = Field(description="这次调整后两个班违反的规则（例如超过人数上限、跨年级）")


class TutorSlotIn(Input):
    staff_id: Id
    weekday: Weekday


class TutorsIn(Input):
    tutors: list[TutorSlotIn] = Field(max_length=50, description="本班全部看护安排（整体替换）")
