"""临时授权接送: a guardian names an adult for a date range; a block (禁止接送) overrides everything."""

from datetime import date

from tests.factories import auth_headers, create_account
from tests.pickup.conftest import teacher_headers

MONDAY = date(2026, 11, 23)


def name_delegate(client, day, *, start=MONDAY, end=date(2026, 11, 27), phone="13700002222", student=None):
    student = student or day.school.students[0]
    response = client.post("/api/v1/pickup/delegates", headers=auth_headers(day.school.guardians[0].account_id),
                           json={"student_id": student.id, "name": "张三", "phone": phone, "relation": "姑姑",
                                 "from": start.isoformat(), "to": end.isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def accept(client, account, invite_code, phone="13700002222"):
    return client.post("/api/v1/pickup/delegates/accept", json={"invite_code": invite_code, "phone": phone},
                       headers=auth_headers(account.id))


def delegate_with_phone(client, session, day, phone, **dates):
    invited = name_delegate(client, day, **dates)
    aunt = create_account(session, name="张三", openid="aunt")
    session.commit()
    assert accept(client, aunt, invited["invite_code"]).status_code == 200
    return invited, aunt, phone(aunt.id)


def verify(client, day, code):
    return client.post("/api/v1/pickup/verify", json={"code": code}, headers=teacher_headers(day)).json()


def release(client, day, code, student_ids):
    return client.post("/api/v1/pickup/handoffs", json={"code": code, "student_ids": student_ids},
                       headers=teacher_headers(day))


def test_the_teacher_sees_who_authorised_the_delegate(client, session, day, phone):
    invited, _, aunt_phone = delegate_with_phone(client, session, day, phone)
    assert invited["status"] == "invited" and invited["invite_path"].endswith(invited["invite_code"])
    shown = verify(client, day, aunt_phone.code())
    assert shown["adult"] == {"kind": "delegate", "name": "张三", "relation": "姑姑", "photo_url": None,
                              "authorised_by": f"妈妈（{day.school.guardians[0].name}）", "valid_to": "2026-11-27"}
    assert [(c["student_id"], c["status"], c["via"]) for c in shown["children"]] == [
        (day.school.students[0].id, "ready", "delegate")]


def test_a_delegate_takes_only_the_named_child(client, session, day, phone):
    _, _, aunt_phone = delegate_with_phone(client, session, day, phone)
    response = release(client, day, aunt_phone.code(), [day.school.students[0].id, day.school.students[2].id])
    assert response.status_code == 409
    assert response.json()["error"]["errors"][0]["code"] == "NOT_AUTHORISED_FOR_CHILD"
    done = release(client, day, aunt_phone.code(), [day.school.students[0].id])
    assert done.status_code == 200 and done.json()["released"][0]["relation"] == "姑姑"


def test_a_delegate_outside_the_date_range_may_not_take_the_child(client, session, day, phone, fixed_clock):
    _, _, aunt_phone = delegate_with_phone(client, session, day, phone, start=date(2026, 11, 24),
                                           end=date(2026, 11, 24))
    child = verify(client, day, aunt_phone.code())["children"][0]
    assert child["status"] == "not_authorised" and "11-24" in child["reason"]
    assert release(client, day, aunt_phone.code(), [day.school.students[0].id]).status_code == 409
    fixed_clock.advance(days=1)
    assert release(client, day, aunt_phone.code(), [day.school.students[0].id]).status_code == 200


def test_a_revoked_delegate_may_not_take_the_child(client, session, day, phone):
    invited, _, aunt_phone = delegate_with_phone(client, session, day, phone)
    revoked = client.delete(f"/api/v1/pickup/delegates/{invited['id']}",
                            headers=auth_headers(day.school.guardians[0].account_id))
    assert revoked.json()["status"] == "revoked"
    assert verify(client, day, aunt_phone.code())["children"][0]["status"] == "not_authorised"
    response = release(client, day, aunt_phone.code(), [day.school.students[0].id])
    assert response.json()["error"]["errors"][0]["code"] == "NOT_AUTHORISED_FOR_CHILD"


def test_an_invitation_binds_one_account_with_the_named_phone(client, session, day):
    invited = name_delegate(client, day)
    aunt, someone = create_account(session, name="张三"), create_account(session, name="别人")
    session.commit()
    assert accept(client, aunt, invited["invite_code"], phone="13700009999").status_code == 404
    assert accept(client, aunt, invited["invite_code"]).json()["status"] == "accepted"
    assert accept(client, aunt, invited["invite_code"]).status_code == 200  # again: same answer
    assert accept(client, someone, invited["invite_code"]).json()["error"]["code"] == "DELEGATE_INVITE_USED"
    mine = client.get("/api/v1/pickup/my-delegations", headers=auth_headers(aunt.id)).json()
    assert [d["student_name"] for d in mine] == [day.school.students[0].name]


def test_only_a_guardian_of_the_child_names_or_revokes_a_delegate(client, day):
    other_parent = auth_headers(day.school.guardians[1].account_id)
    response = client.post("/api/v1/pickup/delegates", headers=other_parent, json={
        "student_id": day.school.students[0].id, "name": "张三", "phone": "13700002222", "relation": "姑姑",
        "from": "2026-11-23", "to": "2026-11-24"})
    assert response.status_code == 404
    invited = name_delegate(client, day)
    assert client.delete(f"/api/v1/pickup/delegates/{invited['id']}", headers=other_parent).status_code == 404


def test_delegate_dates_must_make_sense(client, day):
    headers = auth_headers(day.school.guardians[0].account_id)
    body = {"student_id": day.school.students[0].id, "name": "张三", "phone": "13700002222", "relation": "姑姑"}
    backwards = client.post("/api/v1/pickup/delegates", headers=headers, json={**body, "from": "2026-11-25",
                                                                               "to": "2026-11-24"})
    past = client.post("/api/v1/pickup/delegates", headers=headers, json={**body, "from": "2026-11-20",
                                                                         "to": "2026-11-24"})
    assert backwards.status_code == 422
    assert past.json()["error"]["code"] == "DELEGATE_DATES_INVALID"


def test_a_blocked_adult_may_not_take_the_child_even_as_a_guardian(client, session, day, mum_phone):
    admin = day.school.headers("admin")
    block = client.post("/api/v1/pickup/blocks", headers=admin, json={
        "student_id": day.school.students[0].id, "name": day.school.guardians[0].name,
        "phone": day.school.guardians[0].phone, "reason": "法院裁定由父亲抚养，母亲不得接走"})
    assert block.status_code == 201, block.text
    shown = verify(client, day, mum_phone.code())["children"][0]
    assert shown["status"] == "not_authorised" and "不得接走" in shown["reason"]
    assert release(client, day, mum_phone.code(), [day.school.students[0].id]).status_code == 409
    adults = client.get(f"/api/v1/pickup/students/{day.school.students[0].id}/adults",
                        headers=teacher_headers(day)).json()["adults"]
    assert [a["allowed"] for a in adults] == [False]
    client.delete(f"/api/v1/pickup/blocks/{block.json()['id']}", headers=admin)
    assert release(client, day, mum_phone.code(), [day.school.students[0].id]).status_code == 200


def test_a_block_overrides_a_delegation(client, session, day, phone):
    _, _, aunt_phone = delegate_with_phone(client, session, day, phone)
    client.post("/api/v1/pickup/blocks", headers=day.school.headers("admin"), json={
        "student_id": day.school.students[0].id, "name": "张三", "phone": "13700002222", "reason": "家长要求"})
    assert verify(client, day, aunt_phone.code())["children"][0]["status"] == "not_authorised"
    listed = client.get("/api/v1/pickup/blocks", headers=day.school.headers("admin")).json()
    assert [b["phone"] for b in listed] == ["13700002222"]


def test_the_manual_fallback_lists_delegates_too(client, session, day, phone):
    name_delegate(client, day)  # not accepted: the aunt has no phone with her, the teacher checks her ID
    adults = client.get(f"/api/v1/pickup/students/{day.school.students[0].id}/adults",
                        headers=teacher_headers(day)).json()["adults"]
    aunt = next(a for a in adults if a["kind"] == "delegate")
    response = client.post("/api/v1/pickup/handoffs/manual", headers=teacher_headers(day), json={
        "student_id": day.school.students[0].id, "delegate_id": aunt["delegate_id"], "note": "核对了身份证"})
    assert response.status_code == 200 and response.json()["adult_name"] == "张三"


def test_a_revoked_or_expired_invitation_cannot_be_accepted(client, session, day, fixed_clock):
    revoked, expiring = name_delegate(client, day), name_delegate(client, day, end=MONDAY, phone="13700004444")
    client.delete(f"/api/v1/pickup/delegates/{revoked['id']}", headers=auth_headers(day.school.guardians[0].account_id))
    aunt = create_account(session, name="张三")
    session.commit()
    assert accept(client, aunt, revoked["invite_code"]).json()["error"]["code"] == "DELEGATE_INVITE_CLOSED"
    fixed_clock.advance(days=1)
    late = accept(client, aunt, expiring["invite_code"], phone="13700004444")
    assert late.json()["error"]["code"] == "DELEGATE_INVITE_CLOSED"
