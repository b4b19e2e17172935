"""A served Monday at school A: one care group for both classes, a Monday club, and the clock at 16:00.

Care groups and leave are built by their own packages; here their rows are written directly.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session, select

from app.attendance.models import ServiceSession
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor
from app.clubs.models import Club, ClubEnrollment
from app.leave.models import LeaveDay, LeaveRequest
from app.notify.models import InboxMessage
from app.people.models import Guardian, Guardianship, Staff, Student
from tests.enrollment.conftest import caller_for
from tests.factories import SchoolWorld, approve_application, create_staff, publish_plan

MONDAY = date(2026, 11, 23)   # the fixed clock's day; 16:00 in Shanghai
TUESDAY = date(2026, 11, 24)


@dataclass
class ServedDay:
    school: SchoolWorld
    group: CareGroup
    club: Club
    tutor: Staff          # tutors the care group every weekday
    club_teacher: Staff   # leads the Monday club
    at_group: list[Student]   # expected in the care group on Monday
    at_club: Student          # enrolled in the Monday club

    def session_of(self, session: Session, *, club: bool = False, day: date = MONDAY) -> ServiceSession:
        from app.attendance.places import service_day
        served = service_day(session, self.school.school.id, day)
        owner = (lambda s: s.club_id == self.club.id) if club else (lambda s: s.care_group_id == self.group.id)
        return next(s for s in served.sessions if owner(s))

    def caller(self, session: Session, staff: Staff | str, *roles: str):
        staff = self.school.staff[staff] if isinstance(staff, str) else staff
        return caller_for(session, staff.account_id, *(roles or ("admin", "duty_leader", "teacher", "class_head")))


def build_day(session: Session, school: SchoolWorld) -> ServedDay:
    """Students 0, 2 (三年级1班) and 3 (三年级2班) stay in the care group; student 1 goes to 书法 on Mondays."""
    publish_plan(session, school)
    for student in school.students:
        approve_application(session, student, school.term)
    tutor = school.staff["teacher"]
    club_teacher = create_staff(session, school.school, "teacher", name="书法老师")
    group = CareGroup(school_id=school.school.id, term_id=school.term.id, name="三年级看护1组", grade=3, room="301",
                      class_ids=[c.id for c in school.classes])
    club = Club(school_id=school.school.id, term_id=school.term.id, name="书法", category="art", weekdays=[1],
                start_time="16:10", end_time="17:00", capacity=20, grades=[3], venue="美术室",
                teacher_staff_id=club_teacher.id)
    session.add_all([group, club])
    session.flush()
    session.add_all([CareGroupMember(school_id=school.school.id, term_id=school.term.id, group_id=group.id,
                                     student_id=s.id) for s in school.students])
    session.add_all([CareGroupTutor(school_id=school.school.id, group_id=group.id, staff_id=tutor.id, weekday=d)
                     for d in range(1, 6)])
    at_club = school.students[1]
    session.add(ClubEnrollment(school_id=school.school.id, term_id=school.term.id, club_id=club.id,
                               student_id=at_club.id, status="enrolled"))
    session.commit()
    return ServedDay(school=school, group=group, club=club, tutor=tutor, club_teacher=club_teacher,
                     at_group=[school.students[i] for i in (0, 2, 3)], at_club=at_club)


@pytest.fixture
def day(session, world, fixed_clock) -> ServedDay:
    return build_day(session, world.a)


def add_leave(session: Session, student: Student, *, days=(MONDAY,), kind: str = "sick", status: str = "approved",
              early_pickup_time: str | None = None) -> LeaveRequest:
    """A guardian's leave request for the child, as the leave package would store it."""
    guardian_account = session.exec(select(Guardian.account_id).join(
        Guardianship, Guardianship.guardian_id == Guardian.id).where(Guardianship.student_id == student.id)).first()
    leave = LeaveRequest(school_id=student.school_id, student_id=student.id, kind=kind, reason="发烧",
                         early_pickup_time=early_pickup_time, status=status, requested_by=guardian_account)
    session.add(leave)
    session.flush()
    session.add_all([LeaveDay(school_id=student.school_id, leave_id=leave.id, student_id=student.id, day=d)
                     for d in days])
    session.commit()
    return leave


def inbox(session: Session, event: str, account_id: int | None = None) -> list[InboxMessage]:
    query = select(InboxMessage).where(InboxMessage.event == event)
    if account_id is not None:
        query = query.where(InboxMessage.account_id == account_id)
    return list(session.exec(query.order_by(InboxMessage.id)).all())
