import pytest

from app.core.config import ConfigError, Settings


def test_production_refuses_to_start_without_a_jwt_secret():
    with pytest.raises(ConfigError, match="JWT_SECRET is missing"):
        Settings(env="prod", jwt_secret="")


@pytest.mark.parametrize("secret", ["short", "changeme", "a" * 40, "abababababababababababababababababab"])
def test_production_refuses_a_weak_jwt_secret(secret):
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        Settings(env="prod", jwt_secret=secret)


def test_a_strong_secret_is_accepted():
    assert Settings(env="prod", jwt_secret="Zr8-k2pQ_v7LmN3xT9wYb4HcJ6dF1sAe").env == "prod"


def test_database_url_defaults_to_a_local_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings(_env_file=None, env="test", jwt_secret="Zr8-k2pQ_v7LmN3xT9wYb4HcJ6dF1sAe").database_url \
        == "sqlite:///./kehou.db"
    assert Settings(_env_file=None, env="test", jwt_secret="x" * 8 + "Zr8-k2pQ_v7LmN3xT9wYb4HcJ6dF").timezone \
        == "Asia/Shanghai"
