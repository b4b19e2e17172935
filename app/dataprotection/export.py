"""Everything Kehou holds about one child, for their guardian (PIPL art. 45): a .zip of JSON files and the photo.

Exactly this child's data: every query below is by the child's id, and what lists several children (an incident, a
care log, the access trail) is cut down to this child. Choices where the issue was silent (docs/privacy.md):
- the other guardians appear with their name and relation, not their phone number (theirs, not the child's);
  the caller's own phone is included;
- pickup delegates likewise without their phone; pickup blocks (禁止接送) are left out: they may name a guardian and
  a court order, and the school hands them out on request;
- texts written about several children (an incident, the message about it, a note) keep their story, with the name
  of every other child of the school replaced by "其他同学"; a care log gives only the note about this child, not
  the group's summary.
"""

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from app.attendance.models import AbsenceAlert, Attendance, AttendanceStatus, ServiceSession
from app.audit.service import child_access_log
from app.auth.models import Account
from app.caregroups.models import CareGroup, CareGroupMember
from app.carelogs.models import CareLogVersion
from app.clubs.models import Club, ClubEnrollment, EnrollmentEvent, EnrollmentStatus, LotteryChoice, SelectionRound
from app.core.clock import school_time, utcnow
from app.core.deps import Caller
from app.core.errors import NotFound
from app.enrollment.models import AgreementSignature, Application, ApplicationEvent, AppStatus, Bill
from app.enrollment.reports import PRIORITY_LABELS
from app.incidents.models import Incident
from app.incidents.service import incident_out
from app.leave.models import LeaveDay, LeaveKind, LeaveRequest, LeaveStatus
from app.notify.models import InboxMessage
from app.people.models import Guardian, Guardianship, Student
from app.people.photos import photo_file
from app.people.service import priorities_of
from app.pickup.models import Handoff, HandoffMethod, LatePickup, LateStage, PickupDelegate
from app.privacy.models import ConsentScope, PrivacyConsent
from app.schools.models import School, SchoolClass, Term
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse

OTHER_CHILD = "其他同学"

README = """{name}的个人信息导出（课后 Kehou）

导出时间：{at}
导出人：{by}

文件说明（JSON，UTF-8）：
- student.json：学生基本信息（姓名、学号、班级、性别、出生日期、优先保障群体）
- guardians.json：监护人（姓名、关系、是否可接送）；只含您本人的手机号，其他监护人的手机号不在导出范围内
- consents.json：监护人对《儿童个人信息处理规则》各项的同意与撤回记录
- applications.json：各学期课后服务申请、审核记录、协议签署与收费
- clubs.json：社团选课、候补与志愿；看护班分班
- attendance.json：每次点名记录、缺席提醒
- leave.json：请假申请
- pickups.json：接送交接记录、超时未接记录、临时授权接送人（不含其手机号）
- care_logs.json：看护记录中关于孩子的记录
- incidents.json：涉及孩子的突发情况（其他同学的姓名已隐去）
- notifications.json：关于孩子的消息通知
- surveys.json：以孩子名义填写的满意度调查
- access_log.json：学校教职工查看孩子信息的记录
- photos/：孩子的照片（如有）

禁止接送记录不在导出范围内，如需查询请联系学校。
"""


def _plain(value: Any) -> Any:
    """Times as the school reads them (its zone, with the offset); dates as ISO dates."""
    if isinstance(value, datetime):
        return school_time(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value)}")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain).encode()


class _OtherChildren:
    """Replaces the name of every other child of the school, wherever it appears in a text, by "其他同学"."""

    def __init__(self, session: Session, student: Student):
        others = {n for n in session.exec(select(Student.name).where(Student.school_id == student.school_id,
                                                                     Student.id != student.id)).all()
                  if len(n) >= 2 and n != student.name}  # a one-character "name" would eat ordinary words
        # The child's own name first: a shorter name inside it (王小 in 王小明) must not cut it up.
        names = [student.name] + sorted(others, key=len, reverse=True)
        self.own = student.name
        self.pattern = re.compile("|".join(map(re.escape, names))) if others else None

    def __call__(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(lambda m: m.group() if m.group() == self.own else OTHER_CHILD, value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def _student(session: Session, student: Student) -> dict:
    school_class = session.get(SchoolClass, student.class_id)
    return {"id": student.id, "name": student.name, "student_no": student.student_no,
            "school": session.get(School, student.school_id).name, "class": school_class.name,
            "grade": school_class.grade, "gender": {"male": "男", "female": "女"}.get(student.gender, student.gender),
            "birth_date": student.birth_date, "priority_groups": [PRIORITY_LABELS[p] for p in priorities_of(student)],
            "in_school": student.is_active, "has_photo": bool(student.photo_path),
            "created_at": student.created_at, "updated_at": student.updated_at}


def _guardians(session: Session, student: Student, caller: Caller) -> list[dict]:
    rows = session.exec(select(Guardianship, Guardian).join(Guardian, Guardian.id == Guardianship.guardian_id)
                        .where(Guardianship.student_id == student.id).order_by(Guardianship.id)).all()
    mine = set(caller.actor.guardian_ids)
    return [{"name": g.name, "relation": link.relation, "may_pick_up": link.may_pick_up,
             "wechat_bound": g.account_id is not None, "is_you": g.id in mine,
             **({"phone": g.phone} if g.id in mine else {})} for link, g in rows]


def _consents(session: Session, student: Student) -> list[dict]:
    """Every consent given for the child under the processing rules, and its withdrawal: whose (by name), which
    scope and version, when."""
    rows = session.exec(select(PrivacyConsent, Guardian.name).join(Guardian, Guardian.id == PrivacyConsent.guardian_id)
                        .where(PrivacyConsent.student_id == student.id).order_by(PrivacyConsent.id)).all()
    return [{"guardian": name, "scope": ConsentScope.LABELS.get(c.scope, c.scope), "rules_version": c.rules_version,
             "given_at": c.given_at, "withdrawn_at": c.withdrawn_at} for c, name in rows]


def _applications(session: Session, student: Student) -> list[dict]:
    terms = {t.id: t.name for t in session.exec(select(Term).where(Term.school_id == student.school_id)).all()}
    apps = session.exec(select(Application).where(Application.student_id == student.id)
                        .order_by(Application.id)).all()
    bills = {b.term_id: b for b in session.exec(select(Bill).where(Bill.student_id == student.id)).all()}
    out = []
    for app in apps:
        events = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == app.id)
                              .order_by(ApplicationEvent.id)).all()
        signatures = session.exec(select(AgreementSignature).where(AgreementSignature.application_id == app.id)
                                  .order_by(AgreementSignature.id)).all()
        bill = bills.get(app.term_id)
        out.append({
            "term": terms.get(app.term_id), "status": AppStatus.LABELS.get(app.status, app.status),
            "weekdays": app.weekdays, "pickup_mode": app.pickup_mode, "self_statement": app.self_statement,
            "priority_claims": [PRIORITY_LABELS.get(p, p) for p in app.priority_claims], "note": app.note,
            "decline_reason": app.decline_reason, "submitted_at": app.submitted_at, "decided_at": app.decided_at,
            "leaves_on": app.leaves_on,
            "history": [{"action": e.action, "from": e.from_status, "to": e.to_status, "by_role": e.actor_role,
                         "comment": e.comment, "at": e.at} for e in events],
            "signatures": [{"plan_version": s.plan_version, "signer": s.signer_name, "text_hash": s.text_hash,
                            "signed_at": s.signed_at} for s in signatures],
            "fee": {"amount_cents": bill.amount_cents, "waiver": bill.waiver, "waiver_reason": bill.waiver_reason,
                    "due_cents": bill.due_cents} if bill else None})
    return out


def _clubs(session: Session, student: Student) -> dict:
    terms = {t.id: t.name for t in session.exec(select(Term).where(Term.school_id == student.school_id)).all()}
    enrolments = session.exec(select(ClubEnrollment, Club.name).join(Club, Club.id == ClubEnrollment.club_id)
                              .where(ClubEnrollment.student_id == student.id).order_by(ClubEnrollment.id)).all()
    choices = session.exec(select(LotteryChoice, Club.name, SelectionRound.name)
                           .join(Club, Club.id == LotteryChoice.club_id)
                           .join(SelectionRound, SelectionRound.id == LotteryChoice.round_id)
                           .where(LotteryChoice.student_id == student.id)
                           .order_by(LotteryChoice.round_id, LotteryChoice.rank)).all()
    groups = session.exec(select(CareGroupMember, CareGroup.name).join(CareGroup, CareGroup.id == CareGroupMember.group_id)
                          .where(CareGroupMember.student_id == student.id).order_by(CareGroupMember.id)).all()
    return {
        "club_enrolments": [{
            "term": terms.get(e.term_id), "club": name, "status": EnrollmentStatus.LABELS.get(e.status, e.status),
            "since": e.created_at, "updated_at": e.updated_at,
            "history": [{"action": ev.action, "to": ev.to_status, "reason": ev.reason, "at": ev.at}
                        for ev in session.exec(select(EnrollmentEvent).where(EnrollmentEvent.enrollment_id == e.id)
                                               .order_by(EnrollmentEvent.id)).all()]}
            for e, name in enrolments],
        "lottery_choices": [{"round": round_name, "club": club_name, "rank": c.rank}
                            for c, club_name, round_name in choices],
        "care_groups": [{"term": terms.get(m.term_id), "group": name, "placed_at": m.placed_at} for m, name in groups],
    }


def _attendance(session: Session, student: Student) -> dict:
    marks = session.exec(select(Attendance, ServiceSession.day, ServiceSession.name)
                         .join(ServiceSession, ServiceSession.id == Attendance.session_id)
                         .where(Attendance.student_id == student.id).order_by(ServiceSession.day, Attendance.id)).all()
    alerts = session.exec(select(AbsenceAlert, ServiceSession.day, ServiceSession.name)
                          .join(ServiceSession, ServiceSession.id == AbsenceAlert.session_id)
                          .where(AbsenceAlert.student_id == student.id).order_by(AbsenceAlert.id)).all()
    return {"marks": [{"date": day, "session": name, "status": AttendanceStatus.LABELS.get(a.status, a.status),
                       "arrived_at": a.arrived_at, "marked_at": a.marked_at} for a, day, name in marks],
            "absence_alerts": [{"date": day, "session": name, "raised_at": a.raised_at} for a, day, name in alerts]}


def _leave(session: Session, student: Student) -> list[dict]:
    requests = session.exec(select(LeaveRequest).where(LeaveRequest.student_id == student.id)
                            .order_by(LeaveRequest.id)).all()
    days: dict[int, list[date]] = {}
    for leave_id, day in session.exec(select(LeaveDay.leave_id, LeaveDay.day).where(
            LeaveDay.student_id == student.id).order_by(LeaveDay.day)).all():
        days.setdefault(leave_id, []).append(day)
    return [{"kind": LeaveKind.LABELS.get(r.kind, r.kind), "dates": days.get(r.id, []), "reason": r.reason,
             "early_pickup_time": r.early_pickup_time, "status": LeaveStatus.LABELS.get(r.status, r.status),
             "urgent": r.urgent, "requested_at": r.requested_at, "decided_at": r.decided_at, "comment": r.comment}
            for r in requests]


def _pickups(session: Session, student: Student) -> dict:
    handoffs = session.exec(select(Handoff).where(Handoff.student_id == student.id).order_by(Handoff.day)).all()
    lates = session.exec(select(LatePickup).where(LatePickup.student_id == student.id).order_by(LatePickup.day)).all()
    delegates = session.exec(select(PickupDelegate, Guardian.name)
                             .join(Guardian, Guardian.id == PickupDelegate.granted_by_guardian_id)
                             .where(PickupDelegate.student_id == student.id).order_by(PickupDelegate.id)).all()
    return {
        "handoffs": [{"date": h.day, "method": HandoffMethod.LABELS.get(h.method, h.method), "adult": h.adult_name,
                      "relation": h.relation, "released_by": h.released_by_name, "place": h.place, "note": h.note,
                      "released_at": h.released_at} for h in handoffs],
        "late_pickups": [{"date": x.day, "end_time": x.end_time, "stage": LateStage.LABELS.get(x.stage, x.stage),
                          "raised_at": x.raised_at, "with_guard_at": x.to_guard_at} for x in lates],
        "delegates": [{"name": d.name, "relation": d.relation, "from": d.starts_on, "to": d.ends_on,
                       "named_by": granted_by, "accepted_at": d.accepted_at, "revoked_at": d.revoked_at}
                      for d, granted_by in delegates],
    }


def _care_logs(session: Session, student: Student) -> list[dict]:
    """The notes about this child in the school's care logs (each version that has one)."""
    rows = session.exec(select(CareLogVersion.child_notes, CareLogVersion.version, CareLogVersion.written_by_name,
                               CareLogVersion.written_at, ServiceSession.day, ServiceSession.name)
                        .join(ServiceSession, ServiceSession.id == CareLogVersion.session_id)
                        .where(CareLogVersion.school_id == student.school_id)
                        .order_by(ServiceSession.day, CareLogVersion.session_id, CareLogVersion.version)).all()
    return [{"date": day, "session": name, "version": version, "note": note["note"], "written_by": by, "written_at": at}
            for notes, version, by, at, day, name in rows
            for note in notes if note.get("student_id") == student.id]


def _incidents(session: Session, student: Student) -> list[dict]:
    rows = [row for row in session.exec(select(Incident).where(Incident.school_id == student.school_id)
                                        .order_by(Incident.at)).all() if student.id in row.student_ids]
    # Without `children`: the others involved are theirs to know.
    return [incident_out(session, row).model_dump(exclude={"id", "children"}) for row in rows]


def _notifications(session: Session, student: Student, caller: Caller) -> list[dict]:
    guardian_accounts = set(session.exec(select(Guardian.account_id).join(
        Guardianship, Guardianship.guardian_id == Guardian.id).where(Guardianship.student_id == student.id)).all())
    rows = session.exec(select(InboxMessage).where(
        InboxMessage.school_id == student.school_id, InboxMessage.data["student_id"].as_integer() == student.id)
        .order_by(InboxMessage.created_at, InboxMessage.id)).all()
    def recipient(account_id: int) -> str:
        if account_id == caller.account_id:
            return "本人"
        return "其他监护人" if account_id in guardian_accounts else "学校教职工"
    return [{"title": m.title, "body": m.body, "sent_to": recipient(m.account_id), "created_at": m.created_at,
             "read_at": m.read_at} for m in rows]


def _surveys(session: Session, student: Student) -> list[dict]:
    out = []
    for response, survey in session.exec(select(SurveyResponse, Survey).join(Survey, Survey.id == SurveyResponse.survey_id)
                                         .where(SurveyResponse.student_id == student.id)
                                         .order_by(SurveyResponse.id)).all():
        questions = {q["id"]: q for q in survey.questions}
        answers = []
        for a in session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
                              .order_by(SurveyAnswer.question_id)).all():
            question = questions.get(a.question_id, {})
            options = {o["id"]: o["text"] for o in question.get("options", [])}
            answers.append({"question": question.get("text"), "rating": a.rating,
                            "options": [options.get(o, o) for o in a.option_ids or []] or None, "text": a.text})
        out.append({"survey": survey.title, "submitted_at": response.submitted_at, "answers": answers})
    return out


def export_zip(*, session: Session, caller: Caller, student: Student) -> bytes:
    """The .zip a guardian downloads: one JSON file per kind of record, the photo, and a README in Chinese."""
    account = session.get(Account, caller.account_id)
    others = _OtherChildren(session, student)
    json_files = {
        "student.json": _student(session, student),
        "guardians.json": _guardians(session, student, caller),
        "consents.json": _consents(session, student),
        "applications.json": _applications(session, student),
        "clubs.json": _clubs(session, student),
        "attendance.json": _attendance(session, student),
        "leave.json": _leave(session, student),
        "pickups.json": _pickups(session, student),
        "care_logs.json": _care_logs(session, student),
        "incidents.json": _incidents(session, student),
        "notifications.json": _notifications(session, student, caller),
        "surveys.json": _surveys(session, student),
        "access_log.json": [a.model_dump() for a in child_access_log(session=session, student_id=student.id,
                                                                     limit=100_000)],
    }
    files: dict[str, bytes] = {
        "README.txt": README.format(name=student.name, at=school_time(utcnow()).strftime("%Y-%m-%d %H:%M"),
                                    by=account.display_name if account else "").encode(),
        **{name: _json(others(data)) for name, data in json_files.items()},
    }
    if student.photo_path:
        try:
            path, _ = photo_file(student)
            files[f"photos/student{path.suffix}"] = path.read_bytes()
        except NotFound:  # the file is gone from the disk: the rest of the export still stands
            pass
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
