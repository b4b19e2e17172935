"""Least exposure: each role reads only what its job needs of a child's family (docs/privacy.md, "Who sees which
field").

School A of the test world: the class head heads 三年级1班 (students 0 and 2), students 1 and 3 are in 三年级2班;
guardians[i] cares for students[i]. The fixed clock is Monday 2026-11-23 16:00, grade 3 ends at 17:20.
"""

from datetime import date

import pytest

from app.clubs.models import Club, ClubEnrollment
from app.duty.models import DutyAssignment, DutyRole
from app.people.exposure import mask_phone
from app.pickup.late import raise_late_pickups
from tests.attendance.conftest import build_day
from tests.factories import auth_headers, create_guardian, create_staff

MONDAY = date(2026, 11, 23)


def test_a_phone_is_masked_to_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("5551234") == "****34"
    assert mask_phone("1234") == "****"


def phones_of(response) -> dict[int, str]:
    assert response.status_code == 200, response.text
    return {g["guardian_id"]: g["phone"] for g in response.json()}


@pytest.fixture
def child(session, world):
    """Student 0 (三年级1班, the class head's class) with a second guardian, 爸爸."""
    student = world.a.students[0]
    dad = create_guardian(session, student, name="爸爸", phone="13955556666", relation="爸爸")
    session.commit()
    return student, world.a.guardians[0], dad


def guardians(client, student, headers):
    return phones_of(client.get(f"/api/v1/students/{student.id}/guardians", headers=headers))


def test_admins_and_the_class_head_read_guardian_phones_in_full(client, world, child):
    student, mum, dad = child
    for role in ("admin", "class_head"):
        assert guardians(client, student, world.a.headers(role)) == {mum.id: mum.phone, dad.id: dad.phone}, role


def test_a_class_head_reads_another_class_s_phones_masked(client, world):
    other = world.a.students[1]  # 三年级2班: not the class head's class
    mum = world.a.guardians[1]
    assert guardians(client, other, world.a.headers("class_head")) == {mum.id: mask_phone(mum.phone)}


def test_the_head_of_a_class_without_the_class_head_role_reads_masked(client, session, world, child):
    """The class head is the staff named on the class *and* holding the role, as for leave and applications."""
    student, mum, _ = child
    head = world.a.staff["class_head"]
    head.roles = ["teacher"]
    session.add(head)
    session.commit()
    assert guardians(client, student, world.a.headers("class_head"))[mum.id] == mask_phone(mum.phone)


def test_a_teacher_reads_guardian_phones_masked(client, world, child):
    student, mum, dad = child
    assert guardians(client, student, world.a.headers("teacher")) == {
        mum.id: "138****" + mum.phone[-4:], dad.id: "139****6666"}


def test_the_guard_reads_no_child_record_at_all(client, world, child):
    student, _, _ = child
    assert client.get(f"/api/v1/students/{student.id}/guardians", headers=world.a.headers("guard")).status_code == 403
    assert client.get(f"/api/v1/students/{student.id}", headers=world.a.headers("guard")).status_code == 403


def test_the_duty_leader_on_duty_today_reads_phones_in_full_and_another_reads_them_masked(
        client, session, world, child, fixed_clock):
    student, mum, _ = child
    leader = world.a.staff["duty_leader"]
    # Nobody on the roster: every duty leader is on duty (the alerts reach them all), so every one reads in full.
    assert guardians(client, student, world.a.headers("duty_leader"))[mum.id] == mum.phone
    colleague = create_staff(session, world.a.school, "duty_leader", name="另一位值班领导")
    session.add(DutyAssignment(school_id=world.a.school.id, day=MONDAY, staff_id=colleague.id, role=DutyRole.LEADER,
                               assigned_by=world.a.staff["admin"].account_id))
    session.commit()
    assert guardians(client, student, auth_headers(colleague.account_id))[mum.id] == mum.phone
    assert guardians(client, student, world.a.headers("duty_leader"))[mum.id] == mask_phone(mum.phone)
    fixed_clock.advance(days=1)  # Tuesday, on the roster's first leader: Monday's reads masked again
    session.add(DutyAssignment(school_id=world.a.school.id, day=date(2026, 11, 24), staff_id=leader.id,
                               role=DutyRole.LEADER, assigned_by=world.a.staff["admin"].account_id))
    session.commit()
    assert guardians(client, student, auth_headers(colleague.account_id))[mum.id] == mask_phone(mum.phone)


def test_a_guardian_reads_their_own_phone_and_the_other_guardian_s_masked(client, world, child):
    student, mum, dad = child
    assert guardians(client, student, world.a.headers("guardian")) == {mum.id: mum.phone,
                                                                       dad.id: mask_phone(dad.phone)}


def test_an_admin_who_links_a_guardian_reads_the_phones_in_full(client, world, child):
    student, mum, _ = child
    response = client.post(f"/api/v1/students/{student.id}/guardians", headers=world.a.headers("admin"),
                           json={"name": "外婆", "phone": "13711112222", "relation": "外婆"})
    assert {g["phone"] for g in response.json()} >= {mum.phone, "13711112222"}


# ---------- a child's record: birth date and priority groups ----------

@pytest.fixture
def recorded_child(session, world):
    student = world.a.students[0]
    student.birth_date = date(2017, 5, 4)
    student.priority_left_behind = True
    session.add(student)
    session.commit()
    return student


@pytest.mark.parametrize("role, shown", [("admin", True), ("class_head", True), ("guardian", True),
                                         ("teacher", False), ("duty_leader", False)])
def test_birth_date_and_priority_groups_go_to_admin_class_head_and_guardian_only(client, world, recorded_child,
                                                                                role, shown):
    record = client.get(f"/api/v1/students/{recorded_child.id}", headers=world.a.headers(role)).json()
    assert record["name"] == recorded_child.name and record["student_no"] == recorded_child.student_no
    if shown:
        assert (record["birth_date"], record["priority"]) == ("2017-05-04", ["left_behind"])
    else:
        assert (record["birth_date"], record["priority"]) == (None, None)


def test_a_teacher_s_student_search_leaves_out_birth_dates_and_priority_groups(client, world, recorded_child):
    found = client.get(f"/api/v1/schools/{world.a.school.id}/students", params={"q": recorded_child.name},
                       headers=world.a.headers("teacher")).json()["items"]
    assert [(s["id"], s["birth_date"], s["priority"]) for s in found] == [(recorded_child.id, None, None)]
    by_admin = client.get(f"/api/v1/schools/{world.a.school.id}/students", params={"q": recorded_child.name},
                          headers=world.a.headers("admin")).json()["items"]
    assert by_admin[0]["priority"] == ["left_behind"]


# ---------- at the gate and after the bell ----------

@pytest.fixture
def served(session, world, fixed_clock):
    return build_day(session, world.a)


def adult_phones(client, student, headers) -> list[str]:
    response = client.get(f"/api/v1/pickup/students/{student.id}/adults", headers=headers)
    assert response.status_code == 200, response.text
    return [a["phone"] for a in response.json()["adults"]]


@pytest.mark.parametrize("role, full", [("guard", False), ("teacher", False), ("class_head", True), ("admin", True)])
def test_the_manual_fallback_shows_the_adults_phones_masked_unless_the_role_phones_families(client, world, served,
                                                                                           role, full):
    mum = world.a.guardians[0]
    expected = mum.phone if full else mask_phone(mum.phone)
    assert adult_phones(client, world.a.students[0], world.a.headers(role)) == [expected]


def test_a_guard_scanning_a_code_sees_name_class_and_photo_and_no_phone(client, session, world, served):
    from tests.pickup.conftest import Phone
    mum = world.a.guardians[0]
    code = Phone(session, mum.account_id).code()
    response = client.post("/api/v1/pickup/verify", json={"code": code}, headers=world.a.headers("guard"))
    assert response.status_code == 200, response.text
    child = response.json()["children"][0]
    assert {"name", "class_name", "photo_url"} <= set(child)
    assert mum.phone not in response.text and '"phone"' not in response.text
    assert "student_no" not in child and "birth_date" not in child


def late_phones(client, headers, **params) -> dict[int, list[str]]:
    response = client.get("/api/v1/pickup/late", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {c["student_id"]: [g["phone"] for g in c["guardians"]] for c in response.json()}


def test_on_the_late_list_the_guard_reads_in_full_only_the_children_in_their_keeping(client, session, world, served,
                                                                                  fixed_clock):
    a = world.a
    fixed_clock.advance(minutes=90)   # 17:30: everyone late, nobody with the guard yet
    raise_late_pickups(session=session)
    masked = {s.id: [mask_phone(g.phone)] for s, g in zip(a.students, a.guardians)}
    assert late_phones(client, a.headers("guard")) == masked
    fixed_clock.advance(minutes=20)   # 17:50: handed to the guard, who now phones the families
    raise_late_pickups(session=session)
    full = {s.id: [g.phone] for s, g in zip(a.students, a.guardians)}
    assert late_phones(client, a.headers("guard"), stage="with_guard") == full


def test_on_the_late_list_a_teacher_reads_masked_the_class_head_their_class_and_the_duty_leader_all(
        client, session, world, served, fixed_clock):
    a = world.a
    fixed_clock.advance(minutes=90)
    raise_late_pickups(session=session)
    masked = {s.id: [mask_phone(g.phone)] for s, g in zip(a.students, a.guardians)}
    full = {s.id: [g.phone] for s, g in zip(a.students, a.guardians)}
    assert late_phones(client, a.headers("teacher")) == masked
    own_class = {a.students[0].id, a.students[2].id}
    assert late_phones(client, a.headers("class_head")) == {sid: (full if sid in own_class else masked)[sid]
                                                            for sid in full}
    assert late_phones(client, a.headers("duty_leader")) == full
    assert late_phones(client, a.headers("admin")) == full


# ---------- a club's roster ----------

def roster_phones(client, club, headers) -> dict[int, list[str]]:
    response = client.get(f"/api/v1/clubs/{club.id}/roster", headers=headers)
    assert response.status_code == 200, response.text
    return {row["student_id"]: [text.split()[-1] for text in row["guardians"]] for row in response.json()}


def test_a_club_roster_masks_phones_for_its_teacher_except_in_the_teacher_s_own_class(client, session, world):
    a = world.a
    teacher = create_staff(session, a.school, "teacher", "class_head", name="书法老师")
    a.classes[1].head_staff_id = teacher.id  # heads 三年级2班: students 1 and 3
    club = Club(school_id=a.school.id, term_id=a.term.id, name="书法", category="art", weekdays=[1],
                start_time="16:10", end_time="17:00", capacity=20, grades=[3], teacher_staff_id=teacher.id)
    session.add_all([a.classes[1], club])
    session.flush()
    session.add_all([ClubEnrollment(school_id=a.school.id, term_id=a.term.id, club_id=club.id, student_id=s.id,
                                    status="enrolled") for s in a.students])
    session.commit()
    assert roster_phones(client, club, auth_headers(teacher.account_id)) == {
        s.id: [g.phone if i % 2 else mask_phone(g.phone)] for i, (s, g) in enumerate(zip(a.students, a.guardians))}
    assert roster_phones(client, club, a.headers("admin")) == {s.id: [g.phone] for s, g in zip(a.students, a.guardians)}
