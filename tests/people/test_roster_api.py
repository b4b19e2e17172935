"""Admins keep the roster: students, their guardians, staff; staff search by name, number or pinyin."""

from tests.factories import create_student, png_bytes


def test_admin_adds_a_student_with_priority_flags(client, world):
    response = client.post(f"/api/v1/schools/{world.a.school.id}/students", headers=world.a.headers("admin"), json={
        "class_id": world.a.classes[1].id, "student_no": "20260099", "name": "欧阳娜娜", "gender": "female",
        "priority": ["migrant", "dual_working"]})
    assert response.status_code == 201
    body = response.json()
    assert body["class_name"] == "三年级2班" and body["priority"] == ["migrant", "dual_working"]


def test_student_numbers_are_unique_within_a_school(client, world):
    taken = world.a.students[0].student_no
    response = client.post(f"/api/v1/schools/{world.a.school.id}/students", headers=world.a.headers("admin"),
                           json={"class_id": world.a.classes[0].id, "student_no": taken, "name": "重复",
                                 "gender": "male"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "STUDENT_NO_TAKEN"


def test_a_student_cannot_be_put_in_another_schools_class(client, world):
    response = client.post(f"/api/v1/schools/{world.a.school.id}/students", headers=world.a.headers("admin"),
                           json={"class_id": world.b.classes[0].id, "student_no": "X1", "name": "越界",
                                 "gender": "male"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"class_id": "不是本校班级"}


def test_staff_search_students_by_name_number_or_pinyin_initials(client, session, world):
    zhang = create_student(session, world.a.classes[0], name="张小明", student_no="20269001")
    session.commit()
    url = f"/api/v1/schools/{world.a.school.id}/students"
    headers = world.a.headers("teacher")
    for q in ("小明", "2026900", "zxm", "ZX"):
        items = client.get(url, params={"q": q}, headers=headers).json()["items"]
        assert [s["id"] for s in items] == [zhang.id], q


def test_student_lists_are_paginated(client, world):
    url = f"/api/v1/schools/{world.a.school.id}/students"
    page = client.get(url, params={"page": 2, "page_size": 3}, headers=world.a.headers("admin")).json()
    assert page["total"] == 4 and page["page"] == 2 and len(page["items"]) == 1


def test_a_guardian_reads_their_own_child_only(client, world):
    headers = world.a.headers("guardian")
    assert client.get(f"/api/v1/students/{world.a.students[0].id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/students/{world.a.students[1].id}", headers=headers).status_code == 404


def test_admin_updates_a_student_and_their_guardians(client, world):
    student = world.a.students[0]
    headers = world.a.headers("admin")
    updated = client.patch(f"/api/v1/students/{student.id}", headers=headers,
                           json={"name": "李雷", "priority": ["single_parent"]}).json()
    assert updated["name"] == "李雷" and updated["priority"] == ["single_parent"]
    links = client.post(f"/api/v1/students/{student.id}/guardians", headers=headers,
                        json={"name": "李爸爸", "phone": "+86 137-0000-1111", "relation": "爸爸", "may_pick_up": False}
                        ).json()
    dad = next(link for link in links if link["name"] == "李爸爸")
    assert dad["phone"] == "13700001111" and dad["may_pick_up"] is False and dad["wechat_bound"] is False
    links = client.patch(f"/api/v1/guardianships/{dad['id']}", headers=headers, json={"may_pick_up": True}).json()
    assert next(link for link in links if link["id"] == dad["id"])["may_pick_up"] is True
    assert client.delete(f"/api/v1/guardianships/{dad['id']}", headers=headers).status_code == 204
    assert len(client.get(f"/api/v1/students/{student.id}/guardians", headers=headers).json()) == 1


def test_photos_are_checked_by_content_not_name(client, world):
    student = world.a.students[0]
    url = f"/api/v1/students/{student.id}/photo"
    headers = world.a.headers("admin")
    fake = client.put(url, headers=headers, files={"file": ("photo.jpg", b"<?php evil ?>", "image/jpeg")})
    assert fake.status_code == 415 and fake.json()["error"]["code"] == "PHOTO_NOT_IMAGE"
    real = client.put(url, headers=headers, files={"file": ("anything.bin", png_bytes(), "application/octet-stream")})
    assert real.status_code == 200 and real.json()["has_photo"] is True
    served = client.get(url, headers=world.a.headers("guardian"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert client.get(url, headers=world.b.headers("admin")).status_code == 404


def test_oversized_photos_are_refused(client, world, settings, monkeypatch):
    monkeypatch.setattr(settings, "max_photo_bytes", 100)
    response = client.put(f"/api/v1/students/{world.a.students[0].id}/photo", headers=world.a.headers("admin"),
                          files={"file": ("big.png", png_bytes() + b"0" * 200, "image/png")})
    assert response.status_code == 413


def test_admin_creates_staff_with_a_web_login(client, world):
    headers = world.a.headers("admin")
    created = client.post(f"/api/v1/schools/{world.a.school.id}/staff", headers=headers, json={
        "name": "赵老师", "phone": "13911112222", "roles": ["teacher", "duty_leader"],
        "username": "zhao", "password": "long-enough-1"})
    assert created.status_code == 201
    assert created.json()["roles"] == ["duty_leader", "teacher"] and created.json()["username"] == "zhao"
    login = client.post("/api/v1/auth/password", json={"username": "zhao", "password": "long-enough-1"})
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert me["roles"] == ["duty_leader", "teacher"]
    clash = client.post(f"/api/v1/schools/{world.a.school.id}/staff", headers=headers, json={
        "name": "另一个", "roles": ["teacher"], "username": "zhao", "password": "long-enough-2"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "USERNAME_TAKEN"


def test_disabling_staff_takes_their_access_away_at_once(client, world):
    teacher = world.a.staff["teacher"]
    headers = world.a.headers("teacher")
    assert client.get(f"/api/v1/schools/{world.a.school.id}/classes", headers=headers).status_code == 200
    client.patch(f"/api/v1/staff/{teacher.id}", headers=world.a.headers("admin"), json={"is_active": False})
    assert client.get(f"/api/v1/schools/{world.a.school.id}/classes", headers=headers).status_code == 403


def test_an_admin_cannot_remove_their_own_admin_role(client, world):
    admin = world.a.staff["admin"]
    response = client.patch(f"/api/v1/staff/{admin.id}", headers=world.a.headers("admin"), json={"roles": ["teacher"]})
    assert response.status_code == 422
