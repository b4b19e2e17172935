"""Handover (交接): the class head confirms who is there; the missing are flagged to the waiting teachers."""

from datetime import date

import pytest
from sqlmodel import select

from app.attendance import service
from app.attendance.models import Handover
from app.attendance.schemas import HandoverIn
from app.core.errors import AppError, NotFound
from tests.attendance.conftest import MONDAY, add_leave, inbox
from tests.factories import approve_application, create_student


def head(session, day):
    return day.caller(session, "class_head", "class_head")


def class_one(session, day):
    return service.get_class_row(session=session, caller=head(session, day), class_id=day.school.classes[0].id)


def confirm(session, day, *present, notes=None, on=MONDAY):
    return service.confirm_handover(session=session, caller=head(session, day), school_class=class_one(session, day),
                                    data=HandoverIn(date=on, present_ids=[s.id for s in present], notes=notes))


def test_class_head_sees_who_stays_and_where_they_go(session, day):
    view = service.handover_view(session=session, school_class=class_one(session, day), day=MONDAY)
    where = {r.student_id: (r.destination, r.room) for r in view.rows}
    assert where == {day.school.students[0].id: ("三年级看护1组", "301"),
                     day.school.students[2].id: ("三年级看护1组", "301")}
    assert view.handover is None and all(r.present is None for r in view.rows)


def test_club_children_are_handed_over_to_their_club(session, world, day):
    admin = day.caller(session, "admin", "admin")
    class_two = service.get_class_row(session=session, caller=admin, class_id=world.a.classes[1].id)
    view = service.handover_view(session=session, school_class=class_two, day=MONDAY)
    assert {r.student_id: r.destination for r in view.rows}[day.at_club.id] == "书法"


def test_missing_child_is_flagged_to_the_receiving_teacher_once(session, day):
    here, missing = day.school.students[0], day.school.students[2]
    out = confirm(session, day, here, notes="王老师代交")
    assert out.handover.missing_ids == [missing.id] and out.handover.notes == "王老师代交"
    assert out.handover.confirmed_by == day.school.staff["class_head"].name
    told = inbox(session, "handover_missing", day.tutor.account_id)
    assert len(told) == 1 and missing.name in told[0].body and "三年级1班" in told[0].body
    confirm(session, day, here, notes="再次确认")
    assert len(inbox(session, "handover_missing")) == 1  # a re-confirm does not tell the teacher twice
    assert len(session.exec(select(Handover)).all()) == 1


def test_roster_shows_the_child_missing_at_handover(session, day):
    missing = day.school.students[2]
    confirm(session, day, day.school.students[0])
    roster = service.roster(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session))
    row = next(r for r in roster.rows if r.student_id == missing.id)
    assert row.handover_missing and row.note == "交接时未到"


def test_confirming_again_replaces_the_handover(session, day):
    confirm(session, day, day.school.students[0])
    out = confirm(session, day, day.school.students[0], day.school.students[2])
    assert out.handover.missing_ids == [] and all(r.present for r in out.rows)


def test_child_on_leave_is_not_missing(session, day):
    add_leave(session, day.school.students[2])
    out = confirm(session, day, day.school.students[0])
    assert out.handover.missing_ids == [] and inbox(session, "handover_missing") == []
    assert next(r for r in out.rows if r.student_id == day.school.students[2].id).destination == "请假"


def test_present_ids_must_be_this_classs_children_in_care_today(session, day):
    not_in_care = create_student(session, day.school.classes[0])
    with pytest.raises(AppError) as refused:
        confirm(session, day, day.school.students[0], day.at_club, not_in_care)
    assert refused.value.code == "HANDOVER_STUDENT_NOT_EXPECTED"
    assert [e["student_id"] for e in refused.value.extra["errors"]] == sorted([day.at_club.id, not_in_care.id])
    assert f"{not_in_care.name}今天不参加托管" in refused.value.message
    assert session.exec(select(Handover)).all() == []


def test_unplaced_child_missing_is_recorded_without_a_teacher_to_tell(session, day):
    newcomer = create_student(session, day.school.classes[0])
    approve_application(session, newcomer, day.school.term)
    out = confirm(session, day, day.school.students[0], day.school.students[2])
    assert out.handover.missing_ids == [newcomer.id] and inbox(session, "handover_missing") == []


def test_handover_for_a_future_day_or_a_day_without_service_is_refused(session, day):
    with pytest.raises(AppError) as future:
        confirm(session, day, on=date(2026, 11, 24))
    assert future.value.code == "DATE_IN_FUTURE"
    with pytest.raises(AppError) as holiday:
        confirm(session, day, on=date(2026, 10, 1))
    assert holiday.value.code == "NO_SERVICE_THAT_DAY" and "国庆节" in holiday.value.message


def test_only_the_classs_own_head_or_an_admin(session, world, day):
    with pytest.raises(NotFound):
        service.get_class_row(session=session, caller=head(session, day), class_id=world.a.classes[1].id)


def test_handover_over_http_with_an_idempotency_key(client, session, day):
    url = f"/api/v1/classes/{day.school.classes[0].id}/handover"
    headers = {**day.school.headers("class_head"), "Idempotency-Key": "handover-1"}
    body = {"date": MONDAY.isoformat(), "present_ids": [day.school.students[0].id]}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert client.get(url, headers=day.school.headers("class_head")).json()["handover"]["missing_ids"] == \
        [day.school.students[2].id]
