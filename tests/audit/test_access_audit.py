"""Every staff read of a child's data leaves one audit row; nobody can change the trail."""

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app.audit.models import AuditEvent, AuditEventStudent
from tests.factories import auth_headers
from tests.pickup.conftest import Phone


def events(session, action=None):
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.exec(query.order_by(AuditEvent.id)).all()


def students_of(session, event):
    return sorted(session.exec(select(AuditEventStudent.student_id).where(
        AuditEventStudent.event_id == event.id)).all())


@pytest.mark.parametrize("path,action", [
    ("/api/v1/students/{id}", "student.read"),
    ("/api/v1/students/{id}/guardians", "student.guardians"),
    ("/api/v1/students/{id}/day", "student.day"),
    ("/api/v1/pickup/students/{id}/adults", "pickup.adults"),
])
def test_a_staff_read_of_a_child_leaves_one_row(client, session, day, path, action):
    child = day.at_group[0]
    response = client.get(path.format(id=child.id), headers=auth_headers(day.tutor.account_id))
    assert response.status_code == 200, response.text
    [event] = events(session, action)
    assert (event.account_id, event.school_id, event.roles) == (day.tutor.account_id, day.school.school.id, "teacher")
    assert students_of(session, event) == [child.id]


def test_a_guardian_reading_their_own_child_is_not_logged(client, session, day):
    child = day.school.students[0]
    assert client.get(f"/api/v1/students/{child.id}", headers=day.school.headers("guardian")).status_code == 200
    assert events(session) == []


def test_rosters_verifications_and_exports_are_logged_with_their_children(client, session, day):
    tutor = auth_headers(day.tutor.account_id)
    client.get(f"/api/v1/sessions/{day.session_of(session).id}/roster", headers=tutor)
    mum = Phone(session, day.school.guardians[0].account_id)
    client.post("/api/v1/pickup/verify", json={"code": mum.code()}, headers=tutor)
    client.get(f"/api/v1/terms/{day.school.term.id}/applications/export.xlsx", headers=day.school.headers("admin"))
    roster, verify, export = (events(session, a)[0] for a in ("roster.session", "pickup.verify",
                                                              "export.applications"))
    # The group's roster lists the club child too (flagged as at the club): they were shown, so they are logged.
    assert students_of(session, roster) == sorted(s.id for s in day.school.students)
    assert students_of(session, verify) == [day.school.students[0].id]
    assert export.student_count == 4


def test_a_roll_call_and_a_class_handover_log_the_children_they_show(client, session, day):
    tutor = auth_headers(day.tutor.account_id)
    group = day.session_of(session)
    marked = client.put(f"/api/v1/sessions/{group.id}/attendance", headers=tutor,
                        json=[{"student_id": day.at_group[0].id, "status": "present"}])
    assert marked.status_code == 200, marked.text
    [roll_call] = events(session, "roster.session")
    assert students_of(session, roll_call) == sorted(r["student_id"] for r in marked.json()["rows"])
    school_class = day.school.classes[0]
    shown = client.get(f"/api/v1/classes/{school_class.id}/handover", headers=day.school.headers("admin"))
    assert shown.status_code == 200, shown.text
    [handover] = events(session, "roster.class")
    assert students_of(session, handover) == sorted(r["student_id"] for r in shown.json()["rows"])
    assert handover.detail == school_class.name


def test_the_trail_cannot_be_edited_or_deleted(client, session, day):
    client.get(f"/api/v1/students/{day.at_group[0].id}", headers=auth_headers(day.tutor.account_id))
    for statement in (update(AuditEvent).values(actor_name="别人"), delete(AuditEvent),
                      update(AuditEventStudent).values(student_id=1), delete(AuditEventStudent)):
        with pytest.raises(DBAPIError, match="append-only"):  # the trigger, not a foreign key
            with session.begin_nested():
                session.exec(statement)
    assert len(events(session)) == 1


def test_admins_search_the_trail_and_guardians_see_who_looked(client, session, day, world):
    child = day.at_group[0]
    client.get(f"/api/v1/students/{child.id}", headers=auth_headers(day.tutor.account_id))
    client.get(f"/api/v1/students/{day.at_group[1].id}", headers=day.school.headers("admin"))
    found = client.get("/api/v1/audit", params={"student_id": child.id}, headers=day.school.headers("admin")).json()
    assert [(i["actor_name"], i["action_label"]) for i in found["items"]] == [(day.tutor.name, "查看学生信息")]
    by_actor = client.get("/api/v1/audit", params={"actor_id": day.tutor.account_id},
                          headers=day.school.headers("admin")).json()
    assert by_actor["total"] == 1
    assert client.get("/api/v1/audit", headers=world.b.headers("admin")).json()["total"] == 0
    guardian = auth_headers(day.school.guardians[day.school.students.index(child)].account_id)
    log = client.get(f"/api/v1/students/{child.id}/access-log", headers=guardian).json()
    assert [(e["actor_name"], e["roles"]) for e in log] == [(day.tutor.name, "teacher")]
    assert client.get("/api/v1/audit", headers=day.school.headers("teacher")).status_code == 403


def test_nothing_in_the_code_updates_or_deletes_the_trail():
    import pathlib

    import app
    sources = [p for p in pathlib.Path(app.__file__).parent.rglob("*.py")]
    assert len(sources) > 50
    for source in sources:
        code = source.read_text()
        for table in ("AuditEvent", "AuditEventStudent", "audit_event"):
            assert f"update({table})" not in code and f"delete({table})" not in code, source

