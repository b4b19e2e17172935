"""Care groups (临时班) for the 960-child demo school: the first build, and a rebuild after new approvals.

Kehou: `build_groups`, the service behind POST /api/v1/terms/{id}/care-groups/build, answer included
(every group with its children and tutors per weekday, and the warnings), on the demo school exactly as
`make run` seeds it. Baseline: the least any build has to do — read the approved children in one query
and write one group per class and the same number of member and tutor rows, one statement a table as
Kehou writes them, with no rules, no existing state to keep and no answer. Each figure is the median of ROUNDS runs, the groups cleared between.
"""

import statistics
import time
from collections.abc import Callable, Iterator

from sqlalchemy import delete, insert, select, text, update
from sqlmodel import Session

from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor, TutorOffer
from app.caregroups.service import _insert_rows, build_groups
from app.core.clock import utcnow
from app.demo.seed import seed_demo
from app.enrollment.models import Application, AppStatus
from app.people.models import Student
from app.schools.models import School, Term

ROUNDS = 7
PENDING = (AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED)


def _demo_term(session: Session) -> Term:
    school = session.execute(select(School).where(School.code == "DEMO")).scalars().first()
    if school is None:
        seed_demo(session)
        school = session.execute(select(School).where(School.code == "DEMO")).scalars().one()
    return session.execute(select(Term).where(Term.school_id == school.id).order_by(Term.starts_on.desc())
                           ).scalars().first()


def _clear(session: Session, term: Term) -> None:
    group_ids = select(CareGroup.id).where(CareGroup.term_id == term.id)
    session.execute(delete(CareGroupTutor).where(CareGroupTutor.group_id.in_(group_ids)))
    session.execute(delete(CareGroupMember).where(CareGroupMember.term_id == term.id))
    session.execute(delete(CareGroup).where(CareGroup.term_id == term.id))
    session.commit()


def _baseline(session: Session, term: Term, tutor_rows: int) -> None:
    children = session.execute(select(Application.student_id, Student.class_id)
                               .join(Student, Student.id == Application.student_id)
                               .where(Application.term_id == term.id, Application.status == AppStatus.APPROVED)).all()
    volunteers = session.execute(select(TutorOffer.staff_id).where(TutorOffer.term_id == term.id)).scalars().all()
    class_ids = sorted({c for _, c in children})
    group_ids = session.execute(insert(CareGroup).returning(CareGroup.id, sort_by_parameter_order=True), [
        {"school_id": term.school_id, "term_id": term.id, "name": f"bench-{c}", "grade": 1, "room": "",
         "class_ids": [c], "created_at": utcnow()} for c in class_ids]).scalars().all()
    group_of = dict(zip(class_ids, group_ids))
    _insert_rows(session, CareGroupMember, {"school_id": term.school_id, "term_id": term.id, "placed_by": "build",
                                            "placed_at": utcnow()},
                 group_id=[group_of[c] for _, c in children], student_id=[s for s, _ in children])
    slots = [(group_ids[i % len(group_ids)], volunteers[i % len(volunteers)], 1 + i // len(volunteers) % 5)
             for i in range(tutor_rows)]
    _insert_rows(session, CareGroupTutor, {"school_id": term.school_id, "placed_by": "build"},
                 group_id=[g for g, _, _ in slots], staff_id=[s for _, s, _ in slots], weekday=[w for *_, w in slots])
    session.commit()


def _median_ms(runs: Callable[[], float]) -> tuple[float, float]:
    times = [runs() for _ in range(ROUNDS)]
    return statistics.median(times) * 1000, min(times) * 1000


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(engine) -> Iterator[str]:
    with Session(engine, expire_on_commit=False) as session:
        term = _demo_term(session)
        pending = session.execute(select(Application.id).where(Application.term_id == term.id,
                                                               Application.status.in_(PENDING))).scalars().all()
        original = dict(session.execute(select(Application.id, Application.status)
                                        .where(Application.id.in_(pending))).all())

        def set_pending(approved: bool) -> None:
            for app_id, status in original.items():
                session.execute(update(Application).where(Application.id == app_id)
                                .values(status=AppStatus.APPROVED if approved else status))
            session.commit()

        def first_build() -> float:
            _clear(session, term)
            set_pending(False)
            return _timed(lambda: build_groups(session=session, term=term))

        placed_by_rebuild = []

        def rebuild() -> float:
            first_build()
            set_pending(True)
            start = time.perf_counter()
            placed_by_rebuild.append(build_groups(session=session, term=term).newly_placed)
            return time.perf_counter() - start

        # Straight after seeding PostgreSQL has no table statistics yet; a live database has them (autovacuum
        # analyses tables after bulk changes), so one run without, then ANALYZE before the measured runs.
        cold_ms = first_build() * 1000
        session.execute(text("ANALYZE"))
        session.commit()
        first_ms = _median_ms(first_build)
        result = build_groups(session=session, term=term)  # the state the first build leaves, to describe it
        tutor_rows = sum(len(d.tutors) for g in result.groups for d in g.days)
        re_ms = _median_ms(rebuild)
        idle_ms = _median_ms(lambda: _timed(lambda: build_groups(session=session, term=term)))

        def baseline_run() -> float:
            _clear(session, term)
            return _timed(lambda: _baseline(session, term, tutor_rows))

        base_ms = _median_ms(baseline_run)
        _clear(session, term)
        set_pending(False)
        build_groups(session=session, term=term)  # leave the demo as it was seeded

    yield _line(f"baseline: read, one group per class, {result.placed} members, {tutor_rows} tutor rows", base_ms)
    yield _line(f"Kehou first build: {result.placed} children → {len(result.groups)} groups, {tutor_rows} tutor "
                f"slots, {len(result.warnings)} warnings", first_ms, f"  {first_ms[0] / base_ms[0]:.1f}× baseline")
    yield _line("Kehou first build before ANALYZE (no table statistics yet), one run", (cold_ms, cold_ms))
    yield _line(f"Kehou rebuild: {placed_by_rebuild[-1]} newly approved placed, nobody moved", re_ms)
    yield _line("Kehou rebuild with nothing new", idle_ms)


def _line(label: str, ms: tuple[float, float], extra: str = "") -> str:
    return f"caregroups  {label:<76} median {ms[0]:6.1f} ms  (min {ms[1]:6.1f}){extra}"
