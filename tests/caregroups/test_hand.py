"""The admin's hand: moving a child, setting a group's tutors, renaming."""

import pytest
from sqlmodel import select

from app.caregroups import service
from app.caregroups.schemas import CareGroupUpdate, TutorSlotIn
from app.clubs.models import Club
from app.core.errors import AppError, Conflict, NotFound
from app.enrollment.models import Application
from tests.factories import create_staff, create_student


@pytest.fixture
def built(school):
    """三年级1班 (30) and 四年级1班 (10), built with no volunteers yet."""
    third = school.children(3, 1, 30)
    fourth = school.children(4, 1, 10)
    school.build()
    groups = school.groups()
    return groups["三年级1班"], groups["四年级1班"], third, fourth


def slots(*pairs):
    return [TutorSlotIn(staff_id=staff.id, weekday=weekday) for staff, weekday in pairs]


def test_moving_a_child_by_hand_marks_them_and_reports_both_groups(school, built):
    third_group, _, _, fourth = built
    result = service.move_child(session=school.session, group=third_group, student_id=fourth[1].id,
                                reason="与哥哥同班看护")
    assert school.members()[fourth[1].id] == (third_group.id, "hand")
    assert (result.group.members, result.from_group.members) == (31, 9)
    assert [w.code for w in result.warnings if w.code == "OTHER_GRADE"] == ["OTHER_GRADE"]


def test_a_child_of_another_grade_is_allowed_with_a_warning(school, built):
    third_group, _, _, fourth = built
    result = service.move_child(session=school.session, group=third_group, student_id=fourth[0].id, reason="特殊照顾")
    other_grade = [w for w in result.warnings if w.code == "OTHER_GRADE"]
    assert other_grade[0].student_id == fourth[0].id and "不是三年级学生" in other_grade[0].message


def test_a_group_pushed_over_45_by_hand_is_warned(school, built):
    third_group, _, _, _ = built
    extra = school.children(3, 2, 16)
    for kid in extra:
        result = service.move_child(session=school.session, group=third_group, student_id=kid.id, reason="合并")
    assert result.group.members == 46
    assert any(w.code == "OVER_GROUP_MAX" and "超过每班 45 人" in w.message for w in result.warnings)


def test_a_child_without_an_approved_application_cannot_be_placed(school, built, session):
    third_group, *_ = built
    newcomer = create_student(session, school.school_class(3, 1))
    with pytest.raises(Conflict) as refused:
        service.move_child(session=session, group=third_group, student_id=newcomer.id, reason="x")
    assert refused.value.code == "CHILD_NOT_IN_CARE" and "没有已通过的课后服务申请" in refused.value.message
    kid = built[2][0]
    application = session.exec(select(Application).where(Application.student_id == kid.id)).one()
    application.status = "withdrawn"
    session.commit()
    with pytest.raises(Conflict):
        service.move_child(session=session, group=built[1], student_id=kid.id, reason="x")
    assert school.members()[kid.id] == (third_group.id, "build")  # refused: nothing changed


def test_another_schools_child_is_not_found(school, built, world):
    third_group, *_ = built
    with pytest.raises(NotFound):
        service.move_child(session=school.session, group=third_group, student_id=world.b.students[0].id, reason="x")


def test_tutors_set_by_hand_replace_the_rota_and_survive_a_rebuild(school, built):
    third_group, *_ = built
    a, b = school.volunteer(), create_staff(school.session, school.world.a.school, "teacher")  # b never volunteered
    detail = service.set_tutors(session=school.session, group=third_group, tutors=slots((a, 1), (b, 1), (b, 2)))
    monday = next(d for d in detail.days if d.weekday == 1)
    assert sorted(t.staff_id for t in monday.tutors) == sorted([a.id, b.id])
    assert {t.placed_by for t in monday.tutors} == {"hand"}
    school.build()
    assert {(s, d) for g, s, d in school.rota() if g == third_group.id} >= {(a.id, 1), (b.id, 1), (b.id, 2)}


def test_a_tutor_already_in_another_group_that_weekday_is_refused(school, built):
    third_group, fourth_group, *_ = built
    teacher = create_staff(school.session, school.world.a.school, "teacher", name="王老师")
    service.set_tutors(session=school.session, group=fourth_group, tutors=slots((teacher, 3)))
    with pytest.raises(Conflict) as refused:
        service.set_tutors(session=school.session, group=third_group, tutors=slots((teacher, 2), (teacher, 3)))
    assert refused.value.code == "TUTOR_BUSY"
    assert refused.value.message == "王老师周三已在「四年级1班」看护，同一天不能看护两个班"
    assert not [1 for g, _, _ in school.rota() if g == third_group.id]  # refused: nothing written


def test_a_tutor_leading_a_club_that_weekday_is_refused(school, built):
    third_group, *_ = built
    coach = create_staff(school.session, school.world.a.school, "teacher", name="李老师")
    school.session.add(Club(school_id=coach.school_id, term_id=school.term.id, name="篮球", category="sport",
                            weekdays=[1], start_time="16:20", end_time="17:20", capacity=30, grades=[3],
                            teacher_staff_id=coach.id))
    school.session.commit()
    with pytest.raises(Conflict) as refused:
        service.set_tutors(session=school.session, group=third_group, tutors=slots((coach, 1)))
    assert refused.value.message == "李老师周一指导社团「篮球」，不能同时看护"


def test_another_schools_or_inactive_staff_cannot_tutor(school, built, world):
    third_group, *_ = built
    with pytest.raises(AppError) as refused:
        service.set_tutors(session=school.session, group=third_group, tutors=slots((world.b.staff["teacher"], 1)))
    assert refused.value.code == "STAFF_NOT_FOUND" and refused.value.status_code == 422
    gone = create_staff(school.session, world.a.school, "teacher")
    gone.is_active = False
    school.session.commit()
    with pytest.raises(AppError) as refused:
        service.set_tutors(session=school.session, group=third_group, tutors=slots((gone, 1)))
    assert refused.value.code == "STAFF_INACTIVE"


def test_a_weekday_the_plan_does_not_serve_is_refused(school, built, session):
    from tests.factories import publish_plan
    publish_plan(session, school.world.a, weekdays=[1, 2, 3, 4])
    third_group, *_ = built
    with pytest.raises(AppError) as refused:
        service.set_tutors(session=session, group=third_group, tutors=slots((school.volunteer(), 5)))
    assert refused.value.code == "NOT_A_SERVICE_DAY" and "周五" in refused.value.message


def test_a_tutor_who_left_is_warned_and_replaced_on_rebuild(school, built):
    third_group, *_ = built
    first, second = school.volunteer(), school.volunteer()
    service.set_tutors(session=school.session, group=third_group, tutors=slots((first, 1)))
    first.is_active = False
    school.session.commit()
    listing = service.term_groups(session=school.session, term=school.term)
    assert any(w.code == "TUTOR_INACTIVE" and w.weekday == 1 for w in listing.warnings)
    school.build()
    assert (third_group.id, second.id, 1) in school.rota()


def test_two_groups_cannot_share_a_name(school, built):
    third_group, fourth_group, *_ = built
    with pytest.raises(Conflict) as refused:
        service.update_group(session=school.session, group=fourth_group, data=CareGroupUpdate(name="三年级1班"))
    assert refused.value.code == "GROUP_NAME_TAKEN"
    assert school.session.get(type(fourth_group), fourth_group.id).name == "四年级1班"
