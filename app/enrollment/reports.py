"""The figures schools publish and follow up on: participation by grade, class and priority group."""

from collections import Counter, defaultdict

from sqlmodel import Session, select

from app.core.rates import percent
from app.core.xlsx import titled_workbook
from app.enrollment.models import Application, AppStatus, ServicePlan
from app.enrollment.schemas import ApplicationOut, ApplicationSummary, BillOut, CountRow, NotRespondedRow, PriorityRow
from app.enrollment.service import application_outs, published_plan, waiting_queue
from app.people.models import PRIORITY_FLAGS, Student
from app.schools.models import GRADE_NAMES, SchoolClass, Term
from app.schools.service import export_title

PRIORITY_LABELS = {column.removeprefix("priority_"): label for column, label in PRIORITY_FLAGS.items()}


def not_responded(session: Session, term: Term, class_ids: set[int] | None) -> list[NotRespondedRow]:
    """Children of these classes (all, when None) with no answer at all for the term: the class head's
    follow-up list (不参与的家庭也要注明原因)."""
    answered = select(Application.student_id).where(Application.term_id == term.id)
    query = select(Student, SchoolClass).join(SchoolClass, SchoolClass.id == Student.class_id).where(
        Student.school_id == term.school_id, Student.is_active == True,  # noqa: E712
        Student.id.not_in(answered))
    if class_ids is not None:
        query = query.where(Student.class_id.in_(class_ids))
    rows = session.exec(query.order_by(SchoolClass.grade, SchoolClass.number, Student.student_no)).all()
    return [NotRespondedRow(student_id=s.id, student_name=s.name, class_id=c.id, class_name=c.name) for s, c in rows]


def summary(session: Session, term: Term) -> ApplicationSummary:
    students = session.exec(select(Student).where(Student.school_id == term.school_id,
                                                  Student.is_active == True)).all()  # noqa: E712
    classes = {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.school_id == term.school_id)).all()}
    apps = {a.student_id: a for a in session.exec(select(Application).where(Application.term_id == term.id)).all()}
    by_status = Counter(a.status for a in apps.values())
    grade_rows: dict[int, CountRow] = {}
    class_rows: dict[int, CountRow] = {}
    not_responded: dict[str, list[str]] = defaultdict(list)
    priority_counts: Counter[str] = Counter()
    for student in students:
        school_class = classes[student.class_id]
        rows = (grade_rows.setdefault(school_class.grade, CountRow(key=str(school_class.grade),
                                                                   label=GRADE_NAMES[school_class.grade])),
                class_rows.setdefault(school_class.id, CountRow(key=str(school_class.id), label=school_class.name)))
        app = apps.get(student.id)
        for row in rows:
            row.eligible += 1
            if app is None:
                row.not_responded += 1
            elif app.status == AppStatus.DECLINED:
                row.declined += 1
            elif app.status != AppStatus.WITHDRAWN:
                row.applied += 1
                row.approved += app.status == AppStatus.APPROVED
        if app is None:
            not_responded[school_class.name].append(student.name)
        if app is not None and app.status == AppStatus.APPROVED:
            for key, column in ((k, f"priority_{k}") for k in PRIORITY_LABELS):
                if getattr(student, column) or key in app.priority_claims:
                    priority_counts[key] += 1
    approved = by_status.get(AppStatus.APPROVED, 0)
    plan: ServicePlan | None = published_plan(session, term.id)
    return ApplicationSummary(
        term_id=term.id, eligible=len(students),
        by_status={status: by_status.get(status, 0) for status in AppStatus.LABELS},
        participation_rate=percent(approved, len(students)),
        by_grade=[grade_rows[g] for g in sorted(grade_rows)],
        by_class=[class_rows[c] for c in sorted(class_rows, key=lambda c: (classes[c].grade, classes[c].number))],
        by_priority=[PriorityRow(key=key, label=label, approved=priority_counts[key],
                                 share_of_approved=percent(priority_counts[key], approved),
                                 text=f"{label} {priority_counts[key]} 人，占 {percent(priority_counts[key], approved):.2f}%")
                     for key, label in PRIORITY_LABELS.items()],
        declined_reasons=[a.decline_reason for a in apps.values() if a.status == AppStatus.DECLINED and a.decline_reason],
        not_responded=dict(not_responded), capacity=plan.capacity if plan else None,
        waiting=len(waiting_queue(session, term.id)) if plan and plan.capacity else 0)


def filtered_applications(session: Session, term: Term, *, class_ids: set[int] | None = None,
                          status: str | None = None, priority: str | None = None) -> list[ApplicationOut]:
    query = select(Application).where(Application.term_id == term.id)
    if class_ids is not None:
        query = query.where(Application.class_id.in_(class_ids))
    if status:
        query = query.where(Application.status == status)
    outs = application_outs(session, list(session.exec(query.order_by(Application.class_id, Application.id)).all()))
    return [o for o in outs if priority is None or priority in o.priority]


EXPORT_HEADERS = ["班级", "学生", "状态", "服务日", "接送方式", "优先保障", "协议", "申请时间", "不参加原因"]
PICKUP_LABELS = {"guardian": "家长接", "delegate": "委托他人接", "self": "自行回家"}
BILL_HEADERS = ["班级", "学生", "应收（元）", "减免", "减免原因", "减免金额（元）", "实收（元）"]
WAIVER_LABELS = {"none": "无", "half": "减半", "full": "全免"}


def export_xlsx(session: Session, term: Term, rows: list[ApplicationOut]) -> bytes:
    """The list as an .xlsx with the school and term in the title row and Chinese headers."""
    lines = [[row.class_name, row.student_name, row.status_label,
              "、".join("周" + "一二三四五六日"[d - 1] for d in row.weekdays), PICKUP_LABELS.get(row.pickup_mode, ""),
              "、".join(PRIORITY_LABELS[p] for p in row.priority),
              f"已签第 {row.signature.plan_version} 版" if row.signature else "未签",
              row.submitted_at.strftime("%Y-%m-%d %H:%M") if row.submitted_at else "", row.decline_reason or ""]
             for row in rows]
    return titled_workbook(export_title(session, term.school_id, "课后服务申请名单", term=term),
                           [("课后服务申请", EXPORT_HEADERS, lines)], name_in_title=False)


def bills_xlsx(session: Session, term: Term, bills: list[BillOut]) -> bytes:
    """收费名单: one row per child billed, then the totals (as 收费公示 adds them up)."""
    lines = [[b.class_name, b.student_name, b.amount_cents / 100, WAIVER_LABELS.get(b.waiver, b.waiver),
              b.waiver_reason or "", (b.amount_cents - b.due_cents) / 100, b.due_cents / 100] for b in bills]
    lines.append(["合计", f"{len(bills)} 人", sum(b.amount_cents for b in bills) / 100, "", "",
                  sum(b.amount_cents - b.due_cents for b in bills) / 100, sum(b.due_cents for b in bills) / 100])
    return titled_workbook(export_title(session, term.school_id, "课后服务收费名单", term=term),
                           [("收费名单", BILL_HEADERS, lines)], name_in_title=False)
