"""The demo term's clubs and an open first-come round, so the club pages have something to choose from."""

import random
from datetime import timedelta

from sqlmodel import Session, select

from app.clubs.models import Club, ClubEnrollment, EnrollmentEvent, EnrollmentStatus, SelectionRound
from app.core.clock import utcnow
from app.enrollment.models import Application, AppStatus
from app.people.models import Staff, Student
from app.schools.models import School, SchoolClass, Term

# name, category, weekdays, start, end, capacity, grades, venue
CLUBS = [
    ("书法", "art", [1], "16:20", "17:00", 30, [3, 4, 5, 6], "书法教室"),
    ("国画", "art", [3], "16:20", "17:00", 25, [3, 4, 5, 6], "美术教室"),
    ("儿童画", "art", [2], "16:00", "16:40", 30, [1, 2], "美术教室"),
    ("合唱", "art", [4], "16:20", "17:00", 40, [2, 3, 4, 5, 6], "音乐教室"),
    ("舞蹈", "art", [2, 4], "16:20", "17:00", 24, [1, 2, 3, 4], "舞蹈房"),
    ("葫芦丝", "art", [5], "16:20", "17:00", 30, [3, 4, 5], "音乐教室"),
    ("篮球", "sport", [1, 3], "16:20", "17:20", 30, [4, 5, 6], "篮球场"),
    ("足球", "sport", [2, 4], "16:20", "17:20", 30, [3, 4, 5, 6], "操场"),
    ("跳绳", "sport", [5], "16:00", "16:40", 40, [1, 2, 3], "操场"),
    ("乒乓球", "sport", [3], "16:20", "17:00", 16, [3, 4, 5, 6], "乒乓球室"),
    ("创客", "science", [4], "16:20", "17:20", 20, [5, 6], "创客空间"),
    ("机器人", "science", [2], "16:20", "17:20", 20, [4, 5, 6], "科学教室"),
    ("科学小实验", "science", [1], "16:00", "16:40", 25, [1, 2], "科学教室"),
    ("绘本阅读", "language", [3], "16:00", "16:40", 30, [1, 2], "图书室"),
    ("英语戏剧", "language", [5], "16:20", "17:00", 25, [3, 4, 5, 6], "多功能厅"),
    ("围棋", "other", [1], "16:20", "17:00", 20, [2, 3, 4, 5, 6], "阅览室"),
]


def seed_clubs(session: Session, school: School, term: Term, rng: random.Random, demo_teacher_staff_id: int,
               keep_free: set[int]) -> None:
    """Clubs led by the school's teachers (the demo teacher leads 书法 and 篮球), an open first-come round,
    and families' choices so far: popular clubs full with a waitlist. Children in `keep_free` choose nothing."""
    teachers = session.exec(select(Staff.id).where(Staff.school_id == school.id, Staff.id != demo_teacher_staff_id)
                            .order_by(Staff.id)).all()
    clubs = []
    for i, (name, category, weekdays, start, end, capacity, grades, venue) in enumerate(CLUBS):
        teacher = demo_teacher_staff_id if name in ("书法", "篮球") else teachers[i % len(teachers)]
        clubs.append(Club(school_id=school.id, term_id=term.id, name=name, category=category, weekdays=weekdays,
                          start_time=start, end_time=end, capacity=capacity, grades=grades, venue=venue,
                          teacher_staff_id=teacher, description=f"{name}社团，每周{_weekday_text(weekdays)}活动，地点{venue}。"))
    session.add_all(clubs)
    now = utcnow()
    round_ = SelectionRound(school_id=school.id, term_id=term.id, name="第一轮选课（先到先得）", mode="first_come",
                            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=13),
                            drop_deadline=now + timedelta(days=13), max_per_child=2)
    session.add(round_)
    session.flush()

    approved = session.exec(select(Student.id, SchoolClass.grade).join(SchoolClass, SchoolClass.id == Student.class_id)
                            .join(Application, Application.student_id == Student.id)
                            .where(Application.term_id == term.id, Application.status == AppStatus.APPROVED)
                            .order_by(Student.id)).all()
    queue = 0.0
    for student_id, grade in approved:
        if student_id in keep_free or rng.random() < 0.55:
            continue
        options = [c for c in clubs if grade in c.grades]
        club = rng.choice(options)
        queue += 1
        status = EnrollmentStatus.ENROLLED if club.enrolled_count < club.capacity else EnrollmentStatus.WAITLISTED
        if status == EnrollmentStatus.ENROLLED:
            club.enrolled_count += 1
        row = ClubEnrollment(school_id=school.id, term_id=term.id, club_id=club.id, student_id=student_id,
                             status=status, round_id=round_.id, queue_key=queue)
        session.add(row)
        session.flush()
        session.add(EnrollmentEvent(school_id=school.id, enrollment_id=row.id, action="choose", to_status=status))
    session.add_all(clubs)


def _weekday_text(weekdays: list[int]) -> str:
    return "、".join("一二三四五六日"[d - 1] for d in weekdays)
