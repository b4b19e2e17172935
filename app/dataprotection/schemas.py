from datetime import datetime

from pydantic import BaseModel, Field

from app.core.inputs import Input

# Ten years: longer than any school keeps a child's daily records; a typo of an extra digit is refused.
MAX_DAYS = 3650


class ErasureIn(Input):
    reason: str = Field(min_length=1, max_length=200, examples=["转学离校，家长申请删除"])


class ErasureOut(BaseModel):
    student_id: int
    erased_at: datetime
    erased_by: str = Field(description="执行删除的管理员")
    reason: str
    removed: dict[str, int] = Field(description="删除或匿名化的记录数，按类别")


class RetentionIn(Input):
    photo_days: int = Field(0, ge=0, le=MAX_DAYS, description="学生离校后照片保留天数（其监护人的照片同）")
    pickup_days: int = Field(365, ge=0, le=MAX_DAYS, description="接送记录（交接、超时未接、临时授权）在学期结束后保留天数")
    attendance_days: int = Field(1095, ge=0, le=MAX_DAYS, description="考勤（点名、缺席提醒、交接、请假）在学期结束后保留天数")
    notification_days: int = Field(180, ge=0, le=MAX_DAYS, description="消息通知在学期结束后保留天数")


class RetentionOut(RetentionIn):
    school_id: int
    updated_at: datetime | None = Field(description="最后修改时间；未修改过（默认值）时为空")
