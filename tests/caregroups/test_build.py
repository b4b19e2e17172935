"""Building the term's care groups (临时班): classes of 30 keep their group, smaller ones merge within
their grade, never more than 45, one tutor per 25 children from those who volunteered that day."""

from collections import Counter, defaultdict

from sqlmodel import select

from app.caregroups.models import CareGroup
from app.caregroups.service import term_groups
from app.clubs.models import Club
from app.enrollment.models import Application
from app.people.models import Student
from app.schools.schemas import RulesIn
from app.schools.service import update_rules


def sizes(result):
    return {g.name: g.members for g in result.groups}


def test_a_class_with_30_staying_children_keeps_its_own_group(school):
    school.children(3, 1, 30)
    result = school.build()
    assert [(g.name, g.room, g.members) for g in result.groups] == [("三年级1班", "三年级1班教室", 30)]
    assert result.placed == 30 and result.unplaced == 0
    assert {w.code for w in result.warnings} == {"TOO_FEW_TUTORS"}  # nobody has volunteered yet


def test_smaller_classes_merge_within_their_grade_only(school):
    school.children(3, 1, 20)
    school.children(3, 2, 15)
    school.children(4, 1, 10)
    result = school.build()
    assert sizes(result) == {"三年级合班1": 35, "四年级1班": 10}
    merged = school.groups()["三年级合班1"]
    assert sorted(merged.class_ids) == sorted([school.school_class(3, 1).id, school.school_class(3, 2).id])
    assert merged.room == "三年级1班教室"


def test_a_class_of_30_is_not_merged_with_the_small_classes_of_its_grade(school):
    school.children(3, 1, 30)
    school.children(3, 2, 10)
    school.children(3, 3, 10)
    result = school.build()
    assert sizes(result) == {"三年级1班": 30, "三年级合班1": 20}


def test_merged_groups_never_exceed_45_and_keep_whole_classes_where_they_fit(school):
    sizes = {1: 25, 2: 20, 3: 20, 4: 15}
    for number, count in sizes.items():
        school.children(3, number, count)
    result = school.build()
    assert len(result.groups) == 2 and all(g.members <= 45 for g in result.groups)
    homes = defaultdict(set)
    for student_id, (group_id, _) in school.members().items():
        homes[school.session.get(Student, student_id).class_id].add(group_id)
    assert all(len(groups) == 1 for groups in homes.values())  # no class split


def test_a_class_is_split_only_when_it_fits_in_no_group_whole(school):
    for number, count in {1: 29, 2: 29, 3: 20}.items():
        school.children(3, number, count)
    result = school.build()
    assert len(result.groups) == 2  # 78 children: two groups are enough, so no class keeps a third
    assert all(g.members <= 45 for g in result.groups) and sum(g.members for g in result.groups) == 78
    split = [cid for g in school.groups().values() for cid in g.class_ids]
    assert len(split) - len(set(split)) == 1  # exactly one class in two groups


def test_a_class_over_45_gets_two_even_groups(school):
    school.children(3, 1, 50)
    result = school.build()
    assert sizes(result) == {"三年级1班": 25, "三年级1班（2）": 25}


def test_the_limits_are_the_schools_own_settings(school):
    update_rules(session=school.session, school_id=school.world.a.school.id,
                 data=RulesIn(group_max=30, class_keeps_group_at=20, children_per_tutor=10))
    school.children(3, 1, 22)
    school.children(3, 2, 12)
    school.children(3, 3, 12)
    school.volunteer()
    school.volunteer()
    school.volunteer()
    result = school.build()
    assert sizes(result) == {"三年级1班": 22, "三年级合班1": 24}
    assert [d.tutors_needed for d in result.groups[0].days] == [3] * 5


def test_one_tutor_per_25_children_staying_that_weekday(school):
    school.children(3, 1, 20)
    school.children(3, 1, 10, weekdays=(1, 2))
    for _ in range(3):
        school.volunteer()
    result = school.build()
    days = {d.weekday: d for d in result.groups[0].days}
    assert (days[1].children, days[1].tutors_needed, len(days[1].tutors)) == (30, 2, 2)
    assert (days[3].children, days[3].tutors_needed, len(days[3].tutors)) == (20, 1, 1)
    assert not result.warnings


def test_tutors_come_only_from_those_who_offered_that_weekday(school):
    school.children(3, 1, 10, weekdays=(1, 2))
    monday = school.volunteer(weekdays=(1,))
    tuesday = school.volunteer(weekdays=(2,))  # the world's other teachers did not volunteer: never chosen
    result = school.build()
    days = {d.weekday: [t.staff_id for t in d.tutors] for d in result.groups[0].days}
    assert days[1] == [monday.id] and days[2] == [tuesday.id] and days[3] == []
    assert not result.warnings  # nobody stays on Wednesday, so nobody is needed


def test_a_teacher_never_tutors_two_groups_on_one_weekday_and_the_gap_is_warned(school):
    school.children(3, 1, 30)
    school.children(4, 1, 30)
    only = school.volunteer()
    result = school.build()
    per_day = Counter(weekday for _, staff_id, weekday in school.rota() if staff_id == only.id)
    assert set(per_day.values()) == {1}
    short = [w for w in result.warnings if w.code == "TOO_FEW_TUTORS"]
    assert len(short) == 10  # both groups need 2 each weekday; one of them got the only volunteer
    assert "需看护教师 2 名" in short[0].message and short[0].weekday in (1, 2, 3, 4, 5)


def test_the_load_is_spread_and_each_group_keeps_its_tutors_across_the_week(school):
    school.children(3, 1, 10)
    school.children(4, 1, 10)
    volunteers = [school.volunteer() for _ in range(4)]
    school.build()
    rota = school.rota()
    load = Counter(staff_id for _, staff_id, _ in rota)
    assert sorted(load[v.id] for v in volunteers) == [2, 2, 3, 3]
    tutors_of = defaultdict(set)
    for group_id, staff_id, _ in rota:
        tutors_of[group_id].add(staff_id)
    assert all(len(staff) == 2 for staff in tutors_of.values())  # not a new face every day


def test_a_class_head_who_volunteers_tutors_their_own_class(school):
    school.children(3, 1, 30)
    school.children(3, 2, 30)
    for _ in range(3):
        school.volunteer()
    head = school.volunteer(staff=school.world.a.staff["class_head"])  # heads 三年级1班
    school.build()
    own = school.groups()["三年级1班"].id
    assert {(g, d) for g, s, d in school.rota() if s == head.id} == {(own, d) for d in range(1, 6)}


def test_a_teacher_leading_a_club_that_weekday_is_not_chosen_for_it(school):
    school.children(3, 1, 10)
    coach = school.volunteer()
    school.session.add(Club(school_id=coach.school_id, term_id=school.term.id, name="足球", category="sport",
                            weekdays=[3], start_time="16:20", end_time="17:20", capacity=30, grades=[3],
                            teacher_staff_id=coach.id))
    school.session.commit()
    school.build()
    assert {d for _, s, d in school.rota() if s == coach.id} == {1, 2, 4, 5}


def test_days_the_plan_does_not_serve_get_no_tutors(school, session):
    from tests.factories import publish_plan
    publish_plan(session, school.world.a, weekdays=[1, 2, 3, 4])
    school.children(3, 1, 10)
    school.volunteer()
    result = school.build()
    assert result.weekdays == [1, 2, 3, 4] and {d for *_, d in school.rota()} == {1, 2, 3, 4}


def test_a_child_not_yet_placed_is_warned(school):
    school.children(3, 1, 10)
    school.volunteer()
    school.build()
    late = school.children(3, 1, 1)[0]
    listing = term_groups(session=school.session, term=school.term)
    assert listing.unplaced == 1
    assert [(w.code, w.student_id) for w in listing.warnings] == [("NOT_PLACED", late.id)]
    assert "还没有分到看护班" in listing.warnings[0].message


def test_only_approved_children_still_at_school_are_placed(school, session):
    kids = school.children(3, 1, 3)
    pending = school.children(3, 1, 1)[0]
    application = session.exec(select(Application).where(Application.student_id == pending.id)).one()
    application.status = "class_approved"
    kids[0].is_active = False
    session.add_all([application, kids[0]])
    session.commit()
    result = school.build()
    assert result.children == 2 and set(school.members()) == {kids[1].id, kids[2].id}


def test_another_schools_groups_are_untouched(school, session, world):
    school.children(3, 1, 5)
    school.build()
    assert not session.exec(select(CareGroup).where(CareGroup.school_id == world.b.school.id)).all()
