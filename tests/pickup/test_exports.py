"""The day's releases and the late pickups as .xlsx: the rows are the records."""

from sqlmodel import select

from app.attendance.service import hhmm
from app.audit.models import AuditEvent, AuditEventStudent
from app.pickup.late import raise_late_pickups
from app.pickup.models import Handoff, LatePickup
from app.schools.models import SchoolClass
from tests.pickup.conftest import Phone, teacher_headers
from tests.sheets import read_xlsx

API = "/api/v1/pickup"


def release(client, session, day, index):
    code = Phone(session, day.school.guardians[index].account_id).code()
    response = client.post(f"{API}/handoffs", headers=teacher_headers(day),
                           json={"code": code, "student_ids": [day.school.students[index].id]})
    assert response.status_code == 200, response.text


def class_of(session, student):
    return session.get(SchoolClass, student.class_id).name


def test_the_handoffs_export_lists_the_day_s_releases_in_order(client, session, day, fixed_clock):
    release(client, session, day, 1)
    fixed_clock.advance(minutes=83)  # 17:23
    release(client, session, day, 0)
    table = read_xlsx(client.get(f"{API}/handoffs/export.xlsx", headers=day.school.headers("duty_leader")))
    assert table.title == f"{day.school.school.name} {day.school.term.name} 接送记录（2026-11-23）"
    assert table.headers == ["接走时间", "班级", "学生", "方式", "接走人", "关系", "确认老师", "地点", "备注"]
    handoffs = session.exec(select(Handoff).order_by(Handoff.released_at)).all()
    students = {s.id: s for s in day.school.students}
    assert table.rows == [(hhmm(h.released_at), class_of(session, students[h.student_id]), students[h.student_id].name,
                           "扫码", h.adult_name, h.relation, day.tutor.name, h.place, "") for h in handoffs]
    assert [r[0] for r in table.rows] == ["16:00", "17:23"]
    only_manual = read_xlsx(client.get(f"{API}/handoffs/export.xlsx?method=manual",
                                       headers=day.school.headers("admin")))
    assert only_manual.rows == [] and "人工核对" in only_manual.title
    [event, _] = session.exec(select(AuditEvent).where(AuditEvent.action == "export.handoffs")).all()
    assert sorted(session.exec(select(AuditEventStudent.student_id).where(
        AuditEventStudent.event_id == event.id)).all()) == sorted(students[h.student_id].id for h in handoffs)


def test_the_late_export_follows_each_late_child_to_the_guard_and_home(client, session, day, fixed_clock):
    fixed_clock.advance(minutes=90)   # 17:30: grade 3 ended at 17:20, ten minutes' grace
    raise_late_pickups(session=session)
    fixed_clock.advance(minutes=20)   # 17:50: with the guard
    raise_late_pickups(session=session)
    release(client, session, day, 0)
    table = read_xlsx(client.get(f"{API}/late/export.xlsx?from=2026-11-01&to=2026-11-23",
                                 headers=day.school.headers("admin")))
    assert table.title == f"{day.school.school.name} {day.school.term.name} 超时接送记录（2026-11-01至2026-11-23）"
    assert table.headers == ["日期", "班级", "学生", "放学时间", "超时提醒", "交门卫", "接走时间", "接走人", "确认老师",
                             "状态"]
    lates = session.exec(select(LatePickup).order_by(LatePickup.raised_at, LatePickup.id)).all()
    assert len(table.rows) == len(lates) == 4
    by_name = {r[2]: r for r in table.rows}
    first = day.school.students[0]
    assert by_name[first.name] == ("2026-11-23", class_of(session, first), first.name, "17:20", "17:30", "17:50",
                                   "17:50", day.school.guardians[0].name, day.tutor.name, "已接走")
    other = day.school.students[1]
    assert by_name[other.name][6:] == ("", "", "", "已交门卫")
    assert read_xlsx(client.get(f"{API}/late/export.xlsx?from=2026-11-24&to=2026-11-30",
                                headers=day.school.headers("admin"))).rows == []


def test_only_the_duty_leader_and_admins_export_the_day(client, day):
    for role in ("teacher", "guard", "class_head"):
        assert client.get(f"{API}/handoffs/export.xlsx", headers=day.school.headers(role)).status_code == 403
        assert client.get(f"{API}/late/export.xlsx", headers=day.school.headers(role)).status_code == 403
