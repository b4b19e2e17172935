"""Terms and classes: the frame of the school year."""


def test_admin_creates_a_term_and_terms_may_not_overlap(client, world):
    url = f"/api/v1/schools/{world.a.school.id}/terms"
    headers = world.a.headers("admin")
    spring = client.post(url, headers=headers, json={"name": "2026-2027学年第二学期", "starts_on": "2027-02-20",
                                                     "ends_on": "2027-07-10"})
    assert spring.status_code == 201 and spring.json()["is_current"] is False
    overlap = client.post(url, headers=headers, json={"name": "重叠", "starts_on": "2027-01-10",
                                                      "ends_on": "2027-03-01"})
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "TERM_OVERLAP"
    backwards = client.post(url, headers=headers, json={"name": "倒序", "starts_on": "2028-03-01",
                                                        "ends_on": "2028-02-01"})
    assert backwards.status_code == 422


def test_the_current_term_is_the_one_running_today(client, world, fixed_clock):
    terms = client.get(f"/api/v1/schools/{world.a.school.id}/terms", headers=world.a.headers("guardian")).json()
    assert [t["is_current"] for t in terms] == [True]


def test_classes_list_with_head_teacher_and_size(client, world):
    classes = client.get(f"/api/v1/schools/{world.a.school.id}/classes", headers=world.a.headers("teacher")).json()
    assert [(c["name"], c["student_count"]) for c in classes] == [("三年级1班", 2), ("三年级2班", 2)]
    assert classes[0]["head_staff_name"] == world.a.staff["class_head"].name


def test_a_class_head_must_work_at_the_school(client, world):
    response = client.patch(f"/api/v1/classes/{world.a.classes[1].id}", headers=world.a.headers("admin"),
                            json={"head_staff_id": world.b.staff["teacher"].id})
    assert response.status_code == 422


def test_duplicate_classes_are_refused(client, world):
    response = client.post(f"/api/v1/schools/{world.a.school.id}/classes", headers=world.a.headers("admin"),
                           json={"grade": 3, "number": 1})
    assert response.status_code == 409 and response.json()["error"]["code"] == "CLASS_EXISTS"
