"""Schools, terms and classes: the frame every other rule hangs on."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.clock import today
from app.core.errors import AppError, Conflict, NotFound
from app.core.scope import get_in_schools
from app.people.models import Staff, Student
from app.people.service import staff_names
from app.schools.models import School, SchoolClass, SchoolRules, Term
from app.schools.schemas import (
    ClassIn, ClassOut, ClassUpdate, RulesIn, RulesOut, SchoolOut, TermIn, TermOut, TermUpdate,
)


def require_school(session: Session, school_id: int, school_ids: Iterable[int]) -> School:
    school = session.get(School, school_id)
    if school is None or school_id not in set(school_ids):
        raise NotFound("SCHOOL_NOT_FOUND", "未找到该学校")
    return school


def list_schools(*, session: Session, school_ids: Iterable[int]) -> list[SchoolOut]:
    ids = set(school_ids)
    if not ids:
        return []
    rows = session.exec(select(School).where(School.id.in_(ids)).order_by(School.id)).all()
    return [SchoolOut.model_validate(s, from_attributes=True) for s in rows]


def term_out(term: Term) -> TermOut:
    return TermOut(id=term.id, school_id=term.school_id, name=term.name, starts_on=term.starts_on,
                   ends_on=term.ends_on, is_current=term.starts_on <= today() <= term.ends_on)


def current_term(session: Session, school_id: int) -> Term | None:
    """The term running today, else the next one to start, else the latest."""
    terms = session.exec(select(Term).where(Term.school_id == school_id).order_by(Term.starts_on)).all()
    now = today()
    return (next((t for t in terms if t.starts_on <= now <= t.ends_on), None)
            or next((t for t in terms if t.starts_on > now), None)
            or (terms[-1] if terms else None))


def export_title(session: Session, school_id: int, subject: str, *, term: Term | None = None,
                 start: date | None = None, end: date | None = None, show_dates: bool = True) -> str:
    """An export's title row: the school, the term (the one given, else the one the dates fall in, else the current
    one) and what the list is, with its dates — "甲小学 2026-2027学年第一学期 接送记录（2026-11-23）"."""
    end = end or start
    if term is None and start is not None:
        term = session.exec(select(Term).where(Term.school_id == school_id, Term.starts_on <= end,
                                               Term.ends_on >= start).order_by(Term.starts_on)).first()
    elif term is None:
        term = current_term(session, school_id)
    dates = "" if start is None or not show_dates else f"（{start}）" if start == end else f"（{start}至{end}）"
    name = session.exec(select(School.name).where(School.id == school_id)).one()
    return " ".join(part for part in (name, term.name if term else "", subject) if part) + dates


def list_terms(*, session: Session, school_id: int) -> list[TermOut]:
    rows = session.exec(select(Term).where(Term.school_id == school_id).order_by(Term.starts_on)).all()
    return [term_out(t) for t in rows]


def _refuse_overlap(session: Session, school_id: int, starts_on, ends_on, exclude_id: int | None = None) -> None:
    query = select(Term).where(Term.school_id == school_id, Term.starts_on <= ends_on, Term.ends_on >= starts_on)
    if exclude_id is not None:
        query = query.where(Term.id != exclude_id)
    other = session.exec(query).first()
    if other:
        raise Conflict("TERM_OVERLAP", f"与学期「{other.name}」的日期重叠")


def _save(session: Session, row, conflict: Conflict):
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict from None
    session.refresh(row)
    return row


def create_term(*, session: Session, school_id: int, data: TermIn) -> TermOut:
    _refuse_overlap(session, school_id, data.starts_on, data.ends_on)
    term = Term(school_id=school_id, **data.model_dump())
    return term_out(_save(session, term, Conflict("TERM_EXISTS", "已有同名学期")))


def get_term(*, session: Session, term_id: int, school_ids: Iterable[int]) -> Term:
    return get_in_schools(session, Term, term_id, frozenset(school_ids), message="未找到该学期")


def update_term(*, session: Session, term: Term, data: TermUpdate) -> TermOut:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    starts_on = changes.get("starts_on", term.starts_on)
    ends_on = changes.get("ends_on", term.ends_on)
    if ends_on < starts_on:
        raise AppError("TERM_DATES_INVALID", "学期结束日期不能早于开始日期", status_code=422)
    _refuse_overlap(session, term.school_id, starts_on, ends_on, exclude_id=term.id)
    for key, value in changes.items():
        setattr(term, key, value)
    return term_out(_save(session, term, Conflict("TERM_EXISTS", "已有同名学期")))


def _check_head(session: Session, school_id: int, staff_id: int | None) -> None:
    if staff_id is None:
        return
    staff = session.get(Staff, staff_id)
    if staff is None or staff.school_id != school_id:
        raise AppError("STAFF_NOT_FOUND", "班主任须为本校教职工", status_code=422, fields={"head_staff_id": "不是本校教职工"})


def class_outs(session: Session, classes: list[SchoolClass]) -> list[ClassOut]:
    ids = [c.id for c in classes]
    counts = dict(session.exec(
        select(Student.class_id, func.count()).where(Student.class_id.in_(ids), Student.is_active == True)  # noqa: E712
        .group_by(Student.class_id)).all()) if ids else {}
    head_ids = {c.head_staff_id for c in classes if c.head_staff_id}
    heads = staff_names(session, head_ids)
    return [ClassOut(id=c.id, school_id=c.school_id, grade=c.grade, number=c.number, name=c.name,
                     head_staff_id=c.head_staff_id, head_staff_name=heads.get(c.head_staff_id),
                     student_count=counts.get(c.id, 0)) for c in classes]


def list_classes(*, session: Session, school_id: int) -> list[ClassOut]:
    rows = session.exec(select(SchoolClass).where(SchoolClass.school_id == school_id)
                        .order_by(SchoolClass.grade, SchoolClass.number)).all()
    return class_outs(session, list(rows))


def create_class(*, session: Session, school_id: int, data: ClassIn) -> ClassOut:
    _check_head(session, school_id, data.head_staff_id)
    row = SchoolClass(school_id=school_id, **data.model_dump())
    return class_outs(session, [_save(session, row, Conflict("CLASS_EXISTS", "该班级已存在"))])[0]


def get_class(*, session: Session, class_id: int, school_ids: Iterable[int]) -> SchoolClass:
    return get_in_schools(session, SchoolClass, class_id, frozenset(school_ids), message="未找到该班级")


def update_class(*, session: Session, school_class: SchoolClass, data: ClassUpdate) -> ClassOut:
    _check_head(session, school_class.school_id, data.head_staff_id)
    school_class.head_staff_id = data.head_staff_id
    session.add(school_class)
    session.commit()
    session.refresh(school_class)
    return class_outs(session, [school_class])[0]


# ---------- the school's own settings ----------

def school_rules(session: Session, school_id: int) -> SchoolRules:
    """The school's settings; the seeds' defaults until an admin changes one (not saved until then)."""
    return session.get(SchoolRules, school_id) or SchoolRules(school_id=school_id)


def rules_out(rules: SchoolRules) -> RulesOut:
    return RulesOut.model_validate(rules, from_attributes=True)


def update_rules(*, session: Session, school_id: int, data: RulesIn) -> RulesOut:
    rules = session.get(SchoolRules, school_id) or SchoolRules(school_id=school_id)
    for key, value in data.model_dump().items():
        setattr(rules, key, value)
    session.add(rules)
    session.commit()
    return rules_out(rules)
