"""Logging in (WeChat or password) and describing who is logged in."""

import logging

from sqlmodel import Session, select

from app.auth.models import Account
from app.auth.schemas import MeOut, MySchool, MyChild, TokenOut
from app.core.clock import utcnow
from app.core.deps import Actor
from app.core.errors import AppError, NotAuthenticated
from app.core.security import create_access_token, verify_password
from app.people.models import Guardian, Guardianship, Student
from app.privacy import service as privacy
from app.schools.models import School, SchoolClass, class_name
from app.wechat.client import WeChatClient, WeChatError, WeChatUnavailable

log = logging.getLogger("kehou.auth")

# WeChat errcodes from code2Session and what we tell the person.
_LOGIN_ERRORS = {
    40029: (400, "WECHAT_CODE_INVALID", "微信登录凭证无效，请重试"),
    40163: (400, "WECHAT_CODE_USED", "微信登录凭证已使用，请重试"),
    45011: (429, "WECHAT_RATE_LIMITED", "登录过于频繁，请稍后再试"),
    40226: (403, "WECHAT_USER_BLOCKED", "该微信账号存在风险，暂无法登录"),
}


def _issue_token(session: Session, account: Account) -> TokenOut:
    account.last_login_at = utcnow()
    session.add(account)
    session.commit()
    token, lifetime = create_access_token(account.id)
    return TokenOut(access_token=token, expires_in=lifetime)


def login_with_wechat(*, session: Session, wechat: WeChatClient, code: str) -> TokenOut:
    """Exchange a wx.login code for our token; the WeChat session_key stays here and is dropped."""
    try:
        wx_session = wechat.code2session(code)
    except WeChatUnavailable:
        raise AppError("WECHAT_UNAVAILABLE", "微信服务暂时不可用，请稍后再试", status_code=503) from None
    except WeChatError as exc:
        status, err_code, message = _LOGIN_ERRORS.get(
            exc.errcode, (503, "WECHAT_UNAVAILABLE", "微信服务暂时不可用，请稍后再试"))
        log.info("wechat login refused: errcode=%s", exc.errcode)
        raise AppError(err_code, message, status_code=status) from None

    account = session.exec(select(Account).where(Account.wechat_openid == wx_session.openid)).first()
    if account is None:
        account = Account(wechat_openid=wx_session.openid)
    if not account.is_active:
        raise AppError("ACCOUNT_DISABLED", "该账号已停用，请联系学校", status_code=403)
    if wx_session.unionid:
        account.wechat_unionid = wx_session.unionid
    return _issue_token(session, account)


def login_with_password(*, session: Session, username: str, password: str) -> TokenOut:
    account = session.exec(select(Account).where(Account.username == username)).first()
    if not verify_password(password, account.password_hash if account else None) or not account.is_active:
        raise NotAuthenticated("LOGIN_FAILED", "用户名或密码错误")
    return _issue_token(session, account)


def describe_me(*, session: Session, actor: Actor) -> MeOut:
    school_ids = set(actor.staff) | set(actor.district_school_ids)
    names = dict(session.exec(select(School.id, School.name).where(School.id.in_(school_ids))).all()) if school_ids else {}
    schools = [
        MySchool(id=sid, name=names.get(sid, ""), roles=sorted(roles), staff_id=staff_id)
        for sid, (staff_id, roles) in sorted(actor.staff.items())
    ] + [
        MySchool(id=sid, name=names.get(sid, ""), roles=["district"])
        for sid in sorted(actor.district_school_ids - set(actor.staff))
    ]
    children = []
    if actor.guardian_ids:
        rows = session.exec(
            select(Student, Guardianship, School.name, SchoolClass.grade, SchoolClass.number)
            .join(Guardianship, Guardianship.student_id == Student.id)
            .join(School, School.id == Student.school_id)
            .join(SchoolClass, SchoolClass.id == Student.class_id)
            .where(Guardianship.guardian_id.in_(actor.guardian_ids), Student.is_active == True)  # noqa: E712
            .order_by(Student.id)
        ).all()
        consents = privacy.summaries(session, actor.guardian_ids, [s.id for s, *_ in rows])
        children = [
            MyChild(id=s.id, name=s.name, school_id=s.school_id, school_name=school_name, class_id=s.class_id,
                    class_name=class_name(grade, number), relation=g.relation, may_pick_up=g.may_pick_up,
                    consent=consents[s.id])
            for s, g, school_name, grade, number in rows
        ]
    name = actor.name
    if not name and actor.guardian_ids:
        name = session.get(Guardian, actor.guardian_ids[0]).name
    return MeOut(account_id=actor.account_id, name=name, roles=sorted(actor.roles), schools=schools,
                 children=children)
