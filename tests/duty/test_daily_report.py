"""The day's record: computed live, frozen by the duty leader's signature, corrected only by appending."""

import io

from openpyxl import load_workbook

from app.pickup.late import raise_late_pickups
from tests.factories import auth_headers
from tests.pickup.conftest import Phone

URL = "/api/v1/duty/reports/2026-11-23"


def a_full_day(client, session, day, fixed_clock):
    """Roll call, one patrol, an incident, one release, and late pickups for the rest."""
    tutor = auth_headers(day.tutor.account_id)
    row = day.session_of(session)
    client.put(f"/api/v1/sessions/{row.id}/attendance", headers=tutor,
               json=[{"student_id": s.id, "status": "present"} for s in day.at_group[:2]]
               + [{"student_id": day.at_group[2].id, "status": "absent"}])
    client.put("/api/v1/duty/roster", headers=day.school.headers("admin"),
               json={"date": "2026-11-23", "leader_staff_id": day.school.staff["duty_leader"].id})
    duty = day.school.headers("duty_leader")
    client.post("/api/v1/duty/patrols", headers=duty, json={"session_id": row.id, "teacher_present": True,
                                                            "headcount_seen": 2, "order": "good"})
    client.post("/api/v1/incidents", headers=tutor, json={
        "type": "illness", "severity": "low", "place": "301", "student_ids": [day.at_group[0].id],
        "description": "头疼", "actions_taken": "休息后好转"})
    fixed_clock.advance(minutes=83)  # 17:23
    mum = Phone(session, day.school.guardians[0].account_id)
    client.post("/api/v1/pickup/handoffs", headers=tutor, json={"code": mum.code(),
                                                                "student_ids": [day.school.students[0].id]})
    fixed_clock.advance(minutes=10)
    raise_late_pickups(session=session)


def test_the_report_adds_up_the_day(client, session, day, fixed_clock):
    a_full_day(client, session, day, fixed_clock)
    report = client.get(URL, headers=day.school.headers("duty_leader")).json()
    group = next(s for s in report["sessions"] if s["name"] == day.group.name)
    assert (group["expected"], group["present"], group["absent"], group["patrols_done"]) == (3, 2, 1, 1)
    assert group["teachers"] == [day.tutor.name]
    assert report["leader"] == day.school.staff["duty_leader"].name
    assert report["patrols_missing"] == report["totals"]["patrols_expected"] - 1
    assert [i["type_label"] for i in report["incidents"]] == ["身体不适"]
    assert report["pickups"]["released"] == 1 and report["pickups"]["latest_release"] == "17:23"
    assert report["pickups"]["late"] == 2  # the absent child was not at school, so not late
    assert report["signed"] is False


def test_signing_freezes_the_report_and_corrections_append(client, session, day, fixed_clock):
    a_full_day(client, session, day, fixed_clock)
    duty = day.school.headers("duty_leader")
    assert client.post(f"{URL}/corrections", headers=duty, json={"text": "x"}).json()["error"]["code"] == \
        "REPORT_NOT_SIGNED"
    signed = client.post(f"{URL}/sign", headers=duty).json()
    assert signed["signed"] and signed["signed_by"] == day.school.staff["duty_leader"].name
    client.post("/api/v1/incidents", headers=auth_headers(day.tutor.account_id), json={
        "type": "other", "severity": "low", "place": "走廊", "description": "补记", "actions_taken": "无"})
    after = client.get(URL, headers=duty).json()
    assert after["incidents"] == signed["incidents"]  # the record is what was signed
    assert client.post(f"{URL}/sign", headers=duty).json() == after  # signing again changes nothing
    corrected = client.post(f"{URL}/corrections", headers=duty, json={"text": "17:40 走廊另有一起小事，见突发情况记录"})
    assert [c["text"] for c in corrected.json()["corrections"]] == ["17:40 走廊另有一起小事，见突发情况记录"]


def test_only_the_day_s_duty_leader_or_an_admin_signs(client, session, day):
    from tests.factories import create_staff
    other = create_staff(session, day.school.school, "duty_leader")
    session.commit()
    client.put("/api/v1/duty/roster", headers=day.school.headers("admin"),
               json={"date": "2026-11-23", "leader_staff_id": day.school.staff["duty_leader"].id})
    assert client.post(f"{URL}/sign", headers=auth_headers(other.account_id)).status_code == 403
    assert client.post(f"{URL}/sign", headers=day.school.headers("admin")).status_code == 200


def test_the_exports_carry_the_report(client, session, day, fixed_clock):
    a_full_day(client, session, day, fixed_clock)
    duty = day.school.headers("duty_leader")
    xlsx = client.get(f"{URL}/export", headers=duty)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["概况", "场次与出勤", "巡查", "突发情况", "更正"]
    sessions = book["场次与出勤"]
    assert sessions["A1"].value.startswith(day.school.school.name)
    rows = {r[0]: r for r in sessions.iter_rows(min_row=3, values_only=True)}
    assert rows[day.group.name][4:8] == (3, 2, 0, 1)
    assert book["突发情况"]["B3"].value == "身体不适"
    page = client.get(f"{URL}/export?format=html", headers=duty)
    assert page.headers["content-type"].startswith("text/html")
    assert "课后服务值班日志" in page.text and day.group.name in page.text and "身体不适" in page.text
    from sqlmodel import select

    from app.audit.models import AuditEvent, AuditEventStudent
    exports = session.exec(select(AuditEvent).where(AuditEvent.action == "export.duty_report")).all()
    assert len(exports) == 2  # both downloads are on the access audit, with the child the incident names
    assert session.exec(select(AuditEventStudent.student_id).where(
        AuditEventStudent.event_id == exports[0].id)).all() == [day.at_group[0].id]


def test_no_report_for_a_day_to_come(client, day):
    response = client.get("/api/v1/duty/reports/2026-11-30", headers=day.school.headers("duty_leader"))
    assert response.json()["error"]["code"] == "DATE_IN_FUTURE"
    signed = client.post("/api/v1/duty/reports/2026-11-30/sign", headers=day.school.headers("admin"))
    assert signed.json()["error"]["code"] == "DATE_IN_FUTURE"
