from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends

from app.core.ratelimit import rate_limit
from app.auth import service
from app.auth.schemas import MeOut, PasswordLoginIn, TokenOut, WeChatLoginIn
from app.core.deps import Actor, SessionDep, allow_any_account, public
from app.wechat.client import WeChatClient, build_wechat_client

router = APIRouter(tags=["登录"])


@lru_cache
def get_wechat() -> WeChatClient:
    """One client per process (it pools connections); tests override this dependency."""
    return build_wechat_client()


WeChatDep = Annotated[WeChatClient, Depends(get_wechat)]


@router.post("/auth/wechat", response_model=TokenOut, dependencies=[Depends(public), Depends(rate_limit("login"))],
             summary="微信登录（wx.login 的 code 换取令牌）")
def wechat_login(body: WeChatLoginIn, session: SessionDep, wechat: WeChatDep) -> TokenOut:
    return service.login_with_wechat(session=session, wechat=wechat, code=body.code)


@router.post("/auth/password", response_model=TokenOut, dependencies=[Depends(public), Depends(rate_limit("login"))],
             summary="教职工用户名密码登录（网页后台）")
def password_login(body: PasswordLoginIn, session: SessionDep) -> TokenOut:
    return service.login_with_password(session=session, username=body.username, password=body.password)


@router.get("/me", response_model=MeOut, summary="我是谁：角色、学校、孩子")
def me(session: SessionDep, actor: Annotated[Actor, Depends(allow_any_account)]) -> MeOut:
    return service.describe_me(session=session, actor=actor)
