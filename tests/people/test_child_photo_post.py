"""A guardian uploads their child's photo from the mini-program: `wx.uploadFile` can only POST, so
`POST /students/{id}/photo` does what the PUT does — same roles, photo consent and erasure checks."""

from app.dataprotection.models import StudentErasure
from app.people.models import Student
from app.privacy.models import ConsentScope
from tests.factories import auth_headers, create_guardian, png_bytes

PNG = {"file": ("a.png", png_bytes(), "image/png")}


def photo_route(student_id: int) -> str:
    return f"/api/v1/students/{student_id}/photo"


def test_a_guardian_with_photo_consent_uploads_the_child_s_photo_by_post(client, session, world):
    student = world.a.students[0]
    headers = world.a.headers("guardian")

    response = client.post(photo_route(student.id), headers=headers, files=PNG)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["has_photo"] is True and body["photo_url"].startswith(f"/api/v1/students/{student.id}/photo/")
    session.expire_all()
    assert session.get(Student, student.id).photo_path is not None
    # the signed link opens without a token, and GET /students/{id} gives the family a fresh one
    assert client.get(body["photo_url"]).headers["content-type"] == "image/png"
    assert client.get(f"/api/v1/students/{student.id}", headers=headers).json()["photo_url"]


def test_post_without_the_guardian_s_photo_consent_is_refused_and_stores_nothing(client, session, world):
    student = world.a.students[2]
    guardian = create_guardian(session, student, consent=(ConsentScope.ROSTER,))
    session.commit()

    response = client.post(photo_route(student.id), headers=auth_headers(guardian.account_id), files=PNG)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "PHOTO_CONSENT_REQUIRED")
    session.expire_all()
    assert session.get(Student, student.id).photo_path is None


def test_another_family_s_child_is_not_found_by_post(client, session, world):
    other = world.a.students[1]

    response = client.post(photo_route(other.id), headers=world.a.headers("guardian"), files=PNG)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "STUDENT_NOT_FOUND")
    session.expire_all()
    assert session.get(Student, other.id).photo_path is None


def test_an_erased_child_s_photo_cannot_be_posted(client, session, world):
    student = world.a.students[0]
    session.add(StudentErasure(school_id=student.school_id, student_id=student.id,
                               erased_by=world.a.staff["admin"].account_id, erased_by_name="管理员", reason="测试"))
    session.commit()

    response = client.post(photo_route(student.id), headers=world.a.headers("guardian"), files=PNG)

    assert (response.status_code, response.json()["error"]["code"]) == (409, "STUDENT_ERASED")


def test_only_the_child_s_own_guardians_read_the_signed_photo_link(client, world):
    student = world.a.students[0]
    assert client.post(photo_route(student.id), headers=world.a.headers("guardian"), files=PNG).status_code == 200

    for role in ("admin", "class_head", "teacher"):
        read = client.get(f"/api/v1/students/{student.id}", headers=world.a.headers(role)).json()
        assert (read["has_photo"], read["photo_url"]) == (True, None), role
    listed = client.get(f"/api/v1/schools/{world.a.school.id}/students", headers=world.a.headers("admin")).json()
    assert all(s["photo_url"] is None for s in listed["items"])
