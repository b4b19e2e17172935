"""The demo term's published plan and families' answers, so dashboards and pages show real figures."""

import random
from datetime import timedelta

from sqlmodel import Session, select

from app.core.clock import utcnow
from app.enrollment.models import AgreementSignature, Application, ApplicationEvent, AppStatus, Bill, ServicePlan
from app.enrollment.service import term_fee_cents, text_hash
from app.people.models import Guardian, Guardianship, Student
from app.schools.models import School, Term

AGREEMENT = """一、服务内容：学校在正常教学日下午放学后提供课后服务，先作业辅导，后开展阅读、体育、艺术、社团等活动。
二、服务时间：低年级至 17:00，中年级至 17:20，高年级至 17:30；冬令时提前结束，以学校公示为准。
三、家长责任：按时接孩子；不能按时接送须提前告知班主任；临时委托他人接送须在小程序中授权。
四、学校责任：安排教师全程看护，值班领导巡查；发生突发情况及时处理并通知家长。
五、本协议自家长签署、学校审定之日起生效，至本学期课后服务结束止。"""
DECLINE_REASONS = ["家中有老人接送", "参加校外兴趣班", "家离学校近，家长可按时接", "孩子身体原因", None]


def seed_enrollment(session: Session, school: School, term: Term, admin_account_id: int, demo_parent_account: int,
                    rng: random.Random) -> None:
    plan = ServicePlan(
        school_id=school.id, term_id=term.id, version=1, status="published", weekdays=[1, 2, 3, 4, 5],
        end_times={"low": "17:00", "mid": "17:20", "high": "17:30"},
        winter={"starts_on": f"{term.starts_on.year}-11-01", "low": "16:50", "mid": "17:10", "high": "17:20"},
        content=["作业辅导", "自主阅读", "体育活动", "艺术活动", "社团活动"], fee_cents=30000, fee_period="term",
        waiver_rules="低保家庭、建档立卡家庭全免；其他经济困难家庭经申请可减半。",
        safety_measures="班主任与看护教师交接点名；值班领导每节课巡查两次；家长凭接送码接孩子，门卫不放行无人接的学生。",
        agreement_title="示范小学课后服务协议书", agreement_text=AGREEMENT, published_at=utcnow(),
        published_by=admin_account_id)
    plan.agreement_hash = text_hash(plan)
    session.add(plan)
    session.flush()
    fee = term_fee_cents(plan, term)
    students = session.exec(select(Student).where(Student.school_id == school.id).order_by(Student.id)).all()
    first_guardian = dict(session.exec(
        select(Guardianship.student_id, Guardian.account_id).join(Guardian, Guardian.id == Guardianship.guardian_id)
        .where(Guardianship.school_id == school.id)).all())
    start = utcnow() - timedelta(days=60)
    for student in students:
        demo_child = first_guardian.get(student.id) == demo_parent_account
        roll = rng.random()
        if demo_child:
            # The demo parent: the younger child approved and signed, the older one still under review.
            status = AppStatus.APPROVED if student.class_id == students[0].class_id else AppStatus.SUBMITTED
        elif roll < 0.06:
            continue  # no answer yet: shows up in the class head's follow-up list
        elif roll < 0.12:
            status = AppStatus.DECLINED
        else:
            status = rng.choices([AppStatus.APPROVED, AppStatus.CLASS_APPROVED, AppStatus.SUBMITTED],
                                 weights=[90, 5, 5])[0]
        at = start + timedelta(hours=rng.randint(0, 72))
        app = Application(school_id=school.id, term_id=term.id, student_id=student.id, class_id=student.class_id,
                          applicant_account_id=admin_account_id, status=status, weekdays=[1, 2, 3, 4, 5],
                          pickup_mode="self" if rng.random() < 0.03 else "guardian",
                          submitted_at=at if status != AppStatus.DECLINED else None,
                          decline_reason=rng.choice(DECLINE_REASONS) if status == AppStatus.DECLINED else None,
                          decided_at=at + timedelta(days=3) if status == AppStatus.APPROVED else None)
        if app.pickup_mode == "self":
            app.self_statement = "孩子家住学校附近，家长同意其放学后自行回家，并承担相应责任。"
        session.add(app)
        session.flush()
        _history(session, app, at, admin_account_id, plan)
        if status == AppStatus.APPROVED:
            waiver = "full" if student.priority_low_income else "none"
            session.add(Bill(school_id=school.id, term_id=term.id, student_id=student.id, amount_cents=fee,
                             waiver=waiver, waiver_reason="家庭经济困难（低保）" if waiver == "full" else None))


def _history(session: Session, app: Application, at, actor: int, plan: ServicePlan) -> None:
    """The events the real flow would have written, so history pages read naturally."""
    steps = {AppStatus.DECLINED: [("decline", None, AppStatus.DECLINED, "guardian")],
             AppStatus.SUBMITTED: [("apply", None, AppStatus.SUBMITTED, "guardian")],
             AppStatus.CLASS_APPROVED: [("apply", None, AppStatus.SUBMITTED, "guardian"),
                                        ("class_approve", AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED, "class_head")],
             AppStatus.APPROVED: [("apply", None, AppStatus.SUBMITTED, "guardian"),
                                  ("class_approve", AppStatus.SUBMITTED, AppStatus.CLASS_APPROVED, "class_head"),
                                  ("approve", AppStatus.CLASS_APPROVED, AppStatus.APPROVED, "admin")]}[app.status]
    for day, (action, from_status, to_status, role) in enumerate(steps):
        session.add(ApplicationEvent(school_id=app.school_id, application_id=app.id, action=action,
                                     from_status=from_status, to_status=to_status, actor_account_id=actor,
                                     actor_role=role, comment="演示数据", at=at + timedelta(days=day)))
    if app.status == AppStatus.APPROVED:
        session.add(AgreementSignature(school_id=app.school_id, application_id=app.id, plan_id=plan.id,
                                       plan_version=plan.version, account_id=actor, signer_name="家长",
                                       text_hash=plan.agreement_hash, client="demo", signed_at=at))
