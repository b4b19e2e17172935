"""Both parents submit for the same child at the same instant, with different answers: one response stands, the
other is told it was already answered, and no database error reaches anyone. Real sessions of their own, on SQLite
and on PostgreSQL."""

import threading

from sqlmodel import Session, select

from app.core.errors import AppError
from app.surveys.models import SurveyAnswer, SurveyResponse
from tests.factories import create_guardian
from tests.surveys.conftest import guardian_caller, published, submit


def test_two_parents_answering_for_one_child_at_once_leave_one_response(fresh_engine, world_in, fixed_clock):
    world = world_in(fresh_engine)
    with Session(fresh_engine, expire_on_commit=False) as db:
        survey = published(db, world.a)
        pairs = []
        for student, mum in zip(world.a.students, world.a.guardians):
            dad = create_guardian(db, student, relation="爸爸")
            pairs += [(mum, student, 5), (dad, student, 1)]
        db.commit()
    sent, refused, start = [], [], threading.Barrier(len(pairs), timeout=60)

    def answer(guardian, student, rating):
        with Session(fresh_engine, expire_on_commit=False) as session:
            guardian_caller(session, guardian.account_id)
            session.commit()  # give the connection back while waiting
            start.wait()
            try:
                sent.append(submit(session, guardian, student, survey, (1, rating), (2, rating), (3, [1])))
            except AppError as refusal:  # a clear refusal is the point; a database error is not
                refused.append((student.id, refusal.code))

    threads = [threading.Thread(target=answer, args=p) for p in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    children = sorted(s.id for s in world.a.students)
    assert sorted(r.student_id for r in sent) == children
    assert sorted(refused) == [(sid, "SURVEY_ALREADY_ANSWERED") for sid in children]
    with Session(fresh_engine) as db:
        assert sorted(db.exec(select(SurveyResponse.student_id)).all()) == children
        # each child's answers are one parent's, whole: never a mix of the two
        for response in db.exec(select(SurveyResponse)).all():
            ratings = {a.rating for a in db.exec(select(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.rating.is_not(None))).all()}
            assert ratings in ({5}, {1})
