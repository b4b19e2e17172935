from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.types import UTCDateTime


class Account(SQLModel, table=True):
    """A person who can log in: by WeChat (openid) and/or by username + password.

    Roles are not stored here: they come from the Staff, Guardian and DistrictOfficial
    rows linked to the account, so one person can be a teacher at school and a parent.
    """

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(default="", max_length=50)
    wechat_openid: str | None = Field(default=None, max_length=64, unique=True)
    wechat_unionid: str | None = Field(default=None, max_length=64, index=True)
    username: str | None = Field(default=None, max_length=50, unique=True)
    password_hash: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
