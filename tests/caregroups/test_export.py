"""The term's care groups as .xlsx: each group's children and tutors per weekday, and every group's children."""

from app.caregroups import service
from tests.attendance.conftest import build_day
from tests.sheets import read_xlsx


def test_the_export_has_each_group_per_weekday_and_its_children(client, session, world, fixed_clock):
    day = build_day(session, world.a)
    response = client.get(f"/api/v1/terms/{world.a.term.id}/care-groups/export.xlsx", headers=world.a.headers("admin"))
    groups = read_xlsx(response, "看护班")
    assert groups.title == f"{world.a.school.name} {world.a.term.name} 课后服务看护班名单 · 看护班"
    assert groups.headers == ["看护班", "年级", "教室", "班级", "人数", "周一人数", "周二人数", "周三人数", "周四人数",
                              "周五人数", "周一看护教师", "周二看护教师", "周三看护教师", "周四看护教师", "周五看护教师"]
    listed = service.term_groups(session=session, term=world.a.term)
    [group] = listed.groups
    assert groups.rows == [(group.name, "三年级", group.room, "、".join(group.class_names), group.members,
                            *(d.children for d in group.days), *("、".join(t.name for t in d.tutors) for d in group.days))]
    assert groups.rows[0][10:] == (day.tutor.name,) * 5
    members = read_xlsx(response, "学生名单")
    assert members.headers == ["看护班", "班级", "学生", "服务日", "安排", "调整原因"]
    assert sorted(r[2] for r in members.rows) == sorted(s.name for s in world.a.students)
    assert {r[3] for r in members.rows} == {"周一、周二、周三、周四、周五"}


def test_teachers_read_the_groups_but_only_admins_export_them(client, world):
    url = f"/api/v1/terms/{world.a.term.id}/care-groups/export.xlsx"
    assert client.get(url, headers=world.a.headers("teacher")).status_code == 403
    assert client.get(f"/api/v1/terms/{world.b.term.id}/care-groups/export.xlsx",
                      headers=world.a.headers("admin")).status_code == 404
