"""Care groups over HTTP, as the admin console and the teachers' mini-program use them."""

from tests.factories import create_guardian, png_bytes


def test_volunteer_build_read_and_adjust_over_http(client, session, school, world):
    a = world.a
    kids = school.children(3, 1, 30)
    school.children(3, 2, 10)
    teacher = a.staff["teacher"]
    offer_url = f"/api/v1/terms/{a.term.id}/tutor-offers/{teacher.id}"
    response = client.put(offer_url, headers=a.headers("teacher"), json={"weekdays": [1, 2, 3, 4, 5]})
    assert response.status_code == 200 and response.json()["weekdays"] == [1, 2, 3, 4, 5]
    assert client.put(f"/api/v1/terms/{a.term.id}/tutor-offers/{a.staff['class_head'].id}",
                      headers=a.headers("teacher"), json={"weekdays": [1]}).status_code == 403
    assert len(client.get(f"/api/v1/terms/{a.term.id}/tutor-offers", headers=a.headers("admin")).json()) == 1

    built = client.post(f"/api/v1/terms/{a.term.id}/care-groups/build", headers=a.headers("admin"))
    assert built.status_code == 200
    body = built.json()
    assert [(g["name"], g["members"]) for g in body["groups"]] == [("三年级1班", 30), ("三年级2班", 10)]
    assert body["newly_placed"] == 40 and body["groups_created"] == 2

    listing = client.get(f"/api/v1/terms/{a.term.id}/care-groups", headers=a.headers("teacher")).json()
    group_id = listing["groups"][0]["id"]
    create_guardian(session, kids[0])  # who agreed to photos: the school may upload one
    session.commit()
    assert client.put(f"/api/v1/students/{kids[0].id}/photo", headers=a.headers("admin"),
                      files={"file": ("a.png", png_bytes(), "image/png")}).status_code == 200
    detail = client.get(f"/api/v1/care-groups/{group_id}", headers=a.headers("duty_leader")).json()
    first = next(m for m in detail["roster"] if m["student_id"] == kids[0].id)
    assert first["class_name"] == "三年级1班" and first["weekdays"] == [1, 2, 3, 4, 5]
    assert client.get(first["photo_url"]).status_code == 200  # a signed link an <image> loads without a token
    assert len(detail["roster"]) == 30

    renamed = client.patch(f"/api/v1/care-groups/{group_id}", headers=a.headers("admin"),
                           json={"name": "三年级看护班", "room": "阅览室"})
    assert (renamed.json()["name"], renamed.json()["room"]) == ("三年级看护班", "阅览室")
    other_id = listing["groups"][1]["id"]
    moved = client.post(f"/api/v1/care-groups/{other_id}/members", headers=a.headers("admin"),
                        json={"student_id": kids[1].id, "reason": "与妹妹同班"})
    assert moved.status_code == 200
    assert (moved.json()["group"]["members"], moved.json()["from_group"]["members"]) == (11, 29)


def test_a_tutor_clash_is_refused_with_a_clear_message(client, school, world):
    a = world.a
    school.children(3, 1, 10)
    school.children(4, 1, 10)
    groups = client.post(f"/api/v1/terms/{a.term.id}/care-groups/build", headers=a.headers("admin")).json()["groups"]
    teacher = a.staff["teacher"]
    first = client.put(f"/api/v1/care-groups/{groups[0]['id']}/tutors", headers=a.headers("admin"),
                       json={"tutors": [{"staff_id": teacher.id, "weekday": 2}]})
    assert first.status_code == 200
    clash = client.put(f"/api/v1/care-groups/{groups[1]['id']}/tutors", headers=a.headers("admin"),
                       json={"tutors": [{"staff_id": teacher.id, "weekday": 2}]})
    assert clash.status_code == 409
    assert clash.json()["error"] == {"code": "TUTOR_BUSY",
                                     "message": f"{teacher.name}周二已在「三年级1班」看护，同一天不能看护两个班"}


def test_bad_input_is_refused_in_chinese_and_changes_nothing(client, school, world):
    a = world.a
    school.children(3, 1, 5)
    group = client.post(f"/api/v1/terms/{a.term.id}/care-groups/build", headers=a.headers("admin")).json()["groups"][0]
    blank = client.patch(f"/api/v1/care-groups/{group['id']}", headers=a.headers("admin"), json={"name": "  "})
    assert blank.status_code == 422 and "班名不能为空" in blank.json()["error"]["message"]
    no_days = client.put(f"/api/v1/terms/{a.term.id}/tutor-offers/{a.staff['teacher'].id}",
                         headers=a.headers("teacher"), json={"weekdays": []})
    assert no_days.status_code == 422
    stranger = client.post(f"/api/v1/care-groups/{group['id']}/members", headers=a.headers("admin"),
                           json={"student_id": world.b.students[0].id, "reason": "x"})
    assert stranger.status_code == 404
    assert client.get(f"/api/v1/care-groups/{group['id']}", headers=a.headers("admin")).json()["name"] == "三年级1班"


def test_guards_and_guardians_do_not_see_the_groups(client, school, world):
    a = world.a
    for who in ("guard", "guardian"):
        assert client.get(f"/api/v1/terms/{a.term.id}/care-groups", headers=a.headers(who)).status_code == 403
