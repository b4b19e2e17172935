"""The fake WeChat answers like the real one (shared/WECHAT.md), errors included."""

import asyncio
import threading

import httpx
import pytest
from starlette.testclient import TestClient

from app.wechat.fake import FakeWeChat, asgi_app, shared_fake

APPID, SECRET = "wx-test-app", "test-secret"
BASE_URL = "http://fake-wechat.local"


class Clock:
    """A clock for the fake that only moves when told to."""

    def __init__(self, at: float = 1_790_000_000.0):
        self.at = at

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeWeChat(appid=APPID, secret=SECRET, now=clock)


@pytest.fixture
def http(fake):
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url=BASE_URL) as client:
        yield client


def login(http, code, **params):
    query = {"appid": APPID, "secret": SECRET, "js_code": code, "grant_type": "authorization_code", **params}
    return http.get("/sns/jscode2session", params=query).json()


def basic_token(http, **params):
    query = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, **params}
    return http.get("/cgi-bin/token", params=query).json()


def stable_token(http, force_refresh=False):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": force_refresh}
    return http.post("/cgi-bin/stable_token", json=body).json()


def send(http, token, **fields):
    message = {"touser": "parent-zhang", "template_id": "tmpl-arrival", "page": "pages/child/index?id=7",
               "data": {"thing1": {"value": "张小明已到校"}, "time2": {"value": "2026年11月23日 16:05"}},
               "miniprogram_state": "formal", "lang": "zh_CN", **fields}
    return http.post("/cgi-bin/message/subscribe/send", params={"access_token": token}, json=message).json()


def phone(http, token, code):
    return http.post("/wxa/business/getuserphonenumber", params={"access_token": token}, json={"code": code}).json()


def errcode(answer: dict) -> int:
    return answer.get("errcode", 0)


@pytest.fixture
def token(http):
    return basic_token(http)["access_token"]


# ---------- login ----------

def test_dev_login_code_yields_its_openid_and_a_new_session_key_each_time(http):
    first = login(http, "dev:parent-zhang")
    second = login(http, "dev:parent-zhang:2")
    assert first["openid"] == second["openid"] == "parent-zhang"
    assert first["session_key"] != second["session_key"]
    assert "unionid" not in first and "errcode" not in first


def test_unionid_is_given_only_when_configured(clock):
    everyone = FakeWeChat(now=clock, unionids=True)
    mapped = FakeWeChat(now=clock, unionids={"bound": "union-1"})
    with httpx.Client(transport=httpx.MockTransport(everyone.handle), base_url=BASE_URL) as http:
        assert login(http, "dev:a:1")["unionid"] == login(http, "dev:a:2")["unionid"]
    with httpx.Client(transport=httpx.MockTransport(mapped.handle), base_url=BASE_URL) as http:
        assert login(http, "dev:bound")["unionid"] == "union-1"
        assert "unionid" not in login(http, "dev:unbound")


@pytest.mark.parametrize("code", ["abc", "dev:", "dev:a b", "dev:" + "x" * 65, "dev:ok:", "dev:é", "prod:x"])
def test_malformed_login_code_is_refused_with_40029(http, code):
    answer = login(http, code)
    assert errcode(answer) == 40029
    assert answer["errmsg"].startswith("invalid code")


def test_used_login_code_is_refused_with_40163(http):
    assert login(http, "dev:parent-li:7")["openid"] == "parent-li"
    assert errcode(login(http, "dev:parent-li:7")) == 40163


def test_login_needs_a_code_and_the_authorization_code_grant(http):
    assert errcode(login(http, "")) == 41008
    assert errcode(login(http, "dev:a", grant_type="client_credential")) == 40002


@pytest.mark.parametrize("params, expected", [
    ({"appid": "wx-other"}, 40013), ({"secret": "wrong"}, 40125), ({"appid": ""}, 41002), ({"secret": ""}, 41004)])
def test_wrong_or_missing_app_credentials_are_refused(http, params, expected):
    assert errcode(login(http, "dev:a", **params)) == expected
    assert errcode(basic_token(http, **params)) == expected


def test_any_non_empty_credentials_are_accepted_when_none_are_configured(clock):
    fake = FakeWeChat(now=clock)
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url=BASE_URL) as http:
        assert login(http, "dev:a", appid="wx-anything", secret="s")["openid"] == "a"


def test_more_than_100_logins_per_openid_in_a_minute_gives_45011(http, clock):
    for n in range(100):
        assert login(http, f"dev:busy:{n}")["openid"] == "busy"
    assert errcode(login(http, "dev:busy:100")) == 45011
    assert login(http, "dev:someone-else")["openid"] == "someone-else"
    clock.advance(60)
    assert login(http, "dev:busy:101")["openid"] == "busy"


def test_login_answer_is_json_sent_as_text_plain_like_wechat(http):
    response = http.get("/sns/jscode2session", params={
        "appid": APPID, "secret": SECRET, "js_code": "dev:a", "grant_type": "authorization_code"})
    assert response.headers["content-type"] == "text/plain"
    assert response.json()["openid"] == "a"


def test_errors_come_with_http_200_and_a_request_id(http):
    response = http.get("/sns/jscode2session", params={"appid": APPID, "secret": SECRET, "js_code": "x"})
    assert response.status_code == 200
    assert " rid: " in response.json()["errmsg"]


# ---------- access tokens ----------

def test_access_token_is_long_and_lives_7200_seconds(http):
    answer = basic_token(http)
    assert len(answer["access_token"]) > 100 and answer["expires_in"] == 7200


def test_replaced_access_token_works_for_5_more_minutes_then_gives_40001(http, clock, token):
    newer = basic_token(http)["access_token"]
    clock.advance(299)
    assert errcode(send(http, token)) == 0
    clock.advance(1)
    assert errcode(send(http, token)) == 40001
    assert errcode(send(http, newer)) == 0


def test_access_token_expires_after_7200_seconds_with_42001(http, clock, token):
    clock.advance(7199)
    assert errcode(send(http, token)) == 0
    clock.advance(1)
    answer = send(http, token)
    assert errcode(answer) == 42001 and answer["errmsg"].startswith("access_token expired")


def test_unknown_or_missing_access_token_is_refused(http):
    answer = send(http, "not-a-token")
    assert errcode(answer) == 40001
    assert answer["errmsg"].startswith("invalid credential, access_token is invalid or not latest")
    assert errcode(send(http, "")) == 41001


def test_stable_token_stays_the_same_until_5_minutes_before_it_expires(http, clock):
    first = stable_token(http)
    clock.advance(7200 - 301)
    again = stable_token(http)
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 301
    clock.advance(2)
    renewed = stable_token(http)
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 7200
    assert errcode(send(http, first["access_token"])) == 0  # the old one runs out on its own


def test_stable_token_is_independent_of_the_basic_token(http, clock):
    stable = stable_token(http)["access_token"]
    basic_token(http)
    basic_token(http)
    clock.advance(600)
    assert errcode(send(http, stable)) == 0


def test_forced_stable_refresh_replaces_the_token_at_once(http):
    old = stable_token(http)["access_token"]
    new = stable_token(http, force_refresh=True)["access_token"]
    assert new != old
    assert errcode(send(http, old)) == 40001
    assert errcode(send(http, new)) == 0


def test_forced_stable_refresh_within_30_seconds_returns_the_current_token(http, clock):
    first = stable_token(http, force_refresh=True)["access_token"]
    clock.advance(29)
    assert stable_token(http, force_refresh=True)["access_token"] == first
    clock.advance(1)
    assert stable_token(http, force_refresh=True)["access_token"] != first


def test_forced_stable_refresh_is_limited_to_20_a_day_with_45009(http, clock):
    for _ in range(20):
        assert "access_token" in stable_token(http, force_refresh=True)
        clock.advance(30)
    assert errcode(stable_token(http, force_refresh=True)) == 45009
    assert "access_token" in stable_token(http)  # the normal mode still works
    clock.advance(86400)
    assert "access_token" in stable_token(http, force_refresh=True)


# ---------- subscribe messages ----------

def test_accepted_message_is_recorded_with_a_msgid(http, fake, clock, token):
    answer = send(http, token)
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok" and answer["msgid"] > 2**32
    [message] = fake.sent
    assert message["openid"] == "parent-zhang" and message["template_id"] == "tmpl-arrival"
    assert message["data"] == {"thing1": "张小明已到校", "time2": "2026年11月23日 16:05"}
    assert message["page"] == "pages/child/index?id=7" and message["at"] == clock()
    assert message["msgid"] == answer["msgid"]


@pytest.mark.parametrize("touser", ["", "has space", None, "x" * 65])
def test_send_to_an_invalid_openid_gives_40003(http, token, touser):
    assert errcode(send(http, token, touser=touser)) == 40003


def test_send_with_an_unknown_template_gives_40037(clock):
    fake = FakeWeChat(now=clock, known_templates={"tmpl-arrival"})
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url=BASE_URL) as http:
        token = basic_token(http)["access_token"]
        assert errcode(send(http, token, template_id="tmpl-other")) == 40037
        assert errcode(send(http, token, template_id="")) == 40037
        assert errcode(send(http, token)) == 0


@pytest.mark.parametrize("page", ["index", "/pages/index", "pages/a b", 7])
def test_send_with_a_bad_page_gives_41030(http, token, page):
    assert errcode(send(http, token, page=page)) == 41030


def test_send_without_a_page_is_fine(http, token):
    message = {"touser": "p", "template_id": "t", "data": {"thing1": {"value": "x"}}}
    answer = http.post("/cgi-bin/message/subscribe/send", params={"access_token": token}, json=message).json()
    assert answer["errcode"] == 0


@pytest.mark.parametrize("key, value", [
    ("thing1", "一" * 21), ("thing1", ""), ("name2", "张" * 11), ("name2", "A" * 21), ("name2", "张三Zhang San"),
    ("phrase3", "已经到达学校了"), ("phrase3", "OK"), ("number4", "1" * 33), ("number4", "12a"), ("number4", "-1"),
    ("letter5", "abc1"), ("letter5", "a" * 33), ("symbol6", "!!!!!!"), ("symbol6", "a"),
    ("character_string7", "A" * 33), ("character_string7", "编号12"), ("phone_number8", "1" * 18),
    ("phone_number8", "call me"), ("car_number9", "粤A12345678"), ("car_number9", "粤A8Z8挂88"),
    ("amount10", "¥12345678901"), ("amount10", "12.345"), ("amount10", "十元"),
    ("time11", "25:00"), ("time11", "2026年11月23日"), ("time11", "16:00~17:00~18:00"), ("time11", "soon"),
    ("date12", "2026年13月1日"), ("date12", "16:05"), ("unknown13", "x"),
])
def test_invalid_field_value_gives_47003_naming_the_field(http, token, key, value):
    answer = send(http, token, data={key: {"value": value}})
    assert errcode(answer) == 47003
    assert answer["errmsg"].startswith(f"argument invalid! data.{key}.value invalid")


@pytest.mark.parametrize("key, value", [
    ("thing1", "一" * 20), ("thing1", "Art club: room 3!"), ("name2", "张" * 10), ("name2", "Alexander Hamilton"),
    ("phrase3", "配送中"), ("number4", "3.14"), ("letter5", "ABC"), ("symbol6", "+-*/"),
    ("character_string7", "KH-2026-0001"), ("phone_number8", "+86-0766-66888866"),
    ("car_number9", "粤A8Z888挂"), ("amount10", "¥100.00"), ("amount10", "100元"), ("time11", "15:01"),
    ("time11", "2019年10月1日 15:01"), ("time11", "15:00~16:30"), ("date12", "2019年10月1日"),
    ("date12", "2026-11-23 16:05"), ("date12", "2019年10月1日 15:01~16:00"),
])
def test_field_values_in_wechats_formats_are_accepted(http, token, key, value):
    assert errcode(send(http, token, data={key: {"value": value}})) == 0


def test_send_with_no_data_or_a_bad_state_gives_47003(http, token):
    assert errcode(send(http, token, data={})) == 47003
    assert errcode(send(http, token, data={"thing1": "not wrapped"})) == 47003
    assert errcode(send(http, token, miniprogram_state="production")) == 47003


def test_send_to_a_user_who_refused_gives_43101(http, fake, token):
    fake.refuse("parent-zhang")
    answer = send(http, token)
    assert errcode(answer) == 43101 and answer["errmsg"].startswith("user refuse to accept the msg")
    assert fake.sent == []
    assert errcode(send(http, token, touser="parent-li")) == 0


# ---------- phone numbers ----------

def test_phone_code_gives_the_phone_number_once(http, token):
    answer = phone(http, token, "phone:13800138000")
    assert answer["errcode"] == 0
    assert answer["phone_info"]["phoneNumber"] == answer["phone_info"]["purePhoneNumber"] == "13800138000"
    assert answer["phone_info"]["countryCode"] == "86"
    assert errcode(phone(http, token, "phone:13800138000")) == 40029
    assert phone(http, token, "phone:13800138000:2")["phone_info"]["phoneNumber"] == "13800138000"


@pytest.mark.parametrize("code", ["", "13800138000", "phone:abc", "dev:parent"])
def test_bad_phone_code_gives_40029(http, token, code):
    assert errcode(phone(http, token, code)) == 40029


def test_phone_number_needs_a_valid_token(http):
    assert errcode(phone(http, "stale", "phone:13800138000")) == 40001


# ---------- protocol ----------

def test_unknown_path_is_a_json_404(http):
    response = http.get("/cgi-bin/nothing-here")
    assert response.status_code == 404 and response.json()["errcode"] == 404


def test_wrong_http_method_is_refused_like_wechat(http):
    assert errcode(http.get("/cgi-bin/stable_token").json()) == 43002
    assert errcode(http.post("/cgi-bin/token", json={}).json()) == 43001


def test_body_that_is_not_a_json_object_gives_47001(http, token):
    url = "/cgi-bin/message/subscribe/send"
    assert errcode(http.post(url, params={"access_token": token}, content=b"{oops").json()) == 47001
    assert errcode(http.post(url, params={"access_token": token}, json=[1]).json()) == 47001


# ---------- fault switches ----------

def test_fail_next_answers_the_errcode_the_given_number_of_times(http, fake):
    fake.fail_next(-1, times=2)
    assert [errcode(login(http, f"dev:a:{n}")) for n in range(3)] == [-1, -1, 0]


def test_fail_next_can_target_one_path(http, fake, token):
    fake.fail_next(45011, path="/cgi-bin/message/subscribe/send")
    assert login(http, "dev:a")["openid"] == "a"
    assert errcode(send(http, token)) == 45011
    assert errcode(send(http, token)) == 0


def test_server_error_next_answers_http_5xx_with_html(http, fake):
    fake.server_error_next(status=502)
    response = http.get("/cgi-bin/token")
    assert response.status_code == 502 and response.headers["content-type"].startswith("text/html")
    assert "access_token" in basic_token(http)


def test_timeout_next_raises_read_timeout(http, fake):
    fake.timeout_next()
    with pytest.raises(httpx.ReadTimeout):
        basic_token(http)
    assert "access_token" in basic_token(http)


def test_set_down_raises_connect_error_until_it_is_back_up(http, fake):
    fake.set_down(True)
    with pytest.raises(httpx.ConnectError):
        basic_token(http)
    assert fake.calls["/cgi-bin/token"] == 0  # nothing reached it
    fake.set_down(False)
    assert "access_token" in basic_token(http)


def test_expire_all_tokens_makes_every_token_give_42001(http, fake, token):
    stable = stable_token(http)["access_token"]
    fake.expire_all_tokens()
    assert errcode(send(http, token)) == errcode(send(http, stable)) == 42001
    assert stable_token(http)["access_token"] != stable  # the next fetch gives a fresh one


def test_invalidate_all_tokens_makes_every_token_give_40001(http, fake, token):
    fake.invalidate_all_tokens()
    assert errcode(send(http, token)) == 40001
    assert errcode(send(http, basic_token(http)["access_token"])) == 0


def test_calls_are_counted_per_path(http, fake, token):
    send(http, token)
    send(http, token)
    assert fake.calls == {"/cgi-bin/token": 1, "/cgi-bin/message/subscribe/send": 2}
    assert fake.tokens_issued == 1


def test_reset_forgets_state_and_switches_but_keeps_configuration(http, fake, token):
    login(http, "dev:a:1")
    fake.refuse("parent-zhang")
    fake.fail_next(-1)
    fake.reset()
    assert errcode(send(http, token)) == 40001
    assert login(http, "dev:a:1")["openid"] == "a"
    assert errcode(login(http, "dev:a:2", secret="wrong")) == 40125
    assert errcode(send(http, basic_token(http)["access_token"])) == 0


def test_concurrent_sends_from_many_threads_are_all_recorded(http, fake, token):
    def send_many():
        for _ in range(25):
            assert errcode(send(http, token)) == 0

    threads = [threading.Thread(target=send_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.sent) == 200
    assert len({message["msgid"] for message in fake.sent}) == 200


def test_fake_also_serves_async_clients(fake):
    async def scenario():
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handle), base_url=BASE_URL) as http:
            response = await http.get("/sns/jscode2session", params={
                "appid": APPID, "secret": SECRET, "js_code": "dev:async", "grant_type": "authorization_code"})
            return response.json()

    assert asyncio.run(scenario())["openid"] == "async"


def test_shared_fake_is_one_instance_per_process():
    assert shared_fake() is shared_fake()


# ---------- over real HTTP ----------

def test_asgi_app_serves_the_same_behaviour_and_faults(fake):
    with TestClient(asgi_app(fake), base_url=BASE_URL) as http:
        assert login(http, "dev:over-http")["openid"] == "over-http"
        assert errcode(login(http, "dev:over-http")) == 40163
        token = basic_token(http)["access_token"]
        assert errcode(send(http, token, data={"thing1": {"value": "一" * 21}})) == 47003
        assert errcode(send(http, token)) == 0
        fake.timeout_next()
        assert http.get("/cgi-bin/token").status_code == 504
        fake.set_down(True)
        assert http.get("/cgi-bin/token").status_code == 503
    assert len(fake.sent) == 1
