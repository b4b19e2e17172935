"""A term survey and families to answer it: helpers shared by the survey tests."""

from dataclasses import dataclass

import pytest

from app.core.deps import allow, load_actor
from app.surveys import service
from app.surveys.schemas import AnswerIn, PublishIn, SurveyIn
from tests.factories import SchoolWorld, approve_application, create_class, create_guardian, create_student

QUESTIONS = [
    {"kind": "rating", "text": "您对本学期课后服务的总体满意度"},
    {"kind": "rating", "text": "您对看护老师的满意度"},
    {"kind": "single", "text": "孩子是否愿意参加课后服务", "options": ["愿意", "一般", "不愿意"]},
    {"kind": "multiple", "text": "您希望增加哪些活动", "required": False,
     "options": ["体育", "阅读", "科技", "艺术"]},
    {"kind": "text", "text": "您的意见和建议", "required": False},
]


def survey_in(**overrides) -> SurveyIn:
    return SurveyIn(**{"title": "2026年秋季课后服务家长满意度调查", "intro": "请您如实填写。",
                       "questions": QUESTIONS, **overrides})


def guardian_caller(session, account_id: int):
    """The Caller a guardian-only route would get."""
    return allow("guardian").admit(load_actor(session, account_id))


def admin_account(school: SchoolWorld) -> int:
    return school.staff["admin"].account_id


def published(session, school: SchoolWorld, **overrides):
    """A published survey of the school's term (every family asked unless told otherwise)."""
    data = survey_in(**{"audience": "all", **overrides})
    out = service.create_survey(session=session, term=school.term, account_id=admin_account(school), data=data)
    row = service.get_survey(session=session, school_ids={school.school.id}, survey_id=out.id)
    service.publish(session=session, row=row, data=PublishIn())
    return row


def answers(*pairs) -> list[AnswerIn]:
    """answers((1, 5), (3, [1]), (5, "text")) → AnswerIn list by the value's type."""
    out = []
    for question_id, value in pairs:
        if isinstance(value, int):
            out.append(AnswerIn(question_id=question_id, rating=value))
        elif isinstance(value, list):
            out.append(AnswerIn(question_id=question_id, option_ids=value))
        else:
            out.append(AnswerIn(question_id=question_id, text=value))
    return out


def submit(session, guardian, student, survey, *pairs):
    return service.answer(session=session, caller=guardian_caller(session, guardian.account_id),
                          survey_id=survey.id, student_id=student.id, answers=answers(*pairs))


@dataclass
class Family:
    student: object
    guardian: object
    school_class: object


@pytest.fixture
def families(session, world):
    """School A gets grades 3 and 4, two classes each, five children per class, each with a bound guardian and
    an approved application for the term (24 children in all with the world's four)."""
    a = world.a
    classes = [a.classes[0], a.classes[1], create_class(session, a.school, grade=4, number=1),
               create_class(session, a.school, grade=4, number=2)]
    out = [Family(s, g, next(c for c in classes if c.id == s.class_id)) for s, g in zip(a.students, a.guardians)]
    for school_class in classes:
        for _ in range(5):
            student = create_student(session, school_class)
            out.append(Family(student, create_guardian(session, student), school_class))
    for family in out:
        approve_application(session, family.student, a.term)
    session.commit()
    return out
