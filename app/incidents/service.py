"""突发情况与处理: an incident as reported never changes; follow-ups, corrections and the closing append.

Told at once: the guardians of the children involved (only theirs) and the day's duty leader; a missing child
alerts everyone on duty that day, the guards and the teachers of today's sessions.
"""

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, select

from app.attendance.places import session_staff_ids
from app.attendance.service import hhmm, school_day
from app.core.clock import school_time, today, utcnow
from app.core.deps import Caller
from app.core.errors import AppError, NotFound
from app.core.scope import get_in_schools
from app.duty.on_duty import duty_staff_ids, staff_with_role
from app.incidents.models import Incident, IncidentEntry, IncidentType
from app.incidents.schemas import SEVERITY_LABELS, EntryIn, EntryOut, IncidentIn, IncidentOut, InvolvedChild
from app.notify.events import INCIDENT, EventType, register
from app.notify.service import enqueue, notify_guardians
from app.people.models import Student
from app.people.service import staff_accounts, staff_names
from app.schools.models import SchoolClass

INCIDENT_ALERT = register(EventType(
    "incident_alert", "突发情况", "{type_label}（{severity_label}）{time} 在{place}：{description}。报告人：{reporter}",
    {"thing1": "{type_label}", "time2": "{time}", "thing3": "{place}"}))
CORRECTABLE = ("severity", "place", "description", "actions_taken")


def _staff_name(session: Session, caller: Caller, school_id: int) -> str:
    staff_id = caller.actor.staff_id(school_id)
    return staff_names(session, [staff_id]).get(staff_id) or caller.actor.name


def _children(session: Session, school_id: int, student_ids: list[int]) -> list[InvolvedChild]:
    found = _children_by_id(session, school_id, student_ids)
    missing = [sid for sid in student_ids if sid not in found]
    if missing:
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生", extra={"errors": [{"student_id": s} for s in missing]})
    return [found[sid] for sid in student_ids]


def _children_by_id(session: Session, school_id: int, student_ids: Iterable[int]) -> dict[int, InvolvedChild]:
    ids = list(set(student_ids))
    if not ids:
        return {}
    return {s.id: InvolvedChild(student_id=s.id, name=s.name, class_name=c.name) for s, c in session.exec(
        select(Student, SchoolClass).join(SchoolClass, SchoolClass.id == Student.class_id)
        .where(Student.id.in_(ids), Student.school_id == school_id)).all()}


def _alerted_staff(session: Session, school_id: int, day: date, kind: str) -> list[int]:
    """The duty leader of the day; for a missing child everyone on duty, the guards and today's teachers."""
    if kind != "missing_child":
        return duty_staff_ids(session, school_id, day)
    _, served = school_day(session, school_id, day) if day == today() else (None, None)
    sessions = session_staff_ids(session, [s.id for s in served.sessions]) if served else {}
    teachers = [staff_id for ids in sessions.values() for staff_id in ids]
    return sorted(set(duty_staff_ids(session, school_id, day, leaders_only=False))
                  | set(staff_with_role(session, school_id, "duty_leader"))
                  | set(staff_with_role(session, school_id, "guard")) | set(teachers))


def report(*, session: Session, caller: Caller, school_id: int, data: IncidentIn) -> IncidentOut:
    at = data.at or utcnow()
    if at > utcnow():
        raise AppError("INCIDENT_IN_FUTURE", "发生时间不能晚于现在")
    student_ids = list(dict.fromkeys(data.student_ids))
    children = _children(session, school_id, student_ids)
    if data.type == "missing_child" and not children:
        raise AppError("MISSING_CHILD_UNNAMED", "学生走失请选择走失的学生", fields={"student_ids": "必填"})
    row = Incident(school_id=school_id, day=school_time(at).date(), type=data.type, severity=data.severity, at=at,
                   place=data.place.strip(), student_ids=student_ids, description=data.description.strip(),
                   actions_taken=data.actions_taken.strip(), reported_by=caller.account_id,
                   reported_by_name=_staff_name(session, caller, school_id))
    session.add(row)
    session.flush()
    facts = {"incident_id": row.id, "type_label": IncidentType.LABELS[row.type],
             "severity_label": SEVERITY_LABELS[row.severity], "time": hhmm(at), "place": row.place,
             "description": row.description, "reporter": row.reported_by_name}
    for account_id in staff_accounts(session, _alerted_staff(session, school_id, row.day, row.type)):
        enqueue(session, account_id=account_id, event=INCIDENT_ALERT.key, data=facts, school_id=school_id,
                dedupe_key=f"incident_alert:{row.id}:{account_id}")
    for child in children:
        notify_guardians(session, student_id=child.student_id, school_id=school_id, event=INCIDENT.key,
                         data={"student_name": child.name, "summary": f"{IncidentType.LABELS[row.type]}（{row.place}）",
                               "time": hhmm(at), "actions": row.actions_taken},
                         dedupe_key=f"incident:{row.id}:{child.student_id}")
    session.commit()
    return incident_out(session, row)


def get_incident(*, session: Session, school_ids: frozenset[int], incident_id: int) -> Incident:
    return get_in_schools(session, Incident, incident_id, school_ids, code="INCIDENT_NOT_FOUND",
                          message="未找到该突发情况")


def _entries(session: Session, incident_id: int) -> list[IncidentEntry]:
    return list(session.exec(select(IncidentEntry).where(IncidentEntry.incident_id == incident_id)
                             .order_by(IncidentEntry.id)).all())


def add_entry(*, session: Session, caller: Caller, row: Incident, data: EntryIn) -> IncidentOut:
    """Append a follow-up, a correction (after closing too) or the closing with its resolution."""
    closed = any(e.kind == "close" for e in _entries(session, row.id))
    if closed and data.kind != "correction":
        raise AppError("INCIDENT_CLOSED", "此事已结案，只能补充更正", status_code=409)
    changes = data.changes.model_dump(exclude_none=True) if data.kind == "correction" and data.changes else {}
    session.add(IncidentEntry(school_id=row.school_id, incident_id=row.id, kind=data.kind, text=data.text.strip(),
                              changes=changes, written_by=caller.account_id,
                              written_by_name=_staff_name(session, caller, row.school_id)))
    session.commit()
    return incident_out(session, row)


def incident_out(session: Session, row: Incident, entries: list[IncidentEntry] | None = None,
                 children: dict[int, InvolvedChild] | None = None) -> IncidentOut:
    """The incident as corrected; `entries` and `children` when the caller read them for many incidents at once."""
    entries = _entries(session, row.id) if entries is None else entries
    current = {field: getattr(row, field) for field in CORRECTABLE}
    for entry in entries:
        current.update({k: v for k, v in entry.changes.items() if k in CORRECTABLE})
    closing = next((e for e in entries if e.kind == "close"), None)
    involved = _children(session, row.school_id, row.student_ids) if children is None else \
        [children[sid] for sid in row.student_ids if sid in children]
    return IncidentOut(
        id=row.id, day=row.day, type=row.type, type_label=IncidentType.LABELS[row.type], severity=current["severity"],
        severity_label=SEVERITY_LABELS[current["severity"]], at=row.at, place=current["place"],
        children=involved, description=current["description"],
        actions_taken=current["actions_taken"], reported_by=row.reported_by_name, reported_at=row.reported_at,
        status="closed" if closing else "open", resolution=closing.text if closing else None,
        entries=[EntryOut(id=e.id, kind=e.kind, text=e.text, changes=e.changes, written_by=e.written_by_name,
                          written_at=e.written_at) for e in entries],
        original={field: getattr(row, field) for field in CORRECTABLE})


def list_incidents(*, session: Session, school_id: int, start: date, end: date,
                   status: str | None = None) -> list[IncidentOut]:
    rows = session.exec(select(Incident).where(Incident.school_id == school_id, Incident.day >= start,
                                               Incident.day <= end).order_by(Incident.at.desc())).all()
    # Three statements for the whole list, not two per incident.
    entries: dict[int, list[IncidentEntry]] = {row.id: [] for row in rows}
    for entry in session.exec(select(IncidentEntry).where(IncidentEntry.incident_id.in_(list(entries)))
                              .order_by(IncidentEntry.id)).all() if rows else []:
        entries[entry.incident_id].append(entry)
    children = _children_by_id(session, school_id, (sid for row in rows for sid in row.student_ids))
    outs = [incident_out(session, row, entries[row.id], children) for row in rows]
    return [o for o in outs if status is None or o.status == status]
