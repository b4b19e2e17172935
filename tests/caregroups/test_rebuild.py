"""Rebuilding after new approvals: nobody already placed moves, tutors stay, only newcomers are placed."""

from sqlmodel import select

from app.caregroups import service
from app.caregroups.models import CareGroup, TutorOffer
from app.caregroups.schemas import CareGroupUpdate
from app.enrollment.models import Application


def withdraw(session, student):
    application = session.exec(select(Application).where(Application.student_id == student.id)).one()
    application.status = "withdrawn"
    session.add(application)
    session.commit()


def test_rebuild_keeps_every_placement_and_tutor_and_places_only_the_newcomers(school):
    school.children(3, 1, 30)
    school.children(3, 2, 12)
    school.children(3, 3, 12)
    for _ in range(4):
        school.volunteer()
    school.build()
    members, rota = school.members(), school.rota()

    newcomers = school.children(3, 1, 2) + school.children(3, 3, 1)
    result = school.build()

    after = school.members()
    assert {sid: after[sid] for sid in members} == members
    assert school.rota() >= rota and result.tutors_released == 0
    assert (result.newly_placed, result.groups_created, result.left) == (3, 0, 0)
    groups = school.groups()
    assert after[newcomers[0].id][0] == after[newcomers[1].id][0] == groups["三年级1班"].id
    assert after[newcomers[2].id][0] == groups["三年级合班1"].id


def test_a_second_build_with_nothing_new_changes_nothing(school):
    school.children(3, 1, 20)
    school.volunteer()
    school.build()
    members, rota = school.members(), school.rota()
    result = school.build()
    assert (result.newly_placed, result.left, result.tutors_added, result.tutors_released) == (0, 0, 0, 0)
    assert school.members() == members and school.rota() == rota


def test_newcomers_go_to_a_group_of_their_grade_when_their_own_is_full(school):
    school.children(3, 1, 44)
    school.children(3, 2, 30)
    school.build()
    kids = school.children(3, 1, 3)
    school.build()
    groups, members = school.groups(), school.members()
    placed = sorted(members[k.id][0] for k in kids)
    assert placed == sorted([groups["三年级1班"].id, groups["三年级2班"].id, groups["三年级2班"].id])
    assert school.school_class(3, 1).id in groups["三年级2班"].class_ids  # it now serves 三年级1班 too


def test_a_new_group_opens_when_the_grade_has_no_room(school):
    school.children(3, 1, 45)
    school.build()
    school.children(3, 1, 5)
    school.children(4, 1, 3)
    result = school.build()
    assert {g.name: g.members for g in result.groups} == {"三年级1班": 45, "三年级1班（2）": 5, "四年级1班": 3}


def test_children_no_longer_approved_leave_their_group(school, session):
    kids = school.children(3, 1, 10)
    school.build()
    withdraw(session, kids[0])
    result = school.build()
    assert result.left == 1 and kids[0].id not in school.members() and result.groups[0].members == 9


def test_a_group_left_without_children_is_removed(school, session):
    school.children(3, 1, 30)
    gone = school.children(4, 1, 2)
    school.volunteer()
    school.build()
    for kid in gone:
        withdraw(session, kid)
    result = school.build()
    assert result.groups_removed == 1 and set(school.groups()) == {"三年级1班"}


def test_hand_placed_children_are_never_moved_by_a_rebuild(school):
    school.children(3, 1, 10)
    kid = school.children(4, 1, 10)[0]
    school.build()
    target = school.groups()["三年级1班"]
    service.move_child(session=school.session, group=target, student_id=kid.id, reason="与哥哥同班看护")
    school.build()
    assert school.members()[kid.id] == (target.id, "hand")


def test_renamed_groups_and_rooms_survive_a_rebuild(school):
    school.children(3, 1, 10)
    school.build()
    group = school.groups()["三年级1班"]
    service.update_group(session=school.session, group=group, data=CareGroupUpdate(name="三年级看护一班", room="阅览室"))
    school.children(3, 1, 1)
    result = school.build()
    assert [(g.name, g.room, g.members) for g in result.groups] == [("三年级看护一班", "阅览室", 11)]


def test_a_new_group_never_takes_a_name_already_used(school):
    school.children(3, 1, 10)
    school.build()
    group = school.groups()["三年级1班"]
    service.update_group(session=school.session, group=group, data=CareGroupUpdate(name="三年级合班1"))
    school.children(3, 2, 5)
    school.children(3, 3, 5)
    school.children(3, 1, 35)  # 三年级1班 fills, the rest need a new merged group
    school.build()
    assert "三年级合班2" in school.groups() and len(school.session.exec(select(CareGroup)).all()) == 2


def test_a_withdrawn_offer_is_warned_and_the_rebuild_replaces_that_tutor(school, session):
    school.children(3, 1, 10)
    leaving = school.volunteer()
    school.build()
    other = school.volunteer()
    session.delete(session.exec(select(TutorOffer).where(TutorOffer.staff_id == leaving.id)).one())
    session.commit()
    listing = service.term_groups(session=session, term=school.term)
    assert {w.code for w in listing.warnings} == {"TUTOR_NOT_OFFERED"}
    result = school.build()
    assert result.tutors_released == 5 and {s for _, s, _ in school.rota()} == {other.id}
    assert not result.warnings


def test_growth_adds_a_tutor_without_replacing_anyone(school):
    school.children(3, 1, 20)
    school.volunteer()
    school.volunteer()
    school.build()
    before = school.rota()
    assert len(before) == 5  # one a day for 20 children
    school.children(3, 1, 10)
    result = school.build()
    assert school.rota() >= before and len(school.rota()) == 10 and result.tutors_added == 5
