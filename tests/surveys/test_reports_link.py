"""The school dashboard's satisfaction figure (docs/reports.md) is satisfaction_summary's, from the raw answers."""

from sqlmodel import select

from app.surveys.models import SurveyAnswer
from tests.surveys.conftest import published, submit


def test_the_school_dashboard_shows_the_terms_satisfaction(client, session, world, fixed_clock, families):
    a = world.a
    survey = published(session, a)
    for n, family in enumerate(families[:6]):
        submit(session, family.guardian, family.student, survey, (1, 1 + n % 5), (2, 5), (3, [1]))
    ratings = [r for r in session.exec(select(SurveyAnswer.rating).where(SurveyAnswer.rating.is_not(None))).all()]
    rate = round(sum(r >= 4 for r in ratings) * 100 / len(ratings), 2)

    dashboard = client.get(f"/api/v1/reports/schools/{a.school.id}", headers=a.headers("admin"),
                           params={"term_id": a.term.id})
    assert dashboard.status_code == 200, dashboard.text
    assert dashboard.json()["satisfaction"] == {
        "surveys": [{"survey_id": survey.id, "title": survey.title, "responses": 6, "satisfied_rate": rate}],
        "satisfied_rate": rate}
