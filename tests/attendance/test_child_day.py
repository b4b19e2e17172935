"""A child's day for the guardian: where, with whom, since when, leave and handover."""

from datetime import date

from app.attendance import service
from app.attendance.schemas import HandoverIn, MarkIn
from tests.attendance.conftest import MONDAY, add_leave


def child_day(session, student, on=MONDAY):
    return service.child_day(session=session, student=student, day=on)


def test_guardian_sees_where_the_child_should_be_and_with_whom(session, day):
    found = child_day(session, day.at_club)
    assert (found.place.kind, found.place.label, found.place.room, found.place.starts_at) == \
        ("club", "书法", "美术室", "16:10")
    assert found.place.teachers == ["书法老师"]
    assert found.attendance is None and found.handover.status == "pending"


def test_guardian_sees_since_when_the_child_is_there(session, day, fixed_clock):
    child = day.at_group[0]
    service.mark_attendance(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session), marks=[MarkIn(student_id=child.id, status="present")])
    found = child_day(session, child)
    assert found.attendance.status == "present" and found.attendance.arrived_at == fixed_clock.at


def test_guardian_sees_the_handover(session, day):
    class_one = service.get_class_row(session=session, caller=day.caller(session, "admin", "admin"),
                                      class_id=day.school.classes[0].id)
    service.confirm_handover(session=session, caller=day.caller(session, "admin", "admin"), school_class=class_one,
                             data=HandoverIn(date=MONDAY, present_ids=[day.school.students[0].id]))
    assert child_day(session, day.school.students[0]).handover.status == "handed_over"
    assert child_day(session, day.school.students[2]).handover.label == "交接时未到"


def test_leave_shows_in_the_day(session, day):
    add_leave(session, day.at_group[0], kind="personal")
    found = child_day(session, day.at_group[0])
    assert found.place.kind == "leave" and found.leave.label == "事假"


def test_a_holiday_says_why_there_is_no_care(session, day):
    found = child_day(session, day.at_group[0], on=date(2026, 10, 1))
    assert found.place.kind == "not_in_care" and found.day.note == "国庆节" and found.handover is None


def test_guardian_reads_their_child_over_http(client, session, day):
    response = client.get(f"/api/v1/students/{day.school.students[0].id}/day", headers=day.school.headers("guardian"))
    assert response.status_code == 200 and response.json()["place"]["label"] == "三年级看护1组"
    other = client.get(f"/api/v1/students/{day.school.students[1].id}/day", headers=day.school.headers("guardian"))
    assert other.status_code == 404
