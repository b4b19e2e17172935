"""值班表 and 巡查: one duty leader per served day, round-robin, swaps kept; two patrols per session per lesson."""

from datetime import date

import pytest
from sqlmodel import select

from app.duty.models import DutyAssignment
from app.duty.service import patrols_between, roster
from tests.attendance.conftest import MONDAY
from tests.factories import auth_headers, create_staff
from tests.sheets import read_xlsx


@pytest.fixture
def leaders(session, day):
    extra = [create_staff(session, day.school.school, "duty_leader", name=n) for n in ("副校长", "教导主任")]
    session.commit()
    return [day.school.staff["duty_leader"], *extra]


def generate(client, day, **body):
    return client.post(f"/api/v1/duty/terms/{day.school.term.id}/roster/generate",
                       headers=day.school.headers("admin"), json=body)


def test_the_roster_takes_the_duty_leaders_in_turn_over_served_days_only(client, day, leaders):
    response = generate(client, day, **{"from": "2026-11-23", "to": "2026-12-04"})
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [r["date"] for r in rows] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27",
                                         "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert [r["leader"]["staff_id"] for r in rows] == [leaders[i % 3].id for i in range(10)]


def test_generating_again_keeps_days_already_set_and_carries_the_turn_on(client, session, day, leaders):
    generate(client, day, **{"from": "2026-11-23", "to": "2026-11-24"})
    rows = generate(client, day, **{"from": "2026-11-23", "to": "2026-11-26"}).json()
    assert [r["leader"]["staff_id"] for r in rows] == [leaders[0].id, leaders[1].id, leaders[2].id, leaders[0].id]
    later = generate(client, day, **{"from": "2026-11-27", "to": "2026-11-27"}).json()
    assert later[0]["leader"]["staff_id"] == leaders[1].id


def test_an_admin_edits_a_day_and_a_leader_swaps_with_a_reason(client, session, day, leaders):
    admin = day.school.headers("admin")
    teacher = day.school.staff["teacher"]
    set_ = client.put("/api/v1/duty/roster", headers=admin,
                      json={"date": "2026-11-23", "leader_staff_id": leaders[0].id, "patrol_staff_ids": [teacher.id]})
    assert set_.status_code == 200, set_.text
    assert (set_.json()["leader"]["name"], [p["staff_id"] for p in set_.json()["patrols"]]) == (
        leaders[0].name, [teacher.id])
    not_leader = client.put("/api/v1/duty/roster", headers=admin, json={"date": "2026-11-23", "leader_staff_id": teacher.id})
    assert not_leader.json()["error"]["code"] == "NOT_A_DUTY_LEADER"
    saturday = client.put("/api/v1/duty/roster", headers=admin, json={"date": "2026-11-28", "leader_staff_id": leaders[0].id})
    assert saturday.json()["error"]["code"] == "NOT_A_SERVICE_DAY"
    swapped = client.post("/api/v1/duty/roster/swap", headers=auth_headers(leaders[0].account_id),
                          json={"date": "2026-11-23", "from_staff_id": leaders[0].id, "to_staff_id": leaders[1].id, "reason": "外出开会"})
    assert swapped.status_code == 200, swapped.text
    leader = swapped.json()["leader"]
    assert (leader["staff_id"], leader["swapped_from"], leader["swap_reason"]) == (leaders[1].id, leaders[0].name,
                                                                                  "外出开会")
    someone_else = client.post("/api/v1/duty/roster/swap", headers=auth_headers(leaders[2].account_id),
                               json={"date": "2026-11-23", "from_staff_id": leaders[1].id, "to_staff_id": leaders[2].id, "reason": "想换"})
    assert someone_else.status_code == 403
    assert len(session.exec(select(DutyAssignment).where(DutyAssignment.day == MONDAY)).all()) == 2


def test_duty_today_tells_the_leader_what_is_due(client, session, day, leaders, fixed_clock):
    client.put("/api/v1/duty/roster", headers=day.school.headers("admin"),
               json={"date": "2026-11-23", "leader_staff_id": leaders[0].id})
    mine = client.get("/api/v1/duty/today", headers=auth_headers(leaders[0].account_id)).json()
    assert (mine["on_duty"], mine["role"]) == (True, "leader") and mine["expected"]
    group = next(s for s in mine["sessions"] if s["name"] == day.group.name)
    # 15:40–17:20 is 100 minutes = 3 lessons of 40 → 6 patrols; at 16:00 the first (at 15:48) is due.
    assert (group["patrols_expected"], group["patrols_due_now"], group["patrols_done"]) == (6, 1, 0)
    other = client.get("/api/v1/duty/today", headers=auth_headers(leaders[1].account_id)).json()
    assert other["on_duty"] is False and other["leader"]["staff_id"] == leaders[0].id


def test_a_patrol_is_recorded_and_a_headcount_that_differs_is_flagged(client, session, day, leaders):
    client.put("/api/v1/duty/roster", headers=day.school.headers("admin"),
               json={"date": "2026-11-23", "leader_staff_id": leaders[0].id})
    group_session = day.session_of(session)
    client.put(f"/api/v1/sessions/{group_session.id}/attendance", headers=auth_headers(day.tutor.account_id),
               json=[{"student_id": s.id, "status": "present"} for s in day.at_group])
    headers = auth_headers(leaders[0].account_id)
    response = client.post("/api/v1/duty/patrols", headers=headers, json={
        "session_id": group_session.id, "teacher_present": True, "headcount_seen": 2, "order": "good",
        "note": "秩序良好"})
    assert response.status_code == 201, response.text
    assert (response.json()["roster_present"], response.json()["headcount_differs"]) == (3, True)
    today_ = client.get("/api/v1/duty/today", headers=headers).json()
    group = next(s for s in today_["sessions"] if s["session_id"] == group_session.id)
    assert (group["patrols_done"], group["patrols_due_now"]) == (1, 0)
    listed = client.get("/api/v1/duty/patrols", headers=day.school.headers("admin")).json()
    assert [p["by"] for p in listed] == [leaders[0].name]


def test_only_staff_on_duty_record_patrols(client, session, day, leaders):
    body = {"session_id": day.session_of(session).id, "teacher_present": True, "headcount_seen": 3,
            "order": "good"}
    response = client.post("/api/v1/duty/patrols", headers=auth_headers(leaders[1].account_id), json=body)
    assert response.status_code == 403


def test_patrols_per_lesson_is_a_school_setting(client, session, day, leaders):
    client.put(f"/api/v1/schools/{day.school.school.id}/rules", headers=day.school.headers("admin"),
               json={"patrols_per_lesson": 1, "lesson_minutes": 50})
    client.put("/api/v1/duty/roster", headers=day.school.headers("admin"),
               json={"date": "2026-11-23", "leader_staff_id": leaders[0].id})
    mine = client.get("/api/v1/duty/today", headers=auth_headers(leaders[0].account_id)).json()
    assert next(s for s in mine["sessions"] if s["name"] == day.group.name)["patrols_expected"] == 2
    assert mine["expected"][0].startswith("每节课巡查各场次 1 次")


def test_no_roster_without_duty_leaders(client, session, day):
    staff = day.school.staff["duty_leader"]
    staff.roles = ["teacher"]
    session.add(staff)
    session.commit()
    assert generate(client, day).json()["error"]["code"] == "NO_DUTY_LEADERS"


def test_refused_swaps_and_patrols_change_nothing(client, session, day, leaders, fixed_clock):
    admin = day.school.headers("admin")
    client.put("/api/v1/duty/roster", headers=admin, json={"date": "2026-11-23", "leader_staff_id": leaders[0].id,
                                                           "patrol_staff_ids": [leaders[1].id]})
    swap = {"date": "2026-11-23", "from_staff_id": leaders[0].id, "reason": "外出"}
    assert client.post("/api/v1/duty/roster/swap", headers=admin, json={**swap, "to_staff_id": leaders[1].id}
                       ).json()["error"]["code"] == "ALREADY_ON_DUTY"
    assert client.post("/api/v1/duty/roster/swap", headers=admin, json={
        **swap, "to_staff_id": day.school.staff["teacher"].id}).json()["error"]["code"] == "NOT_A_DUTY_LEADER"
    assert client.post("/api/v1/duty/roster/swap", headers=admin, json={**swap, "date": "2026-11-24",
                                                                       "to_staff_id": leaders[2].id}
                       ).json()["error"]["code"] == "DUTY_NOT_FOUND"
    body = {"session_id": day.session_of(session).id, "teacher_present": True, "headcount_seen": 3, "order": "good"}
    future = client.post("/api/v1/duty/patrols", headers=auth_headers(leaders[0].account_id),
                         json={**body, "at": "2026-11-23T09:00:00Z"})
    assert future.json()["error"]["code"] == "PATROL_IN_FUTURE"
    fixed_clock.advance(days=1)
    assert client.post("/api/v1/duty/patrols", headers=admin, json=body).json()["error"]["code"] == "PATROL_NOT_TODAY"
    assert client.get("/api/v1/duty/patrols?date=2026-11-23", headers=admin).json() == []
    assert client.get("/api/v1/duty/roster?from=2026-11-23&to=2026-11-23", headers=admin).json()[0]["leader"][
        "staff_id"] == leaders[0].id


def test_the_roster_and_the_patrols_export_as_recorded(client, session, day, leaders):
    generate(client, day, **{"from": "2026-11-23", "to": "2026-11-27"})
    admin = day.school.headers("admin")
    table = read_xlsx(client.get("/api/v1/duty/roster/export.xlsx", params={"from": "2026-11-23", "to": "2026-11-27"},
                                 headers=admin))
    assert table.title == f"{day.school.school.name} {day.school.term.name} 值班表（2026-11-23至2026-11-27）"
    assert table.headers == ["日期", "星期", "值班领导", "巡查人员", "换班说明"]
    days = roster(session=session, school_id=day.school.school.id, start=date(2026, 11, 23), end=date(2026, 11, 27))
    assert [(r[0], r[2]) for r in table.rows] == [(d.date.isoformat(), d.leader.name) for d in days]
    assert table.rows[0][1] == "周一"
    duty = day.school.headers("duty_leader")
    row = day.session_of(session)
    client.put("/api/v1/duty/roster", headers=admin,
               json={"date": "2026-11-23", "leader_staff_id": day.school.staff["duty_leader"].id})
    assert client.post("/api/v1/duty/patrols", headers=duty, json={
        "session_id": row.id, "teacher_present": True, "headcount_seen": 5, "order": "good"}).status_code == 201
    patrols = read_xlsx(client.get("/api/v1/duty/patrols/export.xlsx", headers=duty))
    assert patrols.headers == ["日期", "时间", "场次", "巡查人", "教师在岗", "看到人数", "点名已到", "人数不符", "秩序",
                               "备注"]
    [recorded] = patrols_between(session=session, school_id=day.school.school.id, start=date(2026, 11, 23),
                                 end=date(2026, 11, 23))
    assert patrols.rows == [("2026-11-23", recorded.time, row.name, recorded.by, "是", 5, recorded.roster_present,
                             "是", recorded.order_label, "")]
    assert client.get("/api/v1/duty/patrols/export.xlsx", headers=day.school.headers("teacher")).status_code == 403
