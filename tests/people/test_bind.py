"""A parent binds their WeChat to a child only when number, name and phone all match the roster."""

from sqlmodel import select

from app.people.models import BindAttempt, Guardian
from tests.factories import auth_headers, consent_offer, create_account, create_guardian


def _bind(client, headers, student, phone, name=None):
    return client.post("/api/v1/guardians/bind", headers=headers,
                       json={"student_no": student.student_no, "student_name": name or student.name, "phone": phone,
                             "consent": consent_offer()})


def test_a_parent_binds_with_matching_number_name_and_phone(client, session, world):
    student = world.a.students[2]
    guardian = create_guardian(session, student, phone="13612345678", relation="爸爸", bound=False)
    parent = create_account(session, openid="new-dad")
    session.commit()
    response = _bind(client, auth_headers(parent.id), student, "136 1234 5678")
    assert response.status_code == 200
    assert response.json()["student"] == {"id": student.id, "name": student.name, "class_name": "三年级1班",
                                           "school_name": "甲小学"}
    assert response.json()["relation"] == "爸爸"
    assert session.get(Guardian, guardian.id).account_id == parent.id
    me = client.get("/api/v1/me", headers=auth_headers(parent.id)).json()
    assert [c["id"] for c in me["children"]] == [student.id]


def test_binding_is_refused_when_any_part_differs(client, session, world):
    student = world.a.students[2]
    create_guardian(session, student, phone="13612345678", bound=False)
    parent = create_account(session, openid="guesser")
    session.commit()
    headers = auth_headers(parent.id)
    for attempt in (_bind(client, headers, student, "13600000000"),
                    _bind(client, headers, student, "13612345678", name="别人")):
        assert attempt.status_code == 400
        assert attempt.json()["error"]["code"] == "BIND_NOT_MATCHED"
    assert client.get("/api/v1/me", headers=headers).json()["children"] == []


def test_wrong_guesses_are_limited_per_account(client, session, world):
    parent = create_account(session, openid="persistent")
    session.commit()
    headers = auth_headers(parent.id)
    codes = [_bind(client, headers, world.a.students[i % 4], "13600000000").status_code for i in range(6)]
    assert codes == [400] * 5 + [429]
    logged = session.exec(select(BindAttempt).where(BindAttempt.account_id == parent.id)).all()
    assert len(logged) == 5 and not any(a.succeeded for a in logged)


def test_wrong_guesses_are_limited_per_student_across_accounts(client, session, world):
    student = world.a.students[3]
    create_guardian(session, student, phone="13612345678", bound=False)
    guessers = [create_account(session, openid=f"guesser-{i}") for i in range(6)]
    session.commit()
    for guesser in guessers[:5]:
        assert _bind(client, auth_headers(guesser.id), student, "13600000000").status_code == 400
    # Even the right answer now waits: the student is protected for the hour.
    response = _bind(client, auth_headers(guessers[5].id), student, "13612345678")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "BIND_RATE_LIMITED"


def test_the_limit_lifts_after_an_hour(client, session, world, fixed_clock):
    parent = create_account(session, openid="patient")
    student = world.a.students[2]
    create_guardian(session, student, phone="13612345678", bound=False)
    session.commit()
    headers = auth_headers(parent.id)
    for _ in range(5):
        _bind(client, headers, student, "13600000000")
    assert _bind(client, headers, student, "13612345678").status_code == 429
    fixed_clock.advance(minutes=61)
    assert _bind(client, headers, student, "13612345678").status_code == 200


def test_a_guardian_already_bound_to_another_wechat_cannot_be_taken_over(client, session, world):
    student = world.a.students[0]
    phone = world.a.guardians[0].phone
    intruder = create_account(session, openid="intruder")
    session.commit()
    response = _bind(client, auth_headers(intruder.id), student, phone)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "GUARDIAN_ALREADY_BOUND"


def test_binding_the_same_child_again_is_harmless(client, world):
    student, guardian = world.a.students[0], world.a.guardians[0]
    response = _bind(client, world.a.headers("guardian"), student, guardian.phone)
    assert response.status_code == 200
