"""A guardian downloads everything Kehou holds about their child: exactly that child, nothing of anyone else's."""

import io
import json
import zipfile

from sqlmodel import select

from app.audit.models import AuditEvent, AuditEventStudent
from tests.dataprotection.conftest import live_the_monday
from tests.factories import auth_headers

FILES = {"README.txt", "student.json", "guardians.json", "consents.json", "applications.json", "clubs.json", "attendance.json",
         "leave.json", "pickups.json", "care_logs.json", "incidents.json", "notifications.json", "surveys.json",
         "access_log.json"}


def download(client, family, headers=None) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/students/{family.child.id}/data-export", headers=headers or family.mum_headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def read(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def student_ids_in(value, key: str = "") -> set[int]:
    """Every value under a key that names a student (student_id, student_ids), anywhere in the JSON."""
    found: set[int] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= student_ids_in(v, k)
    elif isinstance(value, list):
        for v in value:
            found |= student_ids_in(v, key)
    elif isinstance(value, int) and key in ("student_id", "student_ids"):
        found.add(value)
    return found


def test_the_export_holds_the_childs_records_and_photo(client, session, family):
    photos = live_the_monday(client, session, family)
    archive = download(client, family)
    assert FILES | {"photos/student.png"} == set(archive.namelist())
    assert archive.read("photos/student.png") == photos["child"]
    student = read(archive, "student.json")
    assert (student["name"], student["student_no"], student["class"]) == ("王小明", "20260001", "三年级1班")
    [mark] = read(archive, "attendance.json")["marks"]
    assert (mark["date"], mark["status"]) == ("2026-11-23", "已到")
    pickups = read(archive, "pickups.json")
    assert [(h["method"], h["adult"]) for h in pickups["handoffs"]] == [("扫码", "张丽")]
    assert [(d["name"], d["named_by"]) for d in pickups["delegates"]] == [("赵姑姑", "张丽")]
    assert [leave["dates"] for leave in read(archive, "leave.json")] == [["2026-11-24"]]
    assert [(n["note"], n["session"]) for n in read(archive, "care_logs.json")] == [
        ("数学作业需要帮助", family.day.group.name)]
    [application] = read(archive, "applications.json")
    assert application["status"] == "已通过"
    consents = read(archive, "consents.json")
    assert consents and all(c["withdrawn_at"] is None and c["rules_version"] for c in consents)
    assert {c["scope"] for c in consents} >= {"花名册与课后服务信息", "照片"}
    assert {n["sent_to"] for n in read(archive, "notifications.json")} == {"本人", "其他监护人"}
    assert any("王小明已由" in n["body"] for n in read(archive, "notifications.json"))
    # The teacher's roll call (its answer lists the group) and read of the child's record; not the read of the
    # classmate's.
    assert sorted((a["actor_name"], a["action_label"]) for a in read(archive, "access_log.json")) == [
        (family.day.tutor.name, "查看学生信息"), (family.day.tutor.name, "查看点名名单")]


def test_nothing_of_the_sibling_or_the_classmate_is_in_the_export(client, session, family):
    live_the_monday(client, session, family)
    archive = download(client, family)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for student in (family.sibling, family.classmate):
        for trace in (student.name, student.student_no):
            assert trace.encode() not in everything, trace
    assert archive.read("photos/student.png") != b""  # one photo: the child's (the sibling's is checked above too)
    assert [name for name in archive.namelist() if name.startswith("photos/")] == ["photos/student.png"]
    for name in archive.namelist():
        if name.endswith(".json"):
            assert student_ids_in(read(archive, name)) <= {family.child.id}, name
    # The incident involved both children: the classmate's name is replaced, the story stays.
    [incident] = read(archive, "incidents.json")
    assert incident["description"] == "王小明和其他同学在操场追跑，其他同学摔倒擦伤"
    assert "children" not in incident


def test_other_guardians_are_named_without_their_phone(client, session, family):
    guardians = read(download(client, family), "guardians.json")
    assert [(g["name"], g["relation"], g["is_you"], g.get("phone")) for g in guardians] == [
        ("张丽", "妈妈", True, "13811112222"), ("王大伟", "爸爸", False, None)]


def test_the_export_is_logged_as_the_guardians_own_act(client, session, family):
    download(client, family)
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "export.guardian_data")).all()
    assert (event.account_id, event.roles, event.school_id) == (family.mum.account_id, "guardian",
                                                                family.child.school_id)
    assert session.exec(select(AuditEventStudent.student_id).where(
        AuditEventStudent.event_id == event.id)).all() == [family.child.id]
    log = client.get(f"/api/v1/students/{family.child.id}/access-log", headers=family.mum_headers).json()
    assert [(e["action_label"], e["roles"]) for e in log] == [("家长导出孩子的全部信息", "guardian")]


def test_only_the_childs_guardians_may_export(client, session, family, world):
    url = f"/api/v1/students/{family.child.id}/data-export"
    classmates_mum = auth_headers(family.day.school.guardians[2].account_id)
    assert client.get(url, headers=classmates_mum).json()["error"]["code"] == "STUDENT_NOT_FOUND"
    assert client.get(url, headers=family.admin_headers).status_code == 403
    assert client.get(url, headers=auth_headers(family.dad.account_id)).status_code == 200


def test_exports_count_against_the_export_limit(client, family, settings, monkeypatch):
    monkeypatch.setitem(settings.rate_limits, "export", {"per_user": 2, "per_ip": 100, "seconds": 60})
    url = f"/api/v1/students/{family.child.id}/data-export"
    answers = [client.get(url, headers=family.mum_headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"]["code"] == "RATE_LIMITED"
