"""Who is calling, and may they call this route?

Every route declares its policy with one of:

    caller: Caller = Depends(allow("admin", "class_head"))   # these roles, in their schools
    caller: Caller = Depends(allow_any_account)              # anyone logged in
    dependencies=[Depends(public)]                           # no login (health, login itself)

An `async` route that does all its database work in one thread hop (the club rush) declares
`Depends(allow_in_unit_of_work(...))` instead and runs that work with `.run(work)`.

`tests/test_authorization_matrix.py` walks every route and fails on one without a policy.
A `Caller` carries the schools where the caller holds one of the route's roles; services
filter every query by them, so another school's object is simply "not found" (404).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI, Request
from sqlalchemy import bindparam, literal_column, null, union_all
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.db import get_session
from app.core.errors import Forbidden, NotAuthenticated
from app.core.security import bearer_token, request_account_id
from app.people.models import STAFF_ROLES, DistrictOfficial, Guardian, Staff
from app.schools.models import School

SessionDep = Annotated[Session, Depends(get_session)]
T = TypeVar("T")

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
    # school_id → their name on that school's staff list (what releases, patrols and reports say).
    staff_names: dict[int, str] = field(default_factory=dict)
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


# Who the caller is, read on every request: one statement, built once, with the account id as its
# parameter. One row per thing the account is (its staff posts, guardian records, district schools),
# told apart by `kind`; no "account" row means no such active account.
_ME = bindparam("account_id")
_NOTHING = null()
_ACTOR = union_all(
    # First: a UNION's columns take their types from its first SELECT, and `roles` is JSON.
    select(literal_column("'staff'").label("kind"), Staff.id, Staff.school_id, Staff.roles,
           Staff.name.label("name")).where(Staff.account_id == _ME, Staff.is_active == True),  # noqa: E712
    select(literal_column("'account'"), Account.id, _NOTHING, _NOTHING, Account.display_name).where(
        Account.id == _ME, Account.is_active == True),  # noqa: E712
    select(literal_column("'guardian'"), Guardian.id, Guardian.school_id, _NOTHING, _NOTHING).where(
        Guardian.account_id == _ME),
    select(literal_column("'district'"), _NOTHING, School.id, _NOTHING, _NOTHING).join(
        DistrictOfficial, DistrictOfficial.district_id == School.district_id).where(DistrictOfficial.account_id == _ME),
)


def load_actor(session: Session, account_id: int) -> Actor | None:
    rows = session.connection().execute(_ACTOR, {"account_id": account_id}).all()
    account = next((row for row in rows if row.kind == "account"), None)
    if account is None:
        return None
    of = {kind: [row for row in rows if row.kind == kind] for kind in ("staff", "guardian", "district")}
    return Actor(
        account_id=account.id,
        name=account.name,
        staff={row.school_id: (row.id, frozenset(row.roles or [])) for row in of["staff"]},
        staff_names={row.school_id: row.name for row in of["staff"]},
        guardian_ids=tuple(row.id for row in of["guardian"]),
        guardian_school_ids=frozenset(row.school_id for row in of["guardian"]),
        district_school_ids=frozenset(row.school_id for row in of["district"]),
    )


def current_actor(request: Request, session: SessionDep) -> Actor:
    account_id = request_account_id(request.scope)
    actor = load_actor(session, account_id) if account_id is not None else None
    if actor is None:
        raise _not_authenticated(request)
    request.state.account_id = actor.account_id
    return actor


def _not_authenticated(request: Request) -> NotAuthenticated:
    return NotAuthenticated(message="登录已失效，请重新登录" if bearer_token(request.scope) else "请先登录")


class Policy:
    """A route's declared audience. Instances are FastAPI dependencies returning a Caller."""

    def __init__(self, roles: Iterable[str]):
        self.roles = frozenset(roles)
        unknown = self.roles - ALL_ROLES
        if unknown:
            raise ValueError(f"unknown roles {unknown}")

    # async: no I/O here, so FastAPI runs it on the event loop instead of hopping to a thread.
    async def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Caller:
        return self.admit(actor)

    def admit(self, actor: Actor) -> Caller:
        school_ids = actor.schools_with(self.roles)
        as_guardian = GUARDIAN in self.roles and bool(actor.guardian_ids)
        if not school_ids and not as_guardian:
            raise Forbidden()
        return Caller(actor=actor, school_ids=school_ids, as_guardian=as_guardian)

    def __repr__(self) -> str:
        return f"allow({', '.join(sorted(self.roles))})"


def allow(*roles: str) -> Policy:
    return Policy(roles)


class PolicyInUnitOfWork(Policy):
    """The same audience, for an `async` route that does all its database work in one thread hop: under a rush a
    hop costs more than the check itself (docs/benchmarks.md). The token needs no database, so it is checked here,
    on the event loop (401 at once); the rest is checked in that hop by `Admission.run` (401 for a closed account,
    403 for the wrong roles), before the work is given the caller."""

    async def __call__(self, request: Request) -> "Admission":
        if request_account_id(request.scope) is None:
            raise _not_authenticated(request)
        return Admission(self, request)


@dataclass(frozen=True)
class Admission:
    """A request with a valid token, on its way through a `PolicyInUnitOfWork`."""

    policy: Policy
    request: Request

    async def run(self, work: Callable[[Session, Caller], T]) -> T:
        """`work(session, caller)` in one thread hop, with a session of its own (from `app.state.session_factory`,
        which tests point at their rolled-back session) and the caller, once the policy admits them."""
        def unit() -> T:
            with self.request.app.state.session_factory() as session:
                return work(session, self.policy.admit(current_actor(self.request, session)))
        return await to_thread.run_sync(unit, limiter=_units_of_work(self.request.app))


# Units of work run at most this many at a time; the rest wait on the event loop, holding nothing. A few keep the
# process's one core busy (their database round trips take well under a millisecond); more only queue for Python's
# interpreter lock and for the same rows: in the 抢课 benchmark 8 at once served about a quarter more than 36.
UNITS_OF_WORK_AT_ONCE = 8


def _units_of_work(app: FastAPI) -> CapacityLimiter:
    """The app's limiter, made on first use, inside the loop that serves it."""
    if not hasattr(app.state, "units_of_work"):
        app.state.units_of_work = CapacityLimiter(UNITS_OF_WORK_AT_ONCE)
    return app.state.units_of_work


def allow_in_unit_of_work(*roles: str) -> PolicyInUnitOfWork:
    return PolicyInUnitOfWork(roles)


def allow_any_account(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Any logged-in account, even one with no role yet (e.g. a parent about to bind a child)."""
    return actor


def public() -> None:
    """Marks a route as open to anyone; the authorisation matrix accepts it as declared."""
