"""Logging in with WeChat or a password, and asking who I am."""

from sqlmodel import select

from app.auth.models import Account
from tests.factories import create_account


def test_wechat_login_creates_one_account_per_openid(client, session):
    first = client.post("/api/v1/auth/wechat", json={"code": "dev:parent-zhang:1"})
    second = client.post("/api/v1/auth/wechat", json={"code": "dev:parent-zhang:2"})
    assert first.status_code == second.status_code == 200
    assert first.json()["token_type"] == "bearer"
    accounts = session.exec(select(Account).where(Account.wechat_openid == "parent-zhang")).all()
    assert len(accounts) == 1


def test_the_wechat_session_key_never_reaches_the_client(client):
    body = client.post("/api/v1/auth/wechat", json={"code": "dev:parent-li"}).json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert "session_key" not in str(body)


def test_an_invalid_wechat_code_is_refused(client):
    response = client.post("/api/v1/auth/wechat", json={"code": "not-a-real-code"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "WECHAT_CODE_INVALID"


def test_a_used_wechat_code_is_refused(client):
    assert client.post("/api/v1/auth/wechat", json={"code": "dev:once"}).status_code == 200
    response = client.post("/api/v1/auth/wechat", json={"code": "dev:once"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "WECHAT_CODE_USED"


def test_wechat_down_gives_503_and_creates_nothing(client, session, fake_wechat):
    fake_wechat.set_down(True)
    response = client.post("/api/v1/auth/wechat", json={"code": "dev:while-down"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "WECHAT_UNAVAILABLE"
    assert session.exec(select(Account).where(Account.wechat_openid == "while-down")).first() is None


def test_wechat_busy_gives_503(client, fake_wechat):
    fake_wechat.fail_next(-1)
    assert client.post("/api/v1/auth/wechat", json={"code": "dev:busy"}).status_code == 503


def test_the_token_from_wechat_login_opens_me(client):
    token = client.post("/api/v1/auth/wechat", json={"code": "dev:new-parent"}).json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["roles"] == [] and me["children"] == []


def test_staff_log_in_with_a_password(client, session):
    create_account(session, name="王老师", username="wang", password="s3cret-pass")
    session.commit()
    response = client.post("/api/v1/auth/password", json={"username": "wang", "password": "s3cret-pass"})
    assert response.status_code == 200
    wrong = client.post("/api/v1/auth/password", json={"username": "wang", "password": "nope-nope"})
    unknown = client.post("/api/v1/auth/password", json={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # the reply does not reveal which usernames exist


def test_a_disabled_account_cannot_log_in(client, session):
    account = create_account(session, username="gone", password="s3cret-pass")
    account.is_active = False
    session.commit()
    assert client.post("/api/v1/auth/password", json={"username": "gone", "password": "s3cret-pass"}).status_code == 401


def test_me_lists_a_guardians_children(client, world):
    me = client.get("/api/v1/me", headers=world.a.headers("guardian")).json()
    assert me["roles"] == ["guardian"]
    assert [c["id"] for c in me["children"]] == [world.a.students[0].id]
    child = me["children"][0]
    assert child["school_name"] == "甲小学" and child["class_name"] == "三年级1班" and child["relation"] == "妈妈"


def test_me_lists_staff_roles_per_school(client, world):
    me = client.get("/api/v1/me", headers=world.a.headers("class_head")).json()
    assert me["roles"] == ["class_head"]
    assert me["schools"] == [{"id": world.a.school.id, "name": "甲小学", "roles": ["class_head"],
                              "staff_id": world.a.staff["class_head"].id}]
    assert me["children"] == []


def test_a_teacher_who_is_also_a_parent_sees_both(client, session, world):
    from app.people.models import Guardian
    guardian = session.get(Guardian, world.a.guardians[1].id)
    guardian.account_id = world.a.staff["teacher"].account_id
    session.commit()
    me = client.get("/api/v1/me", headers=world.a.headers("teacher")).json()
    assert me["roles"] == ["guardian", "teacher"]
    assert [c["id"] for c in me["children"]] == [world.a.students[1].id]


def test_district_officials_see_their_districts_schools(client, world):
    me = client.get("/api/v1/me", headers=world.district_headers()).json()
    assert me["roles"] == ["district"]
    assert [s["id"] for s in me["schools"]] == [world.a.school.id]
