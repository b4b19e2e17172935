"""Families hear when a survey opens (one WeChat subscribe message per guardian, written in a few statements for the
whole school), and an admin may move a published survey's closing time."""

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.core.clock import utcnow
from app.core.errors import AppError
from app.notify.models import InboxMessage, OutboxMessage
from app.notify.service import render
from app.people.models import Guardianship
from app.surveys import service
from app.surveys.schemas import PublishIn
from app.wechat.client import field_problem, truncate_field
from app.privacy.models import ConsentScope
from app.privacy.service import wechat_messages_allowed
from tests.factories import approve_application, create_guardian, create_student, give_consent
from tests.surveys.conftest import admin_account, published, submit, survey_in


def told(session, survey_id=None) -> list[InboxMessage]:
    rows = session.exec(select(InboxMessage).where(InboxMessage.event == "survey_open").order_by(InboxMessage.id)).all()
    return [r for r in rows if survey_id is None or r.data["survey_id"] == survey_id]


class Statements:
    """Counts the INSERTs into a table sent on a connection while in use."""

    def __init__(self, session, table: str):
        self.connection, self.table, self.count = session.connection(), table, 0

    def __enter__(self):
        event.listen(self.connection, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.connection, "before_cursor_execute", self.seen)

    def seen(self, conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(f"INSERT INTO {self.table.upper()}"):
            self.count += 1


def draft(session, world, **overrides):
    out = service.create_survey(session=session, term=world.a.term, account_id=admin_account(world.a),
                                data=survey_in(**overrides))
    return service.get_survey(session=session, school_ids={world.a.school.id}, survey_id=out.id)


def test_publishing_an_open_survey_tells_each_family_once_in_a_few_statements(session, world, fixed_clock, families):
    row = draft(session, world, audience="in_care")
    outside = create_student(session, world.a.classes[0])  # no application: not asked
    create_guardian(session, outside)
    sibling = create_student(session, families[0].school_class)  # the first family's second child
    approve_application(session, sibling, world.a.term)
    session.add(Guardianship(school_id=world.a.school.id, student_id=sibling.id, guardian_id=families[0].guardian.id,
                             relation="妈妈"))
    session.commit()
    with Statements(session, "inbox_message") as inbox, Statements(session, "outbox_message") as outbox:
        out = service.publish(session=session, row=row, data=PublishIn(closes_at=utcnow() + timedelta(days=7)))
    assert (inbox.count, outbox.count) == (1, 1)  # 24 families, one statement each way
    assert out.announced_at == utcnow()
    messages = told(session)
    assert sorted(m.account_id for m in messages) == sorted(f.guardian.account_id for f in families)
    mum = next(m for m in messages if m.account_id == families[0].guardian.account_id)
    assert mum.data["student_names"] == f"{families[0].student.name}、{sibling.name}" and "student_id" not in mum.data
    assert mum.data["student_ids"] == [families[0].student.id, sibling.id]
    assert mum.title == "满意度调查" and "11月30日 16:00截止" in mum.body and mum.page == "pages/survey/index?student_id="
    only_child = next(m for m in messages if m.account_id == families[1].guardian.account_id)
    assert only_child.page == f"pages/survey/index?student_id={families[1].student.id}"
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.event == "survey_open")).all()) == len(messages)
    # WeChat would take every field of it, cut to its limits
    fields = service.SURVEY_OPEN.fields
    for key, template in fields.items():
        assert field_problem(key, truncate_field(key, render(template, mum.data))) is None, key


def test_a_scheduled_survey_is_announced_by_the_worker_when_it_opens_and_only_once(session, world, fixed_clock,
                                                                                  families):
    row = draft(session, world)
    service.publish(session=session, row=row, data=PublishIn(opens_at=utcnow() + timedelta(hours=2)))
    assert told(session) == [] and service.announce_opened(session=session) == 0
    fixed_clock.advance(hours=2)
    assert service.announce_opened(session=session) == len(families)
    fixed_clock.advance(minutes=1)
    assert service.announce_opened(session=session) == 0
    assert len(told(session)) == len(families)
    assert service.one_out(session, row).announced_at is not None


def test_nobody_is_told_of_a_survey_closed_before_it_opened_or_of_an_already_answered_child(session, world,
                                                                                           fixed_clock, families):
    closed_early = draft(session, world)
    service.publish(session=session, row=closed_early, data=PublishIn(opens_at=utcnow() + timedelta(hours=1)))
    service.close(session=session, row=closed_early)
    fixed_clock.advance(hours=2)
    assert service.announce_opened(session=session) == 0
    survey = published(session, world.a)
    before = len(told(session, survey.id))
    assert before == len(families)
    submit(session, families[0].guardian, families[0].student, survey, (1, 5), (2, 4), (3, [1]))
    assert service.announce(session, survey) == 0  # told once per survey, whatever happens since


def test_an_admin_moves_the_closing_time_of_a_published_survey(client, session, world, fixed_clock, families):
    survey = published(session, world.a)
    url = f"/api/v1/surveys/{survey.id}/closes-at"
    admin = world.a.headers("admin")
    later = "2026-12-20T18:00:00+08:00"
    moved = client.put(url, json={"closes_at": later}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["closes_at"] == "2026-12-20T10:00:00Z" and moved.json()["state"] == "open"
    assert moved.json()["questions"] == client.get(f"/api/v1/surveys/{survey.id}", headers=admin).json()["questions"]
    assert client.put(url, json={"closes_at": None}, headers=admin).json()["closes_at"] is None
    past = client.put(url, json={"closes_at": "2026-11-01T18:00:00+08:00"}, headers=admin)
    assert past.status_code == 422 and past.json()["error"]["code"] == "SURVEY_CLOSES_IN_PAST"
    naive = client.put(url, json={"closes_at": "2026-12-20T18:00:00"}, headers=admin)
    assert naive.status_code == 422
    assert client.get(f"/api/v1/surveys/{survey.id}", headers=admin).json()["closes_at"] is None  # nothing changed
    assert client.put(url, json={"closes_at": later}, headers=world.a.headers("teacher")).status_code == 403


def test_the_closing_time_of_a_draft_or_an_ended_survey_stays(session, world, fixed_clock, families):
    row = draft(session, world)
    with pytest.raises(AppError) as refused:
        service.change_closes_at(session=session, row=row, closes_at=utcnow() + timedelta(days=1))
    assert refused.value.code == "SURVEY_NOT_PUBLISHED"
    service.publish(session=session, row=row, data=PublishIn(closes_at=utcnow() + timedelta(days=1)))
    fixed_clock.advance(days=2)  # past its closing time: ended, like one closed by hand
    with pytest.raises(AppError) as refused:
        service.change_closes_at(session=session, row=row, closes_at=utcnow() + timedelta(days=7))
    assert refused.value.code == "SURVEY_CLOSED"
    scheduled = draft(session, world)
    service.publish(session=session, row=scheduled, data=PublishIn(opens_at=utcnow() + timedelta(days=3)))
    with pytest.raises(AppError) as refused:
        service.change_closes_at(session=session, row=scheduled, closes_at=utcnow() + timedelta(days=1))
    assert refused.value.code == "SURVEY_CLOSES_BEFORE_OPENING"


def test_a_message_naming_two_children_goes_through_wechat_only_with_consent_for_both(
        session, world, fixed_clock, families):
    """The survey's message to a mother of two names both children: WeChat carries it only while she agrees to
    notifications for each of them (the inbox has it either way)."""
    mum = families[0].guardian
    sibling = create_student(session, families[0].school_class)
    approve_application(session, sibling, world.a.term)
    session.add(Guardianship(school_id=world.a.school.id, student_id=sibling.id, guardian_id=mum.id, relation="妈妈"))
    give_consent(session, mum, sibling, ConsentScope.ROSTER)  # not notifications, for this child
    session.commit()
    service.publish(session=session, row=draft(session, world, audience="in_care"),
                    data=PublishIn(closes_at=utcnow() + timedelta(days=7)))
    message = next(m for m in told(session) if m.account_id == mum.account_id)
    assert message.data["student_ids"] == [families[0].student.id, sibling.id]
    assert not wechat_messages_allowed(session, account_id=mum.account_id, student_ids=message.data["student_ids"])
    give_consent(session, mum, sibling, ConsentScope.NOTIFICATIONS)
    assert wechat_messages_allowed(session, account_id=mum.account_id, student_ids=message.data["student_ids"])
