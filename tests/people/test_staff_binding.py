"""A staff member links their WeChat with a one-time code from the school admin."""

from app.auth.models import Account
from app.people.models import Staff
from tests.factories import auth_headers, create_account, create_staff


def _issue(client, world, staff):
    return client.post(f"/api/v1/staff/{staff.id}/bind-code", headers=world.a.headers("admin")).json()["code"]


def test_a_teacher_binds_wechat_with_the_admins_code(client, session, world):
    newcomer = create_staff(session, world.a.school, "teacher", name="新来的老师", with_account=False)
    wechat_user = create_account(session, openid="teacher-wechat")
    session.commit()
    code = _issue(client, world, newcomer)
    response = client.post("/api/v1/staff/bind", headers=auth_headers(wechat_user.id), json={"code": code.lower()})
    assert response.status_code == 200 and response.json()["school_name"] == "甲小学"
    me = client.get("/api/v1/me", headers=auth_headers(wechat_user.id)).json()
    assert me["roles"] == ["teacher"] and me["name"] == "新来的老师"


def test_a_code_works_once(client, session, world):
    newcomer = create_staff(session, world.a.school, "teacher", with_account=False)
    first, second = create_account(session, openid="first"), create_account(session, openid="second")
    session.commit()
    code = _issue(client, world, newcomer)
    assert client.post("/api/v1/staff/bind", headers=auth_headers(first.id), json={"code": code}).status_code == 200
    again = client.post("/api/v1/staff/bind", headers=auth_headers(second.id), json={"code": code})
    assert again.status_code == 400 and again.json()["error"]["code"] == "STAFF_CODE_INVALID"


def test_an_expired_code_is_refused(client, session, world, fixed_clock):
    newcomer = create_staff(session, world.a.school, "teacher", with_account=False)
    user = create_account(session, openid="late")
    session.commit()
    code = _issue(client, world, newcomer)
    fixed_clock.advance(hours=25)
    assert client.post("/api/v1/staff/bind", headers=auth_headers(user.id), json={"code": code}).status_code == 400


def test_a_password_login_moves_to_the_wechat_account(client, session, world):
    staff = create_staff(session, world.a.school, "admin", with_account=False)
    client.patch(f"/api/v1/staff/{staff.id}", headers=world.a.headers("admin"),
                 json={"username": "webadmin", "password": "long-enough-1"})
    user = create_account(session, openid="admin-phone")
    session.commit()
    code = _issue(client, world, staff)
    client.post("/api/v1/staff/bind", headers=auth_headers(user.id), json={"code": code})
    login = client.post("/api/v1/auth/password", json={"username": "webadmin", "password": "long-enough-1"})
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert me["account_id"] == user.id and me["roles"] == ["admin"]
    assert session.get(Staff, staff.id).account_id == user.id


def test_guessing_codes_is_limited(client, session, world):
    user = create_account(session, openid="guesser")
    session.commit()
    codes = [client.post("/api/v1/staff/bind", headers=auth_headers(user.id), json={"code": f"AAAA-AAA{i}"}).status_code
             for i in range(6)]
    assert codes == [400] * 5 + [429]
    assert session.get(Account, user.id) is not None
