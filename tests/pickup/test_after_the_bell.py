"""Walk home, late pickups, the guard, the board and 清校 (grade 3 ends at 17:20 on the served Monday)."""

from sqlmodel import select

from app.enrollment.models import Application
from app.pickup.late import raise_late_pickups
from app.pickup.models import LatePickup
from tests.attendance.conftest import add_leave, inbox
from tests.pickup.conftest import teacher_headers


def let_walk_home(session, student, statement="孩子家在学校对面，可自行回家。家长：李娜"):
    application = session.exec(select(Application).where(Application.student_id == student.id)).one()
    application.pickup_mode, application.self_statement = "self", statement
    session.add(application)
    session.commit()


def walk_home(client, day, student_ids):
    return client.post("/api/v1/pickup/walk-home", json={"student_ids": student_ids}, headers=teacher_headers(day))


def errors(response) -> list[str]:
    assert response.status_code == 409, response.text
    return [e["code"] for e in response.json()["error"]["errors"]]


def test_a_child_walks_home_at_the_grade_s_end_time_and_the_guardian_is_told(client, session, day, fixed_clock):
    child = day.school.students[0]
    let_walk_home(session, child)
    listed = client.get("/api/v1/pickup/walk-home", headers=teacher_headers(day)).json()
    assert [(c["student_id"], c["end_time"], c["may_leave_now"]) for c in listed] == [(child.id, "17:20", False)]
    assert errors(walk_home(client, day, [child.id])) == ["WALK_HOME_TOO_EARLY"]
    fixed_clock.advance(minutes=80)  # 17:20
    response = walk_home(client, day, [child.id])
    assert response.status_code == 200, response.text
    assert response.json()["released"][0]["method"] == "walk_home"
    told = inbox(session, "picked_up", day.school.guardians[0].account_id)
    assert len(told) == 1 and "17:20" in told[0].body


def test_walk_home_without_a_signed_statement_is_refused(client, session, day, fixed_clock):
    child = day.school.students[0]
    let_walk_home(session, child, statement="  ")
    fixed_clock.advance(minutes=90)
    assert errors(walk_home(client, day, [child.id])) == ["WALK_HOME_NOT_ALLOWED"]
    assert errors(walk_home(client, day, [day.school.students[2].id])) == ["WALK_HOME_NOT_ALLOWED"]


def test_nobody_is_late_before_end_time_plus_grace(session, day, fixed_clock):
    fixed_clock.advance(minutes=89)  # 17:29
    assert raise_late_pickups(session=session) == 0
    fixed_clock.advance(minutes=1)   # 17:30 = 17:20 + 10
    assert raise_late_pickups(session=session) == len(day.school.students)


def test_a_late_child_is_raised_once_then_handed_to_the_guard(client, session, day, fixed_clock):
    child = day.school.students[0]
    fixed_clock.advance(minutes=90)
    raise_late_pickups(session=session)
    raise_late_pickups(session=session)
    assert len(inbox(session, "late_pickup", day.school.guardians[0].account_id)) == 1
    assert len(inbox(session, "late_pickup_alert", day.school.staff["duty_leader"].account_id)) == 4
    late = client.get("/api/v1/pickup/late", headers=teacher_headers(day)).json()
    assert {c["student_id"] for c in late} == {s.id for s in day.school.students}
    assert late[0]["guardians"][0]["phone"]
    fixed_clock.advance(minutes=19)  # 17:49: not yet the guard's
    raise_late_pickups(session=session)
    assert session.exec(select(LatePickup.stage).where(LatePickup.student_id == child.id)).one() == "late"
    fixed_clock.advance(minutes=1)   # 17:50 = 17:20 + 30
    raise_late_pickups(session=session)
    assert session.exec(select(LatePickup.stage).where(LatePickup.student_id == child.id)).one() == "with_guard"
    assert len(inbox(session, "child_with_guard", day.school.staff["guard"].account_id)) == 4
    told = inbox(session, "late_pickup", day.school.guardians[0].account_id)
    assert len(told) == 2 and "门卫" in told[1].body
    guard_list = client.get("/api/v1/pickup/late?stage=with_guard", headers=day.school.headers("guard")).json()
    assert len(guard_list) == 4 and guard_list[0]["place"] == "门卫室"


def test_the_guard_releases_through_the_same_scan(client, session, day, mum_phone, fixed_clock):
    fixed_clock.advance(minutes=120)
    raise_late_pickups(session=session)
    response = client.post("/api/v1/pickup/handoffs", headers=day.school.headers("guard"),
                           json={"code": mum_phone.code(), "student_ids": [day.school.students[0].id]})
    assert response.status_code == 200, response.text
    assert response.json()["released"][0]["place"] == "门卫室"
    still_late = {c["student_id"] for c in client.get("/api/v1/pickup/late", headers=day.school.headers("guard")).json()}
    assert still_late == {s.id for s in day.school.students[1:]}


def test_children_on_leave_or_already_collected_are_never_late(client, session, day, mum_phone, fixed_clock):
    add_leave(session, day.school.students[2])
    client.post("/api/v1/pickup/handoffs", headers=teacher_headers(day),
                json={"code": mum_phone.code(), "student_ids": [day.school.students[0].id]})
    fixed_clock.advance(minutes=90)
    assert raise_late_pickups(session=session) == 2


def test_clearance_is_refused_while_a_child_remains(client, session, day, mum_phone, phone, fixed_clock):
    duty = day.school.headers("duty_leader")
    refused = client.post("/api/v1/pickup/clearance", headers=duty)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "SCHOOL_NOT_CLEAR"
    assert len(refused.json()["error"]["errors"]) == 4
    for i, student in enumerate(day.school.students):
        code = (mum_phone if i == 0 else phone(day.school.guardians[i].account_id)).code()
        assert client.post("/api/v1/pickup/handoffs", headers=teacher_headers(day),
                           json={"code": code, "student_ids": [student.id]}).status_code == 200
    cleared = client.post("/api/v1/pickup/clearance", headers=duty)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["released_count"] == 4
    assert client.post("/api/v1/pickup/clearance", headers=duty).json() == cleared.json()  # the first stands
    assert client.get("/api/v1/pickup/clearance", headers=duty).json() == cleared.json()


def test_a_child_marked_absent_does_not_hold_the_clearance(client, session, day):
    roster = client.put(f"/api/v1/sessions/{day.session_of(session).id}/attendance", headers=teacher_headers(day),
                        json=[{"student_id": s.id, "status": "absent"} for s in day.at_group])
    assert roster.status_code == 200, roster.text
    refused = client.post("/api/v1/pickup/clearance", headers=day.school.headers("duty_leader"))
    assert [e["student_id"] for e in refused.json()["error"]["errors"]] == [day.at_club.id]


def test_the_board_counts_by_grade_and_group_and_lists_who_is_still_here(client, session, day, mum_phone,
                                                                           fixed_clock):
    client.post("/api/v1/pickup/handoffs", headers=teacher_headers(day),
                json={"code": mum_phone.code(), "student_ids": [day.school.students[0].id]})
    fixed_clock.advance(minutes=90)
    raise_late_pickups(session=session)
    board = client.get("/api/v1/pickup/board", headers=day.school.headers("duty_leader")).json()
    assert (board["in_care"], board["released"], board["remaining"], board["late"]) == (4, 1, 3, 3)
    assert [(g["name"], g["in_care"], g["remaining"]) for g in board["by_grade"]] == [("三年级", 4, 3)]
    assert sorted((g["name"], g["in_care"]) for g in board["by_group"]) == sorted([(day.club.name, 1), (day.group.name, 3)])
    assert {c["student_id"] for c in board["not_released"]} == {s.id for s in day.school.students[1:]}
    assert board["latest_release_at"] and board["clearance"] is None


def test_late_steps_follow_the_school_s_settings(client, session, day, fixed_clock):
    rules = client.put(f"/api/v1/schools/{day.school.school.id}/rules", headers=day.school.headers("admin"),
                       json={"late_grace_minutes": 0, "guard_after_minutes": 5})
    assert rules.status_code == 200, rules.text
    fixed_clock.advance(minutes=80)  # 17:20
    assert raise_late_pickups(session=session) == 4
    fixed_clock.advance(minutes=5)
    assert raise_late_pickups(session=session) == 4
    bad = client.put(f"/api/v1/schools/{day.school.school.id}/rules", headers=day.school.headers("admin"),
                     json={"late_grace_minutes": 20, "guard_after_minutes": 10})
    assert bad.status_code == 422
