"""Care groups (临时班): teachers' offers to tutor (教师自愿申请), building the term's groups, hand moves.

The rules come from the seeds ("同个班级超过30个人的…看班；没有满30人的，则安排同一年段的学生在同一个班级";
"规模不超过45人的临时班"; "按每25人/班配置一名辅导老师"), each a per-school setting:

- a class with `class_keeps_group_at` (30) or more staying children keeps its own group;
- smaller classes of a grade merge into as few groups as fit under `group_max` (45), whole classes
  together wherever they fit, a class split only when it fits nowhere whole;
- each group gets, for every weekday of the plan, one tutor per `children_per_tutor` (25) children
  staying that weekday, from the staff who volunteered for that weekday.

A rebuild never moves a child already in a group, whether the build or an admin put them there:
children no longer approved leave, newcomers join a group of their class with room, else one of
their grade with room, else a new group. Tutors already on the rota stay. Everything is read with a
handful of queries and written in bulk, so the 960-child demo school builds in milliseconds
(docs/benchmarks.md).
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from sqlalchemy import Integer, bindparam, delete, func, insert, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.attendance.models import ServiceSession
from app.calendar.service import WEEKDAY_NAMES
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor, TutorOffer
from app.caregroups.schemas import (
    AssignmentOut, BuildOut, CareGroupDetail, CareGroupOut, CareGroupsOut, CareGroupUpdate, GroupDayOut,
    GroupWarning, MemberOut, MoveOut, TutorOfferIn, TutorOfferOut, TutorOut, TutorSlotIn,
)
from app.clubs.models import Club
from app.core.clock import utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.core.scope import get_in_schools
from app.enrollment.models import Application, AppStatus
from app.enrollment.service import published_plan
from app.people.models import Staff, Student
from app.people.photos import photo_link
from app.schools.models import GRADE_NAMES, SchoolClass, SchoolRules, Term, class_name
from app.schools.service import school_rules

BUILD, HAND = "build", "hand"
# Who may volunteer: anyone who teaches or leads; the guard keeps the gate.
TUTOR_ROLES = frozenset({"admin", "teacher", "class_head", "duty_leader"})
DEFAULT_WEEKDAYS = [1, 2, 3, 4, 5]


def plan_weekdays(session: Session, term_id: int) -> list[int]:
    """The published plan's weekdays; Monday–Friday before a plan is published."""
    plan = published_plan(session, term_id)
    return sorted(plan.weekdays) if plan is not None else list(DEFAULT_WEEKDAYS)


def _lock_term(session: Session, term: Term) -> None:
    """Builds, hand moves and tutor changes of one term run one at a time (a row lock on PostgreSQL)."""
    session.exec(select(Term.id).where(Term.id == term.id).with_for_update()).first()


def _insert_rows(session: Session, model, same: dict, **columns: list[int]) -> None:
    """Insert one row per position of the integer `columns` lists, with the `same` values in every row.

    On PostgreSQL it is one INSERT … SELECT unnest(array, …): a statement per row (psycopg's
    executemany) or a thousand-row VALUES list costs more to send and to parse than the build itself."""
    table = model.__table__
    count = len(next(iter(columns.values())))
    if count == 0:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        arrays = [func.unnest(bindparam(name, values, type_=ARRAY(Integer))) for name, values in columns.items()]
        constants = [literal(value, type_=table.c[name].type) for name, value in same.items()]
        conn.execute(insert(table).from_select([*same, *columns], select(*constants, *arrays)))
    else:
        conn.execute(insert(table), [{**same, **dict(zip(columns, values))} for values in zip(*columns.values())])


def _day(weekday: int) -> str:
    return WEEKDAY_NAMES.get(weekday, f"周{weekday}")


def get_group(*, session: Session, group_id: int, school_ids: frozenset[int]) -> CareGroup:
    return get_in_schools(session, CareGroup, group_id, school_ids, message="未找到该看护班")


# ---------- tutor offers ----------

def _offer_staff(session: Session, caller: Caller, term: Term, staff_id: int) -> Staff:
    """The staff member an offer is for: oneself, or anyone of the school for its admin."""
    staff = get_in_schools(session, Staff, staff_id, frozenset({term.school_id}), message="未找到该教职工")
    if staff.id != caller.actor.staff_id(term.school_id) and not caller.actor.has_role(term.school_id, "admin"):
        raise Forbidden("OFFER_NOT_YOURS", "只能为自己申请或撤回看护")
    return staff


def save_offer(*, session: Session, caller: Caller, term: Term, staff_id: int, data: TutorOfferIn) -> TutorOfferOut:
    """Volunteer to tutor on the weekdays given; a second call replaces the first.

    Days the plan does not serve are kept (the plan may change) but never used by a build."""
    staff = _offer_staff(session, caller, term, staff_id)
    if not staff.is_active:
        raise AppError("STAFF_INACTIVE", f"{staff.name}已不在岗，不能申请看护", status_code=422)
    if not TUTOR_ROLES & set(staff.roles):
        raise AppError("STAFF_CANNOT_TUTOR", f"{staff.name}不是教师，不能申请看护", status_code=422)
    offer = session.exec(select(TutorOffer).where(TutorOffer.term_id == term.id, TutorOffer.staff_id == staff.id)
                         ).first() or TutorOffer(school_id=term.school_id, term_id=term.id, staff_id=staff.id)
    offer.weekdays, offer.note, offer.updated_at = list(data.weekdays), data.note, utcnow()
    session.add(offer)
    try:
        session.commit()
    except IntegrityError:  # the same person's offer saved at the same moment from two devices
        session.rollback()
        raise Conflict("OFFER_CHANGED", "看护申请刚被修改，请刷新后重试") from None
    return offer_outs(session, term, [offer])[0]


def withdraw_offer(*, session: Session, caller: Caller, term: Term, staff_id: int) -> None:
    """Withdraw an offer. The rota keeps the person until the admin rebuilds or changes it (the group
    is not left without a tutor overnight); the group's warnings say so meanwhile."""
    staff = _offer_staff(session, caller, term, staff_id)
    session.exec(delete(TutorOffer).where(TutorOffer.term_id == term.id, TutorOffer.staff_id == staff.id))
    session.commit()


def get_offer(*, session: Session, caller: Caller, term: Term, staff_id: int) -> TutorOfferOut:
    staff = _offer_staff(session, caller, term, staff_id)
    offer = session.exec(select(TutorOffer).where(TutorOffer.term_id == term.id, TutorOffer.staff_id == staff.id)
                         ).first()
    if offer is None:
        raise NotFound("OFFER_NOT_FOUND", f"{staff.name}本学期尚未申请看护")
    return offer_outs(session, term, [offer])[0]


def term_offers(*, session: Session, term: Term) -> list[TutorOfferOut]:
    offers = session.exec(select(TutorOffer).where(TutorOffer.term_id == term.id).order_by(TutorOffer.staff_id)).all()
    return offer_outs(session, term, list(offers))


def offer_outs(session: Session, term: Term, offers: list[TutorOffer]) -> list[TutorOfferOut]:
    ids = [o.staff_id for o in offers]
    if not ids:
        return []
    staff = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(ids))).all()}
    assignments: dict[int, list[AssignmentOut]] = defaultdict(list)
    for staff_id, group_id, group_name, weekday in session.exec(
            select(CareGroupTutor.staff_id, CareGroup.id, CareGroup.name, CareGroupTutor.weekday)
            .join(CareGroup, CareGroup.id == CareGroupTutor.group_id)
            .where(CareGroup.term_id == term.id, CareGroupTutor.staff_id.in_(ids))
            .order_by(CareGroupTutor.weekday, CareGroup.name)).all():
        assignments[staff_id].append(AssignmentOut(group_id=group_id, group_name=group_name, weekday=weekday))
    return [TutorOfferOut(staff_id=o.staff_id, staff_name=staff[o.staff_id].name, roles=staff[o.staff_id].roles,
                          weekdays=sorted(o.weekdays), note=o.note, updated_at=o.updated_at,
                          assignments=assignments[o.staff_id]) for o in offers]


# ---------- building ----------

@dataclass
class _Group:
    """A group while it is being planned: an existing row, or one the build is about to open."""

    grade: int
    class_ids: list[int]
    members: set[int] = field(default_factory=set)
    joined: list[int] = field(default_factory=list)  # children placed by this build
    row: CareGroup | None = None

    def space(self, group_max: int) -> int:
        return group_max - len(self.members)

    def take(self, class_id: int, kids: list[int]) -> None:
        self.members.update(kids)
        self.joined.extend(kids)
        if class_id not in self.class_ids:
            self.class_ids.append(class_id)


@dataclass
class BuildStats:
    groups_created: int = 0
    groups_removed: int = 0
    newly_placed: int = 0
    left: int = 0
    tutors_added: int = 0
    tutors_released: int = 0


def _pour(targets: list[_Group], class_id: int, kids: list[int], group_max: int) -> list[int]:
    """Put children into the targets with the most room first; the ones that did not fit are returned."""
    kids = list(kids)
    while kids:
        best = max(targets, key=lambda g: g.space(group_max), default=None)
        if best is None or best.space(group_max) <= 0:
            break
        part, kids = kids[:best.space(group_max)], kids[best.space(group_max):]
        best.take(class_id, part)
    return kids


def _pack(grade: int, chunks: list[tuple[int, list[int]]], group_max: int) -> list[_Group]:
    """As few new groups as hold all the chunks (one class's children each), whole chunks wherever they fit.

    Two ways of choosing where a whole chunk goes are tried — the emptiest group (even sizes) and the
    tightest fit — and the one splitting fewer classes wins, the even one on a tie.
    """
    count = math.ceil(sum(len(kids) for _, kids in chunks) / group_max)
    largest_first = sorted(chunks, key=lambda c: -len(c[1]))

    def attempt(choose: Callable[[list[_Group]], _Group]) -> tuple[int, list[_Group]]:
        groups = [_Group(grade=grade, class_ids=[]) for _ in range(count)]
        splits = 0
        for class_id, kids in largest_first:
            fits = [g for g in groups if g.space(group_max) >= len(kids)]
            if fits:
                choose(fits).take(class_id, kids)
            else:
                splits += 1
                _pour(groups, class_id, kids, group_max)
        return splits, groups

    even = attempt(lambda fits: max(fits, key=lambda g: g.space(group_max)))
    tight = attempt(lambda fits: min(fits, key=lambda g: g.space(group_max)))
    return tight[1] if tight[0] < even[0] else even[1]


def plan_placements(newcomers: Iterable[tuple[int, int, int]], groups: list[_Group], rules: SchoolRules
                    ) -> list[_Group]:
    """Place each newcomer (student id, class id, grade) and return the groups that had to be opened.

    Existing groups take newcomers of their classes, then of their grade; a class with enough
    newcomers and no group of its own gets one (so a first build gives every class of 30 its own);
    the rest of a grade is packed into new merged groups.
    """
    cap, keeps_at = rules.group_max, rules.class_keeps_group_at
    existing = list(groups)
    by_class: dict[int, list[int]] = defaultdict(list)
    grade_of: dict[int, int] = {}
    for student_id, class_id, grade in newcomers:
        by_class[class_id].append(student_id)
        grade_of[class_id] = grade
    opened: list[_Group] = []
    leftovers: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for class_id, kids in by_class.items():
        own = [g for g in existing if class_id in g.class_ids]
        kids = _pour(own, class_id, kids, cap)
        if not kids:
            continue
        if not own and len(kids) >= keeps_at:
            parts = math.ceil(len(kids) / cap)
            size = math.ceil(len(kids) / parts)
            for i in range(parts):
                opened.append(_Group(grade=grade_of[class_id], class_ids=[class_id]))
                opened[-1].take(class_id, kids[i * size:(i + 1) * size])
        else:
            leftovers[grade_of[class_id]].append((class_id, kids))
    for grade, chunks in sorted(leftovers.items()):
        same_grade = [g for g in existing if g.grade == grade]
        rest = []
        for class_id, kids in sorted(chunks, key=lambda c: -len(c[1])):
            roomiest = max(same_grade, key=lambda g: g.space(cap), default=None)
            if roomiest is not None and roomiest.space(cap) >= len(kids):
                roomiest.take(class_id, kids)
            else:
                rest.append((class_id, kids))
        rest = [(class_id, left) for class_id, kids in rest if (left := _pour(same_grade, class_id, kids, cap))]
        if rest:
            opened.extend(_pack(grade, rest, cap))
    return opened


def _name_groups(opened: list[_Group], classes: dict[int, tuple[int, int]], taken: set[str]) -> list[tuple[str, str]]:
    """(name, room) for each new group: "三年级1班" for one class's group, "三年级合班1" for a merged one;
    the room is the first class's classroom."""
    out = []
    for group in opened:
        group.class_ids.sort(key=lambda cid: classes[cid][1])
        first = class_name(*classes[group.class_ids[0]])
        if len(group.class_ids) == 1:
            name, n = first, 1
            while name in taken:
                n += 1
                name = f"{first}（{n}）"
        else:
            grade_name = GRADE_NAMES.get(group.grade, f"{group.grade}年级")
            n = 1
            while f"{grade_name}合班{n}" in taken:
                n += 1
            name = f"{grade_name}合班{n}"
        taken.add(name)
        out.append((name, f"{first}教室"))
    return out


def _classes(session: Session, school_id: int) -> dict[int, tuple[int, int]]:
    """class id → (grade, number) for the school."""
    return {cid: (grade, number) for cid, grade, number in session.exec(
        select(SchoolClass.id, SchoolClass.grade, SchoolClass.number).where(SchoolClass.school_id == school_id))}


def children_in_care(session: Session, term_id: int) -> dict[int, tuple[int, list[int]]]:
    """student id → (class id, weekdays) for the term's children with an approved application, still at school.

    Reads are plain lookups joined in Python (here and below): straight after a bulk load PostgreSQL has
    no statistics yet and once picked a nested loop over every application for each member (0.3 s)."""
    return {sid: (cid, sorted(days or [])) for sid, cid, days in session.exec(
        select(Application.student_id, Student.class_id, Application.weekdays)
        .join(Student, Student.id == Application.student_id)
        .where(Application.term_id == term_id, Application.status == AppStatus.APPROVED,
               Student.is_active == True))}  # noqa: E712


def _tutors_needed(children: int, per_tutor: int) -> int:
    return math.ceil(children / per_tutor) if children > 0 else 0


def plan_tutors(groups: list[tuple[int, set[int]]], weekdays: list[int], counts: dict[tuple[int, int], int],
                current: dict[tuple[int, int], list[int]], offers: dict[int, set[int]],
                busy: dict[int, set[int]], heads_of: dict[int, set[int]], per_tutor: int
                ) -> list[tuple[int, int, int]]:
    """New (group id, staff id, weekday) rows so every group has its tutors each weekday.

    `groups` are (id, class ids) in order; `counts[(group, weekday)]` children staying; `current`
    the active tutors already there; `offers` who volunteered for which weekdays; `busy[weekday]`
    who is already tutoring or leading a club then; `heads_of[staff]` the classes they head.

    Who is chosen: someone still under a fair share of the term's sessions first (each session
    counts toward their pay, so the load is spread), then someone who already tutors this group on
    another weekday or heads one of its classes (children keep their teacher), then the least
    loaded. Class heads are kept for their own class's group where they can be.
    """
    load: dict[int, int] = defaultdict(int)
    mine: dict[int, set[int]] = defaultdict(set)
    for (group_id, _), staff_ids in current.items():
        for staff_id in staff_ids:
            load[staff_id] += 1
            mine[staff_id].add(group_id)
    heads_group = {s: {gid for gid, class_ids in groups if class_ids & cls} for s, cls in heads_of.items()}
    slots = sum(_tutors_needed(counts.get((gid, wd), 0), per_tutor) for gid, _ in groups for wd in weekdays)
    volunteers = [s for s, days in offers.items() if days & set(weekdays)]
    fair = math.ceil(slots / max(1, len(volunteers)))

    added = []
    for weekday in weekdays:
        free = {s for s, days in offers.items() if weekday in days and s not in busy.get(weekday, set())}
        for group_id, _ in groups:
            missing = _tutors_needed(counts.get((group_id, weekday), 0), per_tutor) \
                - len(current.get((group_id, weekday), []))

            def rank(staff_id: int) -> tuple:
                own = heads_group.get(staff_id, set())
                affinity = 0 if group_id in mine[staff_id] or group_id in own else 2 if own else 1
                return load[staff_id] >= fair, affinity, load[staff_id], staff_id

            while missing > 0 and free:
                chosen = min(free, key=rank)
                free.discard(chosen)
                load[chosen] += 1
                mine[chosen].add(group_id)
                added.append((group_id, chosen, weekday))
                missing -= 1
    return added


def rebuild(session: Session, term: Term) -> BuildStats:
    """Bring the term's groups and tutors in line with its approved children and volunteers (no commit)."""
    rules = school_rules(session, term.school_id)
    weekdays = plan_weekdays(session, term.id)
    stats = BuildStats()
    now = utcnow()
    conn = session.connection()

    classes = _classes(session, term.school_id)
    in_care = children_in_care(session, term.id)

    rows = session.exec(select(CareGroup).where(CareGroup.term_id == term.id).order_by(CareGroup.id)).all()
    groups = {row.id: _Group(grade=row.grade, class_ids=list(row.class_ids), row=row) for row in rows}
    leaving = []
    for group_id, student_id in session.exec(select(CareGroupMember.group_id, CareGroupMember.student_id)
                                             .where(CareGroupMember.term_id == term.id)):
        if student_id in in_care:
            groups[group_id].members.add(student_id)
        else:
            leaving.append(student_id)
    if leaving:
        conn.execute(delete(CareGroupMember.__table__).where(CareGroupMember.term_id == term.id,
                                                             CareGroupMember.student_id.in_(leaving)))
    stats.left = len(leaving)

    placed = {sid for g in groups.values() for sid in g.members}
    newcomers = sorted(((sid, cid, classes[cid][0]) for sid, (cid, _) in in_care.items() if sid not in placed),
                       key=lambda c: (c[2], classes[c[1]][1], c[0]))
    opened = plan_placements(newcomers, list(groups.values()), rules)
    for group, (name, room) in zip(opened, _name_groups(opened, classes, {r.name for r in rows})):
        group.row = CareGroup(school_id=term.school_id, term_id=term.id, name=name, grade=group.grade, room=room,
                              class_ids=list(group.class_ids), created_at=now)
        session.add(group.row)
    for group in groups.values():
        if group.row.class_ids != group.class_ids:
            group.row.class_ids = list(group.class_ids)
            session.add(group.row)
    session.flush()
    stats.groups_created = len(opened)
    everything = list(groups.values()) + opened
    joined = [(g.row.id, sid) for g in everything for sid in g.joined]
    _insert_rows(session, CareGroupMember, {"school_id": term.school_id, "term_id": term.id, "placed_by": BUILD,
                                            "placed_at": now},
                 group_id=[gid for gid, _ in joined], student_id=[sid for _, sid in joined])
    stats.newly_placed = len(joined)

    # A group left without children goes, unless a day already ran with it (its roll call is history).
    empty = [g.row.id for g in everything if not g.members]
    if empty:
        used = set(session.exec(select(ServiceSession.care_group_id).where(ServiceSession.care_group_id.in_(empty))))
        gone = [gid for gid in empty if gid not in used]
        if gone:
            conn.execute(delete(CareGroupTutor.__table__).where(CareGroupTutor.group_id.in_(gone)))
            conn.execute(delete(CareGroup.__table__).where(CareGroup.id.in_(gone)))
            everything = [g for g in everything if g.row.id not in gone]
        stats.groups_removed = len(gone)

    counts: dict[tuple[int, int], int] = defaultdict(int)
    for group in everything:
        for sid in group.members:
            for weekday in in_care[sid][1]:
                counts[(group.row.id, weekday)] += 1
    stats.tutors_released, stats.tutors_added = _rebuild_tutors(session, term, everything, weekdays, counts,
                                                                rules.children_per_tutor)
    return stats


def _rebuild_tutors(session: Session, term: Term, groups: list[_Group], weekdays: list[int],
                    counts: dict[tuple[int, int], int], per_tutor: int) -> tuple[int, int]:
    """Release the build's tutors who can no longer serve a day, then fill every gap; (released, added)."""
    conn = session.connection()
    active = set(session.exec(select(Staff.id).where(Staff.school_id == term.school_id,
                                                     Staff.is_active == True)).all())  # noqa: E712
    offers = {sid: set(days) for sid, days in session.exec(
        select(TutorOffer.staff_id, TutorOffer.weekdays).where(TutorOffer.term_id == term.id)) if sid in active}
    busy: dict[int, set[int]] = defaultdict(set)
    for teacher, days in session.exec(select(Club.teacher_staff_id, Club.weekdays).where(
            Club.term_id == term.id, Club.is_active == True, Club.teacher_staff_id.is_not(None))):  # noqa: E712
        for weekday in days:
            busy[weekday].add(teacher)
    club_busy = {(s, wd) for wd, staff_ids in busy.items() for s in staff_ids}

    released = []
    current: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row_id, group_id, staff_id, weekday, placed_by in session.exec(
            select(CareGroupTutor.id, CareGroupTutor.group_id, CareGroupTutor.staff_id, CareGroupTutor.weekday,
                   CareGroupTutor.placed_by).join(CareGroup, CareGroup.id == CareGroupTutor.group_id)
            .where(CareGroup.term_id == term.id)):
        can_serve = (staff_id in active and weekday in offers.get(staff_id, ()) and weekday in weekdays
                     and counts.get((group_id, weekday), 0) > 0 and (staff_id, weekday) not in club_busy)
        if placed_by == BUILD and not can_serve:
            released.append(row_id)
            continue
        busy[weekday].add(staff_id)
        if staff_id in active:
            current[(group_id, weekday)].append(staff_id)
    if released:
        conn.execute(delete(CareGroupTutor.__table__).where(CareGroupTutor.id.in_(released)))

    heads_of: dict[int, set[int]] = defaultdict(set)
    for cid, head in session.exec(select(SchoolClass.id, SchoolClass.head_staff_id).where(
            SchoolClass.school_id == term.school_id, SchoolClass.head_staff_id.is_not(None))):
        heads_of[head].add(cid)
    order = sorted(groups, key=lambda g: (g.grade, g.row.id))
    added = plan_tutors([(g.row.id, set(g.class_ids)) for g in order], weekdays, counts, current, offers, busy,
                        heads_of, per_tutor)
    _insert_rows(session, CareGroupTutor, {"school_id": term.school_id, "placed_by": BUILD},
                 group_id=[a[0] for a in added], staff_id=[a[1] for a in added], weekday=[a[2] for a in added])
    return len(released), len(added)


def build_groups(*, session: Session, term: Term) -> BuildOut:
    """Build (or rebuild) the term's care groups and tutor rota, and say which rules the result breaks."""
    _lock_term(session, term)
    try:
        stats = rebuild(session, term)
        session.commit()
    except IntegrityError:  # a name or a child taken by a concurrent change on SQLite (no row lock there)
        session.rollback()
        raise Conflict("BUILD_CONFLICT", "分班期间数据有变动，请重试") from None
    return BuildOut(**dict(term_groups(session=session, term=term)), **asdict(stats))


# ---------- reading ----------

@dataclass
class _Member:
    group_id: int
    student_id: int
    name: str
    class_id: int
    placed_by: str
    reason: str | None
    weekdays: list[int]  # empty: no longer in care
    photo_url: str | None = None


def _members(session: Session, term_id: int, group_ids: list[int], in_care: dict[int, tuple[int, list[int]]],
             details: bool) -> list[_Member]:
    """The groups' children, each with the weekdays they stay; with `details`, a link to their photo."""
    query = (select(CareGroupMember.group_id, CareGroupMember.student_id, Student.name, Student.class_id,
                    CareGroupMember.placed_by, CareGroupMember.reason, *([Student] if details else []))
             .join(Student, Student.id == CareGroupMember.student_id)
             .where(CareGroupMember.term_id == term_id, CareGroupMember.group_id.in_(group_ids)))
    out = []
    for group_id, student_id, name, class_id, placed_by, reason, *student in session.exec(
            query.order_by(Student.class_id, Student.student_no)).all():
        weekdays = in_care[student_id][1] if student_id in in_care else []
        out.append(_Member(group_id, student_id, name, class_id, placed_by, reason, weekdays,
                           photo_link(student[0]) if student else None))
    return out


def _group_outs(session: Session, term: Term, rows: list[CareGroup], roster: bool = False,
                in_care: dict[int, tuple[int, list[int]]] | None = None) -> list[CareGroupOut | CareGroupDetail]:
    if not rows:
        return []
    in_care = children_in_care(session, term.id) if in_care is None else in_care
    rules = school_rules(session, term.school_id)
    weekdays = plan_weekdays(session, term.id)
    ids = [r.id for r in rows]
    classes = _classes(session, term.school_id)
    members: dict[int, list[_Member]] = defaultdict(list)
    for member in _members(session, term.id, ids, in_care, roster):
        members[member.group_id].append(member)
    offers = {sid: set(days) for sid, days in session.exec(
        select(TutorOffer.staff_id, TutorOffer.weekdays).where(TutorOffer.term_id == term.id))}
    tutors: dict[tuple[int, int], list[TutorOut]] = defaultdict(list)
    for group_id, weekday, staff_id, placed_by, name, active in session.exec(
            select(CareGroupTutor.group_id, CareGroupTutor.weekday, CareGroupTutor.staff_id, CareGroupTutor.placed_by,
                   Staff.name, Staff.is_active).join(Staff, Staff.id == CareGroupTutor.staff_id)
            .where(CareGroupTutor.group_id.in_(ids)).order_by(CareGroupTutor.staff_id)):
        tutors[(group_id, weekday)].append(TutorOut(staff_id=staff_id, name=name, placed_by=placed_by, active=active))

    outs = []
    first_class = {r.id: min((classes[c][1] for c in r.class_ids if c in classes), default=0) for r in rows}
    for row in sorted(rows, key=lambda r: (r.grade, first_class[r.id], r.id)):
        mine = members[row.id]
        days, warnings = [], []
        if len(mine) > rules.group_max:
            warnings.append(GroupWarning(code="OVER_GROUP_MAX", group_id=row.id,
                                         message=f"{row.name}有 {len(mine)} 人，超过每班 {rules.group_max} 人的上限"))
        for weekday in weekdays:
            staying = sum(1 for m in mine if weekday in m.weekdays)
            on_day = tutors[(row.id, weekday)]
            needed = _tutors_needed(staying, rules.children_per_tutor)
            serving = sum(1 for t in on_day if t.active)
            days.append(GroupDayOut(weekday=weekday, weekday_label=_day(weekday), children=staying,
                                    tutors_needed=needed, tutors=on_day))
            if serving < needed:
                warnings.append(GroupWarning(
                    code="TOO_FEW_TUTORS", group_id=row.id, weekday=weekday,
                    message=f"{row.name}{_day(weekday)}留校 {staying} 人，需看护教师 {needed} 名，现有 {serving} 名"))
            for tutor in on_day:
                if not tutor.active:
                    warnings.append(GroupWarning(code="TUTOR_INACTIVE", group_id=row.id, weekday=weekday,
                                                 message=f"{tutor.name}已不在岗，仍排在{row.name}{_day(weekday)}"))
                elif tutor.placed_by == BUILD and weekday not in offers.get(tutor.staff_id, ()):
                    warnings.append(GroupWarning(
                        code="TUTOR_NOT_OFFERED", group_id=row.id, weekday=weekday,
                        message=f"{tutor.name}已撤回{_day(weekday)}的看护申请，仍排在{row.name}；重新分班会另行安排"))
        for member in mine:
            if classes[member.class_id][0] != row.grade:
                warnings.append(GroupWarning(
                    code="OTHER_GRADE", group_id=row.id, student_id=member.student_id,
                    message=f"{member.name}（{class_name(*classes[member.class_id])}）"
                            f"不是{GRADE_NAMES.get(row.grade, '')}学生，在{row.name}看护"))
        fields = dict(id=row.id, term_id=row.term_id, name=row.name, grade=row.grade, room=row.room,
                      class_ids=row.class_ids, class_names=[class_name(*classes[c]) for c in row.class_ids if c in classes],
                      members=len(mine), days=days, warnings=warnings)
        if roster:
            outs.append(CareGroupDetail(**fields, roster=[MemberOut(
                student_id=m.student_id, name=m.name, class_id=m.class_id, class_name=class_name(*classes[m.class_id]),
                photo_url=m.photo_url, weekdays=m.weekdays, placed_by=m.placed_by, reason=m.reason)
                for m in mine]))
        else:
            outs.append(CareGroupOut(**fields))
    return outs


def term_groups(*, session: Session, term: Term) -> CareGroupsOut:
    """Every group of the term with its children per weekday and tutors, and the rules it breaks."""
    rows = list(session.exec(select(CareGroup).where(CareGroup.term_id == term.id)).all())
    in_care = children_in_care(session, term.id)
    groups = _group_outs(session, term, rows, in_care=in_care)
    placed = set(session.exec(select(CareGroupMember.student_id).where(CareGroupMember.term_id == term.id)))
    unplaced = sorted(set(in_care) - placed)
    warnings = [w for g in groups for w in g.warnings]
    if unplaced:
        classes = _classes(session, term.school_id)
        for sid, name, cid in session.exec(select(Student.id, Student.name, Student.class_id)
                                           .where(Student.id.in_(unplaced)).order_by(Student.class_id, Student.student_no)):
            warnings.append(GroupWarning(code="NOT_PLACED", student_id=sid,
                                         message=f"{name}（{class_name(*classes[cid])}）还没有分到看护班"))
    return CareGroupsOut(term_id=term.id, weekdays=plan_weekdays(session, term.id), children=len(in_care),
                         placed=len(in_care) - len(unplaced), unplaced=len(unplaced), groups=groups, warnings=warnings)


def term_rosters(*, session: Session, term: Term) -> list[CareGroupDetail]:
    """Every group of the term with its children (for the export)."""
    rows = list(session.exec(select(CareGroup).where(CareGroup.term_id == term.id)).all())
    return _group_outs(session, term, rows, roster=True)


def group_detail(*, session: Session, group: CareGroup) -> CareGroupDetail:
    return _group_outs(session, session.get(Term, group.term_id), [group], roster=True)[0]


# ---------- the admin's hand ----------

def update_group(*, session: Session, group: CareGroup, data: CareGroupUpdate) -> CareGroupDetail:
    """Rename a group or change its room; a rebuild keeps both."""
    if data.name is not None:
        group.name = data.name
    if data.room is not None:
        group.room = data.room
    session.add(group)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("GROUP_NAME_TAKEN", "本学期已有同名看护班", fields={"name": "同名看护班已存在"}) from None
    return group_detail(session=session, group=group)


def move_child(*, session: Session, group: CareGroup, student_id: int, reason: str) -> MoveOut:
    """Put a child in this group by hand; a rebuild never moves them again.

    Only a child in care this term (approved, still at school) can be placed. A child of another
    grade is allowed — the admin may have a reason (siblings, a child who needs a particular
    teacher) — and the answer warns about it, as it does when the group goes over its size."""
    term = session.get(Term, group.term_id)
    _lock_term(session, term)
    student = session.get(Student, student_id)
    if student is None or student.school_id != group.school_id:
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    approved = session.exec(select(Application.id).where(
        Application.term_id == term.id, Application.student_id == student.id,
        Application.status == AppStatus.APPROVED)).first()
    if approved is None or not student.is_active:
        raise Conflict("CHILD_NOT_IN_CARE", f"{student.name}本学期没有已通过的课后服务申请，不能分到看护班")
    member = session.exec(select(CareGroupMember).where(CareGroupMember.term_id == term.id,
                                                        CareGroupMember.student_id == student.id)).first()
    from_id = member.group_id if member is not None and member.group_id != group.id else None
    member = member or CareGroupMember(school_id=group.school_id, term_id=term.id, group_id=group.id,
                                       student_id=student.id)
    member.group_id, member.placed_by, member.reason, member.placed_at = group.id, HAND, reason, utcnow()
    session.add(member)
    try:
        session.commit()
    except IntegrityError:  # the same child placed at the same moment elsewhere (SQLite has no row lock)
        session.rollback()
        raise Conflict("MOVE_CONFLICT", "该学生刚被调整过，请刷新后重试") from None
    rows = [group] + ([session.get(CareGroup, from_id)] if from_id else [])
    outs = _group_outs(session, term, rows)
    target = next(o for o in outs if o.id == group.id)
    source = next((o for o in outs if o.id == from_id), None)
    return MoveOut(group=target, from_group=source, warnings=[w for o in outs for w in o.warnings])


def set_tutors(*, session: Session, group: CareGroup, tutors: list[TutorSlotIn]) -> CareGroupDetail:
    """Set the group's whole rota by hand (an offer is not required); a rebuild keeps it.

    A teacher is in one place at a time: someone tutoring another group, or leading a club, on
    one of the weekdays is refused."""
    term = session.get(Term, group.term_id)
    _lock_term(session, term)
    wanted = sorted({(t.staff_id, t.weekday) for t in tutors})
    outside = sorted({wd for _, wd in wanted} - set(plan_weekdays(session, term.id)))
    if outside:
        days = "、".join(_day(wd) for wd in outside)
        raise AppError("NOT_A_SERVICE_DAY", f"{days}不是本学期的课后服务日", status_code=422,
                       fields={"tutors": f"{days}不是课后服务日"})
    ids = {sid for sid, _ in wanted}
    staff = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(ids))).all()} if ids else {}
    for staff_id in sorted(ids):
        person = staff.get(staff_id)
        if person is None or person.school_id != group.school_id:
            raise AppError("STAFF_NOT_FOUND", "看护教师须为本校教职工", status_code=422,
                           fields={"tutors": f"编号 {staff_id} 不是本校教职工"})
        if not person.is_active:
            raise AppError("STAFF_INACTIVE", f"{person.name}已不在岗，不能安排看护", status_code=422,
                           fields={"tutors": f"{person.name}已不在岗"})
    if ids:
        elsewhere = session.exec(
            select(CareGroupTutor.staff_id, CareGroupTutor.weekday, CareGroup.name)
            .join(CareGroup, CareGroup.id == CareGroupTutor.group_id)
            .where(CareGroup.term_id == term.id, CareGroupTutor.group_id != group.id,
                   CareGroupTutor.staff_id.in_(ids)).order_by(CareGroupTutor.weekday)).all()
        for staff_id, weekday, other in elsewhere:
            if (staff_id, weekday) in wanted:
                raise Conflict("TUTOR_BUSY", f"{staff[staff_id].name}{_day(weekday)}已在「{other}」看护，"
                                             "同一天不能看护两个班")
        clubs = session.exec(select(Club.teacher_staff_id, Club.weekdays, Club.name).where(
            Club.term_id == term.id, Club.is_active == True, Club.teacher_staff_id.in_(ids))).all()  # noqa: E712
        for staff_id, weekdays, club in clubs:
            clash = sorted(wd for sid, wd in wanted if sid == staff_id and wd in weekdays)
            if clash:
                raise Conflict("TUTOR_LEADS_CLUB", f"{staff[staff_id].name}{_day(clash[0])}指导社团「{club}」，"
                                                   "不能同时看护")
    session.connection().execute(delete(CareGroupTutor.__table__).where(CareGroupTutor.group_id == group.id))
    _insert_rows(session, CareGroupTutor, {"school_id": group.school_id, "group_id": group.id, "placed_by": HAND},
                 staff_id=[sid for sid, _ in wanted], weekday=[wd for _, wd in wanted])
    session.commit()
    return group_detail(session=session, group=group)
