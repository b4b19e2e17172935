"""The demo school's care groups are built while seeding, as `make run` shows them."""

from collections import Counter

from sqlmodel import select

from app.auth.models import Account
from app.caregroups.models import CareGroup, CareGroupTutor
from app.caregroups.service import term_groups
from app.demo.seed import seed_demo
from app.people.models import Staff
from app.schools.models import School, SchoolClass, Term


def test_the_demo_school_has_its_groups_and_tutors_without_a_warning(session):
    seed_demo(session)
    school = session.exec(select(School).where(School.code == "DEMO")).one()
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
