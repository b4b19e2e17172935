"""突发情况: the report never changes; follow-ups, corrections and the closing append; only the families of the
children involved are told, and the duty leader; a missing child alerts everyone on duty."""

from sqlmodel import select

from app.incidents.models import Incident
from app.notify.models import InboxMessage
from tests.attendance.conftest import inbox
from tests.factories import auth_headers


def report(client, day, **body):
    body = {"type": "injury", "severity": "low", "place": "操场", "student_ids": [day.at_group[0].id],
            "description": "跑步时摔倒，膝盖擦伤", "actions_taken": "校医已消毒包扎", **body}
    return client.post("/api/v1/incidents", headers=auth_headers(day.tutor.account_id), json=body)


def test_only_the_families_of_the_children_involved_are_told(client, session, day):
    response = report(client, day)
    assert response.status_code == 201, response.text
    involved, others = day.school.guardians[day.school.students.index(day.at_group[0])], day.school.guardians
    told = {m.account_id for m in inbox(session, "incident")}
    assert told == {involved.account_id}
    assert all(g.account_id not in told for g in others if g.id != involved.id)
    assert len(inbox(session, "incident_alert", day.school.staff["duty_leader"].account_id)) == 1
    assert inbox(session, "incident_alert", day.school.staff["guard"].account_id) == []


def test_a_missing_child_alerts_everyone_on_duty_at_once(client, session, day):
    response = report(client, day, type="missing_child", severity="high", place="校门口",
                      description="放学时未找到", actions_taken="全体值班人员寻找")
    assert response.status_code == 201, response.text
    alerted = {m.account_id for m in inbox(session, "incident_alert")}
    for staff in (day.school.staff["duty_leader"], day.school.staff["guard"], day.tutor, day.club_teacher):
        assert staff.account_id in alerted


def test_follow_ups_and_corrections_append_and_the_original_stays(client, session, day):
    created = report(client, day).json()
    url = f"/api/v1/incidents/{created['id']}/entries"
    duty = day.school.headers("duty_leader")
    client.post(url, headers=duty, json={"kind": "follow_up", "text": "已电话告知家长"})
    corrected = client.post(url, headers=duty, json={"kind": "correction", "text": "地点记错",
                                                     "changes": {"place": "操场东侧跑道"}}).json()
    assert corrected["place"] == "操场东侧跑道" and corrected["original"]["place"] == "操场"
    row = session.exec(select(Incident).where(Incident.id == created["id"])).one()
    assert row.place == "操场"  # the report itself is never overwritten
    assert [e["kind"] for e in corrected["entries"]] == ["follow_up", "correction"]


def test_closing_needs_a_resolution_and_then_only_corrections_are_added(client, session, day):
    created = report(client, day).json()
    url = f"/api/v1/incidents/{created['id']}/entries"
    duty = day.school.headers("duty_leader")
    assert client.post(url, headers=duty, json={"kind": "close", "text": ""}).status_code == 422
    closed = client.post(url, headers=duty, json={"kind": "close", "text": "伤口已愈合，家长无异议"}).json()
    assert (closed["status"], closed["resolution"]) == ("closed", "伤口已愈合，家长无异议")
    late = client.post(url, headers=duty, json={"kind": "follow_up", "text": "再看一下"})
    assert late.json()["error"]["code"] == "INCIDENT_CLOSED"
    fixed = client.post(url, headers=duty, json={"kind": "correction", "text": "程度更正",
                                                 "changes": {"severity": "medium"}})
    assert fixed.status_code == 201 and fixed.json()["severity"] == "medium"
    assert client.post(url, headers=duty, json={"kind": "correction", "text": "没改什么"}).status_code == 422


def test_incidents_of_another_school_are_not_found(client, session, day, world):
    created = report(client, day).json()
    assert client.get(f"/api/v1/incidents/{created['id']}", headers=world.b.headers("duty_leader")).status_code == 404
    told_before = session.exec(select(InboxMessage)).all()
    other_child = report(client, day, student_ids=[world.b.students[0].id])
    assert other_child.status_code == 404
    assert len(session.exec(select(Incident)).all()) == 1  # refused: nothing written, nobody told
    assert session.exec(select(InboxMessage)).all() == told_before


def test_an_open_incident_stays_on_the_open_list_however_old(client, session, day, fixed_clock):
    created = report(client, day).json()
    fixed_clock.advance(days=30)
    listed = client.get("/api/v1/incidents?status=open", headers=day.school.headers("duty_leader")).json()
    assert [i["id"] for i in listed] == [created["id"]]
    assert client.get("/api/v1/incidents", headers=day.school.headers("duty_leader")).json() == []


def test_refused_reports_tell_nobody(client, session, day):
    future = report(client, day, at="2026-11-23T09:00:00Z")
    unnamed = report(client, day, type="missing_child", student_ids=[])
    assert future.json()["error"]["code"] == "INCIDENT_IN_FUTURE"
    assert unnamed.json()["error"]["code"] == "MISSING_CHILD_UNNAMED"
    assert session.exec(select(Incident)).all() == [] and session.exec(select(InboxMessage)).all() == []


def test_the_list_reads_three_statements_however_many_incidents_it_holds(client, session, day):
    """A term's list is read with the incidents, all their entries and all their children at once."""
    from datetime import date

    from sqlalchemy import event

    from app.incidents.service import list_incidents

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            listed = list_incidents(session=session, school_id=day.school.school.id, start=date(2026, 11, 1),
                                    end=date(2026, 11, 30))
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        return len(seen), listed

    report(client, day)
    one, listed = statements()
    for child in day.at_group[1:]:
        created = report(client, day, student_ids=[child.id, day.at_group[0].id]).json()
        client.post(f"/api/v1/incidents/{created['id']}/entries", headers=auth_headers(day.tutor.account_id),
                    json={"kind": "follow_up", "text": "家长已接回"})
    three, listed = statements()
    assert len(listed) == 3 and one == three == 3
    assert sorted((len(i.children), len(i.entries)) for i in listed) == [(1, 0), (2, 1), (2, 1)]


def test_text_of_spaces_only_is_refused_and_nothing_is_recorded(client, session, day):
    for field in ("place", "description", "actions_taken"):
        assert report(client, day, **{field: "   "}).status_code == 422, field
    assert session.exec(select(Incident)).all() == []
    created = report(client, day).json()
    blank = client.post(f"/api/v1/incidents/{created['id']}/entries", headers=auth_headers(day.tutor.account_id),
                        json={"kind": "follow_up", "text": "  "})
    assert blank.status_code == 422
    assert client.get(f"/api/v1/incidents/{created['id']}", headers=auth_headers(day.tutor.account_id)
                      ).json()["entries"] == []
