"""The student list as .xlsx, in the roster's columns: what the school holds, and a file that imports again."""

from sqlmodel import select

from app.audit.models import AuditEvent
from app.people.models import Guardian, Guardianship, Student
from app.people.roster_import import import_roster
from tests.factories import create_guardian
from tests.sheets import read_xlsx


def url(world) -> str:
    return f"/api/v1/schools/{world.a.school.id}/students/export.xlsx"


def test_the_export_lists_every_active_student_with_their_guardians(client, session, world):
    a = world.a
    first = a.students[0]
    first.priority_migrant = True
    session.add(first)
    dad = create_guardian(session, first, name="张爸爸", relation="爸爸")
    grandma = create_guardian(session, first, name="王奶奶", relation="奶奶")
    a.students[3].is_active = False
    session.add(a.students[3])
    session.commit()
    table = read_xlsx(client.get(url(world), headers=a.headers("admin")))
    assert table.title == f"{a.school.name} {a.term.name} 学生名单"
    assert table.headers[:13] == ["学号", "姓名", "性别", "年级", "班级", "出生日期", "优先群体", "监护人1姓名",
                                  "监护人1电话", "监护人1关系", "监护人2姓名", "监护人2电话", "监护人2关系"]
    active = session.exec(select(Student).where(Student.school_id == a.school.id, Student.is_active == True)  # noqa: E712
                          ).all()
    assert sorted(table.column("学号")) == sorted(s.student_no for s in active)
    row = next(r for r in table.records() if r["学号"] == first.student_no)
    mum = a.guardians[0]
    assert (row["姓名"], row["性别"], row["年级"], row["班级"], row["优先群体"]) == (
        first.name, {"male": "男", "female": "女"}[first.gender], "三年级", "三年级1班", "进城务工随迁子女")
    assert (row["监护人1姓名"], row["监护人1电话"], row["监护人1关系"]) == (mum.name, mum.phone, "妈妈")
    assert (row["监护人2姓名"], row["监护人2电话"], row["监护人2关系"]) == (dad.name, dad.phone, "爸爸")
    assert row["其他监护人"] == f"奶奶 {grandma.name} {grandma.phone}" and row["状态"] == "在校"
    everyone = read_xlsx(client.get(url(world), params={"include_inactive": True}, headers=a.headers("admin")))
    assert len(everyone.rows) == 4 and "已离校" in everyone.column("状态")
    [event, _] = session.exec(select(AuditEvent).where(AuditEvent.action == "export.students")).all()
    assert event.student_count == 3


def test_an_exported_list_imports_again_unchanged(client, session, world):
    a = world.a
    response = client.get(url(world), headers=a.headers("admin"))
    result = import_roster(session=session, school_id=a.school.id, data=response.content, dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    links = len(session.exec(select(Guardianship).where(Guardianship.school_id == a.school.id)).all())
    import_roster(session=session, school_id=a.school.id, data=response.content)
    assert len(session.exec(select(Guardianship).where(Guardianship.school_id == a.school.id)).all()) == links
    assert session.exec(select(Guardian).where(Guardian.school_id == a.school.id)).all()


def test_a_child_who_left_stays_left_when_the_full_list_is_imported_again(client, session, world):
    a = world.a
    gone = a.students[3]
    gone.is_active = False
    session.add(gone)
    session.commit()
    response = client.get(url(world), params={"include_inactive": True}, headers=a.headers("admin"))
    result = import_roster(session=session, school_id=a.school.id, data=response.content)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    session.refresh(gone)
    assert gone.is_active is False


def test_the_export_filters_by_class_and_grade_and_is_for_admins(client, world):
    a = world.a
    one_class = read_xlsx(client.get(url(world), params={"class_id": a.classes[1].id}, headers=a.headers("admin")))
    assert set(one_class.column("班级")) == {"三年级2班"}
    assert read_xlsx(client.get(url(world), params={"grade": 4}, headers=a.headers("admin"))).rows == []
    assert client.get(url(world), headers=a.headers("class_head")).status_code == 403
    assert client.get(f"/api/v1/schools/{world.b.school.id}/students/export.xlsx",
                      headers=a.headers("admin")).status_code == 404
