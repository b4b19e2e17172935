"""At the gate after a guardian withdrew photo consent: verification falls back to names, and release still works."""

from tests.factories import auth_headers, png_bytes
from tests.pickup.conftest import teacher_headers

PNG = {"file": ("a.png", png_bytes(), "image/png")}


def verify(client, day, code):
    response = client.post("/api/v1/pickup/verify", json={"code": code}, headers=teacher_headers(day))
    assert response.status_code == 200, response.text
    return response.json()


def test_after_photo_consent_is_withdrawn_verification_is_by_name_only(client, day, mum_phone):
    child = day.school.students[0]
    mum = auth_headers(mum_phone.account_id)
    assert client.put(f"/api/v1/students/{child.id}/photo", headers=mum, files=PNG).status_code == 200
    assert client.post("/api/v1/pickup/my-photo", headers=mum, files=PNG).status_code == 200
    with_photos = verify(client, day, mum_phone.code())
    assert with_photos["adult"]["photo_url"] and with_photos["children"][0]["photo_url"]

    withdrawn = client.post("/api/v1/privacy/consents/withdraw", headers=mum,
                            json={"student_id": child.id, "scopes": ["photo"]})
    assert withdrawn.status_code == 200

    by_name = verify(client, day, mum_phone.code())
    assert by_name["adult"]["photo_url"] is None
    assert by_name["adult"]["name"] == day.school.guardians[0].name and by_name["adult"]["relation"] == "妈妈"
    shown = by_name["children"][0]
    assert (shown["student_id"], shown["name"], shown["photo_url"], shown["status"]) == (
        child.id, child.name, None, "ready")
    for link in (with_photos["adult"]["photo_url"], with_photos["children"][0]["photo_url"]):
        assert client.get(link).status_code == 404, "an old signed link shows nothing"
    released = client.post("/api/v1/pickup/handoffs", json={"code": mum_phone.code(), "student_ids": [child.id]},
                           headers=teacher_headers(day))
    assert released.status_code == 200, released.text
