"""Small `create_*` helpers and a two-school world for tests."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import count

from sqlmodel import Session

from app.auth.models import Account
from app.core.security import create_access_token, hash_password
from app.people.models import DistrictOfficial, Guardian, Guardianship, Staff, Student
from app.people.service import name_initials
from app.privacy.models import ConsentScope
from app.privacy.rules import current_version
from app.privacy.service import record_consents
from app.schools.models import District, School, SchoolClass, Term

_seq = count(1)


def create_account(session: Session, *, name: str = "", openid: str | None = None, username: str | None = None,
                   password: str | None = None) -> Account:
    account = Account(display_name=name, wechat_openid=openid, username=username,
                      password_hash=hash_password(password) if password else None)
    session.add(account)
    session.flush()
    return account


def create_school(session: Session, *, name: str | None = None, district: District | None = None) -> School:
    n = next(_seq)
    school = School(name=name or f"测试小学{n}", code=f"S{n:05d}", district_id=district.id if district else None)
    session.add(school)
    session.flush()
    return school


def create_term(session: Session, school: School, *, starts_on: date = date(2026, 9, 1),
                ends_on: date = date(2027, 1, 20), name: str = "2026-2027学年第一学期") -> Term:
    term = Term(school_id=school.id, name=name, starts_on=starts_on, ends_on=ends_on)
    session.add(term)
    session.flush()
    return term


def create_class(session: Session, school: School, *, grade: int = 3, number: int = 1,
                 head: Staff | None = None) -> SchoolClass:
    school_class = SchoolClass(school_id=school.id, grade=grade, number=number, head_staff_id=head.id if head else None)
    session.add(school_class)
    session.flush()
    return school_class


def create_staff(session: Session, school: School, *roles: str, name: str | None = None,
                 with_account: bool = True) -> Staff:
    n = next(_seq)
    name = name or f"教师{n}"
    account = create_account(session, name=name, openid=f"staff-{n}") if with_account else None
    staff = Staff(school_id=school.id, name=name, roles=list(roles), account_id=account.id if account else None,
                  phone=f"139{n:08d}")
    session.add(staff)
    session.flush()
    return staff


def create_student(session: Session, school_class: SchoolClass, *, name: str | None = None,
                   student_no: str | None = None, **flags) -> Student:
    n = next(_seq)
    name = name or f"学生{n}"
    student = Student(school_id=school_class.school_id, class_id=school_class.id, student_no=student_no or f"{n:08d}",
                      name=name, name_initials=name_initials(name), gender="female" if n % 2 else "male", **flags)
    session.add(student)
    session.flush()
    return student


def create_guardian(session: Session, student: Student, *, name: str | None = None, phone: str | None = None,
                    relation: str = "妈妈", bound: bool = True, may_pick_up: bool = True,
                    consent: Iterable[str] | None = None) -> Guardian:
    """A guardian of the child; a bound one has agreed to every scope of the current processing rules, as binding
    in the mini-program would have had them do (`consent=()` for one who has agreed to nothing)."""
    n = next(_seq)
    account = create_account(session, name=name or f"家长{n}", openid=f"guardian-{n}") if bound else None
    guardian = Guardian(school_id=student.school_id, name=name or f"家长{n}", phone=phone or f"138{n:08d}",
                        account_id=account.id if account else None)
    session.add(guardian)
    session.flush()
    session.add(Guardianship(school_id=student.school_id, student_id=student.id, guardian_id=guardian.id,
                             relation=relation, may_pick_up=may_pick_up))
    scopes = ConsentScope.ALL if consent is None and bound else (consent or ())
    give_consent(session, guardian, student, *scopes)
    session.flush()
    return guardian


def give_consent(session: Session, guardian: Guardian, student: Student, *scopes: str,
                 version: str | None = None) -> None:
    """Record the guardian's consent for the child (the current rules unless `version` says otherwise)."""
    record_consents(session, guardian=guardian, student_id=student.id, account_id=guardian.account_id,
                    version=version or current_version(), scopes=scopes)
    session.flush()


def consent_offer(*scopes: str, version: str | None = None) -> dict:
    """The `consent` part of a bind body: the current rules and these scopes (all of them by default)."""
    return {"version": version or current_version(), "scopes": list(scopes or ConsentScope.ALL)}


def auth_headers(account_id: int) -> dict[str, str]:
    token, _ = create_access_token(account_id)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class SchoolWorld:
    school: School
    term: Term
    classes: list[SchoolClass]
    staff: dict[str, Staff]          # role → a staff member holding only that role
    students: list[Student]
    guardians: list[Guardian]        # guardians[i] is bound and cares for students[i]

    def headers(self, role: str) -> dict[str, str]:
        """Auth headers for a staff role, or "guardian" (the first student's guardian)."""
        if role == "guardian":
            return auth_headers(self.guardians[0].account_id)
        return auth_headers(self.staff[role].account_id)


@dataclass
class World:
    a: SchoolWorld
    b: SchoolWorld
    district: District
    district_account: Account
    stranger: Account = field(default=None)  # logged in, no role anywhere

    def district_headers(self) -> dict[str, str]:
        return auth_headers(self.district_account.id)


def build_school(session: Session, district: District | None = None, name: str | None = None) -> SchoolWorld:
    school = create_school(session, district=district, name=name)
    term = create_term(session, school)
    staff = {role: create_staff(session, school, role) for role in
             ("admin", "class_head", "teacher", "duty_leader", "guard")}
    classes = [create_class(session, school, grade=3, number=1, head=staff["class_head"]),
               create_class(session, school, grade=3, number=2)]
    students = [create_student(session, classes[i % 2]) for i in range(4)]
    guardians = [create_guardian(session, s) for s in students]
    session.commit()
    return SchoolWorld(school=school, term=term, classes=classes, staff=staff, students=students, guardians=guardians)


def two_schools(session: Session) -> World:
    district = District(name="测试区教育局", code=f"D{next(_seq):05d}")
    session.add(district)
    session.flush()
    a = build_school(session, district, "甲小学")
    b = build_school(session, None, "乙小学")  # outside the district: the official must not reach it
    official = create_account(session, name="督导员")
    session.add(DistrictOfficial(district_id=district.id, account_id=official.id, name="督导员"))
    stranger = create_account(session, name="路人", openid=f"stranger-{next(_seq)}")
    session.commit()
    return World(a=a, b=b, district=district, district_account=official, stranger=stranger)


def png_bytes(colour: str = "red") -> bytes:
    """A real (tiny) PNG image."""
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def publish_plan(session: Session, school: "SchoolWorld", **fields):
    """A published service plan for the school's term (Monday–Friday from 15:40 unless told otherwise)."""
    from app.enrollment import service as enrollment
    from app.enrollment.schemas import PlanIn
    enrollment.save_draft(session=session, term=school.term, data=PlanIn(agreement_text="课后服务协议", **fields))
    return enrollment.publish(session=session, term=school.term, account_id=school.staff["admin"].account_id)


def approve_application(session: Session, student: Student, term: Term, *, weekdays=(1, 2, 3, 4, 5),
                        applicant_account_id: int | None = None):
    """An approved application for a child, as if both reviews had passed."""
    from app.enrollment.models import Application
    if applicant_account_id is None:
        applicant_account_id = create_account(session, name="申请人").id
    application = Application(school_id=student.school_id, term_id=term.id, student_id=student.id,
                              class_id=student.class_id, applicant_account_id=applicant_account_id,
                              status="approved", weekdays=list(weekdays))
    session.add(application)
    session.flush()
    return application
