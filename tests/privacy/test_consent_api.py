"""The processing rules and consent over HTTP: no binding and no photo without consent; a withdrawal deletes."""

from sqlmodel import select

from app.core.config import get_settings
from app.people.models import BindAttempt, Guardian
from app.privacy.models import ConsentScope, PrivacyConsent
from app.privacy.rules import current_version
from tests.factories import auth_headers, consent_offer, create_account, create_guardian, png_bytes

PNG = {"file": ("a.png", png_bytes(), "image/png")}


def bind(client, headers, student, phone, consent=None):
    body = {"student_no": student.student_no, "student_name": student.name, "phone": phone}
    if consent is not None:
        body["consent"] = consent
    return client.post("/api/v1/guardians/bind", headers=headers, json=body)


def new_parent(session, student, phone="13612345678"):
    """A parent on the roster who has not bound yet, and their freshly logged-in WeChat account."""
    guardian = create_guardian(session, student, phone=phone, relation="爸爸", bound=False)
    account = create_account(session, openid=f"dad-{phone}")
    session.commit()
    return guardian, auth_headers(account.id)


def my_child(client, headers, student_id):
    return next(c for c in client.get("/api/v1/me", headers=headers).json()["children"] if c["id"] == student_id)


# ---------- the rules ----------

def test_the_rules_are_public_and_say_what_pipl_asks(client, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "privacy_contact", "课后平台 张老师 privacy@kehou.example")
    response = client.get("/api/v1/privacy/rules", params={"school_id": world.a.school.id})
    assert response.status_code == 200
    rules = response.json()
    assert (rules["version"], rules["is_current"], rules["school_name"]) == (current_version(), True, "甲小学")
    titles = " ".join(s["title"] for s in rules["sections"])
    for topic in ("处理哪些信息", "为什么", "存放在哪里", "保存多久", "谁能看到", "更正", "删除", "不同意", "联系"):
        assert topic in titles, topic
    assert "甲小学教导处" in rules["markdown"] and "privacy@kehou.example" in rules["markdown"]
    assert "{" not in rules["markdown"]
    assert [(s["scope"], s["required"]) for s in rules["scopes"]] == [
        ("roster", True), ("photo", False), ("notifications", False)]


def test_an_old_version_is_served_on_request(client, new_rules_version):
    old = client.get("/api/v1/privacy/rules", params={"version": "1.0"}).json()
    assert (old["version"], old["current_version"], old["is_current"]) == ("1.0", "2.0", False)
    assert old["school_name"] is None and "您孩子就读的学校" in old["markdown"]
    assert [v["version"] for v in old["versions"]] == ["1.0", "2.0"]
    missing = client.get("/api/v1/privacy/rules", params={"version": "9.9"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "RULES_VERSION_NOT_FOUND")
    assert client.get("/api/v1/privacy/rules", params={"school_id": 999999}).status_code == 404


# ---------- binding ----------

def test_binding_without_consent_is_refused_and_changes_nothing(client, session, world):
    student = world.a.students[2]
    guardian, headers = new_parent(session, student)
    for consent, status, code in ((None, 422, "CONSENT_REQUIRED"),
                                  (consent_offer(ConsentScope.PHOTO), 422, "CONSENT_REQUIRED"),
                                  ({"version": "0.9", "scopes": ["roster"]}, 409, "CONSENT_VERSION_STALE")):
        response = bind(client, headers, student, guardian.phone, consent)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        assert response.json()["error"]["current_version"] == current_version()
    assert session.get(Guardian, guardian.id).account_id is None
    assert session.exec(select(BindAttempt).where(BindAttempt.student_id == student.id)).all() == []
    assert session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == guardian.id)).all() == []


def test_binding_records_the_consent_given_and_me_shows_it(client, session, world):
    student = world.a.students[2]
    guardian, headers = new_parent(session, student)
    response = bind(client, headers, student, guardian.phone, consent_offer(ConsentScope.ROSTER, ConsentScope.PHOTO))
    assert response.status_code == 200, response.text
    rows = session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == guardian.id)).all()
    assert sorted((r.scope, r.rules_version, r.student_id, r.account_id is not None) for r in rows) == [
        ("photo", current_version(), student.id, True), ("roster", current_version(), student.id, True)]
    assert my_child(client, headers, student.id)["consent"] == {
        "rules_version": current_version(), "needed": False, "given": ["roster", "photo"]}


def test_no_photo_without_consent(client, session, world):
    student = world.a.students[2]
    guardian, headers = new_parent(session, student)
    assert bind(client, headers, student, guardian.phone, consent_offer(ConsentScope.ROSTER)).status_code == 200
    for response in (client.put(f"/api/v1/students/{student.id}/photo", headers=headers, files=PNG),
                     client.post("/api/v1/pickup/my-photo", headers=headers, files=PNG)):
        assert (response.status_code, response.json()["error"]["code"]) == (403, "PHOTO_CONSENT_REQUIRED")
    assert session.get(type(student), student.id).photo_path is None
    assert session.get(Guardian, guardian.id).photo_path is None

    given = client.post("/api/v1/privacy/consents", headers=headers,
                        json={"student_id": student.id, "version": current_version(), "scopes": ["photo"]})
    assert given.status_code == 200, given.text
    assert client.put(f"/api/v1/students/{student.id}/photo", headers=headers, files=PNG).json()["has_photo"]
    assert client.post("/api/v1/pickup/my-photo", headers=headers, files=PNG).json()["photo_url"]


def test_an_admin_cannot_upload_a_photo_no_guardian_agreed_to(client, session, world):
    student = world.a.students[1]
    withdrawn = client.post("/api/v1/privacy/consents/withdraw", headers=auth_headers(world.a.guardians[1].account_id),
                            json={"student_id": student.id, "scopes": ["photo"]})
    assert withdrawn.status_code == 200
    response = client.put(f"/api/v1/students/{student.id}/photo", headers=world.a.headers("admin"), files=PNG)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "PHOTO_CONSENT_REQUIRED")
    agreed = client.put(f"/api/v1/students/{world.a.students[0].id}/photo", headers=world.a.headers("admin"),
                        files=PNG)
    assert agreed.status_code == 200


# ---------- managing consent ----------

def test_a_guardian_lists_their_consents_per_child_and_scope(client, world):
    listed = client.get("/api/v1/privacy/consents", headers=world.a.headers("guardian")).json()
    assert [c["student_id"] for c in listed] == [world.a.students[0].id]
    child = listed[0]
    assert (child["school_name"], child["rules_version"], child["needed"]) == ("甲小学", current_version(), False)
    assert [(s["scope"], s["label"], s["status"], s["version"]) for s in child["scopes"]] == [
        ("roster", "花名册与课后服务信息", "given", current_version()), ("photo", "照片", "given", current_version()),
        ("notifications", "消息通知", "given", current_version())]


def test_withdrawing_photo_consent_deletes_the_photo_everywhere(client, session, world):
    student = world.a.students[0]
    headers = world.a.headers("guardian")
    assert client.put(f"/api/v1/students/{student.id}/photo", headers=headers, files=PNG).status_code == 200
    assert client.post("/api/v1/pickup/my-photo", headers=headers, files=PNG).status_code == 200

    response = client.post("/api/v1/privacy/consents/withdraw", headers=headers,
                           json={"student_id": student.id, "scopes": ["photo"]})

    assert response.status_code == 200
    assert {s["scope"]: s["status"] for s in response.json()["scopes"]}["photo"] == "withdrawn"
    assert client.get(f"/api/v1/students/{student.id}", headers=headers).json()["has_photo"] is False
    assert client.get(f"/api/v1/students/{student.id}/photo", headers=world.a.headers("teacher")).status_code == 404
    assert client.get("/api/v1/pickup/my-photo", headers=headers).json()["photo_url"] is None
    assert my_child(client, headers, student.id)["consent"]["given"] == ["roster", "notifications"]


def test_withdrawing_roster_consent_unbinds(client, world):
    headers = world.a.headers("guardian")
    response = client.post("/api/v1/privacy/consents/withdraw", headers=headers,
                           json={"student_id": world.a.students[0].id, "scopes": ["roster"]})
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=headers).json()["children"] == []
    assert client.get("/api/v1/privacy/consents", headers=headers).status_code == 403  # no longer a guardian


def test_consent_for_another_familys_child_is_not_found(client, world):
    headers = world.a.headers("guardian")
    other = world.a.students[1].id
    for path, body in (("/api/v1/privacy/consents", {"student_id": other, "version": current_version(),
                                                     "scopes": ["photo"]}),
                       ("/api/v1/privacy/consents/withdraw", {"student_id": other, "scopes": ["photo"]})):
        response = client.post(path, headers=headers, json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (404, "STUDENT_NOT_FOUND")


def test_a_new_version_asks_again_in_me_and_refuses_photos_until_agreed(client, world, new_rules_version):
    student, headers = world.a.students[0], world.a.headers("guardian")
    assert my_child(client, headers, student.id)["consent"] == {"rules_version": "2.0", "needed": True, "given": []}
    refused = client.put(f"/api/v1/students/{student.id}/photo", headers=headers, files=PNG)
    assert (refused.status_code, refused.json()["error"]["current_version"]) == (403, "2.0")
    assert client.post("/api/v1/privacy/consents", headers=headers, json={
        "student_id": student.id, "version": "2.0", "scopes": ["roster", "photo", "notifications"]}).status_code == 200
    assert my_child(client, headers, student.id)["consent"]["needed"] is False
    assert client.put(f"/api/v1/students/{student.id}/photo", headers=headers, files=PNG).status_code == 200
