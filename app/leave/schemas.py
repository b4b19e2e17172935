from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator
from typing import Annotated

from app.core.ids import Id
from app.core.inputs import Input
from app.enrollment.schemas import TIME_PATTERN

MAX_DAYS = 20


class LeaveIn(Input):
    student_id: Id
    dates: list[date] = Field(min_length=1, max_length=MAX_DAYS, description="请假日期（同一学期内，最多 20 天）")
    # Trimmed first, so a reason of blanks is refused as empty.
    reason: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(min_length=1, max_length=200,
                                                                             examples=["发烧，在家休息"])
    kind: Literal["sick", "personal", "early_pickup"] = Field(description="sick 病假 | personal 事假 | early_pickup 提前接走")
    early_pickup_time: str | None = Field(default=None, pattern=TIME_PATTERN, description="提前接走的时间（HH:MM）")

    @model_validator(mode="after")
    def _early_pickup(self) -> "LeaveIn":
        # The same date twice is one day of leave: a double entry in the picker is not an error.
        self.dates = sorted(set(self.dates))
        if self.kind == "early_pickup":
            if self.early_pickup_time is None:
                raise ValueError("提前接走须填写接走时间")
            if len(self.dates) != 1:
                raise ValueError("提前接走一次只能申请一天")
        elif self.early_pickup_time is not None:
            raise ValueError("只有提前接走才填写接走时间")
        return self


class DecisionIn(Input):
    decision: Literal["approve", "note"] = Field(description="approve 批准 | note 已知悉")
    comment: str | None = Field(default=None, max_length=200)


class LeaveOut(BaseModel):
    id: int
    student_id: int
    student_name: str
    class_id: int
    class_name: str
    kind: str
    kind_label: str
    dates: list[date]
    reason: str
    early_pickup_time: str | None
    status: str
    status_label: str
    urgent: bool = Field(description="当天截止时间后才申请，已即时告知当天的看护教师")
    requested_at: datetime
    decided_at: datetime | None
    decided_by_name: str | None
    comment: str | None
    cancellable: bool = Field(description="家长还能撤销（有今天或以后的日期）")
