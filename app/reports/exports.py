"""The dashboards as .xlsx: one sheet per figure, Chinese headers, the school (or district) and term in the title."""

from app.core.xlsx import Sheet, titled_workbook
from app.reports.schemas import DistrictDashboard, SchoolDashboard


def school_xlsx(d: SchoolDashboard) -> bytes:
    p, a, k, t, f = d.participation, d.attendance, d.pickups, d.teachers, d.fees
    overview = [["应参加学生", p.eligible], ["申请", p.applied], ["批准参加", p.approved], ["不参加", p.declined],
                ["参与率（%）", p.participation_rate], ["出勤率（%）", a.attendance_rate], ["已接走", k.released],
                ["超时未接", k.late], ["交门卫", k.with_guard], ["教师参与率（%）", t.participation_rate],
                ["服务课时", t.sessions], ["巡查完成率（%）", d.patrols.rate], ["突发情况", d.incidents.total],
                ["家长满意率（%）", d.satisfaction.satisfied_rate], ["应收费（元）", f.billed_cents / 100],
                ["减免（元）", f.waived_cents / 100], ["实收（元）", f.due_cents / 100]]
    count_headers = ["名称", "应参加", "申请", "批准", "不参加", "未答复"]
    sheets: list[Sheet] = [
        ("概况", ["项目", "数值"], overview),
        ("参与情况-年级", count_headers, [[r.label, r.eligible, r.applied, r.approved, r.declined, r.not_responded]
                                     for r in p.by_grade]),
        ("参与情况-班级", count_headers, [[r.label, r.eligible, r.applied, r.approved, r.declined, r.not_responded]
                                     for r in p.by_class]),
        ("优先保障", ["群体", "人数", "占批准人数（%）"], [[r.label, r.approved, r.share_of_approved]
                                                 for r in p.by_priority]),
        ("每日出勤", ["日期", "应到", "实到", "请假", "缺勤"], [[s.date.isoformat(), s.expected, s.present, s.leave,
                                                      s.absent] for s in a.series]),
        ("接送时段", ["时段", "接走人数"], [[f"{b.from_}-{b.to}", b.count] for b in k.buckets]),
        ("最后离校", ["日期", "时间"], [[x.date.isoformat(), x.time] for x in k.latest]),
        ("社团", ["社团", "名额", "已选", "候补", "满额率（%）"], [[c.name, c.capacity, c.enrolled, c.waitlisted,
                                                       c.fill_rate] for c in d.clubs]),
        ("突发情况", ["类型", "次数"], [[k_, v] for k_, v in d.incidents.by_type.items()]),
        ("满意度", ["问卷", "份数", "满意率（%）"], [[s.title, s.responses, s.satisfied_rate]
                                          for s in d.satisfaction.surveys]),
    ]
    return titled_workbook(f"{d.school.name} {d.term.name} 课后服务统计（{d.from_}至{d.to}）", sheets)


def district_xlsx(d: DistrictDashboard) -> bytes:
    headers = ["学校", "学期", "应参加", "批准", "参与率（%）", "出勤率（%）", "超时未接", "教师参与率（%）", "巡查完成率（%）",
               "突发情况", "满意率（%）", "参与率排名"]
    rows = [[r.school.name, r.term.name if r.term else "", r.eligible, r.approved, r.participation_rate,
             r.attendance_rate, r.late, r.teacher_participation_rate, r.patrol_rate, r.incidents, r.satisfied_rate,
             r.ranks.get("participation_rate")] for r in d.schools]
    return titled_workbook(f"{d.district.name} 课后服务督导统计（截至{d.to}）",
                 [("各校", headers, rows), ("合计", ["项目", "数值"], [[k, v] for k, v in d.totals.items()])])
