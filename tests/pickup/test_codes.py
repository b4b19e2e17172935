"""The pickup code: only a fresh, unaltered code of a live phone identifies its adult (docs/pickup-code.md)."""

import pytest

from app.pickup import codes
from tests.factories import auth_headers
from tests.pickup.conftest import teacher_headers


def verify(client, day, code, headers=None):
    return client.post("/api/v1/pickup/verify", json={"code": code}, headers=headers or teacher_headers(day))


def test_a_fresh_code_names_the_adult_and_their_children(client, day, mum_phone):
    response = verify(client, day, mum_phone.code())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["adult"]["name"] == day.school.guardians[0].name
    assert [c["student_id"] for c in body["children"]] == [day.school.students[0].id]
    child = body["children"][0]
    assert (child["status"], child["place"], child["end_time"]) == ("ready", day.group.name, "17:20")


def test_code_fits_a_version_2_qr_in_alphanumeric_mode(mum_phone):
    code = mum_phone.code()
    assert len(code) == codes.CODE_LENGTH == 33
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_a_code_older_than_sixty_seconds_is_refused(client, day, mum_phone):
    assert verify(client, day, mum_phone.code(seconds_ago=55)).status_code == 200
    response = verify(client, day, mum_phone.code(seconds_ago=61))
    assert response.json()["error"]["code"] == "PICKUP_CODE_EXPIRED"


def test_a_code_from_the_future_is_refused(client, day, mum_phone):
    response = verify(client, day, mum_phone.code(seconds_ago=-120))
    assert response.json()["error"]["code"] == "PICKUP_CODE_INVALID"


@pytest.mark.parametrize("position", range(2, 33))
def test_a_code_altered_anywhere_is_refused(client, day, mum_phone, position):
    code = mum_phone.code()
    for letter in "AB7":  # the last character's low bits are spare: a change there must be refused too
        if letter == code[position]:
            continue
        altered = code[:position] + letter + code[position + 1:]
        response = verify(client, day, altered)
        assert response.status_code == 400, altered
        assert response.json()["error"]["code"] == "PICKUP_CODE_INVALID"


def test_a_code_forged_without_the_device_secret_is_refused(client, day, mum_phone):
    forged = codes.make_code(mum_phone.device.id, "a-guessed-salt", int(codes_now()))
    assert verify(client, day, forged).json()["error"]["code"] == "PICKUP_CODE_INVALID"


@pytest.mark.parametrize("garbage", ["hello", "KH", "KH" + "A" * 31, "https://example.com/?code=1", "KH" + "0" * 31])
def test_anything_else_scanned_is_an_invalid_code(client, day, garbage):
    response = verify(client, day, garbage)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "PICKUP_CODE_INVALID"


def test_registering_a_new_phone_revokes_the_old_one(client, day, mum_phone, phone):
    old_code = mum_phone.code()
    new_phone = phone(mum_phone.account_id)
    assert verify(client, day, old_code).json()["error"]["code"] == "PICKUP_CODE_REVOKED"
    assert verify(client, day, new_phone.code()).status_code == 200


def test_lost_phone_revokes_every_device_of_the_account(client, day, mum_phone):
    headers = auth_headers(mum_phone.account_id)
    assert client.delete("/api/v1/pickup/devices", headers=headers).status_code == 204
    assert verify(client, day, mum_phone.code()).json()["error"]["code"] == "PICKUP_CODE_REVOKED"
    devices = client.get("/api/v1/pickup/devices", headers=headers).json()
    assert devices and all(d["revoked_at"] for d in devices)


def test_registration_gives_the_secret_and_the_server_time(client, day):
    headers = auth_headers(day.school.guardians[0].account_id)
    body = client.post("/api/v1/pickup/devices", json={"label": "妈妈的手机"}, headers=headers).json()
    assert body["step_seconds"] == 30 and body["max_age_seconds"] == 60 and body["prefix"] == "KH"
    assert len(body["secret"]) == 32 and body["server_time"] == int(codes_now())


def test_a_code_is_worthless_to_a_guardian(client, day, mum_phone):
    other_guardian = auth_headers(day.school.guardians[1].account_id)
    assert verify(client, day, mum_phone.code(), headers=other_guardian).status_code == 403


def test_a_teacher_of_another_school_sees_no_child(client, day, world, mum_phone):
    response = verify(client, day, mum_phone.code(), headers=world.b.headers("teacher"))
    assert response.status_code == 200
    assert response.json()["children"] == [] and response.json()["adult"]["name"] == ""


def codes_now() -> float:
    from app.core.clock import utcnow
    return utcnow().timestamp()
