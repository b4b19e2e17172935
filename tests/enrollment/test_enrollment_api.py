"""Plans, applications, review, fees and the overview over HTTP, as the mini-program and console use them."""

import io

from openpyxl import load_workbook
from sqlmodel import select

from app.notify.models import InboxMessage
from tests.enrollment.conftest import AGREEMENT
from tests.sheets import read_xlsx


def _publish(client, world, **plan):
    headers = world.a.headers("admin")
    url = f"/api/v1/terms/{world.a.term.id}/plan"
    assert client.put(f"{url}/draft", headers=headers, json={"agreement_text": AGREEMENT, "fee_cents": 60000,
                                                              **plan}).status_code == 200
    return client.post(f"{url}/publish", headers=headers).json()


def _apply(client, world, student_index=0, **body):
    return client.post("/api/v1/applications", headers=world.a.headers("guardian"), json={
        "student_id": world.a.students[student_index].id, "term_id": world.a.term.id, "weekdays": [1, 2, 3, 4, 5],
        **body})


def test_publishing_freezes_a_version_and_editing_makes_the_next(client, world):
    first = _publish(client, world)
    assert first["version"] == 1 and first["status"] == "published"
    guardian_view = client.get(f"/api/v1/terms/{world.a.term.id}/plan", headers=world.a.headers("guardian")).json()
    assert guardian_view["agreement_text"] == AGREEMENT and guardian_view["term_fee_cents"] == 60000
    client.put(f"/api/v1/terms/{world.a.term.id}/plan/draft", headers=world.a.headers("admin"),
               json={"agreement_text": "新版本"})
    still = client.get(f"/api/v1/terms/{world.a.term.id}/plan", headers=world.a.headers("guardian")).json()
    assert still["version"] == 1  # a draft changes nothing guardians see
    second = client.post(f"/api/v1/terms/{world.a.term.id}/plan/publish", headers=world.a.headers("admin")).json()
    assert second["version"] == 2
    versions = client.get(f"/api/v1/terms/{world.a.term.id}/plan/versions", headers=world.a.headers("admin")).json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "published")]


def test_a_monthly_fee_is_charged_for_each_month_of_the_term(client, world):
    plan = _publish(client, world, fee_cents=20000, fee_period="month")
    assert plan["term_fee_cents"] == 20000 * 5  # 1 Sep – 20 Jan


def test_service_must_end_by_six(client, world):
    response = client.put(f"/api/v1/terms/{world.a.term.id}/plan/draft", headers=world.a.headers("admin"),
                          json={"agreement_text": "x", "end_times": {"low": "17:00", "mid": "17:20", "high": "18:30"}})
    assert response.status_code == 422


def test_apply_sign_review_and_notify_over_http(client, session, world):
    plan = _publish(client, world)
    app = _apply(client, world).json()
    signed = client.post(f"/api/v1/applications/{app['id']}/sign", headers=world.a.headers("guardian"),
                         json={"plan_version": plan["version"], "text_hash": plan["agreement_hash"]})
    assert signed.json()["signature"]["plan_version"] == 1
    review = lambda who, **body: client.post(f"/api/v1/applications/{app['id']}/review",  # noqa: E731
                                             headers=world.a.headers(who), json=body)
    assert review("class_head", decision="approve").json()["status"] == "class_approved"
    assert review("admin", decision="approve").json()["in_care"] is True
    history = client.get(f"/api/v1/applications/{app['id']}/history", headers=world.a.headers("guardian")).json()
    assert [h["to_status"] for h in history] == ["submitted", "submitted", "class_approved", "approved"]
    inbox = session.exec(select(InboxMessage).where(InboxMessage.event == "application_decision")).all()
    assert [m.title for m in inbox] == ["课后服务申请已通过"]


def test_a_class_head_lists_only_their_class(client, world):
    _publish(client, world)
    _apply(client, world, 0)
    listed = client.get(f"/api/v1/terms/{world.a.term.id}/applications", headers=world.a.headers("class_head")).json()
    assert [a["student_id"] for a in listed] == [world.a.students[0].id]
    other = client.get(f"/api/v1/terms/{world.a.term.id}/applications", params={"class_id": world.a.classes[1].id},
                       headers=world.a.headers("class_head")).json()
    assert other == []


def test_a_class_head_sees_who_in_their_class_has_not_answered(client, world):
    _publish(client, world)
    _apply(client, world, 0)
    url = f"/api/v1/terms/{world.a.term.id}/applications/not-responded"
    mine = client.get(url, headers=world.a.headers("class_head")).json()
    # Students 0 and 2 are in the class head's class; 0 applied.
    assert [row["student_id"] for row in mine] == [world.a.students[2].id]
    everyone = client.get(url, headers=world.a.headers("admin")).json()
    assert {row["student_id"] for row in everyone} == {s.id for s in world.a.students[1:]}


def test_bulk_approval_reports_each_id(client, world):
    _publish(client, world)
    app = _apply(client, world).json()
    client.post(f"/api/v1/applications/{app['id']}/review", headers=world.a.headers("class_head"),
                json={"decision": "approve"})
    results = client.post(f"/api/v1/terms/{world.a.term.id}/applications/bulk-approve",
                          headers=world.a.headers("admin"), json={"application_ids": [app["id"], 999999]}).json()
    assert results == [{"application_id": app["id"], "ok": True, "status": "approved", "code": None, "message": None},
                       {"application_id": 999999, "ok": False, "status": None, "code": "APPLICATION_NOT_FOUND",
                        "message": "未找到该申请"}]


def _approved_child(client, world):
    _publish(client, world)
    app = _apply(client, world).json()
    for who in ("class_head", "admin"):
        client.post(f"/api/v1/applications/{app['id']}/review", headers=world.a.headers(who), json={"decision": "approve"})
    return app


def test_approved_children_are_billed_and_waivers_reduce_the_total(client, world):
    _approved_child(client, world)
    headers = world.a.headers("admin")
    bills = client.get(f"/api/v1/terms/{world.a.term.id}/bills", headers=headers).json()
    assert [(b["amount_cents"], b["due_cents"]) for b in bills] == [(60000, 60000)]
    refused = client.put(f"/api/v1/bills/{bills[0]['id']}/waiver", headers=headers, json={"waiver": "half"})
    assert refused.status_code == 422
    halved = client.put(f"/api/v1/bills/{bills[0]['id']}/waiver", headers=headers,
                        json={"waiver": "half", "reason": "家庭经济困难"}).json()
    assert halved["due_cents"] == 30000
    summary = client.get(f"/api/v1/terms/{world.a.term.id}/fees/summary", headers=world.a.headers("guardian")).json()
    assert summary == {"term_id": world.a.term.id, "children_billed": 1, "gross_cents": 60000, "waived_cents": 30000,
                       "due_cents": 30000, "full_waivers": 0, "half_waivers": 1}
    table = read_xlsx(client.get(f"/api/v1/terms/{world.a.term.id}/bills/export.xlsx", headers=headers))
    assert table.title == f"{world.a.school.name} {world.a.term.name} 课后服务收费名单"
    assert table.headers == ["班级", "学生", "应收（元）", "减免", "减免原因", "减免金额（元）", "实收（元）"]
    assert table.rows == [(bills[0]["class_name"], bills[0]["student_name"], 600, "减半", "家庭经济困难", 300, 300),
                          ("合计", "1 人", 600, "", "", 300, 300)]


def test_the_overview_counts_and_lists_who_has_not_answered(client, world):
    _approved_child(client, world)
    summary = client.get(f"/api/v1/terms/{world.a.term.id}/applications/summary",
                         headers=world.a.headers("admin")).json()
    assert summary["eligible"] == 4 and summary["by_status"]["approved"] == 1
    assert summary["participation_rate"] == 25.0
    first_class = summary["by_class"][0]
    assert (first_class["label"], first_class["eligible"], first_class["approved"], first_class["not_responded"]) \
        == ("三年级1班", 2, 1, 1)
    assert summary["not_responded"] == {"三年级1班": [world.a.students[2].name],
                                        "三年级2班": [world.a.students[1].name, world.a.students[3].name]}
    assert summary["by_priority"][0]["text"] == "残疾儿童 0 人，占 0.00%"


def test_the_export_opens_in_openpyxl_with_the_right_rows(client, world):
    _approved_child(client, world)
    response = client.get(f"/api/v1/terms/{world.a.term.id}/applications/export.xlsx", headers=world.a.headers("admin"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "甲小学 2026-2027学年第一学期 课后服务申请名单"
    assert rows[1][:3] == ("班级", "学生", "状态")
    assert rows[2][:3] == ("三年级1班", world.a.students[0].name, "已通过") and len(rows) == 3


def test_the_admin_sees_who_is_waiting_in_approval_order(client, session, world):
    from app.people.models import Student
    _publish(client, world, capacity=1)
    student = session.get(Student, world.a.students[2].id)
    student.priority_left_behind = True
    session.commit()
    for index in (0, 2):
        app = _apply(client, world, index).json() if index == 0 else client.post(
            "/api/v1/applications", headers=_guardian_headers(world, 2),
            json={"student_id": student.id, "term_id": world.a.term.id, "weekdays": [1]}).json()
        client.post(f"/api/v1/applications/{app['id']}/review", headers=world.a.headers("class_head"),
                    json={"decision": "approve"})
    queue = client.get(f"/api/v1/terms/{world.a.term.id}/applications/queue", headers=world.a.headers("admin")).json()
    assert [(a["student_id"], a["priority"]) for a in queue] == [(student.id, ["left_behind"]),
                                                                 (world.a.students[0].id, [])]
    summary = client.get(f"/api/v1/terms/{world.a.term.id}/applications/summary", headers=world.a.headers("admin"))
    assert summary.json()["capacity"] == 1 and summary.json()["waiting"] == 2


def _guardian_headers(world, index):
    from tests.factories import auth_headers
    return auth_headers(world.a.guardians[index].account_id)
