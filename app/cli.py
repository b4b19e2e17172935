"""Command line: `python -m app.cli <command>`.

  migrate        alembic upgrade head on DATABASE_URL
  seed-demo      create the demo school if the database is empty
  serve          migrate, seed if empty, print demo logins, serve with uvicorn
  demo-server    like serve, for tests: --database-url and --port given explicitly
  fake-wechat    run the fake WeChat server on its own port
  worker         deliver notifications (several may run on PostgreSQL)
  housekeeping   forget old Idempotency-Keys (run daily, e.g. from cron)
  sweep-absences raise due absence alerts once (the worker does it every minute; or run from cron)
  sweep-late-pickups  mark late pickups and hand children to the guard once (the worker does it every minute)
  purge          delete what is past each school's retention and print what went (the worker does it daily)
"""

import argparse
import os
import sys


def _migrate() -> None:
    from alembic import command
    from alembic.config import Config

    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _seed_if_empty(verbose: bool = True) -> None:
    from sqlmodel import Session

    from app.core.db import get_engine
    from app.demo.seed import format_logins, is_empty, seed_demo

    with Session(get_engine()) as session:
        if is_empty(session):
            summary = seed_demo(session)
            if verbose:
                print(f"已创建示范学校：{summary}")
        if verbose:
            print(format_logins())


def _serve(host: str, port: int, reload: bool = False) -> None:
    import uvicorn

    print(f"\n课后 Kehou 已启动：http://{host}:{port}  接口文档：http://{host}:{port}/docs\n", flush=True)
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, reload=reload, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Kehou command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="alembic upgrade head")
    sub.add_parser("seed-demo", help="create the demo school if the database is empty")
    for name in ("serve", "demo-server"):
        p = sub.add_parser(name, help="migrate, seed if empty and serve")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--database-url", default=None)
        p.add_argument("--reload", action="store_true")
    p = sub.add_parser("fake-wechat", help="serve the fake WeChat API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    sub.add_parser("worker", help="deliver queued notifications until stopped")
    sub.add_parser("housekeeping", help="forget Idempotency-Keys older than two days")
    sub.add_parser("sweep-absences", help="raise the absence alerts that are due (e.g. every minute from cron)")
    sub.add_parser("sweep-late-pickups", help="mark due late pickups and guard handovers (e.g. every minute)")
    sub.add_parser("purge", help="delete photos, pickups, attendance and notifications past the schools' retention")
    args = parser.parse_args(argv)

    if getattr(args, "database_url", None):
        os.environ["DATABASE_URL"] = args.database_url
    if args.command == "migrate":
        _migrate()
    elif args.command == "seed-demo":
        _migrate()
        _seed_if_empty()
    elif args.command in ("serve", "demo-server"):
        _migrate()
        _seed_if_empty()
        _serve(args.host, args.port, reload=args.reload)
    elif args.command == "fake-wechat":
        import uvicorn

        from app.wechat.fake import FakeWeChat, asgi_app
        uvicorn.run(asgi_app(FakeWeChat()), host=args.host, port=args.port, log_level="warning")
    elif args.command == "worker":
        _run_worker()
    elif args.command == "housekeeping":
        from sqlmodel import Session

        from app.core.db import get_engine
        from app.core.idempotency import prune
        with Session(get_engine()) as session:
            print(f"forgot {prune(session)} idempotency keys")
    elif args.command == "sweep-absences":
        from app.attendance.service import sweep_absences
        from app.core.db import get_engine
        print(f"raised {sweep_absences(get_engine())} absence alerts")
    elif args.command == "sweep-late-pickups":
        from app.core.db import get_engine
        from app.pickup.late import sweep_late_pickups
        print(f"took {sweep_late_pickups(get_engine())} late-pickup steps")
    elif args.command == "purge":
        from app.core.db import get_engine
        from app.dataprotection.retention import purge_expired, report_lines
        print("\n".join(report_lines(purge_expired(get_engine()))))
    return 0


def _run_worker() -> None:
    import signal
    import threading

    from app.core.config import get_settings
    from app.core.db import get_engine
    from app.core.logging import configure_logging
    import app.attendance.service  # noqa: F401 - registers the absence-alert sweep with the worker loop
    import app.pickup.late  # noqa: F401 - and the late-pickup sweep
    import app.reports.service  # noqa: F401 - and keeping yesterday's figures
    import app.dataprotection.retention  # noqa: F401 - and the daily purge
    from app.notify.worker import Deliverer
    from app.wechat.client import build_wechat_client

    configure_logging(get_settings().log_level)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    Deliverer(get_engine(), build_wechat_client()).run_forever(stop)


if __name__ == "__main__":
    sys.exit(main())
