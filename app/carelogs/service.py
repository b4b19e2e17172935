"""The session teacher's care log (看护记录): what the children did, notes on individual children, anything
unusual. An amendment is a new version; the history keeps every one (the record a school shows an inspector)."""

from sqlalchemy import func
from sqlmodel import Session, select

from app.attendance.models import ServiceSession
from app.attendance.places import session_staff_ids
from app.carelogs.models import CareLogVersion
from app.carelogs.schemas import ACTIVITY_LABELS, CareLogHistory, CareLogIn, CareLogOut, ChildNoteOut
from app.core.clock import today, utcnow
from app.core.db import InsertOnce
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden
from app.people.models import Student
from app.people.service import staff_names

_add_version = InsertOnce(CareLogVersion, "session_id", "version")


def _out(row: CareLogVersion, names: dict[int, str]) -> CareLogOut:
    return CareLogOut(session_id=row.session_id, version=row.version, activities=row.activities,
                      activity_labels=[ACTIVITY_LABELS[a] for a in row.activities], summary=row.summary,
                      child_notes=[ChildNoteOut(student_id=n["student_id"], note=n["note"],
                                                name=names.get(n["student_id"], "")) for n in row.child_notes],
                      unusual=row.unusual, written_by=row.written_by_name, written_at=row.written_at)


def history(*, session: Session, row: ServiceSession) -> CareLogHistory:
    versions = session.exec(select(CareLogVersion).where(CareLogVersion.session_id == row.id)
                            .order_by(CareLogVersion.version)).all()
    ids = {n["student_id"] for v in versions for n in v.child_notes}
    names = dict(session.exec(select(Student.id, Student.name).where(Student.id.in_(ids))).all()) if ids else {}
    outs = [_out(v, names) for v in versions]
    return CareLogHistory(current=outs[-1] if outs else None, versions=outs)


def write(*, session: Session, caller: Caller, row: ServiceSession, data: CareLogIn) -> CareLogHistory:
    """A new version of the session's log, by one of its teachers (or an admin); not for a day still to come."""
    staff_id = caller.actor.staff_id(row.school_id)
    if not caller.actor.has_role(row.school_id, "admin") and staff_id not in session_staff_ids(
            session, [row.id])[row.id]:
        raise Forbidden(message="只有本场次的老师可以写看护记录")
    if row.day > today():
        raise AppError("DATE_IN_FUTURE", "还没到这一天，不能写看护记录")
    notes = list({n.student_id: n for n in data.child_notes}.values())
    ids = {n.student_id for n in notes}
    known = set(session.exec(select(Student.id).where(Student.id.in_(ids), Student.school_id == row.school_id)
                             ).all()) if ids else set()
    if ids - known:
        raise AppError("STUDENT_NOT_FOUND", "记录里有不是本校的学生", status_code=404)
    latest = session.exec(select(func.max(CareLogVersion.version)).where(CareLogVersion.session_id == row.id)).one()
    name = staff_names(session, [staff_id]).get(staff_id) or caller.actor.name
    # Two teachers saving at the same moment: the version number is unique, the second is asked to look again.
    if not _add_version(session, dict(
            school_id=row.school_id, session_id=row.id, version=(latest or 0) + 1, activities=data.activities,
            summary=data.summary.strip(), child_notes=[n.model_dump() for n in notes],
            unusual=(data.unusual or "").strip() or None, written_by=caller.account_id, written_by_name=name,
            written_at=utcnow())):
        session.rollback()
        raise Conflict("CARE_LOG_CHANGED", "另一位老师刚保存了看护记录，请刷新后再改")
    session.commit()
    return history(session=session, row=row)
