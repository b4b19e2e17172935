"""The demo term's tutor offers (教师自愿申请) and its care groups, so the group pages and the day's sessions
have something to show."""

import random

from sqlmodel import Session, select

from app.caregroups.models import TutorOffer
from app.caregroups.service import TUTOR_ROLES, rebuild
from app.people.models import Staff
from app.schools.models import School, Term

NOTES = ["周三下午有教研活动", "需接送自己的孩子", "兼任学校社团工作", None]


def seed_care_groups(session: Session, school: School, term: Term, demo_teacher_staff_id: int) -> None:
    """Class heads offer every day (they like to keep their own class); most teachers do too, some only
    three or four days; the demo teacher, who leads clubs on Monday and Wednesday, the other three.
    Admins run the school and do not tutor. Then the groups are built as the admin would."""
    rng = random.Random(f"care-groups-{school.code}")  # its own stream: the rest of the demo stays as it was
    staff = session.exec(select(Staff).where(Staff.school_id == school.id).order_by(Staff.id)).all()
    for person in staff:
        roles = set(person.roles)
        if "admin" in roles or not roles & TUTOR_ROLES:
            continue
        note = None
        if person.id == demo_teacher_staff_id:
            weekdays, note = [2, 4, 5], "周一、周三指导社团"
        elif "class_head" in roles or rng.random() < 0.7:
            weekdays = [1, 2, 3, 4, 5]
        else:
            weekdays = sorted(rng.sample([1, 2, 3, 4, 5], rng.randint(3, 4)))
            note = rng.choice(NOTES)
        session.add(TutorOffer(school_id=school.id, term_id=term.id, staff_id=person.id, weekdays=weekdays, note=note))
    session.flush()
    rebuild(session, term)
