"""The demo term's satisfaction survey (满意度调查), published a week ago and answered by most families in care, so the
results page shows real figures. The demo parent's children have not answered: the survey page has something to do.

Its own random generator, so adding it changed nothing else the demo seed makes."""

import random
from datetime import timedelta

from sqlmodel import Session, select

from app.core.clock import utcnow
from app.enrollment.models import Application, AppStatus
from app.people.models import Guardian, Guardianship, Student
from app.schools.models import School, SchoolClass, Term
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyStatus
from app.surveys.schemas import SurveyIn
from app.surveys.service import stored_questions

SEED = 20261201
QUESTIONS = [
    {"kind": "rating", "text": "您对本学期课后服务的总体满意度"},
    {"kind": "rating", "text": "您对看护老师的责任心和态度是否满意"},
    {"kind": "rating", "text": "您对放学接送安排（接送码、分年级放学时间）是否满意"},
    {"kind": "single", "text": "孩子愿意参加课后服务吗", "options": ["很愿意", "比较愿意", "不太愿意"]},
    {"kind": "multiple", "text": "您希望增加哪些活动（可多选）", "required": False,
     "options": ["体育运动", "阅读写作", "科技创客", "美术音乐", "书法", "劳动实践"]},
    {"kind": "text", "text": "您对课后服务的意见和建议", "required": False},
]
SUGGESTIONS = [
    "希望作业辅导时间再长一点，孩子回家能少写一些。", "建议冬天放学时间再提前一些，天黑得早。",
    "老师很负责，孩子很喜欢社团活动，谢谢老师！", "希望多安排户外体育活动。", "接送码很方便，不用再排队签字了。",
    "建议增加编程、机器人一类的社团。", "孩子说看护班有点吵，希望能安静写作业。", "希望每周能反馈一次孩子的作业完成情况。",
    "收费公开透明，很放心。", "建议雨天在室内安排活动。",
]
# How families rate, 1 to 5: mostly satisfied, as the seeds' schools report (家长满意度 97%–100%).
RATING_WEIGHTS = [1, 1, 2, 32, 64]


def seed_surveys(session: Session, school: School, term: Term, admin_account_id: int,
                 demo_parent_account: int) -> Survey:
    rng = random.Random(SEED)
    now = utcnow()
    opened = now - timedelta(days=7)
    survey = Survey(school_id=school.id, term_id=term.id, title=f"{term.name}课后服务家长满意度调查",
                    intro="为了把课后服务办得更好，请您花两分钟填写这份问卷。每个孩子填写一次，提交后不能修改。",
                    audience="in_care", questions=stored_questions(SurveyIn(title="-", questions=QUESTIONS)),
                    status=SurveyStatus.PUBLISHED, created_by=admin_account_id, created_at=opened - timedelta(days=1),
                    updated_at=opened, published_at=opened, announced_at=opened)
    session.add(survey)
    session.flush()
    demo_children = set(session.exec(
        select(Guardianship.student_id).join(Guardian, Guardian.id == Guardianship.guardian_id)
        .where(Guardian.account_id == demo_parent_account)).all())
    in_care = session.exec(
        select(Student.id, SchoolClass.id, SchoolClass.grade).join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(Application, Application.student_id == Student.id)
        .where(Application.term_id == term.id, Application.status == AppStatus.APPROVED,
               Student.is_active == True)  # noqa: E712
        .order_by(Student.id)).all()
    responses = []
    for student_id, class_id, grade in in_care:
        if student_id in demo_children or rng.random() < 0.3:
            continue
        responses.append(SurveyResponse(school_id=school.id, survey_id=survey.id, student_id=student_id,
                                        class_id=class_id, grade=grade, answered_by=admin_account_id,
                                        submitted_at=opened + timedelta(minutes=rng.randint(10, 7 * 24 * 60 - 60))))
    session.add_all(responses)
    session.flush()
    answers = []
    for response in responses:
        mood = rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0]
        for question_id in (1, 2, 3):
            # a satisfied family gives 4s and 5s; the others vary by a point
            rating = rng.choice([4, 5, mood, mood]) if mood >= 4 else max(1, min(3, mood + rng.choice([-1, 0, 0, 1])))
            answers.append(SurveyAnswer(school_id=school.id, survey_id=survey.id, response_id=response.id,
                                        question_id=question_id, rating=rating))
        answers.append(SurveyAnswer(school_id=school.id, survey_id=survey.id, response_id=response.id, question_id=4,
                                    option_ids=[1 if mood >= 4 else rng.choice([2, 3])]))
        if rng.random() < 0.6:
            answers.append(SurveyAnswer(school_id=school.id, survey_id=survey.id, response_id=response.id,
                                        question_id=5, option_ids=sorted(rng.sample(range(1, 7), rng.randint(1, 3)))))
        if rng.random() < 0.15:
            answers.append(SurveyAnswer(school_id=school.id, survey_id=survey.id, response_id=response.id,
                                        question_id=6, text=rng.choice(SUGGESTIONS)))
    session.add_all(answers)
    session.flush()
    return survey
