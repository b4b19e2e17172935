"""Roster import: all or nothing, every error listed, idempotent, updates by student number."""

import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from app.core.errors import AppError
from app.people.models import Guardian, Guardianship, Student
from app.people.roster_import import import_roster
from tests.factories import create_school

HEADER = ["学号", "姓名", "性别", "年级", "班级", "出生日期", "优先群体",
          "监护人1姓名", "监护人1电话", "监护人1关系", "监护人2姓名", "监护人2电话", "监护人2关系"]
ROWS = [
    ["20260101", "张小明", "男", "1", "1", "2019-03-05", "随迁子女、双职工", "李娟", "13800000001", "妈妈",
     "张伟", "13800000002", "爸爸"],
    ["20260102", "张小红", "女", "三年级", "2班", "", "", "李娟", "13800000001", "妈妈", "", "", ""],
    ["20260103", "王乐", "男", "", "四年级1班", "2016/9/1", "留守", "王德福", "138 0000 0003", "爷爷", "", "", ""],
]


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    return text.encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        # Excel keeps long digit strings as numbers: the importer must not turn them into "1.38e10" or "...0".
        sheet.append([int(v) if v.isdigit() and len(v) >= 8 else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def school(session):
    school = create_school(session)
    session.commit()
    return school


def students_of(session, school):
    return {s.student_no: s for s in session.exec(select(Student).where(Student.school_id == school.id)).all()}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk_from_excel_imports(session, school, encoding):
    result = import_roster(session=session, school_id=school.id, data=csv_bytes(ROWS, encoding))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.classes_created == ["一年级1班", "三年级2班", "四年级1班"]
    students = students_of(session, school)
    assert students["20260101"].name == "张小明" and students["20260101"].priority_migrant
    assert students["20260103"].priority_left_behind and str(students["20260103"].birth_date) == "2016-09-01"


def test_xlsx_with_numeric_cells_imports(session, school):
    result = import_roster(session=session, school_id=school.id, data=xlsx_bytes(ROWS))
    assert result.created == 3
    phones = set(session.exec(select(Guardian.phone).where(Guardian.school_id == school.id)).all())
    assert phones == {"13800000001", "13800000002", "13800000003"}


def test_a_guardian_phone_shared_by_siblings_is_one_guardian(session, school):
    result = import_roster(session=session, school_id=school.id, data=csv_bytes(ROWS))
    assert result.guardians_created == 3
    mother = session.exec(select(Guardian).where(Guardian.phone == "13800000001")).one()
    links = session.exec(select(Guardianship).where(Guardianship.guardian_id == mother.id)).all()
    assert len(links) == 2


def test_reimporting_the_same_file_changes_nothing(session, school):
    import_roster(session=session, school_id=school.id, data=xlsx_bytes(ROWS))
    stamps = {no: s.updated_at for no, s in students_of(session, school).items()}
    again = import_roster(session=session, school_id=school.id, data=csv_bytes(ROWS, "gbk"))
    assert (again.created, again.updated, again.unchanged, again.guardians_created) == (0, 0, 3, 0)
    assert {no: s.updated_at for no, s in students_of(session, school).items()} == stamps


def test_an_edited_file_updates_by_student_number(session, school):
    import_roster(session=session, school_id=school.id, data=csv_bytes(ROWS))
    edited = [row[:] for row in ROWS]
    edited[1][4] = "3班"                 # moved class
    edited[2][1] = "王乐乐"              # corrected name
    edited[0][11] = "13900000009"       # father's new phone
    result = import_roster(session=session, school_id=school.id, data=csv_bytes(edited))
    assert (result.created, result.updated, result.unchanged) == (0, 3, 0)
    students = students_of(session, school)
    assert students["20260103"].name == "王乐乐" and students["20260103"].name_initials == "wll"


def test_one_bad_row_imports_nothing_and_lists_every_error(session, school):
    bad = [row[:] for row in ROWS] + [
        ["20260101", "", "未知", "7", "1", "2019-13-40", "外星人", "某", "12345", "妈妈", "只有姓名", "", ""]]
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=school.id, data=csv_bytes(bad))
    assert refused.value.code == "ROSTER_INVALID"
    errors = refused.value.extra["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {
        (5, "学号"), (5, "姓名"), (5, "性别"), (5, "班级"), (5, "出生日期"), (5, "优先群体"), (5, "监护人1电话"),
        (5, "监护人2电话")}
    assert all(e["message"] for e in errors)
    assert students_of(session, school) == {}


def test_a_title_row_above_the_headers_is_passed_over_and_rows_keep_their_numbers(session, school):
    titled = "某某小学 学生名单\n" + csv_bytes([ROWS[0], [*ROWS[1][:3], "九年级", *ROWS[1][4:]]]).decode()
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=school.id, data=titled.encode())
    assert [(e["row"], e["column"]) for e in refused.value.extra["errors"]] == [(4, "班级")]  # as the sheet numbers it
    fixed = "某某小学 学生名单\n" + csv_bytes(ROWS).decode()
    assert import_roster(session=session, school_id=school.id, data=fixed.encode()).created == 3


def test_missing_columns_are_named(session, school):
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=school.id, data=csv_bytes([["1", "张三"]], header=["学号", "姓名"]))
    assert "性别" in refused.value.extra["errors"][0]["message"]


def test_the_same_phone_under_two_names_is_an_error(session, school):
    rows = [ROWS[0], [*ROWS[1][:7], "另一个名字", "13800000001", "妈妈", "", "", ""]]
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=school.id, data=csv_bytes(rows))
    assert refused.value.extra["errors"][0]["column"] == "监护人1电话"


def test_a_dry_run_checks_and_writes_nothing(session, school):
    result = import_roster(session=session, school_id=school.id, data=csv_bytes(ROWS), dry_run=True)
    assert result.dry_run and result.created == 3
    assert students_of(session, school) == {}


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"PK\x03\x04 not really a zip",
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"])
def test_a_file_that_is_no_spreadsheet_is_refused(session, school, data):
    with pytest.raises(AppError) as refused:
        import_roster(session=session, school_id=school.id, data=data)
    assert refused.value.status_code == 415


def test_the_import_route_answers_422_with_the_errors(client, world):
    url = f"/api/v1/schools/{world.a.school.id}/roster/import"
    bad = csv_bytes([["x y", "名字", "男", "3", "1", "", "", "家长", "1", "妈妈", "", "", ""]])
    response = client.post(url, headers=world.a.headers("admin"), files={"file": ("名单.csv", bad, "text/csv")})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "ROSTER_INVALID" and len(body["errors"]) == 2
    ok = client.post(url, headers=world.a.headers("admin"), files={"file": ("名单.xlsx", xlsx_bytes(ROWS))})
    assert ok.status_code == 200 and ok.json()["created"] == 3
    teacher = client.post(url, headers=world.a.headers("teacher"), files={"file": ("名单.xlsx", xlsx_bytes(ROWS))})
    assert teacher.status_code == 403
