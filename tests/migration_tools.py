from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine


def alembic_config(engine: Engine) -> Config:
    config = Config("alembic.ini")
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    config.attributes["configure_logger"] = False
    return config


def reset_database(engine: Engine) -> None:
    """Empty the test database completely, then migrate it to head."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    command.upgrade(alembic_config(engine), "head")
