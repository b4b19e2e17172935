"""Students, guardians, staff, and a parent binding their WeChat to a child."""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.deps import Actor, Caller
from app.core.errors import AppError, Conflict, NotFound, TooManyRequests
from app.core.pagination import PageParams, paginate
from app.core.scope import get_in_schools
from app.core.security import hash_password
from app.dataprotection.models import StudentErasure
from app.people.exposure import Disclosure
from app.people.models import PRIORITY_FLAGS, BindAttempt, Guardian, Guardianship, Staff, Student
from app.people.photos import photo_link, save_photo
from app.people.schemas import (
    BindOut, BoundStudent, GuardianLinkIn, GuardianshipOut, GuardianshipUpdate, StaffBindCodeOut, StaffBindOut,
    StaffIn, StaffOut, StaffUpdate, StudentIn, StudentOut, StudentUpdate,
)
from app.privacy import service as privacy
from app.privacy.schemas import ConsentOffer
from app.schools.models import School, SchoolClass, class_name

log = logging.getLogger("kehou.people")

PRIORITY_COLUMNS = {key.removeprefix("priority_"): key for key in PRIORITY_FLAGS}


def name_initials(name: str) -> str:
    """Pinyin initials, lower case: 张小明 → zxm (letters in the name are kept as they are)."""
    return "".join(part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:50]


# ---------- students ----------

def priorities_of(student: Student) -> list[str]:
    return [key for key, column in PRIORITY_COLUMNS.items() if getattr(student, column)]


def set_priorities(student: Student, priorities: list[str]) -> None:
    for key, column in PRIORITY_COLUMNS.items():
        setattr(student, column, key in priorities)


def student_outs(session: Session, students: list[Student]) -> list[StudentOut]:
    class_ids = {s.class_id for s in students}
    classes = {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.id.in_(class_ids))).all()} \
        if class_ids else {}
    return [
        StudentOut(id=s.id, school_id=s.school_id, class_id=s.class_id, class_name=classes[s.class_id].name,
                   grade=classes[s.class_id].grade, student_no=s.student_no, name=s.name, gender=s.gender,
                   birth_date=s.birth_date, has_photo=bool(s.photo_path), photo_url=photo_link(s), priority=priorities_of(s),
                   is_active=s.is_active)
        for s in students
    ]


def _class_of_school(session: Session, school_id: int, class_id: int) -> SchoolClass:
    school_class = session.get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != school_id:
        raise AppError("CLASS_NOT_FOUND", "班级不存在", status_code=422, fields={"class_id": "不是本校班级"})
    return school_class


def search_students(*, session: Session, school_id: int, params: PageParams, q: str | None = None,
                    class_id: int | None = None, grade: int | None = None,
                    include_inactive: bool = False) -> tuple[list[StudentOut], int]:
    """Students of one school; `q` matches name, student number or pinyin initials."""
    query = select(Student).where(Student.school_id == school_id)
    if not include_inactive:
        query = query.where(Student.is_active == True)  # noqa: E712
    if class_id is not None:
        query = query.where(Student.class_id == class_id)
    if grade is not None:
        query = query.join(SchoolClass, SchoolClass.id == Student.class_id).where(SchoolClass.grade == grade)
    if q and q.strip():
        term = q.strip()
        query = query.where(or_(Student.name.contains(term), Student.student_no.startswith(term),
                                Student.name_initials.startswith(term.lower())))
    rows, total = paginate(session, query.order_by(Student.class_id, Student.student_no), params)
    return student_outs(session, rows), total


def create_student(*, session: Session, school_id: int, data: StudentIn) -> StudentOut:
    _class_of_school(session, school_id, data.class_id)
    student = Student(school_id=school_id, class_id=data.class_id, student_no=data.student_no, name=data.name,
                      name_initials=name_initials(data.name), gender=data.gender, birth_date=data.birth_date)
    set_priorities(student, data.priority)
    session.add(student)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("STUDENT_NO_TAKEN", f"学号 {data.student_no} 已存在", fields={"student_no": "学号已存在"}) from None
    session.refresh(student)
    return student_outs(session, [student])[0]


def readable_student(*, session: Session, caller: Caller, student_id: int) -> Student:
    """A student the caller may see: staff of the school (per the route's roles), or one of the caller's children."""
    student = session.get(Student, student_id)
    if student is not None:
        if student.school_id in caller.school_ids:
            return student
        if caller.as_guardian and is_guardian_of(session, caller.actor, student_id):
            return student
    raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")


def writable_student(*, session: Session, caller: Caller, student_id: int) -> Student:
    """`readable_student`, refused once the child's personal data was erased (app/dataprotection): an erased
    record is never filled in again."""
    student = readable_student(session=session, caller=caller, student_id=student_id)
    if session.exec(select(StudentErasure.id).where(StudentErasure.student_id == student.id)).first() is not None:
        raise Conflict("STUDENT_ERASED", "该学生的个人信息已删除，不能再修改")
    return student


def upload_student_photo(*, session: Session, caller: Caller, student: Student, data: bytes) -> None:
    """The child's new photo, only with a guardian's photo consent (app/privacy); refused, nothing is stored."""
    privacy.require_child_photo_consent(session, caller=caller, student=student)
    save_photo(session=session, owner=student, data=data)


def is_guardian_of(session: Session, actor: Actor, student_id: int) -> bool:
    if not actor.guardian_ids:
        return False
    return session.exec(select(Guardianship.id).where(
        Guardianship.student_id == student_id, Guardianship.guardian_id.in_(actor.guardian_ids))).first() is not None


def update_student(*, session: Session, student: Student, data: StudentUpdate) -> StudentOut:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("class_id") is not None:
        _class_of_school(session, student.school_id, changes["class_id"])
    for key in ("class_id", "name", "gender", "is_active"):
        if changes.get(key) is not None:
            setattr(student, key, changes[key])
    if "birth_date" in changes:
        student.birth_date = changes["birth_date"]
    if changes.get("name"):
        student.name_initials = name_initials(student.name)
    if changes.get("priority") is not None:
        set_priorities(student, changes["priority"])
    student.updated_at = utcnow()
    session.add(student)
    session.commit()
    session.refresh(student)
    return student_outs(session, [student])[0]


# ---------- guardians of a student ----------

def guardianship_outs(session: Session, student: Student, *, shown: Disclosure) -> list[GuardianshipOut]:
    """The child's guardians, their phones as `shown` lets this caller read them."""
    rows = session.exec(select(Guardianship, Guardian).join(Guardian, Guardian.id == Guardianship.guardian_id)
                        .where(Guardianship.student_id == student.id).order_by(Guardianship.id)).all()
    return [GuardianshipOut(id=gs.id, student_id=gs.student_id, guardian_id=g.id, name=g.name,
                            phone=shown.phone(g.phone, student_id=student.id, class_id=student.class_id,
                                              guardian_id=g.id),
                            relation=gs.relation, may_pick_up=gs.may_pick_up, wechat_bound=g.account_id is not None)
            for gs, g in rows]


def upsert_guardian(session: Session, school_id: int, name: str, phone: str) -> Guardian:
    """The school's guardian with this phone (one row per phone per school), created or renamed."""
    guardian = session.exec(select(Guardian).where(Guardian.school_id == school_id, Guardian.phone == phone)).first()
    if guardian is None:
        guardian = Guardian(school_id=school_id, name=name, phone=phone)
    elif guardian.name != name:
        guardian.name = name
    session.add(guardian)
    session.flush()
    return guardian


def link_guardian(*, session: Session, student: Student, data: GuardianLinkIn, shown: Disclosure
                  ) -> list[GuardianshipOut]:
    guardian = upsert_guardian(session, student.school_id, data.name, data.phone)
    link = session.exec(select(Guardianship).where(Guardianship.student_id == student.id,
                                                   Guardianship.guardian_id == guardian.id)).first()
    if link is None:
        link = Guardianship(school_id=student.school_id, student_id=student.id, guardian_id=guardian.id,
                            relation=data.relation, may_pick_up=data.may_pick_up)
    else:
        link.relation, link.may_pick_up = data.relation, data.may_pick_up
    session.add(link)
    session.commit()
    return guardianship_outs(session, student, shown=shown)


def get_guardianship(*, session: Session, guardianship_id: int, school_ids: frozenset[int]) -> Guardianship:
    return get_in_schools(session, Guardianship, guardianship_id, school_ids, message="未找到该监护关系")


def update_guardianship(*, session: Session, link: Guardianship, data: GuardianshipUpdate, shown: Disclosure
                        ) -> list[GuardianshipOut]:
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(link, key, value)
    session.add(link)
    session.commit()
    return guardianship_outs(session, session.get(Student, link.student_id), shown=shown)


def remove_guardianship(*, session: Session, link: Guardianship) -> None:
    session.delete(link)
    session.commit()


# ---------- staff ----------

def staff_accounts(session: Session, staff_ids: Iterable[int | None]) -> list[int]:
    """The accounts (for notifications) of those staff who are active and bound WeChat."""
    ids = {s for s in staff_ids if s}
    if not ids:
        return []
    return sorted(set(session.exec(select(Staff.account_id).where(
        Staff.id.in_(ids), Staff.is_active == True, Staff.account_id.is_not(None))).all()))  # noqa: E712


def staff_names(session: Session, staff_ids: Iterable[int | None]) -> dict[int, str]:
    """staff id → name, in one read (none for no ids); an id of nobody is left out."""
    ids = {s for s in staff_ids if s}
    return dict(session.exec(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all()) if ids else {}


def staff_outs(session: Session, rows: list[Staff]) -> list[StaffOut]:
    account_ids = {s.account_id for s in rows if s.account_id}
    accounts = {a.id: a for a in session.exec(select(Account).where(Account.id.in_(account_ids))).all()} \
        if account_ids else {}
    out = []
    for s in rows:
        account = accounts.get(s.account_id)
        out.append(StaffOut(id=s.id, school_id=s.school_id, name=s.name, phone=s.phone, roles=list(s.roles),
                            is_active=s.is_active, username=account.username if account else None,
                            wechat_bound=bool(account and account.wechat_openid)))
    return out


def list_staff(*, session: Session, school_id: int, role: str | None = None) -> list[StaffOut]:
    rows = session.exec(select(Staff).where(Staff.school_id == school_id).order_by(Staff.id)).all()
    if role:
        rows = [s for s in rows if role in s.roles]
    return staff_outs(session, list(rows))


def _set_login(session: Session, staff: Staff, username: str | None, password: str | None) -> None:
    if username is None and password is None:
        return
    account = session.get(Account, staff.account_id) if staff.account_id else None
    if account is None:
        if not (username and password):
            raise AppError("LOGIN_INCOMPLETE", "设置网页登录需同时提供用户名和密码", status_code=422)
        account = Account(display_name=staff.name)
    if username is not None:
        taken = session.exec(select(Account.id).where(Account.username == username, Account.id != account.id)).first()
        if taken:
            raise Conflict("USERNAME_TAKEN", "用户名已被使用", fields={"username": "已被使用"})
        account.username = username
    if password is not None:
        account.password_hash = hash_password(password)
    session.add(account)
    session.flush()
    staff.account_id = account.id


def create_staff(*, session: Session, school_id: int, data: StaffIn) -> StaffOut:
    staff = Staff(school_id=school_id, name=data.name, phone=data.phone, roles=sorted(set(data.roles)))
    session.add(staff)
    session.flush()
    _set_login(session, staff, data.username, data.password)
    session.add(staff)
    session.commit()
    session.refresh(staff)
    return staff_outs(session, [staff])[0]


def get_staff(*, session: Session, staff_id: int, school_ids: frozenset[int]) -> Staff:
    return get_in_schools(session, Staff, staff_id, school_ids, message="未找到该教职工")


def update_staff(*, session: Session, staff: Staff, data: StaffUpdate, by: Caller) -> StaffOut:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("roles") is not None:
        roles = sorted(set(changes["roles"]))
        if staff.account_id == by.account_id and "admin" in staff.roles and "admin" not in roles:
            raise AppError("CANNOT_DROP_OWN_ADMIN", "不能取消自己的管理员角色", status_code=422)
        staff.roles = roles
    for key in ("name", "phone", "is_active"):
        if key in changes and (changes[key] is not None or key == "phone"):
            setattr(staff, key, changes[key])
    _set_login(session, staff, changes.get("username"), changes.get("password"))
    session.add(staff)
    session.commit()
    session.refresh(staff)
    return staff_outs(session, [staff])[0]


# ---------- binding a WeChat account to a child ----------

BIND_WINDOW = timedelta(hours=1)


def _recent_failures(session: Session, *conditions) -> int:
    since = utcnow() - BIND_WINDOW
    return session.exec(select(func.count()).select_from(BindAttempt).where(
        BindAttempt.succeeded == False, BindAttempt.at >= since, *conditions)).one()  # noqa: E712


def bind_child(*, session: Session, account_id: int, student_no: str, student_name: str, phone: str,
               consent: ConsentOffer | None, client_ip: str | None = None) -> BindOut:
    """Link the account to the guardian on record when number, name and phone all match, recording the
    guardian's consent to the processing rules (the current version, roster scope at least) with it.

    Without that consent nothing happens at all (not even a counted attempt). Guessing is limited per account
    and per student (settings.bind_attempts_per_hour), and every try is kept in BindAttempt.
    """
    offer = privacy.check_offer(consent)
    limit = get_settings().bind_attempts_per_hour
    candidates = session.exec(select(Student).where(Student.student_no == student_no.strip(),
                                                    Student.is_active == True)).all()  # noqa: E712
    if _recent_failures(session, BindAttempt.account_id == account_id) >= limit or any(
            _recent_failures(session, BindAttempt.student_id == s.id) >= limit for s in candidates):
        log.warning("bind rate-limited: account=%s student_no=%s", account_id, student_no)
        raise TooManyRequests("BIND_RATE_LIMITED", "尝试次数过多，请一小时后再试或联系班主任")

    match: tuple[Student, Guardian, Guardianship] | None = None
    for student in candidates:
        if student.name != student_name.strip():
            continue
        row = session.exec(select(Guardian, Guardianship).join(Guardianship, Guardianship.guardian_id == Guardian.id)
                           .where(Guardianship.student_id == student.id, Guardian.phone == phone)).first()
        if row:
            match = (student, row[0], row[1])
            break

    target = match[0] if match else (candidates[0] if len(candidates) == 1 else None)
    session.add(BindAttempt(account_id=account_id, student_no=student_no[:30], succeeded=match is not None,
                            school_id=target.school_id if target else None, student_id=target.id if target else None,
                            client_ip=client_ip))
    if match is None:
        session.commit()
        log.warning("bind refused: account=%s student_no=%s ip=%s", account_id, student_no, client_ip)
        raise AppError("BIND_NOT_MATCHED", "学号、姓名或手机号与学校登记信息不一致")

    student, guardian, link = match
    if guardian.account_id not in (None, account_id):
        session.commit()
        raise Conflict("GUARDIAN_ALREADY_BOUND", "该手机号已由其他微信账号绑定，请联系班主任处理")
    guardian.account_id = account_id
    privacy.record_consents(session, guardian=guardian, student_id=student.id, account_id=account_id,
                            version=offer.version, scopes=offer.scopes)
    account = session.get(Account, account_id)
    if account is not None and not account.display_name:
        account.display_name = guardian.name
        session.add(account)
    session.add(guardian)
    session.commit()
    school_class = session.get(SchoolClass, student.class_id)
    school = session.get(School, student.school_id)
    return BindOut(student=BoundStudent(id=student.id, name=student.name, school_name=school.name,
                                        class_name=class_name(school_class.grade, school_class.number)),
                   relation=link.relation)


# ---------- staff linking their WeChat ----------

STAFF_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or copied from paper
STAFF_CODE_LIFETIME = timedelta(hours=24)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def issue_staff_bind_code(*, session: Session, staff: Staff) -> StaffBindCodeOut:
    """A fresh one-time code (the previous one stops working)."""
    raw = "".join(secrets.choice(STAFF_CODE_ALPHABET) for _ in range(8))
    staff.bind_code_hash = _code_hash(raw)
    staff.bind_code_expires_at = utcnow() + STAFF_CODE_LIFETIME
    session.add(staff)
    session.commit()
    return StaffBindCodeOut(code=f"{raw[:4]}-{raw[4:]}", expires_at=staff.bind_code_expires_at)


def bind_staff(*, session: Session, account_id: int, code: str, client_ip: str | None = None) -> StaffBindOut:
    """Link the logged-in WeChat account to the staff member the code was issued for."""
    if _recent_failures(session, BindAttempt.account_id == account_id) >= get_settings().bind_attempts_per_hour:
        raise TooManyRequests("BIND_RATE_LIMITED", "尝试次数过多，请一小时后再试")
    staff = session.exec(select(Staff).where(Staff.bind_code_hash == _code_hash(code),
                                             Staff.bind_code_expires_at > utcnow())).first()
    session.add(BindAttempt(kind="staff", account_id=account_id, student_no="", succeeded=staff is not None,
                            school_id=staff.school_id if staff else None, client_ip=client_ip))
    if staff is None or not staff.is_active:
        session.commit()
        raise AppError("STAFF_CODE_INVALID", "绑定码无效或已过期，请向学校管理员重新获取")
    previous = session.get(Account, staff.account_id) if staff.account_id else None
    account = session.get(Account, account_id)
    if previous is not None and previous.id != account.id:
        # Keep the web login working: the password moves to the WeChat account.
        if previous.username and not account.username:
            account.username, account.password_hash = previous.username, previous.password_hash
            previous.username, previous.password_hash = None, None
            session.add(previous)
            session.flush()
    if not account.display_name:
        account.display_name = staff.name
    staff.account_id = account.id
    staff.bind_code_hash = staff.bind_code_expires_at = None
    session.add_all([staff, account])
    session.commit()
    school = session.get(School, staff.school_id)
    return StaffBindOut(school_id=school.id, school_name=school.name, staff=staff_outs(session, [staff])[0])
