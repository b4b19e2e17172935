"""The school's leave requests as .xlsx: those with a day in the range, by class and child."""

from datetime import date

from app.leave.service import school_leaves
from tests.attendance.conftest import add_leave
from tests.sheets import read_xlsx


def test_the_export_lists_the_leave_with_a_day_in_the_range(client, session, world, fixed_clock):
    a = world.a
    sick = add_leave(session, a.students[0], days=(date(2026, 11, 23), date(2026, 11, 24)))
    add_leave(session, a.students[1], days=(date(2026, 11, 30),), kind="personal", status="submitted")
    add_leave(session, a.students[2], days=(date(2026, 10, 12),))
    url = f"/api/v1/schools/{a.school.id}/leave-requests/export.xlsx"
    table = read_xlsx(client.get(url, params={"from": "2026-11-01", "to": "2026-11-30"}, headers=a.headers("admin")))
    assert table.title == f"{a.school.name} {a.term.name} 请假记录（2026-11-01至2026-11-30）"
    assert table.headers == ["班级", "学生", "类型", "请假日期", "天数", "原因", "提前接走时间", "状态", "申请时间",
                             "处理人", "处理时间", "处理意见"]
    leaves = school_leaves(session=session, school_id=a.school.id, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert len(table.rows) == len(leaves) == 2
    row = next(r for r in table.records() if r["学生"] == a.students[0].name)
    assert (row["类型"], row["请假日期"], row["天数"], row["原因"], row["状态"]) == (
        "病假", "2026-11-23、2026-11-24", 2, sick.reason, "已批准")
    whole_term = read_xlsx(client.get(url, headers=a.headers("duty_leader")))  # default: the current term
    assert len(whole_term.rows) == 3
    waiting = read_xlsx(client.get(url, params={"status": "submitted"}, headers=a.headers("admin")))
    assert [r[1] for r in waiting.rows] == [a.students[1].name]
    assert client.get(url, headers=a.headers("class_head")).status_code == 403
