"""The demo school's survey: published, answered by most families in care, waiting for the demo parent."""

from sqlmodel import select

from app.auth.models import Account
from app.demo.seed import seed_demo
from app.schools.models import School
from app.surveys import service
from app.surveys.models import Survey
from tests.surveys.conftest import guardian_caller


def test_the_demo_survey_has_answers_and_waits_for_the_demo_parent(session):
    seed_demo(session)
    school = session.exec(select(School).where(School.code == "DEMO")).one()
    [survey] = session.exec(select(Survey).where(Survey.school_id == school.id)).all()
    results = service.results(session=session, survey=survey)
    assert results.survey.state == "open" and 0.55 < results.responses / results.eligible < 0.85
    assert 90 <= results.satisfied_rate <= 99
    assert results.questions[5].texts
    summary = service.satisfaction_summary(session, school.id, survey.term_id)
    assert summary["satisfied_rate"] == results.satisfied_rate
    assert summary["surveys"][0]["responses"] == results.responses

    parent = session.exec(select(Account).where(Account.wechat_openid == "demo-guardian")).one()
    mine = service.my_surveys(session=session, caller=guardian_caller(session, parent.id))
    asked = [(c.student_name, [(s.id, s.answered) for s in c.surveys]) for c in mine]
    # the younger child is in care and has not answered; the older one's application is still under review
    assert [surveys for _, surveys in asked] == [[(survey.id, False)], []]
