"""An admin erases a child who left: the child's personal data goes, the school's figures stay."""

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import select

from app.audit.models import AuditEvent
from app.carelogs.models import CareLogVersion
from app.core.config import get_settings
from app.core.errors import AppError
from app.dataprotection.models import StudentErasure
from app.incidents.models import Incident
from app.leave.models import LeaveRequest
from app.models import metadata
from app.notify.models import InboxMessage
from app.people import photos
from app.people.models import Guardian, Guardianship, Student
from app.pickup.models import Handoff, PickupDelegate
from app.reports.models import DayFigures
from tests.dataprotection.conftest import live_the_monday
from tests.factories import auth_headers, png_bytes

DAYS = {"from": "2026-11-23", "to": "2026-11-24"}


def leave_school(client, family) -> None:
    response = client.patch(f"/api/v1/students/{family.child.id}", json={"is_active": False},
                            headers=family.admin_headers)
    assert response.status_code == 200, response.text


def erase(client, family, reason: str = "转学离校，家长申请删除"):
    return client.post(f"/api/v1/students/{family.child.id}/erase", json={"reason": reason},
                       headers=family.admin_headers)


def dashboards(client, family, world) -> tuple[dict, dict]:
    school = client.get(f"/api/v1/reports/schools/{family.child.school_id}", params=DAYS,
                        headers=family.admin_headers)
    district = client.get(f"/api/v1/reports/districts/{world.district.id}", params=DAYS,
                          headers=world.district_headers())
    assert school.status_code == district.status_code == 200, (school.text, district.text)
    return {k: v for k, v in school.json().items() if k != "computed_at"}, district.json()


def test_a_child_still_at_school_cannot_be_erased(client, session, family):
    response = erase(client, family)
    assert response.status_code == 409 and response.json()["error"]["code"] == "STUDENT_STILL_ACTIVE"
    session.refresh(family.child)
    assert family.child.name == "王小明"
    assert session.exec(select(StudentErasure)).all() == []


def test_the_childs_name_is_nowhere_in_the_database_after_erasure(client, session, family):
    photo_files = live_the_monday(client, session, family)
    leave_school(client, family)
    child_photo = get_settings().media_dir / family.child.photo_path
    assert child_photo.is_file() and photo_files
    response = erase(client, family)
    assert response.status_code == 200, response.text
    assert not child_photo.exists()
    found = []
    for table in metadata.sorted_tables:
        for row in session.connection().execute(sa_select(table)).all():
            if any(trace in str(row) for trace in ("王小明", "20260001", "13933334444", "王大伟", "赵姑姑")):
                found.append((table.name, row))
    assert found == []


def test_erasure_anonymises_the_child_and_their_only_child_guardians(client, session, family):
    live_the_monday(client, session, family)
    photos.save_photo(session=session, owner=family.dad, data=png_bytes("green"))
    dad_photo = get_settings().media_dir / family.dad.photo_path
    leave_school(client, family)
    body = erase(client, family).json()
    child = session.get(Student, family.child.id)
    assert (child.name, child.student_no, child.birth_date, child.photo_path, child.gender) == (
        f"已删除学生 #{child.id}", f"erased-{child.id}", None, None, "")
    assert session.exec(select(Guardianship).where(Guardianship.student_id == child.id)).all() == []
    dad = session.get(Guardian, family.dad.id)
    assert (dad.name, dad.phone, dad.account_id, dad.photo_path) == (
        f"已删除家长 #{dad.id}", f"deleted-{dad.id}", None, None)
    assert not dad_photo.exists()
    # The mother still has the sibling at school: she keeps her name, phone, login and that child.
    mum = session.get(Guardian, family.mum.id)
    assert (mum.name, mum.phone, mum.account_id) == ("张丽", "13811112222", family.mum.account_id)
    assert session.exec(select(Guardianship.student_id).where(Guardianship.guardian_id == mum.id)).all() == [
        family.sibling.id]
    assert body["removed"]["guardian_links"] == 2 and body["removed"]["guardians_erased"] == 1
    assert body["removed"]["photos"] == 2


def test_the_records_stay_with_what_named_the_child_taken_out(client, session, family):
    live_the_monday(client, session, family)
    leave_school(client, family)
    erase(client, family)
    child = family.child
    handoff = session.exec(select(Handoff).where(Handoff.student_id == child.id)).one()
    assert (handoff.method, handoff.adult_name, handoff.guardian_id, handoff.device_id) == ("qr", "已删除", None, None)
    delegate = session.exec(select(PickupDelegate).where(PickupDelegate.student_id == child.id)).one()
    assert (delegate.name, delegate.phone) == ("已删除", "")
    assert [r.reason for r in session.exec(select(LeaveRequest).where(LeaveRequest.student_id == child.id))] == [""]
    incident = session.exec(select(Incident)).one()
    assert incident.student_ids == [child.id, family.classmate.id]
    assert incident.description == "某同学和李华在操场追跑，李华摔倒擦伤"
    log = session.exec(select(CareLogVersion)).one()
    assert log.child_notes == [{"student_id": family.classmate.id, "note": "今天很专心"}]
    assert log.summary == "某同学和李华一起完成作业"
    messages = session.exec(select(InboxMessage)).all()
    assert all(m.data.get("student_id") != child.id for m in messages)
    # The sibling's records are the sibling's: untouched.
    sibling_handoff = session.exec(select(Handoff).where(Handoff.student_id == family.sibling.id)).one()
    assert (sibling_handoff.adult_name, sibling_handoff.note) == ("张丽", "王小红由妈妈接走")
    assert any(m.data.get("student_id") == family.sibling.id and "王小红" in m.body for m in messages)


def test_the_dashboards_read_the_same_after_erasure(client, session, family, world, fixed_clock):
    live_the_monday(client, session, family)
    leave_school(client, family)
    fixed_clock.advance(days=1)  # Monday is a past day now: its figures are kept
    before = dashboards(client, family, world)
    assert before[0]["attendance"]["present"] == 2 and before[0]["pickups"]["released"] == 2
    assert erase(client, family).status_code == 200
    assert dashboards(client, family, world) == before
    # Recomputed from the raw rows, not only read back from the kept figures.
    for figures in session.exec(select(DayFigures)).all():
        session.delete(figures)
    session.commit()
    assert dashboards(client, family, world) == before


def test_erasing_again_answers_with_the_first_erasure(client, session, family):
    leave_school(client, family)
    first = erase(client, family)
    again = erase(client, family, reason="再次删除")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(session.exec(select(StudentErasure)).all()) == 1
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "student.erase")).all()) == 1


def test_the_erasure_is_on_the_audit_trail_without_the_name(client, session, family):
    client.get(f"/api/v1/students/{family.child.id}", headers=family.day.school.headers("teacher"))
    leave_school(client, family)
    body = erase(client, family, reason="王小明转学到外省").json()
    assert body["reason"] == "某同学转学到外省"
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["student.read", "student.erase"]  # the trail before it stays
    assert (events[1].detail, events[1].roles) == ("某同学转学到外省", "admin")
    log = client.get("/api/v1/audit", params={"student_id": family.child.id}, headers=family.admin_headers).json()
    assert [i["action_label"] for i in log["items"]] == ["删除学生个人信息", "查看学生信息"]


def test_the_family_no_longer_reaches_the_erased_child(client, session, family):
    leave_school(client, family)
    erase(client, family)
    for path in ("", "/data-export"):
        response = client.get(f"/api/v1/students/{family.child.id}{path}", headers=family.mum_headers)
        assert response.status_code == 404, path


def test_a_blank_reason_is_refused_and_changes_nothing(client, session, family):
    leave_school(client, family)
    response = erase(client, family, reason="   ")
    assert response.status_code == 422
    session.refresh(family.child)
    assert family.child.name == "王小明"


def test_another_childs_longer_name_holding_the_childs_is_left_alone(client, session, family):
    from tests.factories import create_student
    create_student(session, family.day.school.classes[0], name="王小明轩")
    session.commit()
    tutor = auth_headers(family.day.tutor.account_id)
    group = family.day.session_of(session)
    assert client.put(f"/api/v1/sessions/{group.id}/care-log", headers=tutor, json={
        "activities": ["homework"], "summary": "王小明和王小明轩一起读书"}).status_code == 200
    leave_school(client, family)
    erase(client, family)
    assert session.exec(select(CareLogVersion.summary)).one() == "某同学和王小明轩一起读书"


def test_an_erased_child_cannot_be_filled_in_again(client, session, family):
    leave_school(client, family)
    assert erase(client, family).status_code == 200
    base = f"/api/v1/students/{family.child.id}"
    attempts = [
        client.patch(base, json={"name": "王小明"}, headers=family.admin_headers),
        client.put(f"{base}/photo", files={"file": ("p.png", png_bytes(), "image/png")}, headers=family.admin_headers),
        client.post(f"{base}/guardians", json={"name": "张丽", "phone": "13900000000", "relation": "母亲"},
                    headers=family.admin_headers),
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in attempts] == [(409, "STUDENT_ERASED")] * 3
    session.expire_all()
    child = session.get(Student, family.child.id)
    assert child.name.startswith("已删除学生") and child.photo_path is None
    assert session.exec(select(Guardianship).where(Guardianship.student_id == child.id)).all() == []


def test_a_survey_message_naming_siblings_stops_neither_the_export_nor_the_erasure(client, session, family):
    """The mother is told of a survey once for both her children: her message about several children must not
    break the per-child reads (on PostgreSQL a non-numeric student id in a message failed every one of them)."""
    from tests.surveys.conftest import published
    published(session, family.day.school)
    message = session.exec(select(InboxMessage).where(InboxMessage.event == "survey_open",
                                                      InboxMessage.account_id == family.mum.account_id)).one()
    assert sorted(message.data["student_ids"]) == sorted([family.child.id, family.sibling.id])
    assert client.get(f"/api/v1/students/{family.child.id}/data-export",
                      headers=family.mum_headers).status_code == 200
    leave_school(client, family)
    assert erase(client, family).status_code == 200


def test_an_erased_child_is_neither_exported_nor_imported_again(client, session, family):
    from app.people.roster_import import import_roster
    from tests.sheets import read_xlsx
    leave_school(client, family)
    assert erase(client, family).status_code == 200
    url = f"/api/v1/schools/{family.child.school_id}/students/export.xlsx"
    listed = read_xlsx(client.get(url, params={"include_inactive": True}, headers=family.admin_headers))
    assert f"erased-{family.child.id}" not in listed.column("学号") and family.sibling.student_no in listed.column("学号")
    row = f"erased-{family.child.id},王小明,男,三年级1班,王大伟,13933334444,爸爸\n"
    header = "学号,姓名,性别,班级,监护人姓名,监护人电话,关系\n"
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=family.child.school_id, data=(header + row).encode())
    assert refused.value.code == "ROSTER_INVALID"
    assert refused.value.extra["errors"] == [{"row": 2, "column": "学号", "message": "该学生的个人信息已删除，不能再导入"}]
    session.expire_all()
    child = session.get(Student, family.child.id)
    assert child.name.startswith("已删除学生") and child.is_active is False
