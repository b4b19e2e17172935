"""Notification delivery: messages per second from the outbox to a fake WeChat on loopback.

Baseline: the same number of subscribe sends straight from httpx to the fake, no database.
"""

import threading
import time

from sqlmodel import Session

from app.auth.models import Account
from app.core.config import get_settings
from app.notify import service
from app.notify.events import EVENTS
from app.notify.models import OutboxMessage
from app.notify.worker import Deliverer
from app.wechat.client import WeChatClient
from app.wechat.fake import FakeWeChat, asgi_app
from bench.common import free_port, serve

MESSAGES = 2000
RECIPIENTS = 200
DATA = {"student_name": "张小明", "adult_name": "李娟", "relation": "妈妈", "time": "17:23", "teacher_name": "王老师"}


def _enqueue(engine, accounts: list[int], run: str) -> None:
    with Session(engine) as session:
        for i in range(MESSAGES):
            account_id = accounts[i % len(accounts)]
            service.enqueue(session, account_id=account_id, event="picked_up", data=DATA,
                            dedupe_key=f"bench:{run}:{i}")
        session.commit()


def _deliver(engine, base_url: str, settings, workers: int) -> float:
    start = time.perf_counter()
    threads = []
    for _ in range(workers):
        client = WeChatClient(appid="wx-bench", secret="bench", base_url=base_url)
        deliverer = Deliverer(engine, client, settings)
        threads.append(threading.Thread(target=deliverer.drain, kwargs={"batch": 50}))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def run(engine) -> list[str]:
    fake = FakeWeChat()
    settings = get_settings().model_copy(update={"wechat_templates": {e: f"dev-{e}" for e in EVENTS}})
    lines = []
    with Session(engine) as session:
        accounts = [Account(display_name=f"家长{i}", wechat_openid=f"bench-{i}") for i in range(RECIPIENTS)]
        session.add_all(accounts)
        session.flush()
        ids = [a.id for a in accounts]
        for account_id in ids:
            service.record_subscriptions(session=session, account_id=account_id, results={"dev-picked_up": "accept"})
        session.commit()

    with serve(asgi_app(fake), free_port()) as base_url:
        client = WeChatClient(appid="wx-bench", secret="bench", base_url=base_url)
        token, _ = client.fetch_access_token()
        start = time.perf_counter()
        for i in range(MESSAGES):
            client.send_subscribe_message(access_token=token, openid=f"bench-{i % RECIPIENTS}",
                                          template_id="dev-picked_up", data={"thing1": "张小明"})
        baseline = MESSAGES / (time.perf_counter() - start)
        lines.append(f"notify  baseline: bare httpx → fake WeChat, no database   {baseline:8.0f} msg/s")

        for workers in (1, 2):
            _enqueue(engine, ids, f"w{workers}")
            elapsed = _deliver(engine, base_url, settings, workers)
            with Session(engine) as session:
                from sqlmodel import func, select
                sent = session.exec(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status == "sent")).one()
            rate = MESSAGES / elapsed
            lines.append(f"notify  outbox → WeChat, {workers} worker(s)                 {rate:8.0f} msg/s  "
                         f"({rate / baseline:.2f}× baseline; sent so far {sent})")
        duplicates = len(fake.sent) - len({(m['openid'], m['msgid']) for m in fake.sent})
        lines.append(f"notify  delivered {len(fake.sent) - MESSAGES} outbox messages, duplicates: {duplicates}")
    return lines
