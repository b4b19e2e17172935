"""Teachers volunteer to tutor (教师自愿申请), for themselves; the admin may record it for anyone of the school."""

import pytest

from app.caregroups import service
from app.caregroups.schemas import TutorOfferIn
from app.core.errors import AppError, Forbidden, NotFound
from tests.enrollment.conftest import caller_for
from tests.factories import create_staff


def offer(session, world, who, staff, weekdays=(1, 3)):
    caller = caller_for(session, world.a.staff[who].account_id, *service.TUTOR_ROLES)
    return service.save_offer(session=session, caller=caller, term=world.a.term, staff_id=staff.id,
                              data=TutorOfferIn(weekdays=list(weekdays), note="周五有教研"))


def test_a_teacher_volunteers_and_changes_their_mind(session, world):
    teacher = world.a.staff["teacher"]
    first = offer(session, world, "teacher", teacher, weekdays=(3, 1, 3))
    assert (first.staff_id, first.weekdays, first.note) == (teacher.id, [1, 3], "周五有教研")
    second = offer(session, world, "teacher", teacher, weekdays=(2,))
    assert second.weekdays == [2]
    assert [o.weekdays for o in service.term_offers(session=session, term=world.a.term)] == [[2]]


def test_a_teacher_cannot_volunteer_a_colleague(session, world):
    with pytest.raises(Forbidden) as refused:
        offer(session, world, "teacher", world.a.staff["class_head"])
    assert refused.value.code == "OFFER_NOT_YOURS"


def test_the_admin_records_an_offer_for_anyone_of_the_school(session, world):
    assert offer(session, world, "admin", world.a.staff["duty_leader"]).staff_id == world.a.staff["duty_leader"].id


def test_a_guard_or_someone_who_left_cannot_volunteer(session, world):
    with pytest.raises(AppError) as refused:
        offer(session, world, "admin", world.a.staff["guard"])
    assert refused.value.code == "STAFF_CANNOT_TUTOR"
    gone = create_staff(session, world.a.school, "teacher")
    gone.is_active = False
    session.commit()
    with pytest.raises(AppError) as refused:
        offer(session, world, "admin", gone)
    assert refused.value.code == "STAFF_INACTIVE"


def test_another_schools_staff_is_not_found(session, world):
    with pytest.raises(NotFound):
        offer(session, world, "admin", world.b.staff["teacher"])


def test_withdrawing_removes_the_offer_and_reading_it_then_is_not_found(session, world):
    teacher = world.a.staff["teacher"]
    offer(session, world, "teacher", teacher)
    caller = caller_for(session, teacher.account_id, *service.TUTOR_ROLES)
    service.withdraw_offer(session=session, caller=caller, term=world.a.term, staff_id=teacher.id)
    service.withdraw_offer(session=session, caller=caller, term=world.a.term, staff_id=teacher.id)  # a retry is fine
    with pytest.raises(NotFound) as missing:
        service.get_offer(session=session, caller=caller, term=world.a.term, staff_id=teacher.id)
    assert "尚未申请看护" in missing.value.message


def test_an_offer_shows_where_its_teacher_was_placed(school, session, world):
    school.children(3, 1, 10)
    teacher = world.a.staff["teacher"]
    offer(session, world, "teacher", teacher, weekdays=(1, 2))
    school.build()
    caller = caller_for(session, teacher.account_id, *service.TUTOR_ROLES)
    mine = service.get_offer(session=session, caller=caller, term=world.a.term, staff_id=teacher.id)
    assert [(a.group_name, a.weekday) for a in mine.assignments] == [("三年级1班", 1), ("三年级1班", 2)]
