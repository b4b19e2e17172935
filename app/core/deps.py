"""Who is calling, and may they call this route?

Every route declares its policy with one of:

    caller: Caller = Depends(allow("admin", "class_head"))   # these roles, in their schools
    caller: Caller = Depends(allow_any_account)              # anyone logged in
    dependencies=[Depends(public)]                           # no login (health, login itself)

`tests/test_authorization_matrix.py` walks every route and fails on one without a policy.
A `Caller` carries the schools where the caller holds one of the route's roles; services
filter every query by them, so another school's object is simply "not found" (404).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.db import get_session
from app.core.errors import Forbidden, NotAuthenticated
from app.core.security import decode_access_token
from app.people.models import STAFF_ROLES, DistrictOfficial, Guardian, Staff
from app.schools.models import School

SessionDep = Annotated[Session, Depends(get_session)]

GUARDIAN = "guardian"
DISTRICT = "district"
ALL_ROLES = frozenset(STAFF_ROLES) | {GUARDIAN, DISTRICT}
STAFF = tuple(STAFF_ROLES)  # any staff role


@dataclass(frozen=True)
class Actor:
    """The logged-in person and everything they are, loaded once per request."""

    account_id: int
    name: str
    # school_id → (staff_id, roles) for each school this person works at.
    staff: dict[int, tuple[int, frozenset[str]]] = field(default_factory=dict)
    guardian_ids: tuple[int, ...] = ()
    # Schools where this person is a guardian (one Guardian row per school).
    guardian_school_ids: frozenset[int] = frozenset()
    district_school_ids: frozenset[int] = frozenset()

    @property
    def roles(self) -> set[str]:
        roles = {role for _, school_roles in self.staff.values() for role in school_roles}
        if self.guardian_ids:
            roles.add(GUARDIAN)
        if self.district_school_ids:
            roles.add(DISTRICT)
        return roles

    def schools_with(self, roles: Iterable[str]) -> frozenset[int]:
        wanted = set(roles)
        schools = {sid for sid, (_, school_roles) in self.staff.items() if school_roles & wanted}
        if DISTRICT in wanted:
            schools |= self.district_school_ids
        return frozenset(schools)

    def staff_id(self, school_id: int) -> int | None:
        entry = self.staff.get(school_id)
        return entry[0] if entry else None

    def has_role(self, school_id: int, *roles: str) -> bool:
        entry = self.staff.get(school_id)
        return bool(entry and entry[1] & set(roles))


@dataclass(frozen=True)
class Caller:
    """An actor as seen by one route: `school_ids` are the schools the route's roles reach."""

    actor: Actor
    school_ids: frozenset[int]
    # True when the route admits guardians and this actor is one (their children are in reach).
    as_guardian: bool

    @property
    def account_id(self) -> int:
        return self.actor.account_id

    @property
    def guardian_school_ids(self) -> frozenset[int]:
        return self.actor.guardian_school_ids if self.as_guardian else frozenset()

    @property
    def visible_school_ids(self) -> frozenset[int]:
        """Schools whose school-wide facts (terms, classes, plans) this caller may read."""
        return self.school_ids | self.guardian_school_ids


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# Read on every request, so built once, in SQLAlchemy Core, with the account id as a parameter.
_ACCOUNT = select(Account.id, Account.display_name).where(Account.id == bindparam("account_id"),
                                                          Account.is_active == True)  # noqa: E712
_STAFF = select(Staff.school_id, Staff.id, Staff.roles).where(Staff.account_id == bindparam("account_id"),
                                                               Staff.is_active == True)  # noqa: E712
_GUARDIAN = select(Guardian.id, Guardian.school_id).where(Guardian.account_id == bindparam("account_id"))
_DISTRICT = select(School.id).join(DistrictOfficial, DistrictOfficial.district_id == School.district_id).where(
    DistrictOfficial.account_id == bindparam("account_id"))


def load_actor(session: Session, account_id: int) -> Actor | None:
    conn = session.connection()
    params = {"account_id": account_id}
    account = conn.execute(_ACCOUNT, params).first()
    if account is None:
        return None
    staff_rows = conn.execute(_STAFF, params).all()
    guardian_rows = conn.execute(_GUARDIAN, params).all()
    district_schools = conn.execute(_DISTRICT, params).scalars().all()
    return Actor(
        account_id=account.id,
        name=account.display_name,
        staff={school_id: (staff_id, frozenset(roles or [])) for school_id, staff_id, roles in staff_rows},
        guardian_ids=tuple(gid for gid, _ in guardian_rows),
        guardian_school_ids=frozenset(sid for _, sid in guardian_rows),
        district_school_ids=frozenset(district_schools),
    )


def current_actor(request: Request, session: SessionDep) -> Actor:
    token = _bearer_token(request)
    account_id = decode_access_token(token) if token else None
    actor = load_actor(session, account_id) if account_id is not None else None
    if actor is None:
        raise NotAuthenticated(message="登录已失效，请重新登录" if token else "请先登录")
    request.state.account_id = actor.account_id
    return actor


class Policy:
    """A route's declared audience. Instances are FastAPI dependencies returning a Caller."""

    def __init__(self, roles: Iterable[str]):
        self.roles = frozenset(roles)
        unknown = self.roles - ALL_ROLES
        if unknown:
            raise ValueError(f"unknown roles {unknown}")

    # async: no I/O here, so FastAPI runs it on the event loop instead of hopping to a thread.
    async def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Caller:
        school_ids = actor.schools_with(self.roles)
        as_guardian = GUARDIAN in self.roles and bool(actor.guardian_ids)
        if not school_ids and not as_guardian:
            raise Forbidden()
        return Caller(actor=actor, school_ids=school_ids, as_guardian=as_guardian)

    def __repr__(self) -> str:
        return f"allow({', '.join(sorted(self.roles))})"


def allow(*roles: str) -> Policy:
    return Policy(roles)


def allow_any_account(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Any logged-in account, even one with no role yet (e.g. a parent about to bind a child)."""
    return actor


def public() -> None:
    """Marks a route as open to anyone; the authorisation matrix accepts it as declared."""
