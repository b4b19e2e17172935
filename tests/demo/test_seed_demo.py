"""The demo school looks like a real one and is the same on every run."""

from collections import Counter

import pytest
from sqlmodel import select

from app.auth.models import Account
from app.caregroups.models import CareGroup, CareGroupTutor
from app.caregroups.service import term_groups
from app.core.deps import load_actor
from app.demo.seed import DEMO_LOGINS, is_empty, seed_demo, term_dates
from app.people.models import Guardian, Staff, Student
from app.schools.models import School, SchoolClass, Term
from app.surveys import service as surveys
from app.surveys.models import Survey
from tests.surveys.conftest import guardian_caller


@pytest.fixture
def session(demo_session):
    """Every test here reads the one demo school of the module."""
    return demo_session


@pytest.fixture
def demo(session):
    return session.exec(select(School).where(School.code == "DEMO")).one()


def test_the_demo_school_has_24_classes_of_about_40(session, demo):
    school = demo
    classes = session.exec(select(SchoolClass).where(SchoolClass.school_id == school.id)).all()
    assert len(classes) == 24 and all(c.head_staff_id for c in classes)
    students = session.exec(select(Student).where(Student.school_id == school.id)).all()
    assert 900 <= len(students) <= 1000
    assert len(session.exec(select(School)).all()) == 2 and not is_empty(session)


def test_the_demo_staff_cover_every_role(session, demo):
    school = demo
    staff = session.exec(select(Staff).where(Staff.school_id == school.id)).all()
    assert 55 <= len(staff) <= 65
    roles = Counter(role for s in staff for role in s.roles)
    assert roles["class_head"] == 24 and roles["admin"] >= 1 and roles["duty_leader"] >= 4 and roles["guard"] >= 2


def test_priority_groups_come_in_plausible_shares(session, demo):
    school = demo
    students = session.exec(select(Student).where(Student.school_id == school.id)).all()
    share = lambda column: sum(getattr(s, column) for s in students) / len(students)  # noqa: E731
    assert 0.18 < share("priority_migrant") < 0.32
    assert 0.30 < share("priority_dual_working") < 0.50
    assert 0.02 < share("priority_single_parent") < 0.10


def test_phones_are_unique_per_school_and_siblings_share_parents(session, demo):
    school = demo
    phones = session.exec(select(Guardian.phone).where(Guardian.school_id == school.id)).all()
    assert len(phones) == len(set(phones))
    assert all(len(p) == 11 and p.startswith("1") for p in phones)


def test_every_demo_login_exists_and_the_demo_parent_has_two_children(session, demo):
    for login in DEMO_LOGINS:
        query = select(Account).where(Account.wechat_openid == login.openid) if login.openid \
            else select(Account).where(Account.username == login.username)
        account = session.exec(query).one()
        assert load_actor(session, account.id).roles, login.who
    parent = session.exec(select(Account).where(Account.wechat_openid == "demo-guardian")).one()
    from app.auth.service import describe_me
    children = describe_me(session=session, actor=load_actor(session, parent.id)).children
    assert len(children) == 2 and {c.class_name for c in children} == {"一年级1班", "四年级1班"}


def test_the_demo_is_the_same_on_every_run(session, demo, tmp_path):
    school = demo
    first = session.exec(select(Student.student_no, Student.name).where(Student.school_id == school.id)
                         .order_by(Student.student_no)).all()
    from sqlmodel import Session

    from app.core.db import make_engine
    from tests.migration_tools import reset_database
    engine = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    reset_database(engine)
    with Session(engine) as other:
        seed_demo(other)
        again = other.exec(select(Student.student_no, Student.name).join(School).where(School.code == "DEMO")
                           .order_by(Student.student_no)).all()
    assert first == again


def test_terms_follow_the_chinese_school_year():
    from datetime import date
    assert [t[0] for t in term_dates(date(2026, 11, 23))] == ["2025-2026学年第二学期", "2026-2027学年第一学期"]
    assert [t[0] for t in term_dates(date(2027, 1, 10))] == ["2025-2026学年第二学期", "2026-2027学年第一学期"]
    assert [t[0] for t in term_dates(date(2027, 3, 1))] == ["2026-2027学年第一学期", "2026-2027学年第二学期"]


def test_the_demo_term_has_a_published_plan_and_most_families_answered(session, demo):
    from app.enrollment.reports import summary
    from app.enrollment.service import published_plan
    from app.schools.service import current_term
    school = demo
    term = current_term(session, school.id)
    assert published_plan(session, term.id).version == 1
    figures = summary(session, term)
    assert 70 < figures.participation_rate < 90
    assert figures.by_status["declined"] > 0 and figures.declined_reasons
    assert sum(len(names) for names in figures.not_responded.values()) > 0


def test_the_demo_term_has_clubs_open_for_choosing_and_some_are_full(session, demo):
    from app.clubs import service as clubs
    from app.people.models import Guardianship
    from app.schools.service import current_term
    school = demo
    term = current_term(session, school.id)
    catalogue = clubs.club_outs(session, clubs.term_clubs(session, term.id))
    assert len(catalogue) >= 15
    assert all(c.enrolled <= c.capacity for c in catalogue)
    assert any(c.free_seats == 0 and c.waitlisted > 0 for c in catalogue)
    assert clubs.open_round(session, term.id, mode="first_come") is not None
    # The demo parent's approved child has chosen nothing yet, and may choose a club for its grade.
    mother = session.exec(select(Guardian).join(Account, Account.id == Guardian.account_id)
                          .where(Account.wechat_openid == "demo-guardian")).one()
    child_ids = session.exec(select(Guardianship.student_id).where(Guardianship.guardian_id == mother.id)).all()
    assert all(clubs.child_enrollments(session, sid) == [] for sid in child_ids)
    younger = session.get(Student, min(child_ids))
    offered = clubs.club_outs(session, clubs.term_clubs(session, term.id), younger)
    assert any(c.may_choose for c in offered)


def test_the_demo_school_has_its_groups_and_tutors_without_a_warning(session, demo):
    """The care groups are built while seeding, as `make run` shows them."""
    school = demo
    term = session.exec(select(Term).where(Term.school_id == school.id).order_by(Term.starts_on.desc())).first()
    listing = term_groups(session=session, term=term)
    assert listing.children > 700 and listing.unplaced == 0 and not listing.warnings
    assert 20 <= len(listing.groups) <= 30 and all(g.members <= 45 for g in listing.groups)

    demo_teacher = session.exec(select(Staff).join(Account, Account.id == Staff.account_id)
                                .where(Account.wechat_openid == "demo-teacher")).one()
    rota = session.exec(select(CareGroupTutor).join(CareGroup).where(CareGroup.term_id == term.id)).all()
    assert {t.weekday for t in rota if t.staff_id == demo_teacher.id} <= {2, 4, 5}
    heads = {c.head_staff_id: c.id for c in session.exec(select(SchoolClass).where(SchoolClass.school_id == school.id))}
    groups = {g.id: g for g in session.exec(select(CareGroup).where(CareGroup.term_id == term.id))}
    assert all(heads[t.staff_id] in groups[t.group_id].class_ids for t in rota if t.staff_id in heads)
    load = Counter(t.staff_id for t in rota)
    assert max(load.values()) - min(load.values()) <= 2


def test_the_demo_survey_has_answers_and_waits_for_the_demo_parent(session, demo):
    school = demo
    [survey] = session.exec(select(Survey).where(Survey.school_id == school.id)).all()
    results = surveys.results(session=session, survey=survey)
    assert results.survey.state == "open" and 0.55 < results.responses / results.eligible < 0.85
    assert 90 <= results.satisfied_rate <= 99
    assert results.questions[5].texts
    summary = surveys.satisfaction_summary(session, school.id, survey.term_id)
    assert summary["satisfied_rate"] == results.satisfied_rate
    assert summary["surveys"][0]["responses"] == results.responses

    parent = session.exec(select(Account).where(Account.wechat_openid == "demo-guardian")).one()
    mine = surveys.my_surveys(session=session, caller=guardian_caller(session, parent.id))
    asked = [(c.student_name, [(s.id, s.answered) for s in c.surveys]) for c in mine]
    # the younger child is in care and has not answered; the older one's application is still under review
    assert [surveys for _, surveys in asked] == [[(survey.id, False)], []]
