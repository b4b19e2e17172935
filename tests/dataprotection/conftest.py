"""A family on the served Monday of tests/attendance: a child, their sibling (same mother) and a classmate (same
class, same care group), each with names that cannot hide inside one another."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.people.models import Guardian, Guardianship, Student
from tests.attendance.conftest import ServedDay, build_day
from app.privacy.models import ConsentScope
from tests.factories import (
    approve_application, auth_headers, create_guardian, create_student, give_consent, png_bytes,
)


@dataclass
class Family:
    day: ServedDay
    child: Student       # 王小明, 三年级1班, in the care group
    sibling: Student     # 王小红, 三年级2班, the same mother
    classmate: Student   # 李华, 三年级1班, in the same care group
    mum: Guardian        # guardian of the child and of the sibling
    dad: Guardian        # the child's other guardian

    @property
    def mum_headers(self) -> dict[str, str]:
        return auth_headers(self.mum.account_id)

    @property
    def admin_headers(self) -> dict[str, str]:
        return self.day.school.headers("admin")


def build_family(session: Session, day: ServedDay) -> Family:
    school = day.school
    child, classmate = school.students[0], school.students[2]
    child.name, child.student_no = "王小明", "20260001"
    classmate.name, classmate.student_no = "李华", "20260003"
    sibling = create_student(session, school.classes[1], name="王小红", student_no="20260009")
    mum = school.guardians[0]
    mum.name, mum.phone = "张丽", "13811112222"
    session.add_all([child, classmate, mum])
    session.add(Guardianship(school_id=school.school.id, student_id=sibling.id, guardian_id=mum.id, relation="妈妈"))
    give_consent(session, mum, sibling, *ConsentScope.ALL)
    dad = create_guardian(session, child, name="王大伟", phone="13933334444", relation="爸爸")
    approve_application(session, sibling, school.term, applicant_account_id=mum.account_id)
    session.commit()
    return Family(day=day, child=child, sibling=sibling, classmate=classmate, mum=mum, dad=dad)


@pytest.fixture
def day(session, world, fixed_clock) -> ServedDay:
    return build_day(session, world.a)


@pytest.fixture
def family(session, day) -> Family:
    return build_family(session, day)


def upload_photo(client, family: Family, student: Student, colour: str) -> bytes:
    data = png_bytes(colour)
    response = client.put(f"/api/v1/students/{student.id}/photo", headers=family.admin_headers,
                          files={"file": ("p.png", data, "image/png")})
    assert response.status_code == 200, response.text
    return data


def live_the_monday(client, session: Session, family: Family) -> dict[str, bytes]:
    """The records a day leaves about the child, the sibling and the classmate: roll call, releases, an incident
    involving two of them, a care log with notes on both, leave, photos, messages and staff reads."""
    from datetime import date

    from app.notify.service import notify_guardians
    from app.pickup.models import Handoff, PickupDelegate
    from tests.attendance.conftest import TUESDAY, add_leave
    from tests.pickup.conftest import Phone

    day, child, classmate, sibling = family.day, family.child, family.classmate, family.sibling
    tutor = auth_headers(day.tutor.account_id)
    group = day.session_of(session)
    assert client.put(f"/api/v1/sessions/{group.id}/attendance", headers=tutor, json=[
        {"student_id": s.id, "status": "present"} for s in (child, classmate)]).status_code == 200
    assert client.post("/api/v1/incidents", headers=tutor, json={
        "type": "injury", "severity": "low", "place": "操场", "student_ids": [child.id, classmate.id],
        "description": "王小明和李华在操场追跑，李华摔倒擦伤", "actions_taken": "李华已包扎，通知双方家长"}).status_code == 201
    assert client.put(f"/api/v1/sessions/{group.id}/care-log", headers=tutor, json={
        "activities": ["homework"], "summary": "王小明和李华一起完成作业",
        "child_notes": [{"student_id": child.id, "note": "数学作业需要帮助"},
                        {"student_id": classmate.id, "note": "今天很专心"}]}).status_code == 200
    add_leave(session, child, days=(TUESDAY,))
    add_leave(session, sibling)
    photos = {"child": upload_photo(client, family, child, "red"), "sibling": upload_photo(client, family, sibling,
                                                                                             "blue")}
    mum_phone = Phone(session, family.mum.account_id)
    released = client.post("/api/v1/pickup/handoffs", headers=tutor,
                           json={"code": mum_phone.code(), "student_ids": [child.id]})
    assert released.status_code == 200, released.text
    session.add(Handoff(school_id=sibling.school_id, student_id=sibling.id, day=date(2026, 11, 23), method="manual",
                        guardian_id=family.mum.id, adult_name=family.mum.name, relation="妈妈",
                        released_by_staff_id=day.tutor.id, released_by_name=day.tutor.name, note="王小红由妈妈接走"))
    notify_guardians(session, student_id=sibling.id, school_id=sibling.school_id, event="arrived",
                     data={"student_name": sibling.name, "time": "16:00", "place": "三年级2班", "teacher_name": "老师"},
                     dedupe_key=f"arrived:{sibling.id}")
    session.add(PickupDelegate(school_id=child.school_id, student_id=child.id, name="赵姑姑", phone="13755556666",
                               relation="姑姑", starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27),
                               granted_by_guardian_id=family.mum.id, invite_hash=f"family-{child.id}"))
    session.commit()
    for student in (child, classmate):
        assert client.get(f"/api/v1/students/{student.id}", headers=tutor).status_code == 200
    return photos
