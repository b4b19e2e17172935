"""Delivery to WeChat: nothing lost, nothing sent twice, and WeChat's failures handled as WeChat has them."""

import threading
from collections import Counter
from datetime import datetime, timezone

import httpx
import pytest
from sqlmodel import Session, select

from app.core import clock as clock_module
from app.notify import service
from app.notify.models import InboxMessage, OutboxMessage, SubscriptionGrant
from app.notify.worker import Deliverer
from app.privacy.models import PrivacyConsent
from app.wechat.client import WeChatClient
from app.wechat.fake import FakeWeChat

PICKUP = {"student_name": "张小明", "adult_name": "李娟", "relation": "妈妈", "time": "17:23", "teacher_name": "王老师"}


@pytest.fixture
def clock():
    fixed = clock_module.FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    previous = clock_module.set_clock(fixed)
    yield fixed
    clock_module.set_clock(previous)


@pytest.fixture
def fake(clock):
    return FakeWeChat(now=lambda: clock.now().timestamp())


@pytest.fixture
def setup(fresh_engine, world_in, fake, clock):
    world = world_in(fresh_engine)
    wechat = WeChatClient(appid="wx-test", secret="s", base_url="http://fake.local",
                          transport=httpx.MockTransport(fake.handle))
    return world, Deliverer(fresh_engine, wechat), fresh_engine


def queue(engine, account_ids, count=1, event="picked_up", data=PICKUP, subscribe=True, school_id=None):
    with Session(engine) as session:
        for account_id in account_ids:
            if subscribe:
                service.record_subscriptions(session=session, account_id=account_id,
                                             results={f"dev-{event}": "accept"})
            for i in range(count):
                service.enqueue(session, account_id=account_id, event=event, data=data,
                                dedupe_key=f"{event}:{account_id}:{i}", school_id=school_id)
        session.commit()


def statuses(engine) -> Counter:
    with Session(engine) as session:
        return Counter(session.exec(select(OutboxMessage.status)).all())


def test_a_queued_message_is_delivered_once(setup, fake):
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id])
    assert deliverer.drain() == 1
    assert deliverer.drain() == 0
    assert len(fake.sent) == 1
    sent = fake.sent[0]
    assert sent["template_id"] == "dev-picked_up" and sent["data"]["name2"] == "李娟"
    assert statuses(engine) == {"sent": 1}


def test_wechat_down_for_a_while_then_everything_arrives_once(setup, fake, clock):
    world, deliverer, engine = setup
    accounts = [g.account_id for g in world.a.guardians]
    queue(engine, accounts, count=5)
    fake.set_down(True)
    deliverer.drain()
    assert statuses(engine) == {"pending": 20} and fake.sent == []
    for _ in range(3):  # still down: backing off, nothing lost
        clock.advance(minutes=10)
        deliverer.drain()
    fake.set_down(False)
    clock.advance(minutes=10)
    deliverer.drain()
    assert statuses(engine) == {"sent": 20}
    keys = Counter((m["openid"], m["msgid"]) for m in fake.sent)
    assert len(fake.sent) == 20 and max(keys.values()) == 1


def test_backoff_waits_longer_after_each_failure(setup, fake, clock):
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id])
    fake.set_down(True)
    waits = []
    for _ in range(3):
        deliverer.drain()
        with Session(engine) as session:
            row = session.exec(select(OutboxMessage)).one()
        waits.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.at = row.next_attempt_at
    base = deliverer.settings.notify_backoff_base_seconds
    for attempt, wait in enumerate(waits):  # doubling, with ±50 % jitter
        assert base * 2 ** attempt * 0.5 <= wait <= base * 2 ** attempt * 1.5


def test_busy_and_5xx_are_retried(setup, fake, clock):
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id])
    fake.fail_next(-1, path="/cgi-bin/message/subscribe/send")
    deliverer.drain()
    clock.advance(minutes=5)
    fake.server_error_next()
    deliverer.drain()
    clock.advance(minutes=5)
    deliverer.drain()
    assert statuses(engine) == {"sent": 1} and len(fake.sent) == 1


def test_token_expiry_mid_run_refreshes_once_and_sends_go_on(setup, fake):
    world, deliverer, engine = setup
    queue(engine, [g.account_id for g in world.a.guardians], count=3)
    deliverer.run_once(batch=4)
    assert fake.tokens_issued == 1
    fake.expire_all_tokens()
    deliverer.drain()
    assert fake.tokens_issued == 2
    assert statuses(engine) == {"sent": 12} and len(fake.sent) == 12


def test_the_access_token_is_shared_through_the_database(setup, fake):
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id], count=2)
    deliverer.run_once(batch=1)
    another = Deliverer(engine, deliverer.wechat)
    another.run_once(batch=1)
    assert fake.tokens_issued == 1


def test_43101_marks_the_row_refused_and_the_inbox_keeps_it(setup, fake, clock):
    world, deliverer, engine = setup
    guardian = world.a.guardians[0]
    with Session(engine) as session:
        from app.auth.models import Account
        openid = session.get(Account, guardian.account_id).wechat_openid
    fake.refuse(openid)
    queue(engine, [guardian.account_id])
    deliverer.drain()
    clock.advance(hours=1)
    deliverer.drain()
    assert statuses(engine) == {"refused": 1}
    assert fake.calls["/cgi-bin/message/subscribe/send"] == 1  # not retried
    with Session(engine) as session:
        assert session.exec(select(InboxMessage)).one().title == "孩子已被接走"


def test_without_an_acceptance_the_send_is_skipped_but_the_inbox_has_it(setup, fake):
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id], subscribe=False)
    deliverer.drain()
    assert statuses(engine) == {"skipped": 1} and fake.sent == []
    with Session(engine) as session:
        assert len(session.exec(select(InboxMessage)).all()) == 1


def test_one_time_acceptances_are_used_up_one_per_send(setup, fake, monkeypatch):
    from app.notify import events
    monkeypatch.setitem(events.EVENTS, "picked_up", events.EventType(
        "picked_up", "孩子已被接走", "{student_name}", {"thing1": "{student_name}"}, long_term=False))
    world, deliverer, engine = setup
    queue(engine, [world.a.guardians[0].account_id], count=2)  # one acceptance, two messages
    deliverer.drain()
    assert statuses(engine) == {"sent": 1, "skipped": 1}
    with Session(engine) as session:
        assert session.exec(select(SubscriptionGrant)).one().remaining == 0


def test_a_long_name_is_cut_to_fit_instead_of_failing(setup, fake):
    world, deliverer, engine = setup
    data = {**PICKUP, "student_name": "欧阳" + "娜" * 30, "adult_name": "一个名字非常非常长的临时授权接送人"}
    queue(engine, [world.a.guardians[0].account_id], data=data)
    deliverer.drain()
    assert statuses(engine) == {"sent": 1}
    assert len(fake.sent[0]["data"]["thing1"]) <= 20 and fake.sent[0]["data"]["thing1"].endswith("…")


def test_after_the_last_attempt_the_row_fails_and_an_admin_can_retry_it(setup, fake, clock):
    world, deliverer, engine = setup
    deliverer.settings = deliverer.settings.model_copy(update={"notify_max_attempts": 3})
    queue(engine, [world.a.guardians[0].account_id], school_id=world.a.school.id)
    fake.set_down(True)
    for _ in range(4):
        deliverer.drain()
        clock.advance(hours=1)
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
        assert row.status == "failed" and row.attempts == 3 and "ConnectError" in row.last_error
        assert service.retry_failed(session=session, school_id=world.a.school.id) == 1
    fake.set_down(False)
    deliverer.drain()
    assert statuses(engine) == {"sent": 1}


def test_a_wrong_template_fails_at_once(setup, fake):
    world, deliverer, engine = setup
    fake.known_templates = {"something-else"}
    queue(engine, [world.a.guardians[0].account_id])
    deliverer.drain()
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.status == "failed" and row.last_error.startswith("40037")


def test_two_workers_share_1000_messages_and_deliver_each_exactly_once(setup, fake, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers share the queue only on PostgreSQL (FOR UPDATE SKIP LOCKED)")
    world, deliverer, fresh = setup
    accounts = [g.account_id for g in world.a.guardians + world.b.guardians]
    queue(fresh, accounts, count=125)
    workers = [Deliverer(fresh, deliverer.wechat) for _ in range(2)]
    handled = [0, 0]

    def work(i):
        handled[i] = workers[i].drain(batch=20)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses(fresh) == {"sent": 1000}
    assert len(fake.sent) == 1000 and sum(handled) == 1000
    assert all(handled), f"both workers should have taken part: {handled}"


def test_a_guardian_who_withdrew_notifications_gets_only_safety_messages_through_wechat(setup, fake):
    world, deliverer, engine = setup
    guardian, child = world.a.guardians[0], world.a.students[0]
    with Session(engine) as session:
        for row in session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == guardian.id,
                                                             PrivacyConsent.scope == "notifications")).all():
            row.withdrawn_at = row.given_at
            session.add(row)
        session.commit()
    about_child = {**PICKUP, "student_id": child.id, "club_name": "书法", "result": "已选上"}
    queue(engine, [guardian.account_id], event="club_result", data=about_child)
    queue(engine, [guardian.account_id], event="picked_up", data=about_child)

    deliverer.drain()

    assert [m["template_id"] for m in fake.sent] == ["dev-picked_up"]
    with Session(engine) as session:
        skipped = session.exec(select(OutboxMessage).where(OutboxMessage.event == "club_result")).one()
        assert skipped.status == "skipped" and "消息通知" in skipped.last_error
        assert len(session.exec(select(InboxMessage).where(InboxMessage.account_id == guardian.account_id)).all()) == 2


def test_messages_about_a_child_reach_a_guardian_who_consented_and_staff(setup, fake):
    world, deliverer, engine = setup
    child = world.a.students[0]
    about_child = {**PICKUP, "student_id": child.id, "club_name": "书法", "result": "已选上"}
    queue(engine, [world.a.guardians[0].account_id, world.a.staff["class_head"].account_id], event="club_result",
          data=about_child)
    deliverer.drain()
    assert len(fake.sent) == 2
