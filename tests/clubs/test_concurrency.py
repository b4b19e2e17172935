"""Hundreds of guardians tap at the same second: never more enrolled than capacity, never a child twice,
no database error reaches anyone. Runs on SQLite and on PostgreSQL."""

import threading
from collections import Counter
from datetime import timedelta

from sqlmodel import Session, select

from app.clubs import service
from app.clubs.models import Club, ClubEnrollment, EnrollmentEvent, SelectionRound
from app.core.clock import utcnow
from app.core.errors import AppError
from tests.clubs.conftest import approve
from tests.enrollment.conftest import caller_for
from tests.factories import create_guardian, create_student

CHILDREN = 24
CAPACITY = 5


def _rush(fresh_engine, club, children, action):
    """Every child's guardian calls `action` twice at the same instant (the double tap at the gate)."""
    errors, answers = [], []
    start = threading.Barrier(len(children) * 2, timeout=60)

    def tap(student_id, account_id):
        with Session(fresh_engine, expire_on_commit=False) as session:
            caller = caller_for(session, account_id, "guardian")
            club_row = session.get(Club, club.id)
            # Give the connection back before waiting: the waiting threads would otherwise hold the whole pool.
            session.commit()
            start.wait()
            try:
                answers.append(action(session=session, caller=caller, club=club_row, student_id=student_id))
            except AppError as exc:  # a clear refusal is fine; a database error is not
                errors.append(exc.code)

    threads = [threading.Thread(target=tap, args=child) for child in children for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors, answers


def _enroll(*, club, **kwargs):
    """`service.enroll` called like `service.drop`, so one `_rush` drives both."""
    return service.enroll(club_id=club.id, **kwargs)


def _full_club_with_waitlist(fresh_engine, world):
    with Session(fresh_engine, expire_on_commit=False) as session:
        club = Club(school_id=world.a.school.id, term_id=world.a.term.id, name="机器人", category="science",
                    weekdays=[3], start_time="16:10", end_time="17:00", capacity=CAPACITY, grades=[3])
        session.add(club)
        session.add(SelectionRound(school_id=world.a.school.id, term_id=world.a.term.id, name="抢课", mode="first_come",
                                   opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(hours=1)))
        children = []
        for i in range(CHILDREN):
            student = create_student(session, world.a.classes[0], name=f"抢课{i}")
            account_id = create_guardian(session, student).account_id
            approve(session, student, world.a.term, account_id)
            children.append((student.id, account_id))
        session.commit()
    return club, children


def test_a_rush_never_oversells_and_never_enrolls_a_child_twice(fresh_engine, world_in):
    club, children = _full_club_with_waitlist(fresh_engine, world_in(fresh_engine))
    errors, answers = _rush(fresh_engine, club, children, _enroll)

    assert errors == []
    with Session(fresh_engine) as session:
        rows = session.exec(select(ClubEnrollment).where(ClubEnrollment.club_id == club.id)).all()
        assert Counter(r.status for r in rows) == {"enrolled": CAPACITY, "waitlisted": CHILDREN - CAPACITY}
        assert len({r.student_id for r in rows}) == CHILDREN
        assert session.get(Club, club.id).enrolled_count == CAPACITY
    # Both taps of a child got the same answer.
    by_child: dict[int, set] = {}
    for answer in answers:
        by_child.setdefault(answer.student_id, set()).add(answer.status)
    assert all(len(statuses) == 1 for statuses in by_child.values())


def test_simultaneous_drops_promote_exactly_one_waiting_child_per_freed_seat(fresh_engine, world_in):
    club, children = _full_club_with_waitlist(fresh_engine, world_in(fresh_engine))
    for student_id, account_id in children:  # one by one: the first five get seats, the rest wait in order
        with Session(fresh_engine) as session:
            service.enroll(session=session, caller=caller_for(session, account_id, "guardian"), club_id=club.id,
                           student_id=student_id)

    errors, _ = _rush(fresh_engine, club, children[:CAPACITY], service.drop)

    assert errors == []
    with Session(fresh_engine) as session:
        rows = {r.student_id: r.status for r in session.exec(select(ClubEnrollment)
                                                             .where(ClubEnrollment.club_id == club.id)).all()}
        promoted = [sid for sid, _ in children[CAPACITY:2 * CAPACITY]]
        assert [rows[sid] for sid, _ in children[:CAPACITY]] == ["dropped"] * CAPACITY
        assert [rows[sid] for sid in promoted] == ["enrolled"] * CAPACITY
        assert Counter(rows.values())["waitlisted"] == CHILDREN - 2 * CAPACITY
        assert session.get(Club, club.id).enrolled_count == CAPACITY
        promotions = session.exec(select(EnrollmentEvent.enrollment_id).where(EnrollmentEvent.action == "promote")).all()
        assert len(promotions) == len(set(promotions)) == CAPACITY


def test_two_guardians_tapping_clashing_clubs_at_once_give_the_child_one(fresh_engine, world_in):
    """Each child's two guardians choose two clubs that meet at the same time, at the same instant: the lock on the
    child makes the later choice see the earlier one's place, so one wins and the other is told of the clash."""
    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as session:
        clubs = [Club(school_id=world.a.school.id, term_id=world.a.term.id, name=name, category="art",
                      weekdays=[3], start_time="16:10", end_time="17:00", capacity=CHILDREN, grades=[3])
                 for name in ("书法", "国画")]
        session.add_all(clubs)
        session.add(SelectionRound(school_id=world.a.school.id, term_id=world.a.term.id, name="抢课",
                                   mode="first_come", opens_at=utcnow() - timedelta(hours=1),
                                   closes_at=utcnow() + timedelta(hours=1)))
        taps = []
        for i in range(CHILDREN // 2):
            student = create_student(session, world.a.classes[0], name=f"两位家长{i}")
            guardians = [create_guardian(session, student).account_id for _ in clubs]
            approve(session, student, world.a.term, guardians[0])
            taps += [(student.id, account_id, club.id) for account_id, club in zip(guardians, clubs)]
        session.commit()
    errors, start = [], threading.Barrier(len(taps), timeout=60)

    def tap(student_id, account_id, club_id):
        with Session(fresh_engine) as session:
            caller = caller_for(session, account_id, "guardian")
            session.commit()
            start.wait()
            try:
                service.enroll(session=session, caller=caller, club_id=club_id, student_id=student_id)
            except AppError as exc:
                errors.append(exc.code)

    threads = [threading.Thread(target=tap, args=t) for t in taps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == ["CLUB_NOT_ALLOWED"] * (CHILDREN // 2)
    with Session(fresh_engine) as session:
        places = session.exec(select(ClubEnrollment.student_id).where(ClubEnrollment.status != "dropped")).all()
        assert sorted(Counter(places).values()) == [1] * (CHILDREN // 2)
