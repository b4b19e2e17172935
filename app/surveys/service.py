"""满意度调查: each term the school asks the families how satisfied they are with the after-school service, and what
they suggest (家长满意度、意见建议).

- An admin writes a survey (rating 1–5, single or multiple choice, free text; each question required or not) and
  may change it while it is a draft. Publishing fixes the questions; it opens at once or at `opens_at`, and ends
  at `closes_at` or when closed by hand. Answers are never deleted.
- A guardian answers once per child per survey (`SurveyResponse` is unique per survey and child, so two phones at
  the same moment still give one). Sending the very same answers again returns the first submission (a retry);
  anything else is refused with SURVEY_ALREADY_ANSWERED: a submitted answer is final.
- Results count the raw answers: per rating question the distribution, the average and the satisfied rate
  (4 or 5 of 5 = 满意 + 非常满意); per choice question each option's count; the free texts, listed. Filters by grade
  and class use the class the child was in when answering. Results never name a child.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import case, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.clock import school_time, utcnow
from app.core.db import InsertOnce
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.core.rates import percent
from app.core.xlsx import workbook_bytes
from app.enrollment.models import Application, AppStatus
from app.notify.events import EventType, register
from app.notify.service import enqueue_many
from app.notify.worker import PeriodicJob, register_periodic
from app.people.models import Guardian, Guardianship, Student
from app.people.service import readable_student
from app.schools.models import GRADE_NAMES, School, SchoolClass, Term, class_name
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyStatus
from app.surveys.schemas import (
    AUDIENCE_LABELS, KIND_LABELS, RATING_LABELS, SATISFIED_FROM, STATE_LABELS, TEXT_MAX, AnswerIn, AnswerOut,
    MyChildSurveys, MySurvey, OptionOut, OptionResult, PublishIn, QuestionOut, QuestionResult, RatingBucket,
    RatingResult, ResponseOut, ResultFilter, SuggestionsOut, SurveyIn, SurveyOut, SurveyResults, TextAnswer,
)

_add_response = InsertOnce(SurveyResponse, "survey_id", "student_id")


# ---------- the survey ----------

def stored_questions(data: SurveyIn) -> list[dict]:
    """The questions as stored: numbered 1…n, their options 1…m (a draft has no answers, so renumbering is safe)."""
    return [{"id": n, "kind": q.kind, "text": q.text, "required": q.required,
             "options": [{"id": i, "text": text} for i, text in enumerate(q.options, start=1)]}
            for n, q in enumerate(data.questions, start=1)]


def survey_state(row: Survey, now: datetime | None = None) -> str:
    """draft, scheduled (published, before opens_at), open, or closed (by hand, or past closes_at)."""
    now = now or utcnow()
    if row.status == SurveyStatus.DRAFT:
        return "draft"
    if row.status == SurveyStatus.CLOSED or (row.closes_at is not None and now >= row.closes_at):
        return "closed"
    if row.opens_at is not None and now < row.opens_at:
        return "scheduled"
    return "open"


def _question_out(q: dict) -> QuestionOut:
    options = q["options"] if q["kind"] != "rating" else [
        {"id": score, "text": label} for score, label in enumerate(RATING_LABELS, start=1)]
    return QuestionOut(id=q["id"], kind=q["kind"], kind_label=KIND_LABELS[q["kind"]], text=q["text"],
                       required=q["required"], options=[OptionOut(**o) for o in options])


def _response_counts(session: Session, survey_ids: list[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    return dict(session.exec(select(SurveyResponse.survey_id, func.count()).where(
        SurveyResponse.survey_id.in_(survey_ids)).group_by(SurveyResponse.survey_id)).all())


def survey_out(row: Survey, responses: int) -> SurveyOut:
    state = survey_state(row)
    return SurveyOut(id=row.id, school_id=row.school_id, term_id=row.term_id, title=row.title, intro=row.intro,
                     audience=row.audience, audience_label=AUDIENCE_LABELS[row.audience], status=row.status,
                     state=state, state_label=STATE_LABELS[state], opens_at=row.opens_at, closes_at=row.closes_at,
                     published_at=row.published_at, closed_at=row.closed_at, announced_at=row.announced_at,
                     questions=[_question_out(q) for q in row.questions], responses=responses,
                     created_at=row.created_at, updated_at=row.updated_at)


def one_out(session: Session, row: Survey) -> SurveyOut:
    return survey_out(row, _response_counts(session, [row.id]).get(row.id, 0))


def get_survey(*, session: Session, school_ids: Iterable[int], survey_id: int) -> Survey:
    """A survey of one of the caller's schools; 404 otherwise (another school's ids reveal nothing)."""
    row = session.get(Survey, survey_id)
    if row is None or row.school_id not in set(school_ids):
        raise NotFound("SURVEY_NOT_FOUND", "未找到该问卷")
    return row


def list_surveys(*, session: Session, term: Term) -> list[SurveyOut]:
    """The term's surveys, newest first, with how many answered each."""
    rows = session.exec(select(Survey).where(Survey.term_id == term.id).order_by(Survey.id.desc())).all()
    counts = _response_counts(session, [r.id for r in rows])
    return [survey_out(r, counts.get(r.id, 0)) for r in rows]


def create_survey(*, session: Session, term: Term, account_id: int, data: SurveyIn) -> SurveyOut:
    """A new draft for the term."""
    row = Survey(school_id=term.school_id, term_id=term.id, title=data.title, intro=data.intro.strip(),
                 audience=data.audience, questions=stored_questions(data), created_by=account_id)
    session.add(row)
    session.commit()
    return survey_out(row, 0)


def _require_draft(row: Survey) -> None:
    if row.status != SurveyStatus.DRAFT:
        raise Conflict("SURVEY_NOT_DRAFT", "问卷已发布，题目不能再修改")


def update_survey(*, session: Session, row: Survey, data: SurveyIn) -> SurveyOut:
    """Rewrite a draft (title, intro, audience, questions)."""
    _require_draft(row)
    row.title, row.intro, row.audience = data.title, data.intro.strip(), data.audience
    row.questions = stored_questions(data)
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return survey_out(row, 0)


def delete_survey(*, session: Session, row: Survey) -> None:
    """Throw a draft away; a published survey stays (its answers are the school's record)."""
    _require_draft(row)
    session.delete(row)
    session.commit()


def publish(*, session: Session, row: Survey, data: PublishIn) -> SurveyOut:
    """Fix the questions and open the survey, now or at `opens_at`, until `closes_at` (or until closed by hand)."""
    _require_draft(row)
    now = utcnow()
    if data.closes_at is not None and data.closes_at <= now:
        raise AppError("SURVEY_CLOSES_IN_PAST", "截止时间须晚于现在", status_code=422,
                       fields={"closes_at": "截止时间须晚于现在"})
    row.status, row.published_at, row.updated_at = SurveyStatus.PUBLISHED, now, now
    row.opens_at = data.opens_at if data.opens_at is not None and data.opens_at > now else None
    row.closes_at = data.closes_at
    session.add(row)
    if row.opens_at is None:  # open now: the families hear of it with the publishing (a scheduled one: the worker)
        row.announced_at = now
        announce(session, row)
    session.commit()
    return one_out(session, row)


def change_closes_at(*, session: Session, row: Survey, closes_at: datetime | None) -> SurveyOut:
    """Move a published survey's closing time (later, earlier, or none: until closed by hand); its questions stay.
    Not once it has closed (by hand or at its closing time): reopening would move figures already reported."""
    state = survey_state(row)
    if state == "draft":
        raise Conflict("SURVEY_NOT_PUBLISHED", "问卷还没有发布：截止时间在发布时设定")
    if state == "closed":
        raise Conflict("SURVEY_CLOSED", "问卷已结束，不能再改截止时间")
    if closes_at is not None and closes_at <= utcnow():
        raise AppError("SURVEY_CLOSES_IN_PAST", "截止时间须晚于现在（要立即结束请用“结束问卷”）", status_code=422,
                       fields={"closes_at": "截止时间须晚于现在"})
    if closes_at is not None and row.opens_at is not None and closes_at <= row.opens_at:
        raise AppError("SURVEY_CLOSES_BEFORE_OPENING", "截止时间须晚于开始时间", status_code=422,
                       fields={"closes_at": "截止时间须晚于开始时间"})
    row.closes_at, row.updated_at = closes_at, utcnow()
    session.add(row)
    session.commit()
    return one_out(session, row)


def close(*, session: Session, row: Survey) -> SurveyOut:
    """End a published survey now; closing one already closed changes nothing."""
    if row.status == SurveyStatus.DRAFT:
        raise Conflict("SURVEY_NOT_PUBLISHED", "问卷还没有发布")
    if row.status != SurveyStatus.CLOSED:
        now = utcnow()
        row.status, row.updated_at = SurveyStatus.CLOSED, now
        # A survey past its closes_at had ended then; closing it records nothing later than that.
        row.closed_at = min(now, row.closes_at) if row.closes_at else now
        session.add(row)
        session.commit()
    return one_out(session, row)


# ---------- telling the families ----------

SURVEY_OPEN = register(EventType(
    "survey_open", "满意度调查", "「{survey_title}」已开始，请为{student_names}各填写一份（{deadline}）。",
    {"thing1": "{survey_title}", "thing2": "{student_names}", "thing3": "{deadline}"},
    "pages/survey/index?student_id={student_id}"))


def _deadline(closes_at: datetime | None) -> str:
    if closes_at is None:
        return "学校结束问卷前均可填写"
    local = school_time(closes_at)
    return f"{local.month}月{local.day}日 {local:%H:%M}截止"


def announce(session: Session, survey: Survey) -> int:
    """Tell the families asked that the survey is open: one message per guardian's account, naming their children
    it asks about (and has no answer for), in three statements whatever their number. Not committed; returns how
    many messages were new (each account is told once per survey)."""
    asked = _eligible_query(survey).with_only_columns(Student.id)
    answered = select(SurveyResponse.student_id).where(SurveyResponse.survey_id == survey.id)
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for account_id, student_id, name in session.exec(
            select(Guardian.account_id, Student.id, Student.name).join(Guardianship, Guardianship.guardian_id == Guardian.id)
            .join(Student, Student.id == Guardianship.student_id)
            .where(Student.id.in_(asked), Student.id.not_in(answered), Guardian.account_id.is_not(None))
            .distinct().order_by(Guardian.account_id, Student.id)).all():
        children[account_id].append((student_id, name))
    facts = {"survey_id": survey.id, "survey_title": survey.title, "deadline": _deadline(survey.closes_at)}
    return enqueue_many(session, event=SURVEY_OPEN.key, school_id=survey.school_id, messages=[
        (account_id, {**facts, "student_names": "、".join(name for _, name in kids),
                      # the worker checks each child's notifications consent; a tap opens that child's surveys,
                      # or with several children (no `student_id`), all of them
                      "student_ids": [sid for sid, _ in kids], **({"student_id": kids[0][0]} if len(kids) == 1 else {})},
         f"survey_open:{survey.id}:{account_id}")
        for account_id, kids in children.items()])


def announce_opened(*, session: Session) -> int:
    """Tell the families of every published survey that has opened (at its `opens_at`) and was not announced yet.
    Each survey is claimed by setting `announced_at` where it is still empty, so two workers never both tell it."""
    now = utcnow()
    due = session.exec(select(Survey.id).where(
        Survey.status == SurveyStatus.PUBLISHED, Survey.announced_at.is_(None), Survey.opens_at <= now,
        or_(Survey.closes_at.is_(None), Survey.closes_at > now)).order_by(Survey.id)).all()
    told = 0
    for survey_id in due:
        claimed = session.exec(update(Survey).where(Survey.id == survey_id, Survey.announced_at.is_(None))
                               .values(announced_at=now)).rowcount
        if claimed:
            told += announce(session, session.get(Survey, survey_id))
        session.commit()
    return told


def sweep_openings(engine: Engine) -> int:
    """`announce_opened` in a session of its own (the worker runs it every minute)."""
    with Session(engine) as session:
        return announce_opened(session=session)


register_periodic(PeriodicJob("survey-openings", 60, sweep_openings))


# ---------- who is asked ----------

def _in_care_in(term_ids: Iterable[int]):
    """Whom an in_care survey asks: a child with an approved application in the survey's term."""
    return Application.term_id.in_(list(term_ids)), Application.status == AppStatus.APPROVED


def _eligible_query(survey: Survey):
    """Active children of the survey's school the survey asks about (for in_care: `_in_care_in`)."""
    query = (select(Student.id, SchoolClass.id, SchoolClass.grade).join(SchoolClass, SchoolClass.id == Student.class_id)
             .where(Student.school_id == survey.school_id, Student.is_active == True))  # noqa: E712
    if survey.audience == "in_care":
        query = query.join(Application, Application.student_id == Student.id).where(*_in_care_in([survey.term_id]))
    return query


def _in_care(session: Session, term_ids: set[int], student_ids: list[int]) -> set[tuple[int, int]]:
    """(term_id, student_id) of the children an in_care survey of those terms asks (`_in_care_in`), for many
    surveys and children in one read."""
    if not term_ids or not student_ids:
        return set()
    return set(session.exec(select(Application.term_id, Application.student_id).where(
        *_in_care_in(term_ids), Application.student_id.in_(student_ids))).all())


def is_asked(session: Session, survey: Survey, student: Student) -> bool:
    return session.exec(_eligible_query(survey).where(Student.id == student.id)).first() is not None


def eligible_count(session: Session, survey: Survey, grade: int | None = None, class_id: int | None = None) -> int:
    query = _eligible_query(survey)
    if grade is not None:
        query = query.where(SchoolClass.grade == grade)
    if class_id is not None:
        query = query.where(SchoolClass.id == class_id)
    return session.exec(select(func.count()).select_from(query.subquery())).one()


# ---------- answering ----------

class _Problems:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, question_id: int, message: str) -> None:
        self.items.append({"question_id": question_id, "message": message})

    def raise_if_any(self, numbers: dict[int, int]) -> None:
        if self.items:
            first = self.items[0]
            where = f"第 {numbers[first['question_id']]} 题：" if first["question_id"] in numbers else ""
            raise AppError("SURVEY_ANSWER_INVALID", f"{where}{first['message']}", status_code=422,
                           extra={"errors": self.items})


def check_answers(questions: list[dict], answers: list[AnswerIn]) -> dict[int, dict]:
    """Every answer against its question → {question_id: {"rating"|"option_ids"|"text": value}} of the questions
    answered. Refused (422 SURVEY_ANSWER_INVALID, one entry per question in `errors`): an unknown or repeated
    question, a rating outside 1–5, an option not of the question, not exactly one option for a single choice,
    a value of the wrong kind, a required question left out, nothing answered at all."""
    by_id = {q["id"]: q for q in questions}
    numbers = {q["id"]: n for n, q in enumerate(questions, start=1)}
    problems = _Problems()
    given: dict[int, dict] = {}
    seen: set[int] = set()
    for a in answers:
        q = by_id.get(a.question_id)
        if q is None:
            problems.add(a.question_id, "问卷中没有这道题")
            continue
        if a.question_id in seen:
            problems.add(a.question_id, "同一道题只能回答一次")
            continue
        seen.add(a.question_id)
        text = (a.text or "").strip()
        option_ids = a.option_ids or []
        values = {"rating": a.rating is not None, "option_ids": bool(option_ids), "text": bool(text)}
        kind = q["kind"]
        own = {"rating": "rating", "single": "option_ids", "multiple": "option_ids", "text": "text"}[kind]
        if any(present for key, present in values.items() if key != own):
            problems.add(q["id"], {"rating": "这是评分题，请选择 1–5 分", "text": "这是填空题，请填写文字"}.get(
                kind, "这是选择题，请选择选项"))
            continue
        if not values[own]:
            continue  # left blank: the required check below decides
        if kind == "rating":
            if not 1 <= a.rating <= 5:
                problems.add(q["id"], "评分须为 1–5 分")
            else:
                given[q["id"]] = {"rating": a.rating}
        elif kind == "text":
            if len(text) > TEXT_MAX:
                problems.add(q["id"], f"最多 {TEXT_MAX} 个字")
            else:
                given[q["id"]] = {"text": text}
        else:
            valid = {o["id"] for o in q["options"]}
            if len(set(option_ids)) != len(option_ids):
                problems.add(q["id"], "选项重复")
            elif not set(option_ids) <= valid:
                problems.add(q["id"], "选项不属于这道题")
            elif kind == "single" and len(option_ids) != 1:
                problems.add(q["id"], "单选题只能选一项")
            else:
                given[q["id"]] = {"option_ids": sorted(option_ids)}
    reported = {p["question_id"] for p in problems.items}
    for q in questions:
        if q["required"] and q["id"] not in given and q["id"] not in reported:
            problems.add(q["id"], "此题必答")
    if not problems.items and not given:
        raise AppError("SURVEY_ANSWER_INVALID", "请至少回答一道题", status_code=422, extra={"errors": []})
    problems.items.sort(key=lambda p: numbers.get(p["question_id"], 10_000))
    problems.raise_if_any(numbers)
    return given


def _answers_of(session: Session, response_id: int) -> dict[int, dict]:
    return _answers_of_many(session, [response_id])[response_id]


def _answers_of_many(session: Session, response_ids: list[int]) -> dict[int, dict[int, dict]]:
    """`_answers_of` for many responses in one read: {response_id: {question_id: value}}."""
    out: dict[int, dict[int, dict]] = {response_id: {} for response_id in response_ids}
    if response_ids:
        for row in session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id.in_(response_ids))):
            out[row.response_id][row.question_id] = _stored(row)
    return out


def _stored(row: SurveyAnswer) -> dict:
    if row.rating is not None:
        return {"rating": row.rating}
    if row.option_ids is not None:
        return {"option_ids": list(row.option_ids)}
    return {"text": row.text or ""}


def _response_out(response: SurveyResponse, answers: dict[int, dict]) -> ResponseOut:
    return ResponseOut(survey_id=response.survey_id, student_id=response.student_id,
                       submitted_at=response.submitted_at,
                       answers=[AnswerOut(question_id=qid, **value) for qid, value in sorted(answers.items())])


def _open_for(session: Session, survey: Survey, student: Student) -> None:
    state = survey_state(survey)
    if state == "scheduled":
        raise Conflict("SURVEY_NOT_OPEN", "问卷还没有开始")
    if state == "closed":
        raise Conflict("SURVEY_CLOSED", "问卷已结束，不能再提交")
    if not is_asked(session, survey, student):
        raise Forbidden("SURVEY_NOT_FOR_CHILD", "这份问卷不面向该学生的家长")


def answer(*, session: Session, caller: Caller, survey_id: int, student_id: int, answers: list[AnswerIn]
           ) -> ResponseOut:
    """A guardian's answers for one of their children. Once per child: the same answers again return the first
    submission; different ones are refused (409 SURVEY_ALREADY_ANSWERED)."""
    student = readable_student(session=session, caller=caller, student_id=student_id)
    survey = session.get(Survey, survey_id)
    if survey is None or survey.school_id != student.school_id or survey.status == SurveyStatus.DRAFT:
        raise NotFound("SURVEY_NOT_FOUND", "未找到该问卷")
    existing = _response_of(session, survey, student)
    if existing is not None:
        return _same_again(session, survey, existing, answers)
    _open_for(session, survey, student)
    given = check_answers(survey.questions, answers)
    school_class = session.get(SchoolClass, student.class_id)
    if not _add_response(session, dict(school_id=survey.school_id, survey_id=survey.id, student_id=student.id,
                                       class_id=school_class.id, grade=school_class.grade,
                                       answered_by=caller.account_id, submitted_at=utcnow())):
        # Another phone of the family submitted at the same moment: theirs stands.
        return _same_again(session, survey, _response_of(session, survey, student), answers)
    response = _response_of(session, survey, student)
    session.add_all([SurveyAnswer(school_id=survey.school_id, survey_id=survey.id, response_id=response.id,
                                  question_id=qid, **value) for qid, value in given.items()])
    session.commit()
    return _response_out(response, given)


def _response_of(session: Session, survey: Survey, student: Student) -> SurveyResponse | None:
    return session.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                     SurveyResponse.student_id == student.id)).first()


def _same_again(session: Session, survey: Survey, existing: SurveyResponse, answers: list[AnswerIn]) -> ResponseOut:
    stored = _answers_of(session, existing.id)
    try:
        again = check_answers(survey.questions, answers)
    except AppError:
        again = None
    if again != stored:
        raise Conflict("SURVEY_ALREADY_ANSWERED", "该学生的问卷已经提交过了，每个孩子只能提交一次")
    return _response_out(existing, stored)


def my_surveys(*, session: Session, caller: Caller) -> list[MyChildSurveys]:
    """Each of the caller's children with the surveys open for them now (answered or not), in every school."""
    children = session.exec(
        select(Student, SchoolClass, School).join(Guardianship, Guardianship.student_id == Student.id)
        .join(Guardian, Guardian.id == Guardianship.guardian_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id).join(School, School.id == Student.school_id)
        .where(Guardian.account_id == caller.account_id, Student.is_active == True)  # noqa: E712
        .distinct().order_by(Student.school_id, Student.id)).all()
    school_ids = {s.school_id for s, _, _ in children}
    published = session.exec(select(Survey).where(Survey.school_id.in_(school_ids),
                                                  Survey.status == SurveyStatus.PUBLISHED)
                             .order_by(Survey.id)).all() if school_ids else []
    live = [s for s in published if survey_state(s) == "open"]
    student_ids = [s.id for s, _, _ in children]
    responses = {(r.survey_id, r.student_id): r for r in session.exec(select(SurveyResponse).where(
        SurveyResponse.survey_id.in_([s.id for s in live]), SurveyResponse.student_id.in_(student_ids)))
        } if live else {}
    answers = _answers_of_many(session, [r.id for r in responses.values()])
    in_care = _in_care(session, {s.term_id for s in live if s.audience == "in_care"}, student_ids)
    out = []
    for student, school_class, school in children:
        surveys = []
        for survey in (s for s in live if s.school_id == student.school_id):
            response = responses.get((survey.id, student.id))
            # The child is active and of the survey's school: asked, unless the survey asks only those in care.
            if response is None and survey.audience == "in_care" and (survey.term_id, student.id) not in in_care:
                continue
            surveys.append(MySurvey(
                id=survey.id, title=survey.title, intro=survey.intro, state="open", closes_at=survey.closes_at,
                questions=[_question_out(q) for q in survey.questions], answered=response is not None,
                response=_response_out(response, answers[response.id]) if response else None))
        out.append(MyChildSurveys(student_id=student.id, student_name=student.name, school_id=school.id,
                                  school_name=school.name, class_name=school_class.name, surveys=surveys))
    return out


# ---------- results ----------

def result_filter(session: Session, survey: Survey, grade: int | None, class_id: int | None) -> ResultFilter:
    """The filter as asked; a class of another school is not found."""
    label = "全校"
    if class_id is not None:
        school_class = session.get(SchoolClass, class_id)
        if school_class is None or school_class.school_id != survey.school_id:
            raise NotFound("CLASS_NOT_FOUND", "未找到该班级")
        label = school_class.name
    elif grade is not None:
        label = GRADE_NAMES.get(grade, f"{grade}年级")
    return ResultFilter(grade=grade, class_id=class_id, label=label)


def _filtered(query, grade: int | None, class_id: int | None):
    if grade is not None:
        query = query.where(SurveyResponse.grade == grade)
    if class_id is not None:
        query = query.where(SurveyResponse.class_id == class_id)
    return query


def _class_numbers(session: Session, class_ids: set[int]) -> dict[int, int]:
    if not class_ids:
        return {}
    return dict(session.exec(select(SchoolClass.id, SchoolClass.number).where(SchoolClass.id.in_(class_ids))).all())


def _text_answers(session: Session, survey: Survey, grade: int | None, class_id: int | None) -> list[TextAnswer]:
    """The free texts, newest first, with the class (as it was when answered), never the child."""
    rows = session.exec(_filtered(
        select(SurveyAnswer.question_id, SurveyAnswer.text, SurveyResponse.grade, SurveyResponse.class_id,
               SurveyResponse.submitted_at).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text.is_not(None)), grade, class_id)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyAnswer.id.desc())).all()
    texts = {q["id"]: q["text"] for q in survey.questions}
    numbers = _class_numbers(session, {r.class_id for r in rows})
    return [TextAnswer(question_id=r.question_id, question_text=texts.get(r.question_id, ""), text=r.text,
                       grade=r.grade, class_name=class_name(r.grade, numbers.get(r.class_id, 0)),
                       submitted_at=r.submitted_at) for r in rows]


def results(*, session: Session, survey: Survey, grade: int | None = None, class_id: int | None = None
            ) -> SurveyResults:
    """Per question: how many answered; ratings' distribution, average and satisfied rate; each option's count;
    the free texts. Overall: responses, the families asked, and the satisfied rate over every rating answer."""
    chosen = result_filter(session, survey, grade, class_id)
    responses = session.exec(_filtered(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id), grade, class_id)).one()
    answers = session.exec(_filtered(
        select(SurveyAnswer.question_id, SurveyAnswer.rating, SurveyAnswer.option_ids)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text.is_(None)), grade, class_id)).all()
    ratings: dict[int, Counter] = defaultdict(Counter)
    choices: dict[int, Counter] = defaultdict(Counter)
    chose: Counter = Counter()
    for question_id, rating, option_ids in answers:
        if rating is not None:
            ratings[question_id][rating] += 1
        elif option_ids is not None:
            chose[question_id] += 1
            choices[question_id].update(option_ids)
    texts = _text_answers(session, survey, grade, class_id)
    texts_by_question: dict[int, list[TextAnswer]] = defaultdict(list)
    for t in texts:
        texts_by_question[t.question_id].append(t)

    out = []
    for q in survey.questions:
        item = QuestionResult(question_id=q["id"], kind=q["kind"], kind_label=KIND_LABELS[q["kind"]], text=q["text"],
                              required=q["required"], answered=0)
        if q["kind"] == "rating":
            counts = ratings[q["id"]]
            answered = sum(counts.values())
            satisfied = sum(n for score, n in counts.items() if score >= SATISFIED_FROM)
            item.answered = answered
            item.rating = RatingResult(
                distribution=[RatingBucket(score=s, label=RATING_LABELS[s - 1], count=counts[s],
                                           share=percent(counts[s], answered)) for s in range(1, 6)],
                average=round(sum(s * n for s, n in counts.items()) / answered, 2) if answered else 0.0,
                satisfied=satisfied, satisfied_rate=percent(satisfied, answered))
        elif q["kind"] in ("single", "multiple"):
            item.answered = chose[q["id"]]
            item.options = [OptionResult(option_id=o["id"], text=o["text"], count=choices[q["id"]][o["id"]],
                                         share=percent(choices[q["id"]][o["id"]], item.answered))
                            for o in q["options"]]
        else:
            item.texts = texts_by_question[q["id"]]
            item.answered = len(item.texts)
        out.append(item)
    rating_answers = sum(r.answered for r in out if r.rating)
    satisfied_answers = sum(r.rating.satisfied for r in out if r.rating)
    eligible = eligible_count(session, survey, grade, class_id)
    return SurveyResults(survey=one_out(session, survey), filter=chosen, responses=responses, eligible=eligible,
                         response_rate=percent(responses, eligible), rating_answers=rating_answers,
                         satisfied_answers=satisfied_answers, satisfied_rate=percent(satisfied_answers, rating_answers),
                         questions=out)


def suggestions(*, session: Session, survey: Survey, grade: int | None = None, class_id: int | None = None
                ) -> SuggestionsOut:
    """Every free-text answer (意见建议), newest first."""
    chosen = result_filter(session, survey, grade, class_id)
    return SuggestionsOut(survey_id=survey.id, filter=chosen, items=_text_answers(session, survey, grade, class_id))


# ---------- the export ----------

XLSX_TITLE_FONT = Font(bold=True, size=14)


def _sheet_title(sheet, title: str, width: int) -> None:
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A1"].font = XLSX_TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center")


def _bold_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _local(at: datetime) -> str:
    return school_time(at).strftime("%Y-%m-%d %H:%M")


def results_xlsx(*, session: Session, survey: Survey, grade: int | None = None, class_id: int | None = None
                 ) -> tuple[bytes, str]:
    """The results as an .xlsx — 汇总 (per question), 意见建议 (free texts), 答卷明细 (one row per response, no
    names) — each sheet titled with the school, the term and the survey; and the file's name."""
    data = results(session=session, survey=survey, grade=grade, class_id=class_id)
    school = session.get(School, survey.school_id)
    term = session.get(Term, survey.term_id)
    scope = "" if data.filter.label == "全校" else f"（{data.filter.label}）"
    title = f"{school.name} {term.name} {survey.title}{scope}"
    workbook = Workbook()

    summary = workbook.active
    summary.title = "汇总"
    _sheet_title(summary, f"{title} 满意度调查结果", 5)
    summary.append(["范围", data.filter.label])
    summary.append(["应答人数", data.eligible])
    summary.append(["提交份数", data.responses])
    summary.append(["参与率（%）", data.response_rate])
    summary.append(["总体满意率（%）", data.satisfied_rate])
    summary.append(["导出时间", _local(utcnow())])
    for n, q in enumerate(data.questions, start=1):
        summary.append([])
        summary.append([f"{n}. {q.text}（{q.kind_label}{'，必答' if q.required else ''}）", f"作答 {q.answered} 人"])
        _bold_row(summary)
        if q.rating:
            summary.append(["分值", "评价", "人数", "占比（%）"])
            _bold_row(summary)
            for b in reversed(q.rating.distribution):
                summary.append([b.score, b.label, b.count, b.share])
            summary.append(["平均分", q.rating.average])
            summary.append(["满意率（%）", q.rating.satisfied_rate])
        elif q.options is not None:
            summary.append(["选项", "人数", "占比（%）"])
            _bold_row(summary)
            for o in q.options:
                summary.append([o.text, o.count, o.share])
        else:
            summary.append(["回答见「意见建议」表", len(q.texts or [])])
    for column, width in zip("ABCDE", (44, 14, 10, 12, 10), strict=True):
        summary.column_dimensions[column].width = width

    texts = workbook.create_sheet("意见建议")
    headers = ["题目", "年级", "班级", "内容", "提交时间"]
    _sheet_title(texts, f"{title} 意见建议", len(headers))
    texts.append(headers)
    _bold_row(texts)
    for t in _text_answers(session, survey, grade, class_id):
        texts.append([t.question_text, GRADE_NAMES.get(t.grade, str(t.grade)), t.class_name, t.text,
                      _local(t.submitted_at)])
    for column, width in zip("ABCDE", (30, 10, 14, 60, 18), strict=True):
        texts.column_dimensions[column].width = width

    detail = workbook.create_sheet("答卷明细")
    headers = ["序号", "年级", "班级", "提交时间"] + [f"{n}. {q['text']}" for n, q in enumerate(survey.questions, 1)]
    _sheet_title(detail, f"{title} 答卷明细", len(headers))
    detail.append(headers)
    _bold_row(detail)
    for n, row in enumerate(_detail_rows(session, survey, grade, class_id), start=1):
        detail.append([n, *row])
    return workbook_bytes(workbook), f"{school.name}-{term.name}-{survey.title}{scope}-满意度调查结果.xlsx"


def _detail_rows(session: Session, survey: Survey, grade: int | None, class_id: int | None) -> list[list]:
    """One row per response in the order submitted: grade, class, time, then each answer as people read it."""
    responses = session.exec(_filtered(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id),
                                       grade, class_id).order_by(SurveyResponse.submitted_at, SurveyResponse.id)).all()
    answers: dict[int, dict[int, dict]] = defaultdict(dict)
    if responses:
        for a in session.exec(select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id)).all():
            answers[a.response_id][a.question_id] = _stored(a)
    numbers = _class_numbers(session, {r.class_id for r in responses})
    rows = []
    for r in responses:
        cells = [GRADE_NAMES.get(r.grade, str(r.grade)), class_name(r.grade, numbers.get(r.class_id, 0)),
                 _local(r.submitted_at)]
        for q in survey.questions:
            cells.append(_readable(q, answers[r.id].get(q["id"])))
        rows.append(cells)
    return rows


def _readable(question: dict, value: dict | None):
    if value is None:
        return ""
    if "rating" in value:
        return f"{value['rating']}（{RATING_LABELS[value['rating'] - 1]}）"
    if "option_ids" in value:
        names = {o["id"]: o["text"] for o in question["options"]}
        return "、".join(names.get(i, str(i)) for i in value["option_ids"])
    return value["text"]


# ---------- for the reports dashboard ----------

def satisfaction_summary(session: Session, school_id: int, term_id: int) -> dict:
    """The term's satisfaction for the reports dashboard (docs/reports.md, "satisfaction").

    Returns::

        {"surveys": [{"survey_id": int, "title": str, "state": "scheduled" | "open" | "closed",
                      "responses": int, "rating_answers": int, "satisfied_answers": int,
                      "satisfied_rate": float}, ...],
         "rating_answers": int, "satisfied_answers": int, "satisfied_rate": float}

    - `surveys`: every published or closed survey of the school's term (drafts never count), oldest first.
    - `responses`: the children answered for (one response per child per survey).
    - `rating_answers`: answers to the survey's rating questions (1–5); `satisfied_answers`: those rating 4 or 5
      (满意 + 非常满意); `satisfied_rate` = satisfied_answers / rating_answers × 100, two decimals, 0 when none.
    - The top-level figures add up every survey's answers (not an average of the surveys' rates), so a district can
      add schools' counts the same way.
    - A term of another school, or with no survey, gives {"surveys": [], "rating_answers": 0, "satisfied_answers":
      0, "satisfied_rate": 0.0}. Reads only; no commit.
    """
    rows = session.exec(select(Survey).where(Survey.school_id == school_id, Survey.term_id == term_id,
                                             Survey.status != SurveyStatus.DRAFT).order_by(Survey.id)).all()
    ids = [r.id for r in rows]
    counts = _response_counts(session, ids)
    ratings = {survey_id: (total, satisfied) for survey_id, total, satisfied in session.exec(
        select(SurveyAnswer.survey_id, func.count(),
               func.coalesce(func.sum(case((SurveyAnswer.rating >= SATISFIED_FROM, 1), else_=0)), 0))
        .where(SurveyAnswer.survey_id.in_(ids), SurveyAnswer.rating.is_not(None))
        .group_by(SurveyAnswer.survey_id)).all()} if ids else {}
    surveys = []
    for row in rows:
        total, satisfied = (int(n) for n in ratings.get(row.id, (0, 0)))
        surveys.append({"survey_id": row.id, "title": row.title, "state": survey_state(row),
                        "responses": counts.get(row.id, 0), "rating_answers": total,
                        "satisfied_answers": satisfied, "satisfied_rate": percent(satisfied, total)})
    total = sum(s["rating_answers"] for s in surveys)
    satisfied = sum(s["satisfied_answers"] for s in surveys)
    return {"surveys": surveys, "rating_answers": total, "satisfied_answers": satisfied,
            "satisfied_rate": percent(satisfied, total)}


def satisfied_rates(session: Session, term_ids: list[int]) -> dict[int, float]:
    """`satisfaction_summary(...)["satisfied_rate"]` of many terms in one statement (the district report's rows);
    a term without rating answers is left out."""
    if not term_ids:
        return {}
    rows = session.exec(
        select(Survey.term_id, func.count(),
               func.coalesce(func.sum(case((SurveyAnswer.rating >= SATISFIED_FROM, 1), else_=0)), 0))
        .join(SurveyAnswer, SurveyAnswer.survey_id == Survey.id)
        .where(Survey.term_id.in_(term_ids), Survey.status != SurveyStatus.DRAFT, SurveyAnswer.rating.is_not(None))
        .group_by(Survey.term_id)).all()
    return {term_id: percent(int(satisfied), total) for term_id, total, satisfied in rows}
