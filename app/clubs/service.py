"""Clubs (社团 / 课程超市): catalogue, selection rounds, first come with a waitlist, and the lottery.

A seat is taken by one conditional UPDATE (`enrolled_count < capacity`), in the same transaction
as the enrolment row, so hundreds of guardians tapping in the same second can never oversell a
club; the unique (club, child) row means a child never holds the same club twice.
"""

import logging
import random
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import NamedTuple, TypeVar

from sqlalchemy import bindparam, case, func, insert, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from app.clubs.models import (
    CATEGORIES, Club, ClubEnrollment, EnrollmentEvent, EnrollmentStatus, LotteryChoice, SelectionRound,
)
from app.clubs.schemas import ClubIn, ClubOut, DrawResult, EnrollmentOut, RoundIn, RoundOut, RosterRow
from app.core.clock import school_time, utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, NotFound
from app.core.media import image_file, remove_image, store_image
from app.core.signed_urls import sign_url
from app.enrollment.models import Application, AppStatus
from app.enrollment.service import published_plan
from app.notify.service import notify_guardians
from app.people.exposure import Disclosure
from app.people.models import Guardian, Guardianship, Staff, Student
from app.people.service import is_guardian_of, priorities_of, staff_names
from app.schools.models import SchoolClass, Term, class_name

log = logging.getLogger("kehou.clubs")
T = TypeVar("T")
HELD = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
RETRIES = 5


# ---------- catalogue ----------

def _check_teacher(session: Session, school_id: int, staff_id: int | None) -> None:
    if staff_id is None:
        return
    staff = session.get(Staff, staff_id)
    if staff is None or staff.school_id != school_id:
        raise AppError("STAFF_NOT_FOUND", "指导教师须为本校教职工", status_code=422,
                       fields={"teacher_staff_id": "不是本校教职工"})
    if not staff.is_active:
        raise AppError("STAFF_INACTIVE", f"{staff.name}已不在岗，不能指导社团", status_code=422,
                       fields={"teacher_staff_id": "该教职工已不在岗"})


def _check_service_days(session: Session, term: Term, weekdays: list[int]) -> None:
    """A club meets only on the published plan's service days (no plan yet: nothing to check against)."""
    plan = published_plan(session, term.id)
    outside = sorted(set(weekdays) - set(plan.weekdays)) if plan is not None else []
    if outside:
        names = "、".join("周" + "一二三四五六日"[d - 1] for d in outside)
        raise AppError("CLUB_OUTSIDE_SERVICE_DAYS", f"{names}不是本学期的课后服务日", status_code=422,
                       fields={"weekdays": f"{names}不是课后服务日"})


def save_club(*, session: Session, term: Term, data: ClubIn, club: Club | None = None) -> Club:
    """Create or edit a club. Raising the capacity gives the new seats to the waitlist at once, in order."""
    _check_teacher(session, term.school_id, data.teacher_staff_id)
    _check_service_days(session, term, data.weekdays)
    if club is not None:
        session.refresh(club, with_for_update=True)  # the enrolled count must not move under this check
    club = club or Club(school_id=term.school_id, term_id=term.id, name=data.name, category=data.category,
                        start_time=data.start_time, end_time=data.end_time, capacity=data.capacity)
    if data.capacity < club.enrolled_count:
        raise Conflict("CAPACITY_BELOW_ENROLLED", f"已有 {club.enrolled_count} 人选上，名额不能少于此数",
                       fields={"capacity": f"不能少于已选上的 {club.enrolled_count} 人"})
    for key, value in data.model_dump().items():
        setattr(club, key, value)
    session.add(club)
    try:
        session.flush()
        while club.id is not None and promote_next(session, club.id) is not None:
            pass
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("CLUB_EXISTS", "本学期已有同名社团", fields={"name": "同名社团已存在"}) from None
    session.refresh(club)
    return club


def close_club(*, session: Session, caller: Caller, club: Club) -> None:
    """Stop a club (停开): every child in it or waiting for it leaves, with the reason kept, and their
    guardians are told; the club and its history stay."""
    session.refresh(club, with_for_update=True)
    places = session.exec(select(ClubEnrollment).where(ClubEnrollment.club_id == club.id,
                                                       ClubEnrollment.status.in_(HELD))).all()
    for row in places:
        row.status, row.updated_at = EnrollmentStatus.DROPPED, utcnow()
        session.add(row)
        session.add(EnrollmentEvent(school_id=club.school_id, enrollment_id=row.id, action="club_closed",
                                    to_status=EnrollmentStatus.DROPPED, reason="社团停开",
                                    actor_account_id=caller.account_id))
        _notify_result(session, row, club, session.get(Student, row.student_id), "社团停开，已退出")
    club.is_active, club.enrolled_count = False, 0
    session.add(club)
    session.commit()


def club_outs(session: Session, clubs: list[Club], student: Student | None = None) -> list[ClubOut]:
    ids = [c.id for c in clubs]
    waiting = dict(session.exec(select(ClubEnrollment.club_id, func.count()).where(
        ClubEnrollment.club_id.in_(ids), ClubEnrollment.status == EnrollmentStatus.WAITLISTED)
        .group_by(ClubEnrollment.club_id)).all()) if ids else {}
    teacher_ids = {c.teacher_staff_id for c in clubs if c.teacher_staff_id}
    teachers = staff_names(session, teacher_ids)
    mine = {}
    if student is not None and ids:
        mine = dict(session.exec(select(ClubEnrollment.club_id, ClubEnrollment.status).where(
            ClubEnrollment.student_id == student.id, ClubEnrollment.club_id.in_(ids))).all())
    standing = child_standing(session, student_id=student.id, grade=session.get(SchoolClass, student.class_id).grade,
                              term_id=clubs[0].term_id) if student is not None and clubs else None
    out = []
    for club in clubs:
        reason = why_not(club, standing) if standing is not None else None
        out.append(ClubOut(
            id=club.id, term_id=club.term_id, name=club.name, category=club.category,
            category_label=CATEGORIES[club.category], description=club.description,
            teacher_staff_id=club.teacher_staff_id, teacher_name=teachers.get(club.teacher_staff_id), venue=club.venue,
            weekdays=club.weekdays, start_time=club.start_time, end_time=club.end_time, capacity=club.capacity,
            grades=club.grades, min_to_open=club.min_to_open, enrolled=club.enrolled_count,
            free_seats=max(0, club.capacity - club.enrolled_count), waitlisted=waiting.get(club.id, 0),
            cover_url=sign_url(cover_path(club)) if club.cover_path else None,
            may_choose=None if student is None else reason is None, reason=reason,
            my_status=mine.get(club.id)))
    return out


def cover_path(club: Club) -> str:
    return f"/api/v1/clubs/{club.id}/cover/{PurePosixPath(club.cover_path).name}"


def cover_file(session: Session, club_id: int, name: str) -> tuple:
    """The club's current cover (path, media type), if `name` is its file; an old link shows nothing."""
    club = session.get(Club, club_id)
    if club is None or not club.cover_path or PurePosixPath(club.cover_path).name != name:
        raise NotFound("PHOTO_NOT_FOUND", "该社团暂无封面")
    return image_file(club.cover_path, "该社团暂无封面")


def save_cover(*, session: Session, club: Club, data: bytes) -> Club:
    old = club.cover_path
    club.cover_path = store_image(data, f"clubs/{club.school_id}", what="封面图片")
    session.add(club)
    session.commit()
    remove_image(old)
    return club


def term_clubs(session: Session, term_id: int) -> list[Club]:
    return list(session.exec(select(Club).where(Club.term_id == term_id, Club.is_active == True)  # noqa: E712
                             .order_by(Club.category, Club.name)).all())


# ---------- rounds ----------

def round_out(row: SelectionRound) -> RoundOut:
    now = utcnow()
    return RoundOut(id=row.id, term_id=row.term_id, name=row.name, mode=row.mode, opens_at=row.opens_at,
                    closes_at=row.closes_at, drop_deadline=row.drop_deadline, max_per_child=row.max_per_child,
                    priority_first=row.priority_first, seed=row.seed, drawn_at=row.drawn_at,
                    is_open=row.opens_at <= now < row.closes_at)


def create_round(*, session: Session, term: Term, data: RoundIn) -> SelectionRound:
    """A new round; two rounds of one mode may not be open at once (which maximum would a tap obey?).
    A lottery for some families may run beside a first-come round."""
    overlapping = session.exec(select(SelectionRound).where(
        SelectionRound.term_id == term.id, SelectionRound.mode == data.mode,
        SelectionRound.opens_at < data.closes_at, SelectionRound.closes_at > data.opens_at)).first()
    if overlapping is not None:
        raise Conflict("ROUND_OVERLAPS", f"与「{overlapping.name}」的时间重叠",
                       fields={"opens_at": "与已有轮次重叠"})
    row = SelectionRound(school_id=term.school_id, term_id=term.id, **data.model_dump())
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def term_rounds(session: Session, term_id: int) -> list[SelectionRound]:
    return list(session.exec(select(SelectionRound).where(SelectionRound.term_id == term_id)
                             .order_by(SelectionRound.opens_at)).all())


class OpenRound(NamedTuple):
    id: int
    max_per_child: int


def _open_rounds(term_id, now, mode: str | None = None):
    """The term's rounds open at `now` (of `mode`, if given), the latest opened first: id and max_per_child."""
    rounds = SelectionRound.__table__.c
    query = select(rounds.id, rounds.max_per_child).where(rounds.term_id == term_id, rounds.opens_at <= now,
                                                          rounds.closes_at > now)
    return (query.where(rounds.mode == mode) if mode else query).order_by(rounds.opens_at.desc())


def open_round(session: Session, term_id: int, mode: str | None = None) -> OpenRound | None:
    """The round open now, the latest opened if several; None outside any."""
    row = session.connection().execute(_open_rounds(term_id, utcnow(), mode)).first()
    return OpenRound(*row) if row else None


# ---------- who may choose what ----------

def _clash(a: Club, b: Club) -> bool:
    return bool(set(a.weekdays) & set(b.weekdays)) and a.start_time < b.end_time and b.start_time < a.end_time


class HeldClub(NamedTuple):
    """A club a child holds or waits for (what clashes and the maximum need), and the place itself."""
    id: int
    name: str
    weekdays: list[int]
    start_time: str
    end_time: str
    place_id: int
    status: str
    queue_key: float


_held, _held_club = ClubEnrollment.__table__.c, Club.__table__.c
_HELD = (select(_held_club.id, _held_club.name, _held_club.weekdays, _held_club.start_time, _held_club.end_time,
                _held.id, _held.status, _held.queue_key)
         .join_from(ClubEnrollment.__table__, Club.__table__, _held_club.id == _held.club_id)
         # Statuses spelled out, not IN (…): an IN list is re-rendered into the SQL on every execution.
         .where(_held.student_id == bindparam("student_id"), _held.term_id == bindparam("term_id"),
                or_(*(_held.status == status for status in HELD))))


def _held_clubs(session: Session, student_id: int, term_id: int) -> list[HeldClub]:
    """The clubs a child holds or waits for this term, with their places."""
    session.flush()  # read in Core below: pending ORM changes must be visible to it
    return [HeldClub(*row) for row in session.connection().execute(_HELD, {"student_id": student_id,
                                                                           "term_id": term_id})]


@dataclass
class ChildStanding:
    """What decides which clubs a child may choose, read once (the catalogue asks for every club)."""
    grade: int
    approved: bool
    held: list[HeldClub]
    round_: OpenRound | None


def _approved(term_id, student_id):
    """Whether the child's application for the term is approved (an EXISTS, to select or to embed)."""
    return select(Application.id).where(Application.term_id == term_id, Application.student_id == student_id,
                                        Application.status == AppStatus.APPROVED).exists()


def _is_approved(session: Session, term_id: int, student_id: int) -> bool:
    return session.connection().execute(select(_approved(term_id, student_id))).scalar_one()


def child_standing(session: Session, *, student_id: int, grade: int, term_id: int) -> ChildStanding:
    """The child's standing in a term, under whichever round is open now (the catalogue's view)."""
    return ChildStanding(grade=grade, approved=_is_approved(session, term_id, student_id),
                         held=_held_clubs(session, student_id, term_id), round_=open_round(session, term_id))


def why_not(club, standing: ChildStanding) -> str | None:
    """Why this child may not choose this club (a Club or its Core row) now, in Chinese; None when they may."""
    if standing.grade not in club.grades:
        return "该社团不面向本年级"
    if not standing.approved:
        return "本学期课后服务申请尚未通过"
    held = [other for other in standing.held if other.id != club.id]
    clash = next((other for other in held if _clash(club, other)), None)
    if clash is not None:
        return f"与已选的「{clash.name}」时间冲突"
    if standing.round_ is not None and len(held) >= standing.round_.max_per_child:
        return f"每人最多选 {standing.round_.max_per_child} 个社团"
    return None


def guardian_child(session: Session, caller: Caller, student_id: int) -> Student:
    student = session.get(Student, student_id)
    if student is None or not (caller.as_guardian and is_guardian_of(session, caller.actor, student_id)):
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    return student


# ---------- first come ----------

def with_retries(session: Session, work: Callable[[], T]) -> T:
    """Run a transaction again when the database reports a retryable conflict (deadlock, lock time-out)."""
    for attempt in range(RETRIES):
        try:
            return work()
        except OperationalError as exc:
            session.rollback()
            if attempt == RETRIES - 1:
                log.error("giving up after %s retryable conflicts: %s", RETRIES, exc.orig)
                raise AppError("BUSY", "人数太多，请稍后再试", status_code=503) from None
            time.sleep(0.01 * (attempt + 1) * random.random())
    raise AssertionError("unreachable")


def _take_seat(session: Session, club_id: int) -> bool:
    """A seat, if one is free. Through the ORM, so Club objects in the session keep the right count."""
    taken = session.exec(update(Club).where(Club.id == club_id, Club.enrolled_count < Club.capacity)
                         .values(enrolled_count=Club.enrolled_count + 1)).rowcount
    return taken == 1


_PLACE = ClubEnrollment.__table__.c


def _ahead(club_id, queue_key, place_id):
    """How many wait before a place in its club's queue (a count, to run or to embed)."""
    return select(func.count()).select_from(ClubEnrollment.__table__).where(
        _PLACE.club_id == club_id, _PLACE.status == EnrollmentStatus.WAITLISTED,
        (_PLACE.queue_key < queue_key) | ((_PLACE.queue_key == queue_key) & (_PLACE.id < place_id)))


_AHEAD = _ahead(bindparam("club_id"), bindparam("queue_key"), bindparam("place_id"))


def _position(session: Session, club_id: int, place_id: int, status: str, queue_key: float) -> int | None:
    """A waiting place's position in its club's queue (1 = next to move up); None for any other status."""
    if status != EnrollmentStatus.WAITLISTED:
        return None
    ahead = session.connection().execute(_AHEAD, {"club_id": club_id, "queue_key": queue_key, "place_id": place_id})
    return ahead.scalar_one() + 1


def enrollment_out(session: Session, enrollment: ClubEnrollment, club: Club | None = None,
                   student: Student | None = None) -> EnrollmentOut:
    club = club or session.get(Club, enrollment.club_id)
    return _place_out(club, student or session.get(Student, enrollment.student_id), enrollment.id, enrollment.status,
                      _position(session, club.id, enrollment.id, enrollment.status, enrollment.queue_key))


def _place_out(club, child, place_id: int, status: str, position: int | None) -> EnrollmentOut:
    """`club` and `child` are anything with id and name (ORM objects, or Core rows on the hot path)."""
    return EnrollmentOut(id=place_id, club_id=club.id, club_name=club.name, student_id=child.id,
                         student_name=child.name, status=status, status_label=EnrollmentStatus.LABELS[status],
                         position=position)


# ----- the hot path (抢课): its statements are built once; building them per request cost more than running them.

class ChosenClub(NamedTuple):
    """The club being chosen, as the hot path reads it (what the rules and the answer need)."""
    id: int
    school_id: int
    term_id: int
    name: str
    grades: list[int]
    weekdays: list[int]
    start_time: str
    end_time: str
    is_active: bool


_CLUB, _STUDENT, _CLASS = Club.__table__, Student.__table__.c, SchoolClass.__table__.c
_ROUND = SelectionRound.__table__.alias("open_round")
_CLUB_COLUMNS = [_CLUB.c[name].label(f"club_{name}") for name in ChosenClub._fields]
# The club and the child (if the caller is their guardian, in the club's school), whether the child's application
# is approved and the club's open first-come round, in one statement; no row: no such club, or no such child.
# It locks the child's row: that serialises one child's own requests (a double tap, two guardians at once)
# without blocking other children, so the maximum and clashes hold. What the child holds is read after it, in a
# statement of its own: one that waited for the lock must see what the request before it wrote (a statement
# reads the database as it was when the statement began).
_CHILD = (
    select(*_CLUB_COLUMNS, _STUDENT.id, _STUDENT.name, _CLASS.grade,
           _approved(_CLUB.c.term_id, _STUDENT.id).label("approved"),
           _ROUND.c.id.label("round_id"), _ROUND.c.max_per_child)
    .select_from(_CLUB)
    .join(Student.__table__, (_STUDENT.id == bindparam("student_id")) & (_STUDENT.school_id == _CLUB.c.school_id))
    .join(SchoolClass.__table__, _CLASS.id == _STUDENT.class_id)
    .outerjoin(_ROUND, _ROUND.c.id == _open_rounds(_CLUB.c.term_id, bindparam("now"), "first_come")
               .with_only_columns(SelectionRound.id).limit(1).scalar_subquery())
    .where(_CLUB.c.id == bindparam("club_id"),
           select(Guardianship.id).join(Guardian, Guardian.id == Guardianship.guardian_id)
           .where(Guardianship.student_id == _STUDENT.id, Guardian.account_id == bindparam("account_id")).exists())
    .with_for_update(of=Student.__table__))
_CLUB_SCHOOL = select(_CLUB.c.school_id).where(_CLUB.c.id == bindparam("club_id"))

# Taking the place. Its parameters are named unlike any column: SQLAlchemy would add a parameter named after a
# column to an UPDATE's SET or an INSERT's values. A seat is one conditional UPDATE, so never oversold; the place
# is a new row or, for a child coming back to a club they left, their old row taken up again. Not a held one: a
# place someone else gave the child meanwhile (an admin's move) leaves no place row, and the choice is tried again.
_SEAT = update(_CLUB).where(_CLUB.c.id == bindparam("in_club"), _CLUB.c.enrolled_count < _CLUB.c.capacity).values(
    enrolled_count=_CLUB.c.enrolled_count + 1)


def _place(insert_into, status):
    new = insert_into(ClubEnrollment.__table__).values(
        school_id=bindparam("in_school"), term_id=bindparam("in_term"), club_id=bindparam("in_club"),
        student_id=bindparam("for_child"), round_id=bindparam("in_round"), status=status,
        queue_key=bindparam("queued_at"), created_at=bindparam("chosen_at"), updated_at=bindparam("chosen_at"))
    return new.on_conflict_do_update(index_elements=["club_id", "student_id"], set_={
        name: new.excluded[name] for name in ("round_id", "status", "queue_key", "updated_at")
    }, where=_PLACE.status == EnrollmentStatus.DROPPED).returning(_PLACE.id, _PLACE.status)


def _history(place_id, status) -> dict:
    """The history row of a choice."""
    return {"school_id": bindparam("in_school"), "enrollment_id": place_id, "action": literal("choose"),
            "to_status": status, "actor_account_id": bindparam("by_account"), "at": bindparam("chosen_at")}


# PostgreSQL takes the place in one statement: the seat, the place (enrolled if the seat was taken), its history
# row and, when waiting, its position. Each write sees the one before it through the WITH.
_seat = _SEAT.returning(_CLUB.c.id).cte("seat")
_new = _place(postgresql.insert, case((select(_seat.c.id).exists(), EnrollmentStatus.ENROLLED),
                                       else_=EnrollmentStatus.WAITLISTED)).cte("place")
_new_history = _history(_new.c.id, _new.c.status)
_TAKE_PLACE = select(_new.c.id, _new.c.status, case(
    (_new.c.status == EnrollmentStatus.WAITLISTED,
     _ahead(bindparam("in_club"), bindparam("queued_at"), _new.c.id).scalar_subquery() + 1))
).add_cte(insert(EnrollmentEvent.__table__).from_select(list(_new_history), select(*_new_history.values()))
          .cte("history"))
# SQLite has no writing WITH: the same writes one by one (its transactions run one at a time anyway).
_NEW_PLACE = _place(sqlite.insert, bindparam("as_status"))
_NEW_HISTORY = insert(EnrollmentEvent.__table__).values(_history(bindparam("place"), bindparam("as_status")))


def _take_place(conn, choice: dict) -> tuple[int, str, int | None] | None:
    """A seat or the waitlist, the place and its history: (place id, status, position when waiting). None when
    the child was given this club meanwhile (the transaction must then be rolled back)."""
    if conn.dialect.name == "postgresql":
        taken = conn.execute(_TAKE_PLACE, choice).first()
        return tuple(taken) if taken else None
    taken = conn.execute(_SEAT, choice).rowcount == 1
    status = EnrollmentStatus.ENROLLED if taken else EnrollmentStatus.WAITLISTED
    place_id = conn.execute(_NEW_PLACE, {**choice, "as_status": status}).scalar()
    if place_id is None:
        return None
    conn.execute(_NEW_HISTORY, {**choice, "place": place_id, "as_status": status})
    position = conn.execute(_AHEAD, {"club_id": choice["in_club"], "queue_key": choice["queued_at"],
                                     "place_id": place_id}).scalar_one() + 1 if not taken else None
    return place_id, status, position


def enroll(*, session: Session, caller: Caller, club_id: int, student_id: int,
           on_answer: Callable[[EnrollmentOut], None] | None = None) -> EnrollmentOut:
    """First come: a seat if one is free, else a place on the waitlist.

    `on_answer` is called with the answer inside the transaction, just before it commits (the route records
    its Idempotency-Key there).

    The busiest request of the term (抢课): one statement reads the club and the child's whole standing, one
    takes the place (three, one by one, on SQLite), in SQLAlchemy Core; the same rules as the catalogue's
    `why_not` (docs/benchmarks.md)."""
    if not (caller.as_guardian and caller.actor.guardian_ids):
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")

    def attempt() -> EnrollmentOut:
        conn = session.connection()
        child = conn.execute(_CHILD, {"club_id": club_id, "student_id": student_id, "account_id": caller.account_id,
                                      "now": utcnow()}).first()
        school_id = child.club_school_id if child else conn.execute(_CLUB_SCHOOL, {"club_id": club_id}).scalar()
        if school_id not in caller.visible_school_ids:
            raise NotFound(message="未找到该社团")
        if child is None:
            raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
        club = ChosenClub(*(child._mapping[c.name] for c in _CLUB_COLUMNS))
        if not club.is_active:
            raise AppError("CLUB_CLOSED", f"「{club.name}」已停开，不能再选", status_code=409)
        held = _held_clubs(session, child.id, club.term_id)
        mine = next((place for place in held if place.id == club.id), None)
        if mine is not None:  # a retry of the same choice: same answer, nothing written
            return _answered(session, on_answer, _place_out(club, child, mine.place_id, mine.status, _position(
                session, club.id, mine.place_id, mine.status, mine.queue_key)))
        if child.round_id is None:
            raise AppError("SELECTION_CLOSED", "现在不在选课时间内", status_code=409)
        reason = why_not(club, ChildStanding(grade=child.grade, approved=child.approved, held=held,
                                             round_=OpenRound(child.round_id, child.max_per_child)))
        if reason is not None:
            raise AppError("CLUB_NOT_ALLOWED", reason, status_code=409)

        now = utcnow()
        taken = _take_place(conn, {
            "in_club": club.id, "in_school": club.school_id, "in_term": club.term_id, "for_child": child.id,
            "in_round": child.round_id, "queued_at": now.timestamp(), "chosen_at": now,
            "by_account": caller.account_id})
        if taken is None:  # given this club meanwhile (an admin's move): look again
            session.rollback()
            return attempt()
        _forget_seats(session, club.id)
        return _answered(session, on_answer, _place_out(club, child, *taken))

    return with_retries(session, attempt)


def _forget_seats(session: Session, club_id: int) -> None:
    """The seat count moved in Core: a Club object the session already holds must not show the old one."""
    club = session.identity_map.get(session.identity_key(Club, club_id))
    if club is not None:
        session.expire(club, ["enrolled_count"])


def _answered(session: Session, on_answer: Callable[[EnrollmentOut], None] | None,
              out: EnrollmentOut) -> EnrollmentOut:
    """Commit the choice, its answer first shown to `on_answer` inside the same transaction."""
    if on_answer is not None:
        on_answer(out)
    session.commit()
    return out


def drop(*, session: Session, caller: Caller, club: Club, student_id: int) -> EnrollmentOut:
    """The guardian leaves a club (or its waitlist) before the drop deadline; the next in line moves up.
    Dropping again (a double tap, a retry) answers with the dropped place and frees nothing more."""
    student = guardian_child(session, caller, student_id)

    def attempt() -> ClubEnrollment:
        # Locked, so two simultaneous drops of one place cannot both free a seat.
        row = session.exec(select(ClubEnrollment).where(ClubEnrollment.club_id == club.id,
                                                        ClubEnrollment.student_id == student.id)
                           .with_for_update()).first()
        if row is None:
            raise NotFound("ENROLLMENT_NOT_FOUND", "孩子没有选这个社团")
        if row.status not in HELD:
            session.rollback()
            return row
        deadline = session.exec(select(SelectionRound.drop_deadline).where(SelectionRound.id == row.round_id)
                                ).first() if row.round_id else None
        if deadline is not None and utcnow() > deadline:
            raise AppError("DROP_CLOSED", "已过退选截止时间，请联系学校", status_code=409)
        release_place(session, row, action="drop", actor_account_id=caller.account_id)
        session.commit()
        return row

    return enrollment_out(session, with_retries(session, attempt))


def release_place(session: Session, row: ClubEnrollment, *, action: str, actor_account_id: int | None,
                  reason: str | None = None) -> None:
    """Mark a place dropped; a freed seat goes to the first on the waitlist, exactly once."""
    was_enrolled = row.status == EnrollmentStatus.ENROLLED
    row.status, row.updated_at = EnrollmentStatus.DROPPED, utcnow()
    session.add(row)
    session.add(EnrollmentEvent(school_id=row.school_id, enrollment_id=row.id, action=action,
                                to_status=EnrollmentStatus.DROPPED, reason=reason, actor_account_id=actor_account_id))
    if was_enrolled:
        session.exec(update(Club).where(Club.id == row.club_id).values(enrolled_count=Club.enrolled_count - 1))
        promote_next(session, row.club_id)


def promote_next(session: Session, club_id: int) -> ClubEnrollment | None:
    """Give a free seat to the first waiting child (and tell their guardians)."""
    club = session.get(Club, club_id)
    candidates = session.exec(select(ClubEnrollment).where(
        ClubEnrollment.club_id == club_id, ClubEnrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(ClubEnrollment.queue_key, ClubEnrollment.id).with_for_update()).all()
    for candidate in candidates:
        student = session.get(Student, candidate.student_id)
        others = _held_clubs(session, student.id, club.term_id)
        if any(_clash(club, other) for other in others if other.id != club.id):
            continue
        if not _take_seat(session, club_id):
            return None
        candidate.status, candidate.updated_at = EnrollmentStatus.ENROLLED, utcnow()
        session.add(candidate)
        session.add(EnrollmentEvent(school_id=club.school_id, enrollment_id=candidate.id, action="promote",
                                    to_status=EnrollmentStatus.ENROLLED, reason="候补递补"))
        _notify_result(session, candidate, club, student, "候补成功，已选上")
        return candidate
    return None


def _notify_result(session: Session, row: ClubEnrollment, club: Club, student: Student, result: str) -> None:
    notify_guardians(session, student_id=student.id, school_id=club.school_id, event="club_result",
                     data={"student_name": student.name, "club_name": club.name, "result": result},
                     dedupe_key=f"club:{row.id}:{row.status}:{int(row.updated_at.timestamp() * 1000)}")


def move(*, session: Session, caller: Caller, row: ClubEnrollment, to_club: Club | None, reason: str) -> list:
    """An admin moves a child out of a club, or into another one, with a reason kept in history."""
    if row.status not in HELD:
        raise Conflict("ENROLLMENT_NOT_HELD", "该学生已不在此社团")
    if to_club is not None:
        if to_club.term_id != row.term_id:
            raise AppError("CLUB_OTHER_TERM", "只能调到同一学期的社团", status_code=422)
        existing = session.exec(select(ClubEnrollment).where(ClubEnrollment.club_id == to_club.id,
                                                             ClubEnrollment.student_id == row.student_id)).first()
        if existing is not None and existing.status in HELD:
            raise Conflict("ALREADY_IN_CLUB", "该学生已在目标社团")
    release_place(session, row, action="move_out", actor_account_id=caller.account_id, reason=reason)
    moved = None
    if to_club is not None:
        if not _take_seat(session, to_club.id):
            session.rollback()
            raise Conflict("CLUB_FULL", f"「{to_club.name}」已满")
        moved = existing or ClubEnrollment(school_id=to_club.school_id, term_id=to_club.term_id, club_id=to_club.id,
                                           student_id=row.student_id, status=EnrollmentStatus.ENROLLED)
        moved.status, moved.updated_at, moved.round_id = EnrollmentStatus.ENROLLED, utcnow(), row.round_id
        session.add(moved)
        session.flush()
        session.add(EnrollmentEvent(school_id=to_club.school_id, enrollment_id=moved.id, action="move_in",
                                    to_status=EnrollmentStatus.ENROLLED, reason=reason,
                                    actor_account_id=caller.account_id))
    session.commit()
    return [enrollment_out(session, r) for r in (row, moved) if r is not None]


# ---------- lottery ----------

def set_choices(*, session: Session, caller: Caller, round_: SelectionRound, student_id: int,
                club_ids: list[int]) -> list[ClubOut]:
    student = guardian_child(session, caller, student_id)
    now = utcnow()
    if round_.mode != "lottery" or not (round_.opens_at <= now < round_.closes_at):
        raise AppError("SELECTION_CLOSED", "现在不在摇号志愿填报时间内", status_code=409)
    clubs = [session.get(Club, club_id) for club_id in club_ids]
    grade = session.get(SchoolClass, student.class_id).grade
    for club in clubs:
        if club is None or club.term_id != round_.term_id or not club.is_active:
            raise NotFound("CLUB_NOT_FOUND", "未找到该社团")
        if grade not in club.grades:
            raise AppError("CLUB_NOT_ALLOWED", f"「{club.name}」不面向{class_name(grade, 1)[:3]}", status_code=409)
    if not _is_approved(session, round_.term_id, student.id):
        raise AppError("CLUB_NOT_ALLOWED", "本学期课后服务申请尚未通过", status_code=409)
    for old in session.exec(select(LotteryChoice).where(LotteryChoice.round_id == round_.id,
                                                        LotteryChoice.student_id == student.id)).all():
        session.delete(old)
    session.flush()
    for rank, club in enumerate(clubs, start=1):
        session.add(LotteryChoice(school_id=round_.school_id, round_id=round_.id, student_id=student.id,
                                  club_id=club.id, rank=rank))
    session.commit()
    return club_outs(session, clubs, student)


def saved_choices(session: Session, round_: SelectionRound, student_id: int) -> list[Club]:
    return list(session.exec(select(Club).join(LotteryChoice, LotteryChoice.club_id == Club.id).where(
        LotteryChoice.round_id == round_.id, LotteryChoice.student_id == student_id)
        .order_by(LotteryChoice.rank)).all())


def draw(*, session: Session, round_: SelectionRound, seed: str | None) -> DrawResult:
    """Reproducible from the recorded seed: first choices are filled before second ones, priority groups
    first when the round says so, within capacity, clashes and the per-child maximum; the rest wait."""
    if round_.mode != "lottery":
        raise AppError("NOT_A_LOTTERY", "该轮不是摇号", status_code=409)
    if utcnow() < round_.closes_at:
        raise AppError("LOTTERY_TOO_EARLY", "志愿填报截止后才能摇号", status_code=409)
    if round_.drawn_at is not None:
        drawn = school_time(round_.drawn_at)
        raise Conflict("LOTTERY_DRAWN", f"已于 {drawn:%Y-%m-%d %H:%M} 摇号，种子 {round_.seed}")
    seed = seed or secrets.token_hex(8)
    placements = plan_draw(session, round_, seed)
    clubs = {c.id: c for c in term_clubs(session, round_.term_id)}
    for club_id, student_id, status, queue_key in placements:
        if status == EnrollmentStatus.ENROLLED:
            _take_seat(session, club_id)
        row = session.exec(select(ClubEnrollment).where(ClubEnrollment.club_id == club_id,
                                                        ClubEnrollment.student_id == student_id)).first() \
            or ClubEnrollment(school_id=round_.school_id, term_id=round_.term_id, club_id=club_id,
                              student_id=student_id, status=status)
        row.status, row.round_id, row.queue_key, row.updated_at = status, round_.id, queue_key, utcnow()
        session.add(row)
        session.flush()
        session.add(EnrollmentEvent(school_id=round_.school_id, enrollment_id=row.id, action="lottery",
                                    to_status=status, reason=f"摇号种子 {seed}"))
        _notify_result(session, row, clubs[club_id], session.get(Student, student_id), EnrollmentStatus.LABELS[status])
    round_.seed, round_.drawn_at = seed, utcnow()
    session.add(round_)
    session.commit()
    return draw_result(session, round_)


def plan_draw(session: Session, round_: SelectionRound, seed: str) -> list[tuple[int, int, str, float]]:
    """The placements (club, child, status, waiting order) a seed gives; writes nothing."""
    rng = random.Random(seed)
    clubs = {c.id: c for c in term_clubs(session, round_.term_id)}
    choices: dict[int, list[int]] = defaultdict(list)
    for row in session.exec(select(LotteryChoice).where(LotteryChoice.round_id == round_.id)
                            .order_by(LotteryChoice.student_id, LotteryChoice.rank)).all():
        if row.club_id in clubs:
            choices[row.student_id].append(row.club_id)
    students = {s.id: s for s in session.exec(select(Student).where(Student.id.in_(list(choices)))).all()} \
        if choices else {}
    priority = {sid for sid, s in students.items() if priorities_of(s)} if round_.priority_first else set()
    seats = {cid: c.capacity - c.enrolled_count for cid, c in clubs.items()}
    held: dict[int, list[Club]] = defaultdict(lambda: [])
    for student_id in choices:
        held[student_id] = _held_clubs(session, student_id, round_.term_id)
    placements: list[tuple[int, int, str, float]] = []
    waiting: list[tuple[int, int, float]] = []
    for rank in range(max((len(c) for c in choices.values()), default=0)):
        by_club: dict[int, list[int]] = defaultdict(list)
        for student_id in sorted(choices):
            if rank < len(choices[student_id]):
                by_club[choices[student_id][rank]].append(student_id)
        for club_id in sorted(by_club):
            candidates = by_club[club_id]
            rng.shuffle(candidates)
            candidates.sort(key=lambda sid: sid not in priority)  # stable: the shuffle decides within a group
            club = clubs[club_id]
            for order, student_id in enumerate(candidates):
                mine = held[student_id]
                if len(mine) >= round_.max_per_child or any(_clash(club, other) for other in mine):
                    continue
                if seats[club_id] > 0:
                    seats[club_id] -= 1
                    mine.append(club)
                    placements.append((club_id, student_id, EnrollmentStatus.ENROLLED, 0.0))
                else:
                    waiting.append((club_id, student_id, rank * 100_000 + order))
    # A child who got as many clubs as allowed does not also wait for more.
    for club_id, student_id, queue_key in waiting:
        mine = held[student_id]
        if len(mine) < round_.max_per_child and not any(_clash(clubs[club_id], other) for other in mine):
            placements.append((club_id, student_id, EnrollmentStatus.WAITLISTED, float(queue_key)))
    return placements


def draw_result(session: Session, round_: SelectionRound) -> DrawResult:
    rows = session.exec(select(ClubEnrollment, Student.name).join(Student, Student.id == ClubEnrollment.student_id)
                        .where(ClubEnrollment.round_id == round_.id)
                        .order_by(ClubEnrollment.club_id, ClubEnrollment.queue_key, ClubEnrollment.id)).all()
    lists: dict[int, dict] = {}
    for club in term_clubs(session, round_.term_id):
        lists[club.id] = {"club_id": club.id, "name": club.name, "enrolled": [], "waitlisted": []}
    for row, name in rows:
        if row.status in HELD and row.club_id in lists:
            lists[row.club_id][row.status].append(name)
    return DrawResult(round_id=round_.id, seed=round_.seed or "", clubs=list(lists.values()))


# ---------- rosters ----------

def may_read_roster(caller: Caller, club: Club) -> bool:
    """Admins read every roster of their school; a teacher only those of the clubs they lead."""
    return caller.actor.has_role(club.school_id, "admin") or (
        club.teacher_staff_id is not None and club.teacher_staff_id == caller.actor.staff_id(club.school_id))


def led_clubs(session: Session, term: Term, staff_id: int | None) -> list[Club]:
    """The term's open clubs this staff member leads."""
    return [c for c in term_clubs(session, term.id) if staff_id is not None and c.teacher_staff_id == staff_id]


def roster(session: Session, club: Club, *, shown: Disclosure) -> list[RosterRow]:
    """The club's children with their class and guardians; phones as `shown` lets the caller read them."""
    rows = session.exec(select(ClubEnrollment, Student, SchoolClass)
                        .join(Student, Student.id == ClubEnrollment.student_id)
                        .join(SchoolClass, SchoolClass.id == Student.class_id)
                        .where(ClubEnrollment.club_id == club.id, ClubEnrollment.status.in_(HELD))
                        .order_by(ClubEnrollment.status, SchoolClass.grade, SchoolClass.number,
                                  ClubEnrollment.queue_key)).all()
    contacts: dict[int, list[str]] = defaultdict(list)
    class_of = {s.id: s.class_id for _, s, _ in rows}
    if class_of:
        for link, guardian in session.exec(select(Guardianship, Guardian).join(
                Guardian, Guardian.id == Guardianship.guardian_id).where(Guardianship.student_id.in_(class_of))
                .order_by(Guardianship.id)).all():
            phone = shown.phone(guardian.phone, student_id=link.student_id, class_id=class_of[link.student_id],
                                guardian_id=guardian.id)
            contacts[link.student_id].append(f"{link.relation} {guardian.name} {phone}")
    # Positions follow from the whole waitlist, which is all here: no query per waiting child.
    waiting = sorted((e for e, _, _ in rows if e.status == EnrollmentStatus.WAITLISTED),
                     key=lambda e: (e.queue_key, e.id))
    positions = {e.id: n for n, e in enumerate(waiting, start=1)}
    return [RosterRow(student_id=s.id, student_name=s.name, class_name=class_name(c.grade, c.number), status=e.status,
                      position=positions.get(e.id), guardians=contacts[s.id]) for e, s, c in rows]


def child_enrollments(session: Session, student_id: int) -> list[EnrollmentOut]:
    rows = session.exec(select(ClubEnrollment).where(ClubEnrollment.student_id == student_id,
                                                     ClubEnrollment.status.in_(HELD))
                        .order_by(ClubEnrollment.id)).all()
    return [enrollment_out(session, r) for r in rows]
