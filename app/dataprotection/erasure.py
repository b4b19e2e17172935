"""Erasing a child who left the school (PIPL art. 47): their personal data goes, the school's figures stay.

The student row stays, anonymised, so every record the figures count (attendance, handoffs, applications, clubs,
bills, kept day figures) keeps pointing at it and the dashboards come out the same; what identifies the child —
name, number, birth date, gender, priority groups, photo, guardians, notes and free texts — is deleted or replaced.
Only a child already marked as left (inactive) can be erased: the figures count active children only, and no child
in care is erased by a slip. The choices are listed in docs/privacy.md ("Erasure").
"""

import re
from collections import Counter
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from app.attendance.models import Handover
from app.audit.service import record_access
from app.auth.models import Account
from app.carelogs.models import CareLogVersion
from app.caregroups.models import CareGroupMember
from app.clubs.models import EnrollmentEvent
from app.core.clock import utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict
from app.core.media import remove_image
from app.dataprotection.models import StudentErasure
from app.dataprotection.schemas import ErasureOut
from app.duty.models import DailyReportCorrection, DailyReportSignoff, PatrolRecord
from app.enrollment.models import AgreementSignature, Application, ApplicationEvent, Bill
from app.incidents.models import Incident, IncidentEntry
from app.leave.models import LeaveRequest
from app.notify.models import InboxMessage, OutboxMessage
from app.people.models import BindAttempt, DistrictOfficial, Guardian, Guardianship, Staff, Student
from app.pickup.models import Handoff, PickupBlock, PickupDelegate
from app.surveys.models import SurveyAnswer

ERASED = "已删除"
# What the child's name becomes in free text: a person, no longer a particular one.
SOMEONE = "某同学"

# Free texts of the school that may name the child (a teacher's note, an incident, a sibling's leave reason): each
# mention of the name is replaced wherever it is, not only in the child's own rows.
FREE_TEXTS: list[tuple[type, tuple[str, ...]]] = [
    (Application, ("decline_reason", "note", "self_statement")), (ApplicationEvent, ("comment",)),
    (Bill, ("waiver_reason",)), (EnrollmentEvent, ("reason",)), (CareGroupMember, ("reason",)),
    (LeaveRequest, ("reason", "comment")), (Handover, ("notes",)), (Handoff, ("note",)),
    (PickupBlock, ("reason",)), (Incident, ("description", "actions_taken", "place")), (IncidentEntry, ("text",)),
    (CareLogVersion, ("summary", "unusual")), (PatrolRecord, ("note",)), (DailyReportCorrection, ("text",)),
    (SurveyAnswer, ("text",)),
]
# JSON columns that may hold the name; JSON is stored with escaped characters, so these are read row by row (a few
# hundred rows a year per school). Messages, far more, are found by their text (`_scrub_messages`).
FREE_JSON: list[tuple[type, str]] = [(IncidentEntry, "changes"), (DailyReportSignoff, "snapshot")]


def erased_name(student_id: int) -> str:
    return f"已删除学生 #{student_id}"


def _fit(model: type, column: str, text: str) -> str:
    """Cut to the column's length: a name replaced by a longer word must not overflow a full VARCHAR."""
    limit = getattr(model.__table__.c[column].type, "length", None)
    return text[:limit] if limit else text


class Mentions:
    """The child's name as it stands in a text, replaced by 某同学 — not where it is part of another child's longer
    name (李华 in 李华丽). A name of one character is left alone: it would eat ordinary words."""

    def __init__(self, session: Session, student: Student):
        self.name = student.name.strip()
        longer = {n for n in session.exec(select(Student.name).where(
            Student.school_id == student.school_id, Student.id != student.id,
            Student.name.contains(self.name, autoescape=True))).all() if n != self.name} if self.name else set()
        # Alternatives are tried in order: a longer name that holds this one matches first and is kept.
        self.pattern = re.compile("|".join(map(re.escape, [*sorted(longer, key=len, reverse=True), self.name])))
        self.usable = len(self.name) >= 2

    def text(self, value: str) -> str:
        if not self.usable or self.name not in value:
            return value
        return self.pattern.sub(lambda m: SOMEONE if m.group() == self.name else m.group(), value)

    def __call__(self, value: Any) -> Any:
        """The same through a JSON value (strings in lists and objects)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def _scrub_free_texts(session: Session, school_id: int, mentions: Mentions) -> int:
    """Replace the name in every free text of the school; the number of rows changed."""
    if not mentions.usable:
        return 0
    changed = 0
    for model, columns in FREE_TEXTS:
        rows = session.exec(select(model).where(model.school_id == school_id, or_(
            *(getattr(model, c).contains(mentions.name, autoescape=True) for c in columns)))).all()
        for row in rows:
            before = [getattr(row, c) for c in columns]
            after = [_fit(model, c, mentions.text(v)) if v else v for c, v in zip(columns, before)]
            if after != before:
                for column, value in zip(columns, after):
                    setattr(row, column, value)
                session.add(row)
                changed += 1
    for model, column in FREE_JSON:
        for row in session.exec(select(model).where(model.school_id == school_id)).all():
            value = getattr(row, column)
            replaced = mentions(value)
            if replaced != value:
                setattr(row, column, replaced)
                session.add(row)
                changed += 1
    return changed + _scrub_messages(session, school_id, mentions)


def _scrub_messages(session: Session, school_id: int, mentions: Mentions) -> int:
    """Messages about other children that name this one (an incident alert, a sibling's leave): the name goes
    from their text and from the data the WeChat message is made of."""
    rows = session.exec(select(InboxMessage).where(InboxMessage.school_id == school_id, or_(
        InboxMessage.title.contains(mentions.name, autoescape=True),
        InboxMessage.body.contains(mentions.name, autoescape=True)))).all()
    changed = []
    for row in rows:
        title, body = _fit(InboxMessage, "title", mentions.text(row.title)), _fit(InboxMessage, "body",
                                                                                   mentions.text(row.body))
        if (title, body) != (row.title, row.body):
            row.title, row.body, row.data = title, body, mentions(row.data)
            session.add(row)
            changed.append(row.id)
    for outbox in session.exec(select(OutboxMessage).where(OutboxMessage.inbox_id.in_(changed))).all() \
            if changed else []:
        outbox.data = mentions(outbox.data)
        session.add(outbox)
    return len(changed)


def _erase_guardians(session: Session, student: Student, photos: list[str | None], removed: Counter) -> None:
    """The child's guardian links go; a guardian left with no child at the school loses their personal data too
    (and their WeChat login no longer reaches the school). One who still has a child there keeps theirs."""
    links = session.exec(select(Guardianship).where(Guardianship.student_id == student.id)).all()
    guardian_ids = [link.guardian_id for link in links]
    for link in links:
        session.delete(link)
    session.flush()
    removed["guardian_links"] += len(links)
    for guardian in session.exec(select(Guardian).where(Guardian.id.in_(guardian_ids))).all() if guardian_ids else []:
        if session.exec(select(Guardianship.id).where(Guardianship.guardian_id == guardian.id)).first() is not None:
            continue
        photos.append(guardian.photo_path)
        account_id = guardian.account_id
        guardian.name, guardian.phone = f"已删除家长 #{guardian.id}", f"deleted-{guardian.id}"
        guardian.photo_path = guardian.account_id = None
        session.add(guardian)
        session.flush()
        removed["guardians_erased"] += 1
        _forget_idle_account(session, account_id)


def _forget_idle_account(session: Session, account_id: int | None) -> None:
    """A WeChat login left with nothing (no child anywhere, no post, no district) loses the name it showed; the login
    itself stays, so the adult can still sign in and bind a child again."""
    account = session.get(Account, account_id) if account_id else None
    if account is None or any(session.exec(select(model.id).where(model.account_id == account.id)).first()
                              for model in (Guardian, Staff, DistrictOfficial)):
        return
    account.display_name = ""
    session.add(account)


def _erase_own_records(session: Session, student: Student, removed: Counter) -> None:
    """What the child's own rows say about the child or their family, beyond what the figures count."""
    sid = student.id
    for app in session.exec(select(Application).where(Application.student_id == sid)).all():
        app.self_statement = app.note = None
        app.priority_claims = []
        session.add(app)
        for signature in session.exec(select(AgreementSignature).where(
                AgreementSignature.application_id == app.id)).all():
            signature.signer_name, signature.client, signature.client_ip = ERASED, None, None
            session.add(signature)
    for bill in session.exec(select(Bill).where(Bill.student_id == sid)).all():
        bill.waiver_reason = None
        session.add(bill)
    for leave in session.exec(select(LeaveRequest).where(LeaveRequest.student_id == sid)).all():
        leave.reason, leave.comment = "", None  # a sick note is health data
        session.add(leave)
    for handoff in session.exec(select(Handoff).where(Handoff.student_id == sid)).all():
        handoff.adult_name, handoff.note = ERASED, None
        handoff.guardian_id = handoff.delegate_id = handoff.device_id = None
        session.add(handoff)
        removed["handoffs_anonymised"] += 1
    for delegate in session.exec(select(PickupDelegate).where(PickupDelegate.student_id == sid)).all():
        delegate.name, delegate.phone, delegate.account_id = ERASED, "", None
        session.add(delegate)
        removed["pickup_adults_erased"] += 1
    for block in session.exec(select(PickupBlock).where(PickupBlock.student_id == sid)).all():
        block.name, block.phone, block.reason = ERASED, "", ERASED
        session.add(block)
        removed["pickup_adults_erased"] += 1
    for attempt in session.exec(select(BindAttempt).where(BindAttempt.student_id == sid)).all():
        attempt.student_no, attempt.client_ip = "", None
        session.add(attempt)
    noted = [log_id for log_id, notes in session.exec(select(CareLogVersion.id, CareLogVersion.child_notes).where(
        CareLogVersion.school_id == student.school_id)).all() if any(n.get("student_id") == sid for n in notes)]
    for log in session.exec(select(CareLogVersion).where(CareLogVersion.id.in_(noted))).all() if noted else []:
        # The teacher's note on the child goes; the log of the session (what the group did) stays.
        log.child_notes = [n for n in log.child_notes if n.get("student_id") != sid]
        session.add(log)
        removed["care_log_notes"] += 1
    messages = list(session.exec(select(InboxMessage.id).where(
        InboxMessage.school_id == student.school_id, InboxMessage.data["student_id"].as_integer() == sid)).all())
    if messages:
        session.exec(delete(OutboxMessage).where(OutboxMessage.inbox_id.in_(messages)))
        session.exec(delete(InboxMessage).where(InboxMessage.id.in_(messages)))
    removed["notifications"] += len(messages)


def _anonymise(student: Student, photos: list[str | None]) -> None:
    photos.append(student.photo_path)
    student.name, student.name_initials = erased_name(student.id), ""
    student.student_no = f"erased-{student.id}"
    student.gender, student.birth_date, student.photo_path = "", None, None
    for column in ("priority_disabled", "priority_left_behind", "priority_migrant", "priority_low_income",
                   "priority_single_parent", "priority_dual_working"):
        setattr(student, column, False)
    student.updated_at = utcnow()


def erasure_out(session: Session, row: StudentErasure) -> ErasureOut:
    return ErasureOut(student_id=row.student_id, erased_at=row.erased_at, erased_by=row.erased_by_name,
                      reason=row.reason, removed=row.removed)


def erase_student(*, session: Session, caller: Caller, student: Student, reason: str) -> ErasureOut:
    """Erase a child who left: personal fields, photos, guardian links and mentions in free text. Erasing again
    answers with the first erasure and changes nothing."""
    # One erasure at a time per child (PostgreSQL; SQLite writers queue anyway).
    session.exec(select(Student.id).where(Student.id == student.id).with_for_update()).first()
    done = session.exec(select(StudentErasure).where(StudentErasure.student_id == student.id)).first()
    if done is not None:
        return erasure_out(session, done)
    if student.is_active:
        raise Conflict("STUDENT_STILL_ACTIVE", "该学生仍在校，请先将其标记为离校，再删除个人信息")
    mentions = Mentions(session, student)
    # The reason must not bring the name back (an admin may well write "张小明转学").
    reason = mentions.text(reason.strip())
    if not reason:
        raise AppError("REASON_REQUIRED", "请填写删除原因", status_code=422, fields={"reason": "必填"})
    removed: Counter = Counter()
    photos: list[str | None] = []
    _erase_guardians(session, student, photos, removed)
    _erase_own_records(session, student, removed)
    removed["texts_scrubbed"] += _scrub_free_texts(session, student.school_id, mentions)
    _anonymise(student, photos)
    removed["photos"] += sum(1 for p in photos if p)
    session.add(student)
    by = session.exec(select(Staff.name).where(Staff.school_id == student.school_id,
                                               Staff.account_id == caller.account_id)).first() or caller.actor.name
    row = StudentErasure(school_id=student.school_id, student_id=student.id, erased_by=caller.account_id,
                         erased_by_name=by[:50], reason=reason[:200], removed=dict(sorted(removed.items())))
    session.add(row)
    session.flush()
    # Commits the erasure and its audit event together.
    record_access(session, caller, school_id=student.school_id, action="student.erase", student_ids=[student.id],
                  detail=row.reason)
    for path in photos:  # the files go once the rows no longer name them
        remove_image(path)
    return erasure_out(session, row)
