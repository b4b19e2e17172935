from dataclasses import dataclass, field

import pytest
from sqlmodel import select

from app.caregroups import service
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor, TutorOffer
from app.schools.models import SchoolClass
from tests.factories import approve_application, create_account, create_class, create_staff, create_student

ALL_DAYS = (1, 2, 3, 4, 5)


@dataclass
class School:
    """School A of the two-school world, with helpers to fill classes and find volunteers."""

    session: object
    world: object
    applicant: int
    classes: dict[tuple[int, int], SchoolClass] = field(default_factory=dict)

    @property
    def term(self):
        return self.world.a.term

    def school_class(self, grade: int, number: int) -> SchoolClass:
        key = (grade, number)
        if key not in self.classes:
            existing = self.session.exec(select(SchoolClass).where(
                SchoolClass.school_id == self.world.a.school.id, SchoolClass.grade == grade,
                SchoolClass.number == number)).first()
            self.classes[key] = existing or create_class(self.session, self.world.a.school, grade=grade, number=number)
        return self.classes[key]

    def children(self, grade: int, number: int, count: int, weekdays=ALL_DAYS) -> list:
        """`count` new children of a class, each with an approved application for those weekdays."""
        school_class = self.school_class(grade, number)
        kids = []
        for _ in range(count):
            kid = create_student(self.session, school_class)
            approve_application(self.session, kid, self.term, weekdays=weekdays, applicant_account_id=self.applicant)
            kids.append(kid)
        self.session.commit()
        return kids

    def volunteer(self, weekdays=ALL_DAYS, staff=None, roles=("teacher",)):
        staff = staff or create_staff(self.session, self.world.a.school, *roles)
        self.session.add(TutorOffer(school_id=staff.school_id, term_id=self.term.id, staff_id=staff.id,
                                    weekdays=list(weekdays)))
        self.session.commit()
        return staff

    def build(self):
        return service.build_groups(session=self.session, term=self.term)

    def groups(self) -> dict[str, CareGroup]:
        rows = self.session.exec(select(CareGroup).where(CareGroup.term_id == self.term.id)).all()
        return {g.name: g for g in rows}

    def members(self) -> dict[int, tuple[int, str]]:
        """student id → (group id, placed_by)."""
        rows = self.session.exec(select(CareGroupMember).where(CareGroupMember.term_id == self.term.id)).all()
        return {m.student_id: (m.group_id, m.placed_by) for m in rows}

    def rota(self) -> set[tuple[int, int, int]]:
        """(group id, staff id, weekday) of every tutor of the term."""
        rows = self.session.exec(select(CareGroupTutor).join(CareGroup).where(CareGroup.term_id == self.term.id)).all()
        return {(t.group_id, t.staff_id, t.weekday) for t in rows}


@pytest.fixture
def school(session, world):
    return School(session=session, world=world, applicant=create_account(session, name="家长").id)
