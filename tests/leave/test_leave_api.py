"""Leave over HTTP: retries with an Idempotency-Key, who may call, and the calendar's leave counts."""

from datetime import date

from sqlmodel import select

from app.leave import service
from app.leave.models import LeaveRequest
from app.leave.schemas import DecisionIn, LeaveIn
from app.notify.models import InboxMessage
from tests.enrollment.conftest import caller_for

TODAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def body(world, *dates, student=None, kind="sick", **extra):
    return {"student_id": (student or world.a.students[0]).id, "dates": [d.isoformat() for d in dates],
            "reason": "发烧", "kind": kind, **extra}


def test_a_retried_request_with_its_key_is_stored_once_and_tells_the_teacher_once(client, session, world, care):
    headers = {**world.a.headers("guardian"), "Idempotency-Key": "leave-retry-1"}
    first = client.post("/api/v1/leave-requests", json=body(world, TODAY), headers=headers)
    retry = client.post("/api/v1/leave-requests", json=body(world, TODAY), headers=headers)
    assert first.status_code == 200 and first.json()["urgent"]
    assert retry.json() == first.json() and retry.headers.get("Idempotent-Replayed") == "true"
    assert len(session.exec(select(LeaveRequest)).all()) == 1
    assert len(session.exec(select(InboxMessage).where(InboxMessage.event == "leave_urgent")).all()) == 1


def test_a_second_request_for_the_same_day_is_409_with_the_date(client, world, care):
    headers = world.a.headers("guardian")
    assert client.post("/api/v1/leave-requests", json=body(world, TUESDAY), headers=headers).status_code == 200
    again = client.post("/api/v1/leave-requests", json=body(world, TUESDAY, WEDNESDAY), headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "LEAVE_OVERLAP" and "11月24日" in again.json()["error"]["fields"]["dates"]


def test_guardian_asking_for_another_child_gets_404(client, world, care):
    response = client.post("/api/v1/leave-requests", json=body(world, TUESDAY, student=world.a.students[1]),
                           headers=world.a.headers("guardian"))
    assert response.status_code == 404


def test_bad_input_is_422_in_chinese(client, world, care):
    response = client.post("/api/v1/leave-requests", json=body(world, TUESDAY, kind="early_pickup"),
                           headers=world.a.headers("guardian"))
    assert response.status_code == 422 and "接走时间" in response.json()["error"]["message"]
    too_many = client.post("/api/v1/leave-requests", json=body(world, *[date(2026, 12, d) for d in range(1, 23)]),
                           headers=world.a.headers("guardian"))
    assert too_many.status_code == 422


def test_class_head_decides_and_guardian_cancels_over_http(client, world, care):
    leave = client.post("/api/v1/leave-requests", json=body(world, TUESDAY), headers=world.a.headers("guardian")).json()
    decided = client.post(f"/api/v1/leave-requests/{leave['id']}/decision", json={"decision": "note"},
                          headers=world.a.headers("class_head"))
    assert decided.status_code == 200 and decided.json()["status_label"] == "班主任已知悉"
    listed = client.get(f"/api/v1/classes/{world.a.classes[0].id}/leave-requests?status=noted&date=2026-11-24",
                        headers=world.a.headers("class_head"))
    assert [x["id"] for x in listed.json()] == [leave["id"]]
    cancelled = client.post(f"/api/v1/leave-requests/{leave['id']}/cancel", headers=world.a.headers("guardian"))
    assert cancelled.json()["status"] == "cancelled"
    refused = client.post(f"/api/v1/leave-requests/{leave['id']}/decision", json={"decision": "note"},
                          headers=world.a.headers("class_head"))
    assert refused.status_code == 409


def test_staff_see_how_many_children_are_on_leave_each_day_and_guardians_do_not(client, session, world, care):
    guardian = caller_for(session, world.a.guardians[0].account_id, "guardian")
    second = caller_for(session, world.a.guardians[1].account_id, "guardian")
    head = caller_for(session, world.a.staff["admin"].account_id, "admin", "class_head")
    for caller, student in ((guardian, world.a.students[0]), (second, world.a.students[1])):
        leave = service.request_leave(session=session, caller=caller, data=LeaveIn(
            student_id=student.id, dates=[TUESDAY], reason="病", kind="sick"))
        service.decide(session=session, caller=head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    service.request_leave(session=session, caller=guardian, data=LeaveIn(  # waiting: not in force yet
        student_id=world.a.students[0].id, dates=[WEDNESDAY], reason="病", kind="sick"))
    url = f"/api/v1/terms/{world.a.term.id}/calendar?from=2026-11-23&to=2026-11-29"
    staff_days = {d["date"]: d["leave_count"] for d in client.get(url, headers=world.a.headers("teacher")).json()["days"]}
    assert staff_days["2026-11-24"] == 2 and staff_days["2026-11-25"] == 0 and staff_days["2026-11-28"] == 0
    guardian_days = client.get(url, headers=world.a.headers("guardian")).json()["days"]
    assert {d["leave_count"] for d in guardian_days} == {None}


def test_early_pickup_is_not_counted_as_leave_in_the_calendar(client, session, world, care):
    guardian = caller_for(session, world.a.guardians[0].account_id, "guardian")
    head = caller_for(session, world.a.staff["class_head"].account_id, "class_head")
    leave = service.request_leave(session=session, caller=guardian, data=LeaveIn(
        student_id=world.a.students[0].id, dates=[TUESDAY], reason="看牙", kind="early_pickup",
        early_pickup_time="16:30"))
    service.decide(session=session, caller=head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    url = f"/api/v1/terms/{world.a.term.id}/calendar?from=2026-11-24&to=2026-11-24"
    assert client.get(url, headers=world.a.headers("admin")).json()["days"][0]["leave_count"] == 0


def test_a_reason_of_blanks_is_refused_and_nothing_is_stored(client, session, world, care):
    response = client.post("/api/v1/leave-requests", json={**body(world, TUESDAY), "reason": "   "},
                           headers=world.a.headers("guardian"))
    assert response.status_code == 422
    assert session.exec(select(LeaveRequest)).all() == []
