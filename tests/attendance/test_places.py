"""Where a child should be on a service day: the club on its weekday, else the care group, unless on leave."""

from app.attendance.places import PlaceKind, expected_place
from tests.attendance.conftest import MONDAY, TUESDAY, add_leave
from tests.factories import create_student


def place(session, day, student, on=MONDAY):
    return expected_place(session, day.school.school.id, student.id, on)


def test_child_goes_to_their_club_on_its_weekday(session, day):
    found = place(session, day, day.at_club)
    assert (found.kind, found.name) == (PlaceKind.CLUB, "书法")
    assert found.session_id == day.session_of(session, club=True).id


def test_child_stays_in_their_care_group_on_other_weekdays(session, day):
    found = place(session, day, day.at_club, on=TUESDAY)
    assert (found.kind, found.name) == (PlaceKind.CARE_GROUP, "三年级看护1组")


def test_child_on_approved_leave_is_not_expected_but_keeps_their_usual_session(session, day):
    child = day.at_group[0]
    add_leave(session, child)
    found = place(session, day, child)
    assert found.kind == PlaceKind.LEAVE and not found.expected
    assert found.usual_session_id == day.session_of(session).id
    assert found.leave_kind == "sick" and not found.leave_pending


def test_leave_noted_by_the_class_head_counts_like_an_approval(session, day):
    add_leave(session, day.at_club, status="noted")
    assert place(session, day, day.at_club).kind == PlaceKind.LEAVE


def test_pending_leave_leaves_the_child_expected_with_a_flag(session, day):
    child = day.at_group[0]
    add_leave(session, child, status="submitted")
    found = place(session, day, child)
    assert found.expected and found.kind == PlaceKind.CARE_GROUP and found.leave_pending


def test_early_pickup_child_is_still_expected(session, day):
    child = day.at_club
    add_leave(session, child, kind="early_pickup", early_pickup_time="16:30")
    found = place(session, day, child)
    assert found.expected and found.kind == PlaceKind.CLUB and found.early_pickup_time == "16:30"


def test_cancelled_leave_changes_nothing(session, day):
    child = day.at_group[0]
    add_leave(session, child, status="cancelled")
    found = place(session, day, child)
    assert found.kind == PlaceKind.CARE_GROUP and found.leave_id is None


def test_leave_for_another_day_changes_nothing_today(session, day):
    add_leave(session, day.at_group[0], days=(TUESDAY,))
    assert place(session, day, day.at_group[0]).kind == PlaceKind.CARE_GROUP
    assert place(session, day, day.at_group[0], on=TUESDAY).kind == PlaceKind.LEAVE


def test_child_without_an_application_is_not_in_care(session, day):
    newcomer = create_student(session, day.school.classes[0])
    assert place(session, day, newcomer).kind == PlaceKind.NOT_IN_CARE


def test_approved_child_not_yet_in_a_group_is_unplaced_but_expected(session, day):
    from tests.factories import approve_application
    newcomer = create_student(session, day.school.classes[0])
    approve_application(session, newcomer, day.school.term)
    found = place(session, day, newcomer)
    assert found.kind == PlaceKind.UNPLACED and found.expected and found.usual_session_id is None


def test_a_renamed_group_renames_todays_session_but_not_a_past_ones(session, day):
    from datetime import timedelta
    from app.attendance.places import service_day
    past = MONDAY - timedelta(days=7)
    before = day.session_of(session, day=past)
    day.group.name, day.group.room = "三年级看护甲组", "302"
    session.add(day.group)
    session.commit()
    today_session = day.session_of(session)
    assert (today_session.name, today_session.room) == ("三年级看护甲组", "302")
    again = next(s for s in service_day(session, day.school.school.id, past).sessions if s.id == before.id)
    assert (again.name, again.room) == ("三年级看护1组", "301")
