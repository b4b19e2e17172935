"""The WeChat client turns WeChat's answers into values or two kinds of errors, and keeps secrets out of logs."""

import logging

import httpx
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from app.core.config import Settings
from app.wechat.client import (ELLIPSIS, FAKE_BASE_URL, WeChatClient, WeChatError, WeChatSession, WeChatUnavailable,
                               build_wechat_client, field_problem, truncate_field)
from app.wechat.fake import FakeWeChat, shared_fake
from tests.wechat.test_fake_wechat import Clock

APPID, SECRET = "wx-client-test", "client-test-secret-value"


@pytest.fixture
def fake():
    return FakeWeChat(appid=APPID, secret=SECRET, now=Clock())


def client_for(transport: httpx.BaseTransport) -> WeChatClient:
    return WeChatClient(appid=APPID, secret=SECRET, base_url=FAKE_BASE_URL, timeout=1.0, transport=transport)


@pytest.fixture
def wechat(fake):
    with client_for(httpx.MockTransport(fake.handle)) as client:
        yield client


@pytest.fixture
def token(wechat):
    return wechat.fetch_access_token()[0]


def answering(status: int, content: bytes, content_type: str = "application/json") -> WeChatClient:
    """A client whose 'WeChat' always gives this answer."""
    return client_for(httpx.MockTransport(
        lambda request: httpx.Response(status, content=content, headers={"content-type": content_type})))


# ---------- answers ----------

def test_code2session_returns_the_session_without_showing_the_key_in_repr(wechat):
    session = wechat.code2session("dev:parent-wang")
    assert isinstance(session, WeChatSession)
    assert session.openid == "parent-wang" and session.session_key and session.unionid is None
    assert session.session_key not in repr(session)


def test_code2session_passes_the_unionid_on(fake):
    fake.unionids = {"bound": "union-9"}
    with client_for(httpx.MockTransport(fake.handle)) as wechat:
        assert wechat.code2session("dev:bound").unionid == "union-9"


def test_tokens_come_with_their_lifetime(wechat):
    token, lifetime = wechat.fetch_access_token()
    assert len(token) > 100 and lifetime == 7200
    stable, stable_lifetime = wechat.fetch_stable_token()
    assert stable != token and stable_lifetime == 7200
    assert wechat.fetch_stable_token(force_refresh=True)[0] != stable


def test_send_subscribe_message_wraps_values_and_returns_the_msgid(wechat, fake, token):
    msgid = wechat.send_subscribe_message(access_token=token, openid="parent-wang", template_id="tmpl-leave",
                                          data={"thing1": "美术社", "time2": "16:30"}, page="pages/home/index")
    assert isinstance(msgid, int)
    assert fake.sent[0]["data"] == {"thing1": "美术社", "time2": "16:30"}
    assert fake.sent[0]["page"] == "pages/home/index" and fake.sent[0]["state"] == "formal"


def test_get_phone_number_returns_the_number(wechat, token):
    assert wechat.get_phone_number(access_token=token, code="phone:13912345678") == "13912345678"


# ---------- WeChat errors ----------

def test_nonzero_errcode_raises_wechat_error_with_code_message_and_request_id(wechat):
    with pytest.raises(WeChatError) as caught:
        wechat.code2session("not-a-code")
    error = caught.value
    assert error.errcode == 40029 and error.errmsg.startswith("invalid code") and error.rid
    assert not error.retryable and not error.token_invalid


@pytest.mark.parametrize("errcode, retryable, token_invalid", [
    (-1, True, False), (45011, True, False), (45009, True, False), (40001, False, True), (42001, False, True),
    (40014, False, True), (43101, False, False), (47003, False, False), (40226, False, False)])
def test_error_says_whether_retrying_or_a_new_token_helps(wechat, fake, errcode, retryable, token_invalid):
    fake.fail_next(errcode)
    with pytest.raises(WeChatError) as caught:
        wechat.fetch_access_token()
    assert (caught.value.errcode, caught.value.retryable, caught.value.token_invalid) == (
        errcode, retryable, token_invalid)


def test_user_refusal_and_bad_fields_surface_as_their_errcodes(wechat, fake, token):
    fake.refuse("parent-wang")
    message = dict(access_token=token, openid="parent-wang", template_id="t", data={"thing1": "x"})
    with pytest.raises(WeChatError, match="43101"):
        wechat.send_subscribe_message(**message)
    with pytest.raises(WeChatError, match=r"data\.thing1\.value invalid"):
        wechat.send_subscribe_message(**{**message, "data": {"thing1": "x" * 21}})


def test_stale_token_raises_a_token_invalid_error(wechat, fake, token):
    fake.invalidate_all_tokens()
    with pytest.raises(WeChatError) as caught:
        wechat.get_phone_number(access_token=token, code="phone:13912345678")
    assert caught.value.token_invalid


# ---------- no usable answer ----------

@pytest.mark.parametrize("switch", [
    lambda fake: fake.timeout_next(), lambda fake: fake.set_down(True), lambda fake: fake.server_error_next(),
    lambda fake: fake.server_error_next(status=502)])
def test_network_failures_and_5xx_raise_wechat_unavailable(wechat, fake, switch):
    switch(fake)
    with pytest.raises(WeChatUnavailable) as caught:
        wechat.fetch_access_token()
    assert caught.value.retryable


@pytest.mark.parametrize("status, content", [
    (200, b"<html>proxy login</html>"), (200, b"[]"), (200, b'{"expires_in": 7200}'), (404, b'{"detail": "x"}'),
    (200, b'{"errcode": "busy"}')])
def test_answer_that_is_not_the_expected_json_raises_wechat_unavailable(status, content):
    with answering(status, content) as wechat, pytest.raises(WeChatUnavailable):
        wechat.fetch_access_token()


def test_a_real_timeout_raises_wechat_unavailable():
    def hang(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    with client_for(httpx.MockTransport(hang)) as wechat, pytest.raises(WeChatUnavailable):
        wechat.code2session("dev:a")


# ---------- secrets ----------

def test_secret_tokens_codes_and_session_keys_never_reach_the_logs(wechat, fake, caplog):
    caplog.set_level(logging.DEBUG)
    session = wechat.code2session("dev:private-code")
    token, _ = wechat.fetch_access_token()
    wechat.send_subscribe_message(access_token=token, openid="p", template_id="t", data={"thing1": "x"})
    fake.fail_next(-1)
    with pytest.raises(WeChatError):
        wechat.code2session("dev:private-code-2")
    fake.timeout_next()
    with pytest.raises(WeChatUnavailable):
        wechat.fetch_access_token()
    logged = caplog.text
    assert "HTTP Request" in logged  # httpx did log the requests, redacted
    for secret in (SECRET, token, session.session_key, "private-code"):
        assert secret not in logged
    assert SECRET not in repr(wechat)


# ---------- building the client from settings ----------

def test_without_a_base_url_the_client_talks_to_the_shared_fake():
    wechat = build_wechat_client(Settings(wechat_base_url="", wechat_appid="", wechat_secret=""))
    before = shared_fake().calls["/sns/jscode2session"]
    with wechat:
        assert wechat.base_url.startswith(FAKE_BASE_URL)
        assert wechat.code2session("dev:built-client:" + str(before)).openid == "built-client"
    assert shared_fake().calls["/sns/jscode2session"] == before + 1


def test_with_a_base_url_the_client_talks_to_it():
    settings = Settings(wechat_base_url="https://api.weixin.qq.com", wechat_appid="wx1", wechat_secret="s1")
    with build_wechat_client(settings) as wechat:
        assert wechat.base_url.startswith("https://api.weixin.qq.com") and wechat.appid == "wx1"


# ---------- truncation ----------

@pytest.mark.parametrize("key, value, expected", [
    ("thing1", "一二三四五六七八九十一二三四五六七八九十", "一二三四五六七八九十一二三四五六七八九十"),
    ("thing1", "一二三四五六七八九十一二三四五六七八九十一", "一二三四五六七八九十一二三四五六七八九" + ELLIPSIS),
    ("thing1", "  two\n lines  ", "two lines"),
    ("thing1", "", "-"),
    ("name2", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜" + ELLIPSIS),
    ("name2", "Maximilian Alexander Smith", "Maximilian Alexande" + ELLIPSIS),
    ("phrase3", "已经到达学校", "已经到达学"),
    ("character_string4", "A" * 40, "A" * 32),
    ("number5", "1" * 31 + ".5", "1" * 31),
    ("time6", "16:05", "16:05"),
])
def test_truncate_field_cuts_to_the_limit_of_the_key_kind(key, value, expected):
    assert truncate_field(key, value) == expected


_CJK_TEXT = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=40)
_TRUNCATABLE = st.one_of(
    st.tuples(st.sampled_from(["thing1", "name2"]), st.text(max_size=60)),
    st.tuples(st.just("phrase3"), _CJK_TEXT),
    st.tuples(st.just("number4"), st.from_regex(r"[0-9]{1,40}(\.[0-9]{1,10})?", fullmatch=True)),
    st.tuples(st.just("letter5"), st.text(st.characters(min_codepoint=65, max_codepoint=90), min_size=1)),
    st.tuples(st.just("symbol6"), st.text(st.sampled_from("!@#$%^&*()-+"), min_size=1)),
    st.tuples(st.just("character_string7"), st.text(st.characters(min_codepoint=32, max_codepoint=126))),
    st.tuples(st.just("phone_number8"), st.text(st.sampled_from("0123456789+-"), min_size=1, max_size=30)),
    st.tuples(st.just("car_number9"), st.from_regex(r"[粤京][A-Z0-9]{1,12}挂?", fullmatch=True)),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(_TRUNCATABLE)
def test_a_truncated_value_always_passes_the_fakes_validator(key_and_value):
    key, value = key_and_value
    assert field_problem(key, truncate_field(key, value)) is None


def test_truncated_values_are_sent_without_error(wechat, fake, token):
    long_club = "少儿机器人编程与创意搭建提高班（周三下午第二期）"
    data = {"thing1": truncate_field("thing1", long_club), "name2": truncate_field("name2", "欧阳" + "娜" * 12)}
    wechat.send_subscribe_message(access_token=token, openid="p", template_id="t", data=data)
    assert fake.sent[0]["data"]["thing1"].endswith(ELLIPSIS)
