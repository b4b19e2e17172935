"""Enqueueing, the inbox and subscriptions, without HTTP."""

from sqlmodel import Session, select

from app.notify import service
from app.notify.models import InboxMessage, OutboxMessage

PICKUP = {"student_name": "张小明", "adult_name": "李娟", "relation": "妈妈", "time": "17:23", "teacher_name": "王老师"}


def test_enqueue_writes_the_inbox_and_the_outbox_together(session, world):
    account_id = world.a.guardians[0].account_id
    inbox = service.enqueue(session, account_id=account_id, event="picked_up", data=PICKUP, dedupe_key="h1",
                            school_id=world.a.school.id)
    assert inbox.title == "孩子已被接走"
    assert inbox.body == "张小明已由 李娟（妈妈）接走 17:23，王老师确认。"
    outbox = session.exec(select(OutboxMessage).where(OutboxMessage.inbox_id == inbox.id)).one()
    assert outbox.status == "pending" and outbox.account_id == account_id


def test_the_same_dedupe_key_is_recorded_once(session, world):
    account_id = world.a.guardians[0].account_id
    first = service.enqueue(session, account_id=account_id, event="arrived", data={}, dedupe_key="same")
    second = service.enqueue(session, account_id=account_id, event="arrived", data={}, dedupe_key="same")
    assert first is not None and second is None
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "same")).all()) == 1


def test_a_rolled_back_transaction_enqueues_nothing(fresh_engine, world_in):
    world = world_in(fresh_engine)
    with Session(fresh_engine) as session:
        service.enqueue(session, account_id=world.a.guardians[0].account_id, event="picked_up", data=PICKUP,
                        dedupe_key="rolled-back")
        session.rollback()
    with Session(fresh_engine) as session:
        assert session.exec(select(InboxMessage)).all() == []
        assert session.exec(select(OutboxMessage)).all() == []


def test_guardians_without_wechat_are_not_enqueued(session, world):
    from tests.factories import create_guardian
    student = world.a.students[0]
    create_guardian(session, student, bound=False, relation="爸爸")
    sent = service.notify_guardians(session, student_id=student.id, school_id=student.school_id, event="arrived",
                                    data={"student_name": student.name}, dedupe_key="arrive:1")
    assert sent == 1  # only the bound mother


def test_missing_values_render_blank_instead_of_failing(session, world):
    inbox = service.enqueue(session, account_id=world.a.guardians[0].account_id, event="incident",
                            data={"student_name": "小明"}, dedupe_key="blank")
    assert inbox.body.startswith("小明：")


def test_one_time_acceptances_add_up_and_long_term_ones_switch(session, world, monkeypatch):
    from app.notify import events
    monkeypatch.setitem(events.EVENTS, "club_result", events.EventType(
        "club_result", "社团选课结果", "x", {"thing1": "{student_name}"}, long_term=False))
    account_id = world.a.guardians[0].account_id
    service.record_subscriptions(session=session, account_id=account_id,
                                 results={"dev-club_result": "accept", "dev-picked_up": "accept"})
    grants = service.record_subscriptions(session=session, account_id=account_id,
                                          results={"dev-club_result": "accept", "dev-arrived": "reject"})
    by_event = {g.event: g for g in grants}
    assert by_event["club_result"].remaining == 2 and not by_event["club_result"].long_term
    assert by_event["picked_up"].long_term and not by_event["arrived"].long_term
