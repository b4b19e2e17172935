"""Roster import from .xlsx or .csv (UTF-8 or GBK, as Excel in China saves it).

The whole file is checked first; one bad row means nothing is imported and the reply
lists every problem with its row, column and reason. Students are matched by student
number, so importing the same file twice changes nothing and an edited file updates.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from pydantic import BaseModel
from sqlmodel import Session, select

from app.core.clock import utcnow
from app.core.errors import AppError
from app.dataprotection.models import StudentErasure
from app.people.models import PRIORITY_FLAGS, Guardian, Guardianship, Student
from app.people.schemas import normalise_phone
from app.people.service import name_initials, priorities_of, set_priorities, upsert_guardian
from app.schools.models import GRADE_NAMES, SchoolClass, class_name

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

# Canonical column → the headers schools actually use for it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "student_no": ("学号", "学籍号", "学生学号"),
    "name": ("姓名", "学生姓名"),
    "gender": ("性别",),
    "grade": ("年级",),
    "class": ("班级", "班"),
    "birth_date": ("出生日期", "生日"),
    "priority": ("优先群体", "优先保障", "特殊群体"),
    "g1_name": ("监护人1姓名", "家长1姓名", "监护人姓名", "家长姓名"),
    "g1_phone": ("监护人1电话", "家长1电话", "监护人电话", "家长电话", "联系电话"),
    "g1_relation": ("监护人1关系", "家长1关系", "与学生关系", "关系"),
    "g2_name": ("监护人2姓名", "家长2姓名"),
    "g2_phone": ("监护人2电话", "家长2电话"),
    "g2_relation": ("监护人2关系", "家长2关系"),
    # Kehou's own student list export says whether each child is still at school; a school's roster need not.
    "status": ("状态", "在校状态"),
}
STATUS_WORDS = {"": True, "在校": True, "已离校": False, "离校": False}
REQUIRED = ("student_no", "name", "gender", "class", "g1_name", "g1_phone", "g1_relation")
GENDERS = {"男": "male", "女": "female"}
# Short and long names of the priority groups → the API's keys.
PRIORITY_WORDS = {label: column.removeprefix("priority_") for column, label in PRIORITY_FLAGS.items()} | {
    "残疾": "disabled", "留守": "left_behind", "随迁": "migrant", "随迁子女": "migrant",
    "经济困难": "low_income", "低保": "low_income", "单亲": "single_parent", "双职工": "dual_working",
}
_CHINESE_GRADES = {name: number for number, name in GRADE_NAMES.items()}


class RosterError(BaseModel):
    row: int
    column: str
    message: str


class RosterImportResult(BaseModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    guardians_created: int
    classes_created: list[str]


@dataclass
class _GuardianRow:
    name: str
    phone: str
    relation: str


@dataclass
class _StudentRow:
    line: int
    student_no: str
    name: str
    gender: str
    grade: int
    number: int
    birth_date: date | None
    priority: list[str]
    guardians: list[_GuardianRow] = field(default_factory=list)
    active: bool = True       # 状态: 在校 (or blank) / 已离校


# ---------- reading the file ----------

def _read_cells(data: bytes) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise AppError("ROSTER_TOO_LARGE", "花名册文件不能超过 5 MB", status_code=413)
    if data[:4] == b"PK\x03\x04":  # .xlsx is a zip archive, whatever the file is called
        return _xlsx_cells(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise AppError("ROSTER_FORMAT", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv", status_code=415)
    text = _decode_text(data)
    if "\x00" in text:
        raise AppError("ROSTER_FORMAT", "只支持 .xlsx 或 .csv 格式的花名册", status_code=415)
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AppError("ROSTER_FORMAT", "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV", status_code=415)


def _xlsx_cells(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to open means "not a spreadsheet we can read"
        raise AppError("ROSTER_FORMAT", "无法读取该 Excel 文件，请确认是 .xlsx 格式", status_code=415) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value) -> str:  # noqa: ANN001
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800138000 as 13800138000.0
    return str(value).strip()


# ---------- checking rows ----------

def _map_header(line: int, header: list[str]) -> tuple[dict[str, int], list[RosterError]]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        title = title.replace(" ", "")
        for column, synonyms in COLUMNS.items():
            if title in synonyms and column not in positions:
                positions[column] = index
                break
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in positions]
    errors = [RosterError(row=line, column="表头", message=f"缺少必需的列：{'、'.join(missing)}")] if missing else []
    return positions, errors


def _parse_class(grade_text: str, class_text: str) -> tuple[int, int] | None:
    """Accept 年级 + 班级 as "3" + "2", "三年级" + "2班", or 班级 alone as "三年级2班" / "3年级2班" / "3-2"."""
    text = (class_text or "").replace(" ", "")
    grade = _parse_grade(grade_text) if grade_text else None
    combined = re.fullmatch(r"(.+?)年级(\d{1,2})班?|(\d)[-.\/](\d{1,2})", text)
    if combined:
        grade_part, number = (combined.group(1), combined.group(2)) if combined.group(1) \
            else (combined.group(3), combined.group(4))
        grade = _parse_grade(grade_part)
        return (grade, int(number)) if grade else None
    number = re.fullmatch(r"(\d{1,2})班?", text)
    if grade and number and int(number.group(1)) >= 1:
        return grade, int(number.group(1))
    return None


def _parse_grade(text: str) -> int | None:
    text = text.replace(" ", "")
    if text in _CHINESE_GRADES:
        return _CHINESE_GRADES[text]
    text = text.removesuffix("年级")
    if text in ("一", "二", "三", "四", "五", "六"):
        return "一二三四五六".index(text) + 1
    return int(text) if text.isdigit() and 1 <= int(text) <= 6 else None


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class _RowChecker:
    def __init__(self, positions: dict[str, int]):
        self.positions = positions
        self.errors: list[RosterError] = []
        self.seen_numbers: dict[str, int] = {}
        self.phone_names: dict[str, tuple[str, int]] = {}

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RosterError(row=line, column=COLUMNS[column][0] if column in COLUMNS else column,
                                       message=message))

    def cell(self, cells: list[str], column: str) -> str:
        index = self.positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def check(self, line: int, cells: list[str]) -> _StudentRow | None:
        value = lambda column: self.cell(cells, column)  # noqa: E731
        before = len(self.errors)
        for column in ("student_no", "name", "gender", "class"):
            if not value(column):
                self.error(line, column, "不能为空")
        student_no = value("student_no")
        if student_no and not re.fullmatch(r"[0-9A-Za-z\-]{1,30}", student_no):
            self.error(line, "student_no", "学号只能包含数字、字母和短横线，最长 30 位")
        elif student_no in self.seen_numbers:
            self.error(line, "student_no", f"学号与第 {self.seen_numbers[student_no]} 行重复")
        elif student_no:
            self.seen_numbers[student_no] = line
        if len(value("name")) > 50:
            self.error(line, "name", "姓名不能超过 50 个字")
        gender = GENDERS.get(value("gender"))
        if value("gender") and gender is None:
            self.error(line, "gender", "性别应为“男”或“女”")
        place = _parse_class(value("grade"), value("class")) if value("class") else None
        if value("class") and place is None:
            self.error(line, "class", "无法识别班级，请写成“三年级2班”，或在“年级”列填 1–6、“班级”列填班号")
        birth = _parse_date(value("birth_date")) if value("birth_date") else None
        if value("birth_date") and birth is None:
            self.error(line, "birth_date", "日期格式应为 2018-03-05")
        priority = self._priorities(line, value("priority"))
        active = STATUS_WORDS.get(value("status"))
        if active is None:
            self.error(line, "status", "状态应为“在校”或“已离校”，或不填")
        guardians = [g for g in (self._guardian(line, value, "g1", required=True),
                                 self._guardian(line, value, "g2", required=False)) if g]
        if len(self.errors) > before:
            return None
        return _StudentRow(line=line, student_no=student_no, name=value("name"), gender=gender, grade=place[0],
                           number=place[1], birth_date=birth, priority=priority, guardians=guardians, active=active)

    def _priorities(self, line: int, text: str) -> list[str]:
        keys = []
        for word in filter(None, (w.strip() for w in re.split(r"[、，,;；/ ]", text))):
            if word in PRIORITY_WORDS:
                keys.append(PRIORITY_WORDS[word])
            else:
                self.error(line, "priority", f"无法识别的优先群体“{word}”")
        return sorted(set(keys))

    def _guardian(self, line: int, value, prefix: str, required: bool) -> _GuardianRow | None:  # noqa: ANN001
        name, raw_phone, relation = (value(f"{prefix}_name"), value(f"{prefix}_phone"), value(f"{prefix}_relation"))
        if not (name or raw_phone or relation):
            if required:
                self.error(line, f"{prefix}_name", "至少需要一位监护人")
            return None
        for column, text in ((f"{prefix}_name", name), (f"{prefix}_phone", raw_phone), (f"{prefix}_relation", relation)):
            if not text:
                self.error(line, column, "监护人的姓名、电话、关系须填写完整")
        phone = normalise_phone(raw_phone)
        if raw_phone and not re.fullmatch(r"1\d{10}", phone):
            self.error(line, f"{prefix}_phone", "应为 11 位手机号")
            return None
        if phone in self.phone_names and self.phone_names[phone][0] != name and name:
            other_name, other_line = self.phone_names[phone]
            self.error(line, f"{prefix}_phone", f"同一手机号在第 {other_line} 行登记为“{other_name}”")
        elif phone:
            self.phone_names.setdefault(phone, (name, line))
        if len(relation) > 20 or len(name) > 50:
            self.error(line, f"{prefix}_relation", "内容过长")
        return _GuardianRow(name=name, phone=phone, relation=relation) if name and phone and relation else None


def parse_roster(data: bytes) -> list[_StudentRow]:
    """Every row of the file, checked; raises ROSTER_INVALID listing all problems. Rows are numbered as the
    spreadsheet numbers them. A title row above the headers (as Kehou's own student list export has, so an
    exported list can be edited and imported again) is passed over."""
    lines = [(line, cells) for line, cells in enumerate(_read_cells(data), start=1) if any(c.strip() for c in cells)]
    if not lines:
        raise AppError("ROSTER_EMPTY", "花名册为空", status_code=422)
    first = 1 if len(lines) > 1 and _map_header(*lines[0])[1] and not _map_header(*lines[1])[1] else 0
    positions, errors = _map_header(*lines[first])
    if errors:
        _refuse(errors)
    body = lines[first + 1:]
    if len(body) > MAX_ROWS:
        raise AppError("ROSTER_TOO_LARGE", f"一次最多导入 {MAX_ROWS} 名学生", status_code=413)
    checker = _RowChecker(positions)
    students = [checker.check(line, cells) for line, cells in body]
    if checker.errors:
        _refuse(checker.errors)
    if not students:
        raise AppError("ROSTER_EMPTY", "花名册中没有学生", status_code=422)
    return students


def _refuse(errors: list[RosterError]) -> None:
    raise AppError("ROSTER_INVALID", f"花名册有 {len(errors)} 处错误，未导入任何数据", status_code=422,
                   extra={"errors": [e.model_dump() for e in errors]})


# ---------- writing ----------

def import_roster(*, session: Session, school_id: int, data: bytes,
                  dry_run: bool = False) -> RosterImportResult:
    rows = parse_roster(data)
    classes = {(c.grade, c.number): c for c in
               session.exec(select(SchoolClass).where(SchoolClass.school_id == school_id)).all()}
    existing = {s.student_no: s for s in session.exec(
        select(Student).where(Student.school_id == school_id,
                              Student.student_no.in_([r.student_no for r in rows]))).all()}
    erased = set(session.exec(select(StudentErasure.student_id).where(
        StudentErasure.student_id.in_([s.id for s in existing.values()]))).all()) if existing else set()
    if erased:  # an erased child is never filled in again (docs/privacy.md, "Erasure")
        _refuse([RosterError(row=r.line, column="学号", message="该学生的个人信息已删除，不能再导入")
                 for r in rows if r.student_no in existing and existing[r.student_no].id in erased])
    result = RosterImportResult(dry_run=dry_run, created=0, updated=0, unchanged=0, guardians_created=0,
                                classes_created=[])
    known_phones = set(session.exec(select(Guardian.phone).where(Guardian.school_id == school_id)).all())

    for row in rows:
        school_class = classes.get((row.grade, row.number))
        if school_class is None:
            school_class = SchoolClass(school_id=school_id, grade=row.grade, number=row.number)
            session.add(school_class)
            session.flush()
            classes[(row.grade, row.number)] = school_class
            result.classes_created.append(class_name(row.grade, row.number))
        student = existing.get(row.student_no)
        if student is None:
            student = Student(school_id=school_id, class_id=school_class.id, student_no=row.student_no,
                              name=row.name, name_initials=name_initials(row.name), gender=row.gender,
                              birth_date=row.birth_date, is_active=row.active)
            set_priorities(student, row.priority)
            session.add(student)
            session.flush()
            result.created += 1
            _apply_guardians(session, student, row.guardians, known_phones, result)
        else:
            changed = _apply_student(student, row, school_class.id)
            changed_guardians = _apply_guardians(session, student, row.guardians, known_phones, result)
            if changed or changed_guardians:
                student.updated_at = utcnow()
                session.add(student)
                result.updated += 1
            else:
                result.unchanged += 1
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return result


def _apply_student(student: Student, row: _StudentRow, class_id: int) -> bool:
    wanted = {"name": row.name, "gender": row.gender, "class_id": class_id, "is_active": row.active}
    if row.birth_date is not None:
        wanted["birth_date"] = row.birth_date
    changed = False
    for key, value in wanted.items():
        if getattr(student, key) != value:
            setattr(student, key, value)
            changed = True
    if changed:
        student.name_initials = name_initials(student.name)
    if set(priorities_of(student)) != set(row.priority):
        set_priorities(student, row.priority)
        changed = True
    return changed


def _apply_guardians(session: Session, student: Student, guardians: list[_GuardianRow], known_phones: set[str],
                     result: RosterImportResult) -> bool:
    """Create or update the listed guardians; others (maybe already bound to WeChat) stay."""
    changed = False
    for entry in guardians:
        if entry.phone not in known_phones:
            result.guardians_created += 1
            known_phones.add(entry.phone)
        guardian = session.exec(select(Guardian).where(Guardian.school_id == student.school_id,
                                                       Guardian.phone == entry.phone)).first()
        if guardian is None or guardian.name != entry.name:
            changed = True
            guardian = upsert_guardian(session, student.school_id, entry.name, entry.phone)
        link = session.exec(select(Guardianship).where(Guardianship.student_id == student.id,
                                                       Guardianship.guardian_id == guardian.id)).first()
        if link is None:
            session.add(Guardianship(school_id=student.school_id, student_id=student.id, guardian_id=guardian.id,
                                     relation=entry.relation))
            changed = True
        elif link.relation != entry.relation:
            link.relation = entry.relation
            session.add(link)
            changed = True
    return changed
