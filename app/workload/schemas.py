from datetime import date

from pydantic import BaseModel, Field

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"


class ServedSession(BaseModel):
    session_id: int
    date: date
    weekday: int
    name: str = Field(description="看护班或社团名称")
    kind: str = Field(description="care_group | club")
    kind_label: str
    starts_at: str
    ends_at: str
    minutes: int
    substitution: bool = Field(description="代课（管理员安排顶替）")
    replaced_staff_name: str | None = Field(description="被代课的教师")


class Totals(BaseModel):
    sessions: int = Field(description="合计课时（一次服务计一节）")
    care_group_sessions: int
    club_sessions: int
    substitutions: int = Field(description="其中代课次数")
    minutes: int = Field(description="合计时长（分钟）")


class ServiceRecordOut(BaseModel):
    staff_id: int
    staff_name: str
    month: str
    counted_until: date | None = Field(description="统计截至日期（本月未过完时为今天）；整月都在将来时为空")
    totals: Totals
    sessions: list[ServedSession]


class StaffTotals(Totals):
    staff_id: int
    staff_name: str
    patrols: int = Field(description="巡查次数")
    duty_days: int = Field(description="值班天数（值班领导和巡查人员）")
    pay_cents: int = Field(description="补助（分）= 课时 × 每次补助 + 值班天数 × 每日补助")


class SchoolRecordsOut(BaseModel):
    school_id: int
    school_name: str
    month: str
    counted_until: date | None
    staff: list[StaffTotals]
    totals: Totals
    pay_per_session_cents: int
    pay_per_duty_day_cents: int
    pay_cents: int
