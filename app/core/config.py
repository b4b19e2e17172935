"""Settings from the environment (and an optional `.env`), in one place.

Secrets are never in the repository: in dev mode a JWT secret is generated once
into `.kehou-dev-secret` (git-ignored); any other mode refuses to start without a
strong one.
"""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = Path(".kehou-dev-secret")
MIN_SECRET_LENGTH = 32
KNOWN_WEAK_SECRETS = {"secret", "changeme", "change-me", "changethis", "password", "kehou", "dev"}


class ConfigError(RuntimeError):
    """The settings cannot be used; the message says what to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///./kehou.db"

    jwt_secret: str = ""
    jwt_lifetime_minutes: int = 60 * 24 * 7
    jwt_issuer: str = "kehou"
    jwt_audience: str = "kehou-api"

    wechat_appid: str = ""
    wechat_secret: str = ""
    # Empty means "use the fake WeChat server inside this process" (dev and tests).
    wechat_base_url: str = ""
    wechat_timeout_seconds: float = 5.0
    # event → subscribe-message template id, e.g. '{"picked_up": "AbC…"}'; see app/notify/events.py.
    wechat_templates: dict[str, str] = {}
    wechat_miniprogram_state: Literal["developer", "trial", "formal"] = "formal"

    # Notification delivery (app/notify/worker.py).
    notify_max_attempts: int = 8
    notify_backoff_base_seconds: float = 2.0
    notify_backoff_max_seconds: float = 600.0
    # Deliver in the API process (a background thread); on by default only in dev (`make run`).
    notify_worker_in_process: bool | None = None

    # Today's figures in the dashboards (app/reports/service.py): counted by the worker every `refresh` seconds; a
    # request finding a school's count older than `max_age` counts it again itself.
    today_figures_refresh_seconds: float = 30.0
    today_figures_max_age_seconds: float = 60.0

    # PostgreSQL connection pool; requests in flight are limited to fit it (app/core/admission.py).
    db_pool_size: int = 20
    db_max_overflow: int = 20

    media_dir: Path = Path("./media")
    max_photo_bytes: int = 2 * 1024 * 1024
    timezone: str = "Asia/Shanghai"

    bind_attempts_per_hour: int = 5
    # Who answers guardians about their children's data for the operator (个人信息保护联系人), printed in the
    # 儿童个人信息处理规则 (app/privacy); e.g. "张三，privacy@example.cn，010-12345678".
    privacy_contact: str = ""
    # Rate limits (app/core/ratelimit.py): name → {"per_user": n, "per_ip": n, "seconds": window}; a JSON object
    # in RATE_LIMITS overrides these per name. RATE_LIMITS_ENABLED=false turns them off (the benchmarks).
    rate_limits_enabled: bool = True
    rate_limits: dict[str, dict[str, int]] = {
        "login": {"per_ip": 30, "seconds": 60},
        "bind": {"per_user": 10, "per_ip": 30, "seconds": 600},
        "pickup_verify": {"per_user": 120, "per_ip": 1200, "seconds": 60},
        "export": {"per_user": 20, "per_ip": 60, "seconds": 60},
    }
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _secret_is_strong(self) -> "Settings":
        if self.env == "dev" and not self.jwt_secret:
            self.jwt_secret = _dev_secret()
        problem = weak_secret_reason(self.jwt_secret)
        if problem and self.env != "dev":
            raise ConfigError(
                f"JWT_SECRET {problem}. Set JWT_SECRET to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return self

    @property
    def max_requests_in_flight(self) -> int:
        # Leave a few connections for the in-process worker and housekeeping.
        return max(1, self.db_pool_size + self.db_max_overflow - 4)

    @property
    def deliver_in_process(self) -> bool:
        return self.env == "dev" if self.notify_worker_in_process is None else self.notify_worker_in_process

    def template_id(self, event: str) -> str | None:
        """The subscribe template for an event; the fake WeChat accepts a made-up one."""
        if event in self.wechat_templates:
            return self.wechat_templates[event]
        return f"dev-{event}" if self.wechat_is_fake else None

    @property
    def wechat_is_fake(self) -> bool:
        return not self.wechat_base_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def weak_secret_reason(secret: str) -> str | None:
    if not secret:
        return "is missing"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is too short ({len(secret)} characters)"
    if secret.lower() in KNOWN_WEAK_SECRETS or len(set(secret)) < 8:
        return "is too easy to guess"
    return None


def _dev_secret() -> str:
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    value = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(value)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
