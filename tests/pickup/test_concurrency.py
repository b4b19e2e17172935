"""Two teachers scan two parents of the same child at the same instant: one release, the other told who took
the child, and no database error reaches anyone. Real sessions of their own, on SQLite and on PostgreSQL."""

import threading
from collections import Counter

from sqlmodel import Session, select

from app.core.errors import AppError
from app.pickup import service
from app.pickup.models import Handoff
from tests.attendance.conftest import build_day
from tests.enrollment.conftest import caller_for
from tests.factories import create_guardian, create_staff
from tests.pickup.conftest import Phone


def test_two_teachers_releasing_the_same_child_at_once_release_it_once(fresh_engine, world_in, fixed_clock):
    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as db:
        day = build_day(db, world.a)
        second_teacher = create_staff(db, world.a.school, "teacher")
        dads = [create_guardian(db, s, relation="爸爸") for s in world.a.students]
        db.commit()
        scans = []
        for student, mum, dad in zip(world.a.students, world.a.guardians, dads):
            scans.append((day.tutor.account_id, Phone(db, mum.account_id).code(), student.id))
            scans.append((second_teacher.account_id, Phone(db, dad.account_id).code(), student.id))
    refusals, released, start = [], [], threading.Barrier(len(scans), timeout=60)

    def scan(teacher_account_id, code, student_id):
        with Session(fresh_engine, expire_on_commit=False) as session:
            caller = caller_for(session, teacher_account_id, "teacher")
            session.commit()  # give the connection back while waiting
            start.wait()
            try:
                released.append(service.release_by_code(session=session, caller=caller, code=code,
                                                         student_ids=[student_id], note=None))
            except AppError as refusal:  # a clear refusal is the point; a database error is not
                refusals.append((student_id, refusal.extra["errors"][0]["code"]))

    threads = [threading.Thread(target=scan, args=s) for s in scans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    children = [s.id for s in world.a.students]
    assert sorted(r.released[0].student_id for r in released) == sorted(children)
    assert sorted(refusals) == sorted((sid, "CHILD_ALREADY_RELEASED") for sid in children)
    with Session(fresh_engine) as db:
        assert Counter(db.exec(select(Handoff.student_id)).all()) == Counter(children)
