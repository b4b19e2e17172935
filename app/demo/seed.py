"""Seed 示范小学 (about 960 children, their guardians, 60 staff) and a second school for isolation.

Deterministic: a fixed random seed, so every run (and every test) sees the same school.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from app.auth.models import Account
from app.core.clock import today
from app.core.security import hash_password
from app.demo import names
from app.demo.caregroups import seed_care_groups
from app.demo.clubs import seed_clubs
from app.demo.enrollment import seed_enrollment
from app.demo.surveys import seed_surveys
from app.people.models import DistrictOfficial, Guardian, Guardianship, Staff, Student
from app.people.service import name_initials
from app.privacy.models import ConsentScope
from app.privacy.rules import current_version
from app.privacy.service import record_consents
from app.schools.models import District, School, SchoolClass, Term

SEED = 20260901

# Shares of children in each priority group, as the seeds' schools report them.
PRIORITY_SHARES = {
    "priority_migrant": 0.25, "priority_dual_working": 0.45, "priority_single_parent": 0.06,
    "priority_left_behind": 0.03, "priority_low_income": 0.04, "priority_disabled": 0.005,
}


@dataclass(frozen=True)
class DemoLogin:
    who: str
    openid: str | None = None
    username: str | None = None
    password: str | None = None


DEMO_LOGINS = [
    DemoLogin("家长 guardian（两个孩子）", openid="demo-guardian"),
    DemoLogin("教师 teacher", openid="demo-teacher", username="teacher", password="kehou-teacher"),
    DemoLogin("班主任 class head（一年级1班）", openid="demo-classhead"),
    DemoLogin("管理员 admin（教导处）", openid="demo-admin", username="admin", password="kehou-admin"),
    DemoLogin("值班领导 duty leader", openid="demo-duty"),
    DemoLogin("门卫 guard", openid="demo-guard"),
    DemoLogin("教育局 district", username="district", password="kehou-district"),
    DemoLogin("第二实验小学管理员 admin of the second school", openid="demo2-admin", username="admin2",
              password="kehou-admin2"),
]


@dataclass
class DemoSummary:
    schools: int = 0
    classes: int = 0
    students: int = 0
    guardians: int = 0
    staff: int = 0

    def __str__(self) -> str:
        return (f"{self.schools} 所学校，{self.classes} 个班，{self.students} 名学生，"
                f"{self.guardians} 位家长，{self.staff} 名教职工")


def format_logins() -> str:
    lines = ["演示账号 demo logins:"]
    for login in DEMO_LOGINS:
        ways = []
        if login.openid:
            ways.append(f"小程序 devOpenid={login.openid}，或 POST /api/v1/auth/wechat "
                            f"{{\"code\": \"dev:{login.openid}:1\"}}（每个 code 只能用一次，换个后缀即可）")
        if login.username:
            ways.append(f"POST /api/v1/auth/password {login.username} / {login.password}")
        lines.append(f"  {login.who}: " + "；".join(ways))
    return "\n".join(lines)


def is_empty(session: Session) -> bool:
    return session.exec(select(School.id)).first() is None


def term_dates(on: date) -> list[tuple[str, date, date]]:
    """(name, start, end) of the previous and the current (or next) term around a date."""
    def autumn(y: int):
        return f"{y}-{y + 1}学年第一学期", date(y, 9, 1), date(y + 1, 1, 20)

    def spring(y: int):
        return f"{y - 1}-{y}学年第二学期", date(y, 2, 20), date(y, 7, 10)

    y = on.year
    if on >= date(y, 7, 11):
        return [spring(y), autumn(y)]
    if on <= date(y, 1, 20):
        return [spring(y - 1), autumn(y - 1)]
    return [autumn(y - 1), spring(y)]


@dataclass
class _Family:
    surname: str
    guardians: list[tuple[str, str, str]]  # (name, phone, relation)
    guardian_rows: list[Guardian] = field(default_factory=list)


class _SchoolBuilder:
    """Adds one school's rows; `rng` and `phones` keep names and numbers repeatable and unique."""

    def __init__(self, session: Session, rng: random.Random, summary: DemoSummary):
        self.session, self.rng, self.summary = session, rng, summary
        self.phones: set[str] = set()

    def account(self, name: str, openid: str | None = None, username: str | None = None,
                password: str | None = None) -> Account:
        account = Account(display_name=name, wechat_openid=openid, username=username,
                          password_hash=hash_password(password) if password else None)
        self.session.add(account)
        self.session.flush()
        return account

    def staff(self, school: School, roles: list[str], login: DemoLogin | None = None) -> Staff:
        name = names.adult_name(self.rng, names.surname(self.rng), male=self.rng.random() < 0.3)
        account = self.account(name, login.openid, login.username, login.password) if login else None
        row = Staff(school_id=school.id, name=name, roles=roles, phone=names.mobile(self.rng, self.phones),
                    account_id=account.id if account else None)
        self.session.add(row)
        self.summary.staff += 1
        return row

    def family(self, flags: dict[str, bool]) -> _Family:
        rng = self.rng
        family = names.surname(rng)
        father = (names.adult_name(rng, family, male=True), names.mobile(rng, self.phones), "爸爸")
        mother = (names.adult_name(rng, names.surname(rng), male=False), names.mobile(rng, self.phones), "妈妈")
        if flags["priority_left_behind"]:
            side = rng.choice([(family, "爷爷", "奶奶"), (names.surname(rng), "外公", "外婆")])
            guardians = [(names.adult_name(rng, side[0], male=True, elder=True), names.mobile(rng, self.phones), side[1]),
                         (names.adult_name(rng, names.surname(rng), male=False, elder=True),
                          names.mobile(rng, self.phones), side[2])]
        elif flags["priority_single_parent"]:
            guardians = [rng.choice([mother, mother, father])]
        else:
            guardians = [mother, father] if rng.random() < 0.85 else [mother]
            if rng.random() < 0.08:
                guardians.append((names.adult_name(rng, family, male=False, elder=True),
                                  names.mobile(rng, self.phones), "奶奶"))
        return _Family(surname=family, guardians=guardians)

    def priority_flags(self) -> dict[str, bool]:
        flags = {column: self.rng.random() < share for column, share in PRIORITY_SHARES.items()}
        if flags["priority_single_parent"] or flags["priority_left_behind"]:
            flags["priority_dual_working"] = False
        return flags

    def student(self, school: School, school_class: SchoolClass, student_no: str, family: _Family | None,
                term_year: int) -> tuple[Student, _Family]:
        rng = self.rng
        flags = self.priority_flags()
        family = family or self.family(flags)
        gender = "male" if rng.random() < 0.51 else "female"
        born = date(term_year - 6 - school_class.grade, rng.randint(1, 12), rng.randint(1, 28))
        name = names.child_name(rng, family.surname, gender)
        student = Student(school_id=school.id, class_id=school_class.id, student_no=student_no, name=name,
                          name_initials=name_initials(name), gender=gender, birth_date=born, **flags)
        self.session.add(student)
        self.summary.students += 1
        return student, family

    def link_guardians(self, school: School, pairs: list[tuple[Student, _Family]]) -> None:
        """Guardian rows are one per phone per school, so siblings share their parents' rows."""
        for _, family in pairs:
            if not family.guardian_rows:
                family.guardian_rows = [Guardian(school_id=school.id, name=n, phone=p) for n, p, _ in family.guardians]
                self.session.add_all(family.guardian_rows)
                self.summary.guardians += len(family.guardian_rows)
        self.session.flush()
        for student, family in pairs:
            for row, (_, _, relation) in zip(family.guardian_rows, family.guardians):
                # Grandparents past 75 are sometimes not allowed to collect (a school's choice).
                may_pick_up = not (relation in ("爷爷", "外公") and self.rng.random() < 0.05)
                self.session.add(Guardianship(school_id=school.id, student_id=student.id, guardian_id=row.id,
                                              relation=relation, may_pick_up=may_pick_up))

    def school(self, name: str, code: str, district: District, classes_per_grade: int,
               size: tuple[int, int]) -> tuple[School, dict[tuple[int, int], SchoolClass], list]:
        school = School(name=name, code=code, district_id=district.id)
        self.session.add(school)
        self.session.flush()
        (prev_name, prev_start, prev_end), (cur_name, cur_start, cur_end) = term_dates(today())
        self.session.add_all([Term(school_id=school.id, name=prev_name, starts_on=prev_start, ends_on=prev_end),
                              Term(school_id=school.id, name=cur_name, starts_on=cur_start, ends_on=cur_end)])
        classes = {(g, n): SchoolClass(school_id=school.id, grade=g, number=n)
                   for g in range(1, 7) for n in range(1, classes_per_grade + 1)}
        self.session.add_all(classes.values())
        self.session.flush()
        self.summary.schools += 1
        self.summary.classes += len(classes)
        pairs: list[tuple[Student, _Family]] = []
        younger_families: list[_Family] = []
        for (grade, number), school_class in classes.items():
            for seq in range(1, self.rng.randint(*size) + 1):
                sibling_of = None
                if grade >= 4 and younger_families and self.rng.random() < 0.06:
                    sibling_of = younger_families.pop(self.rng.randrange(len(younger_families)))
                student_no = f"{cur_start.year}{grade}{number:02d}{seq:02d}"
                student, family = self.student(school, school_class, student_no, sibling_of, cur_start.year)
                pairs.append((student, family))
                if grade <= 3 and sibling_of is None:
                    younger_families.append(family)
        self.session.flush()
        return school, classes, pairs


def _seed_duty_roster(session: Session, term: Term, leader_ids: list[int], admin_account: int) -> None:
    """The term's duty leaders in turn over its served days, the demo duty leader (first) on duty today."""
    from app.calendar.service import service_days
    from app.duty.models import DutyAssignment, DutyRole
    from app.enrollment.service import published_plan
    days = [d.day for d in service_days(session, term, published_plan(session, term.id)) if d.served]
    anchor = next((i for i, day in enumerate(days) if day >= today()), 0)
    session.add_all([DutyAssignment(school_id=term.school_id, day=day, staff_id=leader_ids[(i - anchor) % len(leader_ids)],
                                    role=DutyRole.LEADER, assigned_by=admin_account) for i, day in enumerate(days)])


def seed_demo(session: Session) -> DemoSummary:
    """Create the demo district, 示范小学 and 第二实验小学; the caller's session is committed once."""
    rng = random.Random(SEED)
    summary = DemoSummary()
    logins = {login.openid or login.username: login for login in DEMO_LOGINS}
    build = _SchoolBuilder(session, rng, summary)

    district = District(name="示范区教育局", code="DEMO-D")
    session.add(district)
    session.flush()
    official = build.account("区教育局督导", username="district", password="kehou-district")
    session.add(DistrictOfficial(district_id=district.id, account_id=official.id, name="区教育局督导"))

    school, classes, pairs = build.school("示范小学", "DEMO", district, classes_per_grade=4, size=(38, 42))
    # The demo parent has two children: the first child of 一年级1班 and an older sibling in 四年级1班.
    first_family = pairs[0][1]
    older_index = next(i for i, (s, _) in enumerate(pairs) if s.class_id == classes[(4, 1)].id)
    older = pairs[older_index][0]
    older.name = names.child_name(rng, first_family.surname, older.gender)
    older.name_initials = name_initials(older.name)
    pairs[older_index] = (older, first_family)
    build.link_guardians(school, pairs)
    mother = first_family.guardian_rows[0]
    mother.account_id = build.account(mother.name, openid="demo-guardian").id
    # She bound in the mini-program, agreeing to every scope of the processing rules for both children.
    for child in (s for s, f in pairs if f is first_family):
        record_consents(session, guardian=mother, student_id=child.id, account_id=mother.account_id,
                        version=current_version(), scopes=ConsentScope.ALL)

    for (grade, number), school_class in classes.items():
        login = logins["demo-classhead"] if (grade, number) == (1, 1) else None
        head = build.staff(school, ["class_head", "teacher"], login)
        session.flush()
        school_class.head_staff_id = head.id
    demo_teacher = build.staff(school, ["teacher"], logins["demo-teacher"])
    for i in range(26):
        build.staff(school, ["teacher"])
    duty_leaders = [build.staff(school, ["duty_leader", "teacher"], logins["demo-duty"] if i == 0 else None)
                    for i in range(4)]
    build.staff(school, ["admin"], logins["demo-admin"])
    build.staff(school, ["admin", "duty_leader"])
    for i in range(3):
        build.staff(school, ["guard"], logins["demo-guard"] if i == 0 else None)
    session.flush()
    admin_account = session.exec(select(Account.id).where(Account.username == "admin")).one()
    current_term = session.exec(select(Term).where(Term.school_id == school.id).order_by(Term.starts_on.desc())).first()
    seed_enrollment(session, school, current_term, admin_account, mother.account_id, rng)
    session.flush()
    seed_clubs(session, school, current_term, rng, demo_teacher.id, keep_free={s.id for s, f in pairs if f is first_family})
    seed_care_groups(session, school, current_term, demo_teacher.id)
    _seed_duty_roster(session, current_term, [s.id for s in duty_leaders], admin_account)
    seed_surveys(session, school, current_term, admin_account, mother.account_id)

    second, second_classes, second_pairs = build.school("第二实验小学", "DEMO2", district, classes_per_grade=1,
                                                        size=(10, 10))
    build.link_guardians(second, second_pairs)
    build.staff(second, ["admin"], logins["demo2-admin"])
    for school_class in second_classes.values():
        session.flush()
        school_class.head_staff_id = build.staff(second, ["class_head", "teacher"]).id

    session.commit()
    return summary
