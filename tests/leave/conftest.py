from datetime import datetime, timezone

import pytest

from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor
from tests.enrollment.conftest import caller_for
from tests.factories import approve_application, publish_plan


def place_in_group(session, school, students, *, tutors=(), weekdays=(1, 2, 3, 4, 5), name="三年级看护一班"):
    """A care group of the school's term holding `students`, tutored by `tutors` on `weekdays`."""
    group = CareGroup(school_id=school.school.id, term_id=school.term.id, name=name, grade=3, room="301",
                      class_ids=sorted({s.class_id for s in students}))
    session.add(group)
    session.flush()
    session.add_all([CareGroupMember(school_id=school.school.id, term_id=school.term.id, group_id=group.id,
                                     student_id=s.id) for s in students])
    session.add_all([CareGroupTutor(school_id=school.school.id, group_id=group.id, staff_id=t.id, weekday=w)
                     for t in tutors for w in weekdays])
    session.commit()
    return group


def at_shanghai(clock, year, month, day, hour, minute=0):
    """Move a FixedClock to a school-local moment."""
    clock.at = datetime(year, month, day, hour - 8, minute, tzinfo=timezone.utc)


@pytest.fixture
def care(session, world, fixed_clock):
    """School A serves Monday–Friday; its first two children are in care Mon–Thu in one group with the teacher."""
    a = world.a
    publish_plan(session, a)
    for student in a.students[:2]:
        approve_application(session, student, a.term, weekdays=(1, 2, 3, 4))
    group = place_in_group(session, a, a.students[:2], tutors=[a.staff["teacher"]])
    session.commit()
    return group


@pytest.fixture
def guardian(session, world):
    return caller_for(session, world.a.guardians[0].account_id, "guardian")


@pytest.fixture
def class_head(session, world):
    return caller_for(session, world.a.staff["class_head"].account_id, "class_head", "admin")
