"""Leave (请假): only on the child's service days, never twice for a day, urgent after the cutoff."""

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from app.attendance.places import PlaceKind, expected_place
from app.calendar.schemas import DayChangeIn
from app.calendar.service import change_day
from app.core.errors import AppError, Conflict, Forbidden, NotFound
from app.leave import service
from app.leave.models import LeaveDay, LeaveRequest, LeaveStatus
from app.leave.schemas import DecisionIn, LeaveIn
from app.notify.models import InboxMessage
from tests.enrollment.conftest import caller_for
from tests.leave.conftest import at_shanghai

TODAY = date(2026, 11, 23)      # Monday; the fixed clock says 16:00 in Shanghai, after the 14:00 cutoff
TUESDAY, WEDNESDAY, FRIDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)


def ask(session, world, caller, *dates, kind="sick", student=None, **extra):
    student = student or world.a.students[0]
    return service.request_leave(session=session, caller=caller, data=LeaveIn(
        student_id=student.id, dates=list(dates), reason="发烧", kind=kind, **extra))


def inbox(session, account_id, event):
    return session.exec(select(InboxMessage).where(InboxMessage.account_id == account_id,
                                                   InboxMessage.event == event)).all()


def test_guardian_asks_leave_for_coming_days_and_the_class_head_is_told(session, world, care, guardian):
    leave = ask(session, world, guardian, WEDNESDAY, TUESDAY, TUESDAY)
    assert leave.dates == [TUESDAY, WEDNESDAY]
    assert (leave.status, leave.status_label, leave.urgent, leave.cancellable) == ("submitted", "待班主任处理", False, True)
    days = session.exec(select(LeaveDay.day).where(LeaveDay.leave_id == leave.id).order_by(LeaveDay.day)).all()
    assert days == [TUESDAY, WEDNESDAY]
    told = inbox(session, world.a.staff["class_head"].account_id, "leave_requested")
    assert len(told) == 1 and "11月24日、11月25日" in told[0].body and "病假" in told[0].body


def test_a_past_date_is_refused(session, world, care, guardian):
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, date(2026, 11, 20), TUESDAY)
    assert refused.value.code == "LEAVE_DATE_PAST" and "11月20日" in refused.value.message
    assert session.exec(select(LeaveRequest)).first() is None


def test_a_holiday_is_refused_saying_which_date_and_why(session, world, care, guardian, fixed_clock):
    at_shanghai(fixed_clock, 2026, 9, 28, 9)
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, date(2026, 9, 29), date(2026, 10, 1))
    assert refused.value.code == "LEAVE_DATE_INVALID"
    assert refused.value.message == "10月1日（周四）不是课后服务日：法定节假日（国庆节）"


def test_a_weekday_the_child_is_not_in_care_is_refused(session, world, care, guardian):
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, FRIDAY)  # applied Monday–Thursday only
    assert "11月27日（周五）" in refused.value.message and "报名" in refused.value.message


def test_a_day_the_school_cancelled_is_refused(session, world, care, guardian):
    change_day(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id,
               data=DayChangeIn(date=WEDNESDAY, kind="cancel", reason="运动会"))
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, WEDNESDAY)
    assert "停课（运动会）" in refused.value.message


def test_dates_past_the_terms_end_are_refused(session, world, care, guardian):
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, date(2027, 1, 19), date(2027, 2, 24))
    assert refused.value.code == "LEAVE_DATES_SPAN_TERMS"


def test_a_child_not_in_care_this_term_cannot_ask(session, world, care):
    third = caller_for(session, world.a.guardians[2].account_id, "guardian")
    with pytest.raises(AppError) as refused:
        ask(session, world, third, TUESDAY, student=world.a.students[2])
    assert refused.value.code == "NOT_IN_CARE"


def test_a_day_already_asked_for_is_a_conflict_naming_the_day(session, world, care, guardian):
    ask(session, world, guardian, WEDNESDAY)
    with pytest.raises(Conflict) as refused:
        ask(session, world, guardian, TUESDAY, WEDNESDAY, kind="personal")
    assert refused.value.code == "LEAVE_OVERLAP" and "11月25日" in refused.value.message
    assert len(session.exec(select(LeaveRequest)).all()) == 1


def test_a_cancelled_request_frees_its_days(session, world, care, guardian):
    first = ask(session, world, guardian, WEDNESDAY)
    service.cancel(session=session, caller=guardian, leave_id=first.id)
    assert ask(session, world, guardian, WEDNESDAY).status == "submitted"


def test_guardian_of_another_child_gets_not_found(session, world, care):
    other = caller_for(session, world.a.guardians[1].account_id, "guardian")
    with pytest.raises(NotFound):
        ask(session, world, other, TUESDAY)


def test_early_pickup_needs_a_time_within_the_day_and_one_date():
    with pytest.raises(ValidationError):
        LeaveIn(student_id=1, dates=[TUESDAY], reason="看牙", kind="early_pickup")
    with pytest.raises(ValidationError):
        LeaveIn(student_id=1, dates=[TUESDAY, WEDNESDAY], reason="看牙", kind="early_pickup", early_pickup_time="16:30")
    with pytest.raises(ValidationError):
        LeaveIn(student_id=1, dates=[TUESDAY], reason="发烧", kind="sick", early_pickup_time="16:30")


def test_early_pickup_outside_the_service_hours_is_refused(session, world, care, guardian):
    with pytest.raises(AppError) as refused:
        ask(session, world, guardian, TUESDAY, kind="early_pickup", early_pickup_time="17:30")  # grade 3 ends 17:20
    assert refused.value.code == "EARLY_PICKUP_TIME_INVALID" and "15:40–17:20" in refused.value.message
    leave = ask(session, world, guardian, TUESDAY, kind="early_pickup", early_pickup_time="16:30")
    assert leave.early_pickup_time == "16:30"


def test_leave_for_today_after_the_cutoff_is_urgent_and_the_teacher_is_told_once(session, world, care, guardian):
    leave = ask(session, world, guardian, TODAY, TUESDAY)
    assert leave.urgent
    teacher = world.a.staff["teacher"].account_id
    told = inbox(session, teacher, "leave_urgent")
    assert len(told) == 1 and "今天病假" in told[0].body and "三年级看护一班" in told[0].body
    assert len(inbox(session, world.a.staff["class_head"].account_id, "leave_requested")) == 1
    with pytest.raises(Conflict):  # a retry without a key is refused, and tells nobody again
        ask(session, world, guardian, TODAY)
    assert len(inbox(session, teacher, "leave_urgent")) == 1


def test_leave_for_today_before_the_cutoff_is_not_urgent(session, world, care, guardian, fixed_clock):
    at_shanghai(fixed_clock, 2026, 11, 23, 13, 30)
    assert not ask(session, world, guardian, TODAY).urgent
    assert inbox(session, world.a.staff["teacher"].account_id, "leave_urgent") == []


def test_leave_for_tomorrow_after_the_cutoff_is_not_urgent(session, world, care, guardian):
    assert not ask(session, world, guardian, TUESDAY).urgent


def test_pending_leave_shows_on_the_roster_and_approved_leave_takes_the_child_off(session, world, care, guardian,
                                                                                    class_head):
    student = world.a.students[0]
    leave = ask(session, world, guardian, TUESDAY)
    pending = expected_place(session, world.a.school.id, student.id, TUESDAY)
    assert pending.kind == PlaceKind.CARE_GROUP and pending.leave_pending
    service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="note"))
    assert expected_place(session, world.a.school.id, student.id, TUESDAY).kind == PlaceKind.LEAVE


def test_early_pickup_keeps_the_child_in_their_group_with_the_time(session, world, care, guardian, class_head):
    leave = ask(session, world, guardian, TUESDAY, kind="early_pickup", early_pickup_time="16:30")
    service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    place = expected_place(session, world.a.school.id, world.a.students[0].id, TUESDAY)
    assert place.kind == PlaceKind.CARE_GROUP and place.early_pickup_time == "16:30"


# ---------- decisions ----------

def test_class_head_approves_and_the_guardian_is_told_once(session, world, care, guardian, class_head):
    leave = ask(session, world, guardian, TUESDAY, WEDNESDAY)
    decided = service.decide(session=session, caller=class_head, leave_id=leave.id,
                             data=DecisionIn(decision="approve", comment="好好休息"))
    assert (decided.status, decided.status_label) == ("approved", "已批准")
    assert decided.decided_by_name == world.a.staff["class_head"].name
    again = service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    assert again == decided
    told = inbox(session, world.a.guardians[0].account_id, "leave_decision")
    assert len(told) == 1 and told[0].title == "请假已批准" and "好好休息" in told[0].body


def test_noting_puts_the_leave_in_force(session, world, care, guardian, class_head):
    leave = ask(session, world, guardian, TUESDAY)
    noted = service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="note"))
    assert noted.status == "noted" and noted.status in LeaveStatus.IN_FORCE
    with pytest.raises(Conflict) as refused:
        service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    assert refused.value.code == "LEAVE_DECIDED"


def test_a_cancelled_leave_cannot_be_decided(session, world, care, guardian, class_head):
    leave = ask(session, world, guardian, TUESDAY)
    service.cancel(session=session, caller=guardian, leave_id=leave.id)
    with pytest.raises(Conflict) as refused:
        service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    assert refused.value.code == "LEAVE_CANCELLED"


def test_only_the_childs_class_head_or_an_admin_decides(session, world, care, class_head):
    second = caller_for(session, world.a.guardians[1].account_id, "guardian")
    leave = ask(session, world, second, TUESDAY, student=world.a.students[1])  # class 2, not this head's
    with pytest.raises(Forbidden):
        service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    admin = caller_for(session, world.a.staff["admin"].account_id, "class_head", "admin")
    assert service.decide(session=session, caller=admin, leave_id=leave.id,
                          data=DecisionIn(decision="approve")).status == "approved"
    head_b = caller_for(session, world.b.staff["class_head"].account_id, "class_head", "admin")
    with pytest.raises(NotFound):
        service.decide(session=session, caller=head_b, leave_id=leave.id, data=DecisionIn(decision="approve"))


# ---------- cancelling ----------

def test_guardian_cancels_a_coming_leave(session, world, care, guardian):
    leave = ask(session, world, guardian, TUESDAY, WEDNESDAY)
    cancelled = service.cancel(session=session, caller=guardian, leave_id=leave.id)
    assert (cancelled.id, cancelled.status, cancelled.cancellable) == (leave.id, "cancelled", False)
    assert service.cancel(session=session, caller=guardian, leave_id=leave.id).status == "cancelled"
    assert len(inbox(session, world.a.staff["class_head"].account_id, "leave_cancelled")) == 1


def test_cancelling_keeps_the_days_already_gone_on_record(session, world, care, guardian, class_head, fixed_clock):
    leave = ask(session, world, guardian, TUESDAY, WEDNESDAY, date(2026, 11, 26))
    service.decide(session=session, caller=class_head, leave_id=leave.id, data=DecisionIn(decision="approve"))
    at_shanghai(fixed_clock, 2026, 11, 25, 9)
    cancelled = service.cancel(session=session, caller=guardian, leave_id=leave.id)
    assert cancelled.id != leave.id and cancelled.dates == [WEDNESDAY, date(2026, 11, 26)]
    kept = service.child_leaves(session=session, caller=guardian, student_id=world.a.students[0].id)
    assert [(x.status, x.dates) for x in kept] == [("cancelled", [WEDNESDAY, date(2026, 11, 26)]),
                                                   ("approved", [TUESDAY])]
    assert expected_place(session, world.a.school.id, world.a.students[0].id, TUESDAY).kind == PlaceKind.LEAVE


def test_a_leave_wholly_in_the_past_cannot_be_cancelled(session, world, care, guardian, fixed_clock):
    leave = ask(session, world, guardian, TUESDAY)
    at_shanghai(fixed_clock, 2026, 11, 25, 9)
    with pytest.raises(Conflict) as refused:
        service.cancel(session=session, caller=guardian, leave_id=leave.id)
    assert refused.value.code == "LEAVE_PAST"


def test_another_guardian_cannot_cancel(session, world, care, guardian):
    leave = ask(session, world, guardian, TUESDAY)
    other = caller_for(session, world.a.guardians[1].account_id, "guardian")
    with pytest.raises(NotFound):
        service.cancel(session=session, caller=other, leave_id=leave.id)


# ---------- lists ----------

def test_a_childs_requests_come_newest_first_with_labels(session, world, care, guardian, fixed_clock):
    first = ask(session, world, guardian, WEDNESDAY)
    fixed_clock.advance(minutes=5)
    second = ask(session, world, guardian, TUESDAY, kind="personal")
    listed = service.child_leaves(session=session, caller=guardian, student_id=world.a.students[0].id)
    assert [(x.id, x.kind_label) for x in listed] == [(second.id, "事假"), (first.id, "病假")]
    teacher = caller_for(session, world.a.staff["teacher"].account_id, "teacher")
    assert len(service.child_leaves(session=session, caller=teacher, student_id=world.a.students[0].id)) == 2


def test_class_list_filters_by_status_and_date(session, world, care, guardian, class_head):
    tuesday = ask(session, world, guardian, TUESDAY)
    ask(session, world, guardian, WEDNESDAY)
    service.decide(session=session, caller=class_head, leave_id=tuesday.id, data=DecisionIn(decision="approve"))
    school_class = world.a.classes[0]
    assert len(service.class_leaves(session=session, caller=class_head, school_class=school_class)) == 2
    only = service.class_leaves(session=session, caller=class_head, school_class=school_class, status="approved")
    assert [x.id for x in only] == [tuesday.id]
    on_day = service.class_leaves(session=session, caller=class_head, school_class=school_class, day=WEDNESDAY)
    assert [x.dates for x in on_day] == [[WEDNESDAY]]
    duty = caller_for(session, world.a.staff["duty_leader"].account_id, "class_head", "admin", "duty_leader")
    assert len(service.class_leaves(session=session, caller=duty, school_class=school_class)) == 2


def test_a_class_head_reads_only_their_own_class(session, world, care, class_head):
    with pytest.raises(Forbidden):
        service.class_leaves(session=session, caller=class_head, school_class=world.a.classes[1])
