"""Roll call: partial, last write wins, all or nothing, one place at a time, one arrival message a day."""

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.attendance import service
from app.attendance.models import Attendance
from app.attendance.schemas import MarkIn
from app.core.errors import AppError, Forbidden
from tests.attendance.conftest import add_leave, inbox
from tests.factories import create_student


def mark(session, day, caller, *pairs, club=False):
    return service.mark_attendance(session=session, caller=caller, row=day.session_of(session, club=club),
                                   marks=[MarkIn(student_id=s.id, status=status) for s, status in pairs])


def row_of(roster, student):
    return next(r for r in roster.rows if r.student_id == student.id)


def test_partial_marks_leave_the_others_unmarked(session, day):
    roster = mark(session, day, day.caller(session, day.tutor, "teacher"), (day.at_group[0], "present"))
    assert row_of(roster, day.at_group[0]).status == "present"
    assert row_of(roster, day.at_group[1]).status is None


def test_last_write_wins_with_who_and_when(session, day, fixed_clock):
    child = day.at_group[0]
    first = mark(session, day, day.caller(session, day.tutor, "teacher"), (child, "present"))
    arrived_at = row_of(first, child).arrived_at
    fixed_clock.advance(minutes=5)
    second = mark(session, day, day.caller(session, "duty_leader", "duty_leader"), (child, "late"))
    row = row_of(second, child)
    assert (row.status, row.marked_by) == ("late", day.school.staff["duty_leader"].name)
    assert row.marked_at > arrived_at and row.arrived_at == arrived_at  # the arrival time is kept
    assert len(session.exec(select(Attendance).where(Attendance.student_id == child.id)).all()) == 1


def test_marking_a_child_absent_clears_the_arrival_time(session, day):
    child = day.at_group[0]
    teacher = day.caller(session, day.tutor, "teacher")
    mark(session, day, teacher, (child, "present"))
    row = row_of(mark(session, day, teacher, (child, "absent")), child)
    assert (row.status, row.arrived_at) == ("absent", None)


def test_unmarked_takes_a_mark_back(session, day):
    child = day.at_group[0]
    teacher = day.caller(session, day.tutor, "teacher")
    mark(session, day, teacher, (child, "present"))
    row = row_of(mark(session, day, teacher, (child, "unmarked")), child)
    assert (row.status, row.marked_at) == (None, None)


def test_club_child_cannot_be_marked_present_in_the_care_group(session, day):
    with pytest.raises(AppError) as refused:
        mark(session, day, day.caller(session, day.tutor, "teacher"),
             (day.at_group[0], "present"), (day.at_club, "present"))
    assert refused.value.code == "CHILD_EXPECTED_ELSEWHERE"
    assert f"{day.at_club.name}今天应在「书法」社团" in refused.value.message
    assert refused.value.extra["errors"] == [{"student_id": day.at_club.id, "code": "CHILD_EXPECTED_ELSEWHERE",
                                              "message": f"{day.at_club.name}今天应在「书法」社团"}]
    assert session.exec(select(Attendance)).all() == []  # the valid row was not written either


def test_care_group_child_cannot_be_marked_in_the_club(session, day):
    with pytest.raises(AppError) as refused:
        mark(session, day, day.caller(session, day.club_teacher, "teacher"), (day.at_group[0], "present"), club=True)
    assert refused.value.code == "CHILD_EXPECTED_ELSEWHERE" and "看护班「三年级看护1组」" in refused.value.message


def test_child_not_in_care_today_is_refused(session, day):
    outsider = create_student(session, day.school.classes[0])
    with pytest.raises(AppError) as refused:
        mark(session, day, day.caller(session, day.tutor, "teacher"), (outsider, "present"))
    assert refused.value.code == "CHILD_NOT_IN_CARE"


def test_child_on_leave_who_comes_anyway_can_be_marked_present(session, day):
    child = day.at_group[0]
    add_leave(session, child)
    assert row_of(mark(session, day, day.caller(session, day.tutor, "teacher"), (child, "present")), child).status \
        == "present"


def test_a_future_session_cannot_be_marked(session, day):
    with pytest.raises(AppError) as refused:
        service.mark_attendance(session=session, caller=day.caller(session, day.tutor, "teacher"),
                                row=day.session_of(session, day=date(2026, 11, 24)),
                                marks=[MarkIn(student_id=day.at_group[0].id, status="present")])
    assert refused.value.code == "DATE_IN_FUTURE"


def test_a_class_head_may_read_but_not_mark(session, day):
    with pytest.raises(Forbidden):
        mark(session, day, day.caller(session, "class_head", "class_head"), (day.at_group[0], "present"))


def test_one_child_twice_in_a_batch_is_refused(session, day):
    with pytest.raises(AppError) as refused:
        mark(session, day, day.caller(session, day.tutor, "teacher"),
             (day.at_group[0], "present"), (day.at_group[0], "absent"))
    assert refused.value.code == "STUDENT_LISTED_TWICE"


def test_arrival_is_told_to_the_guardian_once_a_day(session, day):
    child = day.at_group[0]
    guardian = day.school.guardians[0].account_id
    teacher = day.caller(session, day.tutor, "teacher")
    mark(session, day, teacher, (child, "present"))
    mark(session, day, teacher, (child, "unmarked"))
    mark(session, day, teacher, (child, "late"))
    messages = inbox(session, "arrived", guardian)
    assert len(messages) == 1
    assert messages[0].body == f"{child.name}已于 16:00 到达三年级看护1组，由{day.tutor.name}看护。"


def test_a_roll_call_tells_all_its_guardians_in_one_insert(session, day):
    """A care group of 45 is one roll call: its arrival messages are written together, not a statement per child."""
    inserts = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO INBOX_MESSAGE"):
            inserts.append(statement)
    event.listen(session.get_bind(), "before_cursor_execute", seen)
    try:
        mark(session, day, day.caller(session, day.tutor, "teacher"), *((c, "present") for c in day.at_group))
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", seen)
    told = {m.data["student_id"] for m in inbox(session, "arrived")}
    assert told == {c.id for c in day.at_group} and len(inserts) == 1


def test_a_roll_call_reads_its_day_and_its_teachers_once(session, day, monkeypatch):
    """The roster it answers with is the day it checked the marks against, not the calendar and sessions read again,
    and the arrival message names the teachers that roster names."""
    reads = {"school_day": 0, "staff_names": 0}
    for name in reads:
        real = getattr(service, name)
        monkeypatch.setattr(service, name, lambda *args, _real=real, _name=name: reads.update(
            {_name: reads[_name] + 1}) or _real(*args))
    child = day.at_group[0]
    roster = mark(session, day, day.caller(session, day.tutor, "teacher"), (child, "present"))
    assert reads == {"school_day": 1, "staff_names": 1}
    assert row_of(roster, child).status == "present"
    assert session.exec(select(Attendance).where(Attendance.student_id == child.id)).one().status == "present"
    assert day.tutor.name in inbox(session, "arrived", day.school.guardians[0].account_id)[0].body


def test_absent_mark_tells_no_one_it_arrived(session, day):
    mark(session, day, day.caller(session, day.tutor, "teacher"), (day.at_group[0], "absent"))
    assert inbox(session, "arrived") == []


# ---------- over HTTP ----------

def test_roll_call_with_the_same_key_is_replayed_and_notifies_once(client, session, day):
    group = day.session_of(session)
    headers = {**day.school.headers("teacher"), "Idempotency-Key": "roll-call-1"}
    body = [{"student_id": day.at_group[0].id, "status": "present"},
            {"student_id": day.at_group[1].id, "status": "present"}]
    first = client.put(f"/api/v1/sessions/{group.id}/attendance", json=body, headers=headers)
    again = client.put(f"/api/v1/sessions/{group.id}/attendance", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert len(inbox(session, "arrived")) == 2  # one guardian each, once
    reused = client.put(f"/api/v1/sessions/{group.id}/attendance", headers=headers,
                        json=[{"student_id": day.at_group[0].id, "status": "absent"}])
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_refused_batch_over_http_names_the_place(client, session, day):
    group = day.session_of(session)
    response = client.put(f"/api/v1/sessions/{group.id}/attendance", headers=day.school.headers("teacher"),
                          json=[{"student_id": day.at_club.id, "status": "present"}])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "CHILD_EXPECTED_ELSEWHERE" and "书法" in error["message"]
    assert error["errors"][0]["student_id"] == day.at_club.id


def test_an_empty_or_unknown_status_batch_is_a_validation_error(client, session, day):
    url = f"/api/v1/sessions/{day.session_of(session).id}/attendance"
    assert client.put(url, json=[], headers=day.school.headers("teacher")).status_code == 422
    assert client.put(url, json=[{"student_id": day.at_group[0].id, "status": "gone"}],
                      headers=day.school.headers("teacher")).status_code == 422
