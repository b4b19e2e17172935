from datetime import timedelta

import pytest

from app.clubs import service
from app.clubs.models import Club, SelectionRound
from app.core.clock import utcnow
from app.enrollment.models import Application
from tests.enrollment.conftest import caller_for
from tests.factories import create_guardian, create_student


def approve(session, student, term, applicant_account_id):
    session.add(Application(school_id=student.school_id, term_id=term.id, student_id=student.id,
                            class_id=student.class_id, applicant_account_id=applicant_account_id, status="approved",
                            weekdays=[1, 2, 3]))
    session.flush()


def make_club(session, world, name="书法", capacity=2, weekdays=(3,), start="16:10", end="17:00", grades=(3,)):
    club = Club(school_id=world.a.school.id, term_id=world.a.term.id, name=name, category="art", weekdays=list(weekdays),
                start_time=start, end_time=end, capacity=capacity, grades=list(grades),
                teacher_staff_id=world.a.staff["teacher"].id)
    session.add(club)
    session.commit()
    return club


def make_round(session, world, mode="first_come", open_now=True, max_per_child=2, **extra):
    now = utcnow()
    row = SelectionRound(school_id=world.a.school.id, term_id=world.a.term.id, name="第一轮", mode=mode,
                         opens_at=now - timedelta(hours=1) if open_now else now - timedelta(days=2),
                         closes_at=now + timedelta(hours=1) if open_now else now - timedelta(days=1),
                         max_per_child=max_per_child, **extra)
    session.add(row)
    session.commit()
    return row


class Family:
    def __init__(self, session, student):
        self.student = student
        guardian = create_guardian(session, student)
        self.caller = caller_for(session, guardian.account_id, "guardian")


@pytest.fixture
def families(session, world):
    """Eight children of 三年级1班 with an approved application, each with a guardian."""
    out = []
    for i in range(8):
        student = create_student(session, world.a.classes[0], name=f"选课{i}")
        family = Family(session, student)
        approve(session, student, world.a.term, family.caller.account_id)
        out.append(family)
    session.commit()
    return out


@pytest.fixture
def choose(session):
    def _choose(family, club):
        return service.enroll(session=session, caller=family.caller, club_id=club.id, student_id=family.student.id)
    return _choose
