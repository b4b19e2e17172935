"""The student list as .xlsx, in the roster import's own columns: edited in Excel, the file imports again (the
importer passes over the title row), matched by student number; its 状态 column keeps a child who left as left."""

from collections import defaultdict

from sqlmodel import Session, select

from app.core.xlsx import titled_workbook
from app.dataprotection.models import StudentErasure
from app.people.models import PRIORITY_FLAGS, Guardian, Guardianship, Student
from app.schools.models import GRADE_NAMES, SchoolClass
from app.schools.service import export_title

HEADERS = ["学号", "姓名", "性别", "年级", "班级", "出生日期", "优先群体", "监护人1姓名", "监护人1电话", "监护人1关系",
           "监护人2姓名", "监护人2电话", "监护人2关系", "其他监护人", "状态"]
GENDER_LABELS = {"male": "男", "female": "女"}


def students_xlsx(session: Session, school_id: int, *, class_id: int | None = None, grade: int | None = None,
                  include_inactive: bool = False) -> tuple[bytes, list[int]]:
    """The school's students by class and number, each with their guardians (the first two in the import's
    columns, any others beside), and the ids listed."""
    # An erased child has nothing left to list, and the importer refuses them: they are left out.
    query = (select(Student, SchoolClass).join(SchoolClass, SchoolClass.id == Student.class_id)
             .where(Student.school_id == school_id,
                    Student.id.not_in(select(StudentErasure.student_id).where(StudentErasure.school_id == school_id))))
    if not include_inactive:
        query = query.where(Student.is_active == True)  # noqa: E712
    if class_id is not None:
        query = query.where(Student.class_id == class_id)
    if grade is not None:
        query = query.where(SchoolClass.grade == grade)
    rows = session.exec(query.order_by(SchoolClass.grade, SchoolClass.number, Student.student_no)).all()
    guardians: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for student_id, name, phone, relation in session.exec(
            select(Guardianship.student_id, Guardian.name, Guardian.phone, Guardianship.relation)
            .join(Guardian, Guardian.id == Guardianship.guardian_id)
            .where(Guardianship.school_id == school_id).order_by(Guardianship.id)).all():
        guardians[student_id].append((name, phone, relation))
    lines = []
    for student, school_class in rows:
        first_two = [cell for g in guardians[student.id][:2] for cell in g]
        first_two += [""] * (6 - len(first_two))
        others = "；".join(f"{relation} {name} {phone}" for name, phone, relation in guardians[student.id][2:])
        lines.append([student.student_no, student.name, GENDER_LABELS.get(student.gender, student.gender),
                      GRADE_NAMES.get(school_class.grade, str(school_class.grade)), school_class.name,
                      student.birth_date.isoformat() if student.birth_date else "",
                      "、".join(label for column, label in PRIORITY_FLAGS.items() if getattr(student, column)),
                      *first_two, others, "在校" if student.is_active else "已离校"])
    title = export_title(session, school_id, "学生名单")
    return titled_workbook(title, [("学生名单", HEADERS, lines)], name_in_title=False), \
        [student.id for student, _ in rows]
