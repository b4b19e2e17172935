"""Today's sessions by role, and the roll-call roster."""

from datetime import date

import pytest

from app.attendance import service
from app.attendance.schemas import MarkIn
from app.core.errors import NotFound
from app.people.photos import save_photo
from tests.attendance.conftest import MONDAY, add_leave
from tests.factories import png_bytes


def listing(session, caller, on=MONDAY):
    return service.list_sessions(session=session, caller=caller, day=on)


def test_a_tutor_sees_only_the_sessions_they_serve(session, day):
    found = listing(session, day.caller(session, day.tutor, "teacher"))
    assert [s.name for s in found.sessions] == ["三年级看护1组"]
    assert found.sessions[0].serving and found.sessions[0].teachers[0].name == day.tutor.name
    club = listing(session, day.caller(session, day.club_teacher, "teacher")).sessions
    assert [(s.name, s.kind, s.room, s.starts_at) for s in club] == [("书法", "club", "美术室", "16:10")]


def test_admin_and_duty_leader_see_every_session_of_the_day(session, day):
    for role in ("admin", "duty_leader"):
        names = {s.name for s in listing(session, day.caller(session, role, role)).sessions}
        assert names == {"三年级看护1组", "书法"}


def test_a_class_head_who_tutors_nothing_has_no_sessions(session, day):
    found = listing(session, day.caller(session, "class_head", "class_head"))
    assert found.sessions == [] and found.days[0].served


def test_counts_of_expected_arrived_and_leave(session, day):
    add_leave(session, day.at_group[2])
    admin = day.caller(session, "admin", "admin")
    group = day.session_of(session)
    service.mark_attendance(session=session, caller=admin, row=group,
                            marks=[MarkIn(student_id=day.at_group[0].id, status="present")])
    counts = {s.name: (s.expected_count, s.arrived_count, s.leave_count) for s in listing(session, admin).sessions}
    assert counts == {"三年级看护1组": (2, 1, 1), "书法": (1, 0, 0)}


def test_a_holiday_lists_no_sessions_and_says_why(session, day):
    found = listing(session, day.caller(session, "admin", "admin"), on=date(2026, 10, 1))
    assert found.sessions == []
    assert (found.days[0].served, found.days[0].note) == (False, "国庆节")


def test_roster_lists_the_expected_children_first_and_the_club_children_as_elsewhere(session, day):
    add_leave(session, day.at_group[1], status="submitted")
    roster = service.roster(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session))
    rows = {r.student_id: r for r in roster.rows}
    assert [r.expected for r in roster.rows] == [True, True, True, False]
    club_child = rows[day.at_club.id]
    assert not club_child.expected and club_child.club == "书法" and club_child.note == "在社团：书法"
    pending = rows[day.at_group[1].id]
    assert pending.expected and pending.leave.pending and pending.leave.label == "病假（待班主任处理）"
    assert rows[day.at_group[0].id].class_name == "三年级1班"


def test_child_on_leave_is_on_their_usual_roster_but_not_expected(session, day):
    add_leave(session, day.at_club)
    roster = service.roster(session=session, caller=day.caller(session, day.club_teacher, "teacher"),
                            row=day.session_of(session, club=True))
    assert [(r.student_id, r.expected, r.place, r.leave.kind) for r in roster.rows] == \
        [(day.at_club.id, False, "请假", "sick")]
    assert roster.session.leave_count == 1 and roster.session.expected_count == 0


def test_a_teacher_of_another_session_cannot_read_the_roster(session, day):
    with pytest.raises(NotFound):
        service.roster(session=session, caller=day.caller(session, day.club_teacher, "teacher"),
                       row=day.session_of(session))


def test_a_class_head_reads_only_their_own_classs_rows(session, day):
    roster = service.roster(session=session, caller=day.caller(session, "class_head", "class_head"),
                            row=day.session_of(session))
    assert {r.class_name for r in roster.rows} == {"三年级1班"}
    assert {r.student_id for r in roster.rows} == {day.at_group[0].id, day.at_group[1].id}


def test_a_class_head_with_no_child_in_the_session_gets_not_found(session, day):
    # The club holds only 三年级2班's child; the class head heads 三年级1班.
    with pytest.raises(NotFound):
        service.roster(session=session, caller=day.caller(session, "class_head", "class_head"),
                       row=day.session_of(session, club=True))


def test_roster_photo_is_a_signed_link_an_image_can_load(session, day, client):
    child = day.at_group[0]
    save_photo(session=session, owner=child, data=png_bytes())
    roster = service.roster(session=session, caller=day.caller(session, day.tutor, "teacher"),
                            row=day.session_of(session))
    url = next(r.photo_url for r in roster.rows if r.student_id == child.id)
    assert client.get(url).headers["content-type"] == "image/png"  # no login token
    assert client.get(url.split("?")[0]).status_code == 403
    save_photo(session=session, owner=child, data=png_bytes("blue"))
    assert client.get(url).status_code == 404  # the old link shows nothing


def test_sessions_over_http_default_to_today(client, day):
    response = client.get("/api/v1/sessions", headers=day.school.headers("admin"))
    assert response.status_code == 200
    assert response.json()["date"] == MONDAY.isoformat() and len(response.json()["sessions"]) == 2
