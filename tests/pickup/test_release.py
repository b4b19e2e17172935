"""Release: a child leaves only into the hands of an authorised adult, once a day, and the guardians are told."""

import uuid
from datetime import date

from sqlmodel import select

from app.people.models import Guardianship
from app.pickup.models import Handoff
from tests.attendance.conftest import add_leave, inbox
from tests.factories import auth_headers, create_guardian
from tests.pickup.conftest import teacher_headers


def release(client, day, code, student_ids, headers=None, key=None):
    headers = dict(headers or teacher_headers(day))
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/pickup/handoffs", json={"code": code, "student_ids": student_ids}, headers=headers)


def refusal_codes(response) -> list[str]:
    assert response.status_code == 409, response.text
    return [e["code"] for e in response.json()["error"].get("errors", [])] or [response.json()["error"]["code"]]


def test_release_records_who_took_whom_and_tells_the_guardians(client, session, day, mum_phone):
    child = day.school.students[0]
    response = release(client, day, mum_phone.code(), [child.id])
    assert response.status_code == 200, response.text
    out = response.json()["released"][0]
    assert (out["method"], out["adult_name"], out["relation"], out["released_by"], out["place"]) == (
        "qr", day.school.guardians[0].name, "妈妈", day.tutor.name, day.group.name)
    assert out["summary"] == f"已由 妈妈（{day.school.guardians[0].name}） 16:00 接走，{day.tutor.name}确认"
    row = session.exec(select(Handoff).where(Handoff.student_id == child.id)).one()
    assert row.released_by_staff_id == day.tutor.id and row.guardian_id == day.school.guardians[0].id
    told = inbox(session, "picked_up", day.school.guardians[0].account_id)
    assert len(told) == 1 and "16:00" in told[0].body and day.tutor.name in told[0].body


def test_child_cannot_be_released_twice_in_one_day(client, session, day, mum_phone, phone):
    child = day.school.students[0]
    assert release(client, day, mum_phone.code(), [child.id]).status_code == 200
    second_guardian = create_guardian(session, child, relation="爸爸")
    dad = phone(second_guardian.account_id)
    response = release(client, day, dad.code(), [child.id])
    assert refusal_codes(response) == ["CHILD_ALREADY_RELEASED"]
    assert "妈妈" in response.json()["error"]["errors"][0]["message"]


def test_a_used_code_cannot_release_again(client, session, day, mum_phone):
    child = day.school.students[0]
    code = mum_phone.code()
    assert release(client, day, code, [child.id]).status_code == 200
    session.delete(session.exec(select(Handoff).where(Handoff.student_id == child.id)).one())
    session.commit()
    response = release(client, day, code, [child.id])
    assert response.json()["error"]["code"] == "PICKUP_CODE_USED"


def test_a_retried_release_with_the_same_key_gets_the_first_answer(client, session, day, mum_phone):
    child = day.school.students[0]
    code, key = mum_phone.code(), str(uuid.uuid4())
    first = release(client, day, code, [child.id], key=key)
    again = release(client, day, code, [child.id], key=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers.get("Idempotent-Replayed") == "true"
    assert len(session.exec(select(Handoff).where(Handoff.student_id == child.id)).all()) == 1
    assert len(inbox(session, "picked_up", day.school.guardians[0].account_id)) == 1


def test_a_guardian_may_not_take_another_family_s_child(client, session, day, mum_phone):
    other = day.school.students[2]
    response = release(client, day, mum_phone.code(), [day.school.students[0].id, other.id])
    assert refusal_codes(response) == ["NOT_AUTHORISED_FOR_CHILD"]
    assert session.exec(select(Handoff)).all() == []  # not even their own child: all or nothing


def test_a_guardian_the_school_marked_as_not_picking_up_is_refused(client, session, day, mum_phone):
    link = session.exec(select(Guardianship).where(Guardianship.guardian_id == day.school.guardians[0].id)).one()
    link.may_pick_up = False
    session.add(link)
    session.commit()
    verify = client.post("/api/v1/pickup/verify", json={"code": mum_phone.code()}, headers=teacher_headers(day))
    assert verify.json()["children"][0]["status"] == "not_authorised"
    assert refusal_codes(release(client, day, mum_phone.code(), [day.school.students[0].id])) == [
        "NOT_AUTHORISED_FOR_CHILD"]


def test_a_teacher_of_another_school_cannot_release(client, session, day, world, mum_phone):
    response = release(client, day, mum_phone.code(), [day.school.students[0].id], headers=world.b.headers("teacher"))
    assert refusal_codes(response) == ["NOT_AUTHORISED_FOR_CHILD"]
    assert session.exec(select(Handoff)).all() == []


def test_a_child_not_in_care_today_is_refused(client, session, day, world, phone):
    from tests.factories import create_student
    stranger = create_student(session, day.school.classes[0])  # no application
    guardian = create_guardian(session, stranger)
    session.commit()
    response = release(client, day, phone(guardian.account_id).code(), [stranger.id])
    assert refusal_codes(response) == ["CHILD_NOT_IN_CARE"]


def test_a_child_on_leave_is_refused_unless_marked_present(client, session, day, mum_phone):
    child = day.school.students[0]
    add_leave(session, child)
    assert refusal_codes(release(client, day, mum_phone.code(), [child.id])) == ["CHILD_ON_LEAVE"]
    roster = client.put(f"/api/v1/sessions/{day.session_of(session).id}/attendance",
                        json=[{"student_id": child.id, "status": "present"}], headers=teacher_headers(day))
    assert roster.status_code == 200, roster.text
    assert release(client, day, mum_phone.code(), [child.id]).status_code == 200


def test_siblings_go_together_with_one_scan(client, session, day, mum_phone):
    sibling = day.school.students[3]
    session.add(Guardianship(school_id=sibling.school_id, student_id=sibling.id,
                             guardian_id=day.school.guardians[0].id, relation="妈妈"))
    session.commit()
    response = release(client, day, mum_phone.code(), [day.school.students[0].id, sibling.id])
    assert response.status_code == 200, response.text
    assert len(response.json()["released"]) == 2


def test_verify_shows_the_release_and_changes_nothing(client, session, day, mum_phone):
    child = day.school.students[0]
    code = mum_phone.code()
    for _ in range(2):
        assert client.post("/api/v1/pickup/verify", json={"code": code},
                           headers=teacher_headers(day)).json()["children"][0]["status"] == "ready"
    assert session.exec(select(Handoff)).all() == []
    release(client, day, code, [child.id])
    shown = client.post("/api/v1/pickup/verify", json={"code": mum_phone.code()},
                        headers=teacher_headers(day)).json()["children"][0]
    assert shown["status"] == "released" and shown["released"]["released_by"] == day.tutor.name


def test_the_guardian_sees_today_s_release(client, day, mum_phone):
    child = day.school.students[0]
    headers = auth_headers(mum_phone.account_id)
    before = client.get("/api/v1/pickup/today", headers=headers).json()
    assert [(c["student_id"], c["status"], c["end_time"]) for c in before] == [(child.id, "ready", "17:20")]
    release(client, day, mum_phone.code(), [child.id])
    after = client.get("/api/v1/pickup/today", headers=headers).json()[0]
    assert after["status"] == "released" and after["released"]["adult_name"] == day.school.guardians[0].name


def test_manual_release_needs_a_note_and_is_listed_for_the_duty_leader(client, session, day):
    child = day.school.students[0]
    adults = client.get(f"/api/v1/pickup/students/{child.id}/adults", headers=teacher_headers(day)).json()
    assert [(a["name"], a["allowed"]) for a in adults["adults"]] == [(day.school.guardians[0].name, True)]
    body = {"student_id": child.id, "guardian_id": adults["adults"][0]["guardian_id"], "note": ""}
    assert client.post("/api/v1/pickup/handoffs/manual", json=body, headers=teacher_headers(day)).status_code == 422
    body["note"] = "   "
    blank = client.post("/api/v1/pickup/handoffs/manual", json=body, headers=teacher_headers(day))
    assert blank.json()["error"]["code"] == "NOTE_REQUIRED"
    body["note"] = "家长手机没电，核对了照片和身份证"
    response = client.post("/api/v1/pickup/handoffs/manual", json=body, headers=teacher_headers(day))
    assert response.status_code == 200, response.text
    assert response.json()["method"] == "manual"
    listed = client.get("/api/v1/pickup/handoffs?method=manual", headers=day.school.headers("duty_leader")).json()
    assert [i["note"] for i in listed["items"]] == [body["note"]]
    assert len(inbox(session, "picked_up", day.school.guardians[0].account_id)) == 1


def test_manual_release_to_an_adult_who_is_not_the_child_s_is_refused(client, day):
    body = {"student_id": day.school.students[0].id, "guardian_id": day.school.guardians[2].id, "note": "核对过"}
    response = client.post("/api/v1/pickup/handoffs/manual", json=body, headers=teacher_headers(day))
    assert refusal_codes(response) == ["NOT_AUTHORISED_FOR_CHILD"]


def test_yesterday_s_release_does_not_hold_today(client, session, day, mum_phone, fixed_clock):
    child = day.school.students[0]
    assert release(client, day, mum_phone.code(), [child.id]).status_code == 200
    fixed_clock.advance(days=1)
    assert release(client, day, mum_phone.code(), [child.id]).status_code == 200
    assert sorted(h.day for h in session.exec(select(Handoff)).all()) == [date(2026, 11, 23), date(2026, 11, 24)]


def test_the_teacher_sees_the_guardian_s_own_photo(client, session, day, mum_phone):
    from tests.factories import png_bytes
    headers = auth_headers(mum_phone.account_id)
    uploaded = client.post("/api/v1/pickup/my-photo", headers=headers,
                          files={"file": ("me.png", png_bytes(), "image/png")})
    assert uploaded.status_code == 200, uploaded.text
    shown = client.post("/api/v1/pickup/verify", json={"code": mum_phone.code()}, headers=teacher_headers(day)).json()
    link = shown["adult"]["photo_url"]
    assert link and client.get(link).status_code == 200
    adults = client.get(f"/api/v1/pickup/students/{day.school.students[0].id}/adults",
                        headers=teacher_headers(day)).json()["adults"]
    assert adults[0]["photo_url"]
    assert client.get("/api/v1/pickup/my-photo", headers=headers).json()["photo_url"]
    assert client.delete("/api/v1/pickup/my-photo", headers=headers).status_code == 204
    assert client.get(link).status_code == 404
