"""突发情况 as .xlsx: each incident as it stands (corrections applied), with its follow-ups and closing."""

from tests.incidents.test_incidents import report
from tests.sheets import read_xlsx

URL = "/api/v1/incidents/export.xlsx"


def test_the_export_lists_each_incident_as_it_stands_with_its_follow_ups(client, session, day, fixed_clock):
    first = report(client, day).json()
    duty = day.school.headers("duty_leader")
    client.post(f"/api/v1/incidents/{first['id']}/entries", headers=duty,
                json={"kind": "correction", "text": "地点记错了", "changes": {"place": "篮球场"}})
    client.post(f"/api/v1/incidents/{first['id']}/entries", headers=duty, json={"kind": "close", "text": "家长已接回"})
    fixed_clock.advance(minutes=30)
    second = report(client, day, type="illness", student_ids=[], place="301", description="头疼",
                    actions_taken="休息").json()
    table = read_xlsx(client.get(URL, headers=duty))
    assert table.title == f"{day.school.school.name} {day.school.term.name} 突发情况记录（2026-11-17至2026-11-23）"
    assert table.headers == ["日期", "时间", "类型", "程度", "地点", "涉及学生", "经过", "处理措施", "报告人", "状态",
                             "处理结果", "跟进与更正"]
    child = day.at_group[0]
    closed, still_open = table.records()
    assert (closed["日期"], closed["时间"], closed["类型"], closed["地点"], closed["涉及学生"], closed["状态"],
            closed["处理结果"]) == ("2026-11-23", "16:00", first["type_label"], "篮球场", f"{child.name}（三年级1班）",
                                "已结案", "家长已接回")
    assert closed["跟进与更正"].splitlines() == [
        f"11-23 16:00 {day.school.staff['duty_leader'].name}（更正）：地点记错了",
        f"11-23 16:00 {day.school.staff['duty_leader'].name}（结案）：家长已接回"]
    assert (still_open["时间"], still_open["类型"], still_open["状态"], still_open["涉及学生"]) == (
        "16:30", second["type_label"], "处理中", "")
    open_only = read_xlsx(client.get(URL, params={"status": "open"}, headers=day.school.headers("admin")))
    assert [r[6] for r in open_only.rows] == ["头疼"] and "截至2026-11-23" in open_only.title


def test_teachers_report_incidents_but_do_not_export_them(client, day):
    assert client.get(URL, headers=day.school.headers("teacher")).status_code == 403
