"""Term applications (申请) and consent (协议), as the seeds set the procedure:

服务内容公示 → 家长申请 → 班级审核 → 教导处审定 → 签订协议 → 学校组织实施.

The plan is versioned: publishing freezes a version, and a signature names the version and a hash
of its exact text. An application moves through a fixed set of transitions; each is kept in
ApplicationEvent with who, when and why. A child is *in care* once approved and signed.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.clock import today, utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.enrollment.models import (
    AgreementSignature, Application, ApplicationEvent, AppStatus, Bill, PlanStatus, ServicePlan,
)
from app.enrollment.schemas import (
    ApplicationIn, ApplicationOut, ApplicationUpdate, BillOut, BulkResult, FeeSummary, HistoryItem, PlanIn,
    PlanOut, SignatureOut, WaiverIn,
)
from app.notify.service import notify_guardians
from app.people.models import Guardian, Guardianship, Student
from app.people.service import is_guardian_of, priorities_of
from app.schools.models import SchoolClass, Term, class_name

# action → (states it may start from, state it leads to). None = no answer yet for this child and term.
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "apply": (frozenset({None, AppStatus.WITHDRAWN, AppStatus.DECLINED}), AppStatus.SUBMITTED),
    "edit": (frozenset({AppStatus.SUBMITTED}), AppStatus.SUBMITTED),
    "resubmit": (frozenset({AppStatus.REJECTED}), AppStatus.SUBMITTED),
    "class_approve": (frozenset({AppStatus.SUBMITTED}), AppStatus.CLASS_APPROVED),
    "class_reject": (frozenset({AppStatus.SUBMITTED}), AppStatus.REJECTED),
    "approve": (frozenset({AppStatus.CLASS_APPROVED}), AppStatus.APPROVED),
    "reject": (frozenset({AppStatus.CLASS_APPROVED}), AppStatus.REJECTED),
    "withdraw": (frozenset({AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED, AppStatus.APPROVED, AppStatus.REJECTED}),
                 AppStatus.WITHDRAWN),
    "decline": (frozenset({None, AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED, AppStatus.REJECTED,
                           AppStatus.WITHDRAWN}), AppStatus.DECLINED),
}
DECISION_WORDS = {AppStatus.APPROVED: "已通过", AppStatus.REJECTED: "未通过"}


def text_hash(plan: ServicePlan | PlanIn) -> str:
    """SHA-256 of the agreement exactly as shown: title, a newline, then the text."""
    return hashlib.sha256(f"{plan.agreement_title}\n{plan.agreement_text}".encode()).hexdigest()


# ---------- the plan ----------

def term_fee_cents(plan: ServicePlan, term: Term) -> int:
    """The term's fee: a monthly fee is charged for each month the term spans (rounded)."""
    if plan.fee_period == "term":
        return plan.fee_cents
    months = max(1, round(((term.ends_on - term.starts_on).days + 1) / 30.44))
    return plan.fee_cents * months


def plan_out(plan: ServicePlan, term: Term) -> PlanOut:
    return PlanOut(id=plan.id, term_id=plan.term_id, version=plan.version, status=plan.status,
                   agreement_hash=plan.agreement_hash, term_fee_cents=term_fee_cents(plan, term),
                   published_at=plan.published_at, weekdays=plan.weekdays, end_times=plan.end_times,
                   winter=plan.winter, starts_at=plan.starts_at, homework_minutes=plan.homework_minutes,
                   content=plan.content,
                   fee_cents=plan.fee_cents, fee_period=plan.fee_period, waiver_rules=plan.waiver_rules,
                   safety_measures=plan.safety_measures, agreement_title=plan.agreement_title,
                   agreement_text=plan.agreement_text, capacity=plan.capacity, priority_first=plan.priority_first)


def published_plan(session: Session, term_id: int) -> ServicePlan | None:
    return session.exec(select(ServicePlan).where(ServicePlan.term_id == term_id,
                                                  ServicePlan.status == PlanStatus.PUBLISHED)).first()


def require_published_plan(session: Session, term_id: int) -> ServicePlan:
    plan = published_plan(session, term_id)
    if plan is None:
        raise NotFound("PLAN_NOT_PUBLISHED", "本学期课后服务方案尚未公示")
    return plan


def draft_plan(session: Session, term_id: int) -> ServicePlan | None:
    return session.exec(select(ServicePlan).where(ServicePlan.term_id == term_id,
                                                  ServicePlan.status == PlanStatus.DRAFT)).first()


def save_draft(*, session: Session, term: Term, data: PlanIn) -> ServicePlan:
    """Create or replace the term's draft; the published version is untouched until publishing."""
    draft = draft_plan(session, term.id) or ServicePlan(school_id=term.school_id, term_id=term.id)
    values = data.model_dump()
    values["end_times"] = data.end_times.model_dump()
    values["winter"] = data.winter.model_dump(mode="json") if data.winter else None
    for key, value in values.items():
        setattr(draft, key, value)
    draft.agreement_hash = text_hash(data)
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def publish(*, session: Session, term: Term, account_id: int) -> ServicePlan:
    """Freeze the draft as the next version; the previous version stays for its signatures."""
    draft = draft_plan(session, term.id)
    if draft is None:
        raise AppError("PLAN_NO_DRAFT", "没有待发布的方案草稿", status_code=409)
    current = published_plan(session, term.id)
    if current is not None:
        current.status = PlanStatus.SUPERSEDED
        session.add(current)
        session.flush()
    latest = session.exec(select(func.max(ServicePlan.version)).where(ServicePlan.term_id == term.id)).one() or 0
    draft.version, draft.status = latest + 1, PlanStatus.PUBLISHED
    draft.published_at, draft.published_by = utcnow(), account_id
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def plan_versions(session: Session, term_id: int) -> list[ServicePlan]:
    return list(session.exec(select(ServicePlan).where(ServicePlan.term_id == term_id)
                             .order_by(ServicePlan.version)).all())


# ---------- reading applications ----------

def _latest_signature(session: Session, application_id: int) -> AgreementSignature | None:
    """The signature that counts: the latest one since the guardian last applied. Applying again after
    withdrawing or declining starts afresh, so an old signature cannot put the child back into care."""
    applied_at = select(func.max(ApplicationEvent.at)).where(
        ApplicationEvent.application_id == application_id, ApplicationEvent.action == "apply").scalar_subquery()
    return session.exec(select(AgreementSignature).where(
        AgreementSignature.application_id == application_id,
        applied_at.is_(None) | (AgreementSignature.signed_at >= applied_at))
        .order_by(AgreementSignature.signed_at.desc(), AgreementSignature.id.desc())).first()


def application_outs(session: Session, apps: list[Application]) -> list[ApplicationOut]:
    student_ids = {a.student_id for a in apps}
    students = {s.id: s for s in session.exec(select(Student).where(Student.id.in_(student_ids))).all()} \
        if student_ids else {}
    class_ids = {a.class_id for a in apps}
    classes = {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.id.in_(class_ids))).all()} \
        if class_ids else {}
    out = []
    for app in apps:
        student, school_class = students[app.student_id], classes[app.class_id]
        signature = _latest_signature(session, app.id)
        out.append(ApplicationOut(
            id=app.id, term_id=app.term_id, student_id=app.student_id, student_name=student.name,
            class_id=app.class_id, class_name=class_name(school_class.grade, school_class.number), status=app.status,
            status_label=AppStatus.LABELS[app.status], weekdays=app.weekdays, pickup_mode=app.pickup_mode,
            self_statement=app.self_statement, priority=priority_of(student, app), priority_claims=app.priority_claims,
            note=app.note, decline_reason=app.decline_reason, submitted_at=app.submitted_at, leaves_on=app.leaves_on,
            signature=SignatureOut(plan_version=signature.plan_version, signer_name=signature.signer_name,
                                   signed_at=signature.signed_at, text_hash=signature.text_hash,
                                   client=signature.client) if signature else None,
            in_care=app.status == AppStatus.APPROVED and signature is not None))
    return out


def priority_of(student: Student, app: Application) -> list[str]:
    """The roster's priority flags plus what the guardian claimed (reviewers see both)."""
    return sorted(set(priorities_of(student)) | set(app.priority_claims))


def _is_class_head_of(session: Session, caller: Caller, app: Application) -> bool:
    staff_id = caller.actor.staff_id(app.school_id)
    if staff_id is None or not caller.actor.has_role(app.school_id, "class_head"):
        return False
    school_class = session.get(SchoolClass, app.class_id)
    return school_class is not None and school_class.head_staff_id == staff_id


def readable_application(*, session: Session, caller: Caller, application_id: int) -> Application:
    """Admins of the school, the class head of the child's class, and the child's guardians."""
    app = session.get(Application, application_id)
    if app is not None and (
            caller.actor.has_role(app.school_id, "admin") and app.school_id in caller.school_ids
            or app.school_id in caller.school_ids and _is_class_head_of(session, caller, app)
            or caller.as_guardian and is_guardian_of(session, caller.actor, app.student_id)):
        return app
    raise NotFound("APPLICATION_NOT_FOUND", "未找到该申请")


def guardian_applications(*, session: Session, caller: Caller, term_id: int | None) -> list[ApplicationOut]:
    children = select(Guardianship.student_id).where(Guardianship.guardian_id.in_(caller.actor.guardian_ids))
    query = select(Application).where(Application.student_id.in_(children)).order_by(Application.id)
    if term_id is not None:
        query = query.where(Application.term_id == term_id)
    return application_outs(session, list(session.exec(query).all()))


def history(*, session: Session, app: Application) -> list[HistoryItem]:
    rows = session.exec(select(ApplicationEvent, Account.display_name)
                        .join(Account, Account.id == ApplicationEvent.actor_account_id)
                        .where(ApplicationEvent.application_id == app.id).order_by(ApplicationEvent.id)).all()
    return [HistoryItem(action=e.action, from_status=e.from_status, to_status=e.to_status, actor_name=name,
                        actor_role=e.actor_role, comment=e.comment, at=e.at) for e, name in rows]


# ---------- transitions ----------

def _transition(session: Session, app: Application, action: str, *, account_id: int, role: str,
                comment: str | None = None) -> None:
    allowed_from, to_status = TRANSITIONS[action]
    current = app.status if app.id is not None else None
    if current not in allowed_from:
        label = AppStatus.LABELS.get(current, "尚未申请")
        raise Conflict("APPLICATION_STATE", f"申请当前状态为「{label}」，不能进行此操作")
    app.status = to_status
    app.updated_at = utcnow()
    session.add(app)
    session.flush()
    session.add(ApplicationEvent(school_id=app.school_id, application_id=app.id, action=action, from_status=current,
                                 to_status=to_status, actor_account_id=account_id, actor_role=role, comment=comment))


def _guardian_child(session: Session, caller: Caller, student_id: int) -> Student:
    student = session.get(Student, student_id)
    if student is None or not caller.as_guardian or not is_guardian_of(session, caller.actor, student_id):
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    return student


def _term_of(session: Session, term_id: int, student: Student) -> Term:
    term = session.get(Term, term_id)
    if term is None or term.school_id != student.school_id:
        raise NotFound("TERM_NOT_FOUND", "未找到该学期")
    if term.ends_on < today():
        raise AppError("TERM_ENDED", "该学期已结束", status_code=409)
    return term


def _check_choices(plan: ServicePlan, weekdays: list[int], pickup_mode: str, self_statement: str | None) -> None:
    outside = sorted(set(weekdays) - set(plan.weekdays))
    if outside:
        raise AppError("WEEKDAY_NOT_OFFERED", "所选日期不在本学期服务日内", status_code=422,
                       fields={"weekdays": f"学校不在周{'、'.join('一二三四五六日'[d - 1] for d in outside)}提供服务"})
    if pickup_mode == "self" and not (self_statement and self_statement.strip()):
        raise AppError("SELF_STATEMENT_REQUIRED", "孩子自行回家须由家长填写书面情况说明", status_code=422,
                       fields={"self_statement": "自行回家须填写情况说明"})


def _existing(session: Session, term_id: int, student_id: int) -> Application | None:
    return session.exec(select(Application).where(Application.term_id == term_id,
                                                  Application.student_id == student_id)).first()


def _commit_new(session: Session, save: Callable[[], None]) -> None:
    """Commit; a concurrent first answer for the same child and term loses with a clear message."""
    try:
        save()
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("APPLICATION_EXISTS", "该学生本学期已有申请") from None


def apply(*, session: Session, caller: Caller, data: ApplicationIn) -> ApplicationOut:
    student = _guardian_child(session, caller, data.student_id)
    term = _term_of(session, data.term_id, student)
    plan = require_published_plan(session, term.id)
    _check_choices(plan, data.weekdays, data.pickup_mode, data.self_statement)
    app = _existing(session, term.id, student.id) or Application(
        school_id=student.school_id, term_id=term.id, student_id=student.id, class_id=student.class_id,
        applicant_account_id=caller.account_id, status=AppStatus.SUBMITTED)
    is_new = app.id is None

    def save() -> None:
        _transition(session, app, "apply", account_id=caller.account_id, role="guardian", comment=data.note)
        app.class_id, app.applicant_account_id = student.class_id, caller.account_id
        _set_choices(app, data.model_dump(exclude={"student_id", "term_id"}))
        app.decline_reason, app.leaves_on, app.submitted_at, app.decided_at = None, None, utcnow(), None

    if is_new:
        app.status = None  # so the transition starts from "no answer yet"
    _commit_new(session, save)
    return application_outs(session, [app])[0]


def _set_choices(app: Application, values: dict) -> None:
    for key in ("weekdays", "pickup_mode", "self_statement", "priority_claims", "note"):
        if key in values and values[key] is not None:
            setattr(app, key, sorted(set(values[key])) if key in ("weekdays", "priority_claims") else values[key])
    if app.pickup_mode != "self":
        app.self_statement = None


def edit(*, session: Session, caller: Caller, app: Application, data: ApplicationUpdate) -> ApplicationOut:
    """The guardian changes a submitted application, or corrects a rejected one and resubmits it."""
    _guardian_child(session, caller, app.student_id)
    plan = require_published_plan(session, app.term_id)
    values = data.model_dump(exclude_unset=True)
    merged_mode = values.get("pickup_mode") or app.pickup_mode
    statement = values.get("self_statement", app.self_statement)
    _check_choices(plan, values.get("weekdays") or app.weekdays, merged_mode, statement)
    action = "resubmit" if app.status == AppStatus.REJECTED else "edit"
    _transition(session, app, action, account_id=caller.account_id, role="guardian", comment=values.get("note"))
    _set_choices(app, values)
    app.submitted_at = utcnow()
    session.commit()
    return application_outs(session, [app])[0]


def sign(*, session: Session, caller: Caller, app: Application, plan_version: int, shown_hash: str | None,
         client: str | None, client_ip: str | None) -> ApplicationOut:
    """Record the guardian's signature on the current published agreement, and nothing older."""
    _guardian_child(session, caller, app.student_id)
    if app.status not in (AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED, AppStatus.APPROVED):
        raise Conflict("APPLICATION_STATE", f"申请当前状态为「{AppStatus.LABELS[app.status]}」，不能签署协议")
    plan = require_published_plan(session, app.term_id)
    if plan_version != plan.version:
        raise Conflict("AGREEMENT_OUTDATED", f"协议已更新为第 {plan.version} 版，请阅读最新版本后再签署",
                       extra={"current_version": plan.version})
    if shown_hash is not None and shown_hash.lower() != plan.agreement_hash:
        raise AppError("AGREEMENT_TEXT_MISMATCH", "显示的协议内容与学校公示的不一致，请刷新后重新阅读", status_code=409)
    guardian = session.exec(select(Guardian).where(Guardian.account_id == caller.account_id,
                                                   Guardian.school_id == app.school_id)).first()
    session.add(AgreementSignature(school_id=app.school_id, application_id=app.id, plan_id=plan.id,
                                   plan_version=plan.version, account_id=caller.account_id,
                                   signer_name=guardian.name if guardian else caller.actor.name,
                                   text_hash=plan.agreement_hash, client=client, client_ip=client_ip))
    session.add(ApplicationEvent(school_id=app.school_id, application_id=app.id, action="sign", from_status=app.status,
                                 to_status=app.status, actor_account_id=caller.account_id, actor_role="guardian",
                                 comment=f"签署协议第 {plan.version} 版"))
    session.commit()
    return application_outs(session, [app])[0]


def withdraw(*, session: Session, caller: Caller, app: Application, reason: str | None = None) -> ApplicationOut:
    """The child leaves care from the next day (the next service day once the calendar exists)."""
    _guardian_child(session, caller, app.student_id)
    _transition(session, app, "withdraw", account_id=caller.account_id, role="guardian", comment=reason)
    app.leaves_on = today() + timedelta(days=1)
    session.commit()
    return application_outs(session, [app])[0]


def decline(*, session: Session, caller: Caller, student_id: int, term_id: int, reason: str | None) -> ApplicationOut:
    """The family chooses not to take part (不参与的家庭注明原因); applying later reverses it."""
    student = _guardian_child(session, caller, student_id)
    term = _term_of(session, term_id, student)
    app = _existing(session, term.id, student.id) or Application(
        school_id=student.school_id, term_id=term.id, student_id=student.id, class_id=student.class_id,
        applicant_account_id=caller.account_id, status=None)

    def save() -> None:
        _transition(session, app, "decline", account_id=caller.account_id, role="guardian", comment=reason)
        app.decline_reason = reason

    _commit_new(session, save)
    return application_outs(session, [app])[0]


# ---------- review ----------

def review(*, session: Session, caller: Caller, app: Application, approve: bool, comment: str | None) -> ApplicationOut:
    """The class head decides on a submitted application, then an admin on a class-approved one."""
    if not approve and not (comment and comment.strip()):
        raise AppError("COMMENT_REQUIRED", "驳回须填写原因", status_code=422, fields={"comment": "驳回须填写原因"})
    if app.status == AppStatus.SUBMITTED:
        if not _is_class_head_of(session, caller, app):
            raise Forbidden("CLASS_HEAD_ONLY", "须先由本班班主任审核")
        action, role = ("class_approve" if approve else "class_reject"), "class_head"
    elif app.status == AppStatus.CLASS_APPROVED:
        if not caller.actor.has_role(app.school_id, "admin"):
            raise Forbidden("ADMIN_ONLY", "班主任已审核，等待教导处审定")
        if approve:
            _check_capacity(session, app)
        action, role = ("approve" if approve else "reject"), "admin"
    else:
        raise Conflict("APPLICATION_STATE", f"申请当前状态为「{AppStatus.LABELS[app.status]}」，无需审核")
    _transition(session, app, action, account_id=caller.account_id, role=role, comment=comment)
    if app.status in (AppStatus.APPROVED, AppStatus.REJECTED):
        app.decided_at = utcnow()
        _after_decision(session, app, comment)
    session.commit()
    return application_outs(session, [app])[0]


def _after_decision(session: Session, app: Application, comment: str | None) -> None:
    """Bill an approved child and tell the guardians, in the same transaction as the decision."""
    term = session.get(Term, app.term_id)
    if app.status == AppStatus.APPROVED:
        plan = require_published_plan(session, app.term_id)
        if session.exec(select(Bill.id).where(Bill.term_id == app.term_id, Bill.student_id == app.student_id)).first() \
                is None:
            session.add(Bill(school_id=app.school_id, term_id=app.term_id, student_id=app.student_id,
                             amount_cents=term_fee_cents(plan, term)))
    student = session.get(Student, app.student_id)
    event_count = session.exec(select(func.count()).select_from(ApplicationEvent)
                               .where(ApplicationEvent.application_id == app.id)).one()
    notify_guardians(session, student_id=app.student_id, school_id=app.school_id, event="application_decision",
                     data={"student_name": student.name, "decision": DECISION_WORDS[app.status],
                           "term_name": term.name, "comment": comment or ""},
                     dedupe_key=f"application:{app.id}:{event_count}")


def waiting_queue(session: Session, term_id: int) -> list[Application]:
    """Class-approved applications in approval order: priority groups first, then who applied first."""
    apps = list(session.exec(select(Application).where(Application.term_id == term_id,
                                                       Application.status == AppStatus.CLASS_APPROVED)).all())
    students = {s.id: s for s in session.exec(select(Student).where(
        Student.id.in_([a.student_id for a in apps]))).all()} if apps else {}
    return sorted(apps, key=lambda a: (not priority_of(students[a.student_id], a), a.submitted_at or utcnow(), a.id))


def _approved_count(session: Session, term_id: int) -> int:
    return session.exec(select(func.count()).select_from(Application).where(
        Application.term_id == term_id, Application.status == AppStatus.APPROVED)).one()


def _check_capacity(session: Session, app: Application) -> None:
    plan = require_published_plan(session, app.term_id)
    if plan.capacity is None:
        return
    places_left = plan.capacity - _approved_count(session, app.term_id)
    if places_left <= 0:
        raise Conflict("CAPACITY_FULL", f"本学期 {plan.capacity} 个名额已满")
    # Under a cap, only the first `places_left` of the queue (priority groups first) may be approved now.
    if plan.priority_first and app.id not in {a.id for a in waiting_queue(session, app.term_id)[:places_left]}:
        raise Conflict("PRIORITY_WAITING", "名额有限，须按顺序先审定优先保障群体的申请")


def bulk_approve(*, session: Session, caller: Caller, term: Term, application_ids: list[int],
                 comment: str | None) -> list[BulkResult]:
    """Approve each id on its own: one refusal does not undo the others."""
    results = []
    for application_id in application_ids:
        try:
            app = session.get(Application, application_id)
            if app is None or app.term_id != term.id:
                raise NotFound("APPLICATION_NOT_FOUND", "未找到该申请")
            out = review(session=session, caller=caller, app=app, approve=True, comment=comment)
            results.append(BulkResult(application_id=application_id, ok=True, status=out.status))
        except AppError as exc:
            session.rollback()
            results.append(BulkResult(application_id=application_id, ok=False, code=exc.code, message=exc.message))
    return results


def approve_in_order(*, session: Session, caller: Caller, term: Term, comment: str | None) -> list[BulkResult]:
    """Approve the waiting queue in priority order until the places run out."""
    return bulk_approve(session=session, caller=caller, term=term, comment=comment,
                        application_ids=[a.id for a in waiting_queue(session, term.id)])


# ---------- fees ----------

def bills(session: Session, term_id: int) -> list[BillOut]:
    rows = session.exec(select(Bill, Student, SchoolClass).join(Student, Student.id == Bill.student_id)
                        .join(SchoolClass, SchoolClass.id == Student.class_id)
                        .where(Bill.term_id == term_id).order_by(SchoolClass.grade, SchoolClass.number,
                                                                 Student.student_no)).all()
    return [_bill_out(b, s, c) for b, s, c in rows]


def _bill_out(bill: Bill, student: Student, school_class: SchoolClass) -> BillOut:
    return BillOut(id=bill.id, student_id=student.id, student_name=student.name,
                   class_name=class_name(school_class.grade, school_class.number), amount_cents=bill.amount_cents,
                   waiver=bill.waiver, waiver_reason=bill.waiver_reason, due_cents=bill.due_cents)


def set_waiver(*, session: Session, bill: Bill, data: WaiverIn, account_id: int) -> BillOut:
    bill.waiver, bill.waiver_reason, bill.waived_by = data.waiver, data.reason, account_id
    session.add(bill)
    session.commit()
    student = session.get(Student, bill.student_id)
    return _bill_out(bill, student, session.get(SchoolClass, student.class_id))


def fee_summary(session: Session, term_id: int) -> FeeSummary:
    rows = session.exec(select(Bill).where(Bill.term_id == term_id)).all()
    gross = sum(b.amount_cents for b in rows)
    due = sum(b.due_cents for b in rows)
    return FeeSummary(term_id=term_id, children_billed=len(rows), gross_cents=gross, waived_cents=gross - due,
                      due_cents=due, full_waivers=sum(b.waiver == "full" for b in rows),
                      half_waivers=sum(b.waiver == "half" for b in rows))
