"""满意度调查 over HTTP: the admin writes and publishes, guardians answer once per child (a retry replays), staff of
another school find nothing, results and the export filter by grade and class."""

import io
from urllib.parse import quote

from openpyxl import load_workbook
from sqlmodel import select

from app.surveys.models import SurveyAnswer, SurveyResponse
from tests.factories import auth_headers
from tests.surveys.conftest import QUESTIONS

BODY = {"title": "课后服务家长满意度调查", "intro": "请如实填写", "audience": "in_care", "questions": QUESTIONS}
ANSWERS = {"answers": [{"question_id": 1, "rating": 5}, {"question_id": 2, "rating": 3},
                       {"question_id": 3, "option_ids": [1]}, {"question_id": 4, "option_ids": [2, 3]},
                       {"question_id": 5, "text": "希望增加体育活动"}]}


def create_and_publish(client, school, body=BODY, **publish):
    admin = school.headers("admin")
    created = client.post(f"/api/v1/terms/{school.term.id}/surveys", headers=admin, json=body)
    assert created.status_code == 201, created.text
    opened = client.post(f"/api/v1/surveys/{created.json()['id']}/publish", headers=admin, json=publish)
    assert opened.status_code == 200, opened.text
    return opened.json()


def put_answers(client, survey_id, family, body=ANSWERS, key=None):
    headers = auth_headers(family.guardian.account_id)
    if key:
        headers["Idempotency-Key"] = key
    return client.put(f"/api/v1/surveys/{survey_id}/responses/{family.student.id}", headers=headers, json=body)


def test_the_admin_writes_edits_and_publishes_a_survey(client, world, fixed_clock):
    admin = world.a.headers("admin")
    created = client.post(f"/api/v1/terms/{world.a.term.id}/surveys", headers=admin, json=BODY)
    assert created.status_code == 201
    survey = created.json()
    assert (survey["status"], survey["state"], survey["audience_label"]) == ("draft", "draft", "参加课后服务的学生家长")
    url = f"/api/v1/surveys/{survey['id']}"
    edited = client.put(url, headers=admin, json={**BODY, "title": "改名"})
    assert edited.json()["title"] == "改名"
    one_option = [{"kind": "single", "text": "选", "options": ["甲"]}]
    bad = client.put(url, headers=admin, json={**BODY, "questions": one_option})
    assert bad.status_code == 422 and "至少要有两个选项" in bad.json()["error"]["message"]

    opened = client.post(f"{url}/publish", headers=admin, json={"closes_at": "2026-12-20T18:00:00+08:00"})
    assert (opened.json()["state"], opened.json()["closes_at"]) == ("open", "2026-12-20T10:00:00Z")
    refused = client.put(url, headers=admin, json=BODY)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "SURVEY_NOT_DRAFT")
    assert client.delete(url, headers=admin).status_code == 409
    listed = client.get(f"/api/v1/terms/{world.a.term.id}/surveys", headers=admin).json()
    assert [(s["id"], s["state"], s["responses"]) for s in listed] == [(survey["id"], "open", 0)]
    closed = client.post(f"{url}/close", headers=admin)
    assert closed.json()["state"] == "closed"

    draft = client.post(f"/api/v1/terms/{world.a.term.id}/surveys", headers=admin, json=BODY).json()
    assert client.delete(f"/api/v1/surveys/{draft['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/surveys/{draft['id']}", headers=admin).status_code == 404


def test_a_guardian_sees_the_open_survey_per_child_and_answers_once(client, session, world, fixed_clock, families):
    survey = create_and_publish(client, world.a)
    family = families[0]
    mine = client.get("/api/v1/surveys/mine", headers=auth_headers(family.guardian.account_id)).json()
    assert [(c["student_id"], [s["id"] for s in c["surveys"]], c["surveys"][0]["answered"]) for c in mine] == [
        (family.student.id, [survey["id"]], False)]
    assert mine[0]["surveys"][0]["questions"][0]["options"][4] == {"id": 5, "text": "非常满意"}

    first = put_answers(client, survey["id"], family, key="k-1")
    assert first.status_code == 200, first.text
    replay = put_answers(client, survey["id"], family, key="k-1")
    assert replay.json() == first.json() and replay.headers.get("Idempotent-Replayed") == "true"
    # the same answers again without the key (a retry after a lost answer) also get the first submission
    again = put_answers(client, survey["id"], family)
    assert again.status_code == 200 and again.json() == first.json()
    changed = put_answers(client, survey["id"], family, body={"answers": [
        {"question_id": 1, "rating": 1}, {"question_id": 2, "rating": 1}, {"question_id": 3, "option_ids": [3]}]})
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "SURVEY_ALREADY_ANSWERED")
    assert len(session.exec(select(SurveyResponse)).all()) == 1
    assert len(session.exec(select(SurveyAnswer)).all()) == 5

    mine = client.get("/api/v1/surveys/mine", headers=auth_headers(family.guardian.account_id)).json()
    sent = mine[0]["surveys"][0]
    assert sent["answered"] is True and sent["response"]["answers"][4]["text"] == "希望增加体育活动"


def test_each_answer_is_checked_and_every_problem_named(client, world, fixed_clock, families):
    survey = create_and_publish(client, world.a)
    response = put_answers(client, survey["id"], families[0], body={"answers": [
        {"question_id": 1, "rating": 7}, {"question_id": 3, "option_ids": [1, 2]},
        {"question_id": 4, "option_ids": [9]}]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "SURVEY_ANSWER_INVALID" and error["message"] == "第 1 题：评分须为 1–5 分"
    assert error["errors"] == [{"question_id": 1, "message": "评分须为 1–5 分"},
                               {"question_id": 2, "message": "此题必答"},
                               {"question_id": 3, "message": "单选题只能选一项"},
                               {"question_id": 4, "message": "选项不属于这道题"}]


def test_a_guardian_answers_only_for_their_children_and_only_their_schools_surveys(client, world, fixed_clock,
                                                                                   families):
    survey = create_and_publish(client, world.a)
    mine, theirs = families[0], families[1]
    other = put_answers(client, survey["id"], type(mine)(theirs.student, mine.guardian, theirs.school_class))
    assert (other.status_code, other.json()["error"]["code"]) == (404, "STUDENT_NOT_FOUND")
    b_survey = create_and_publish(client, world.b, body={**BODY, "audience": "all"})
    elsewhere = put_answers(client, b_survey["id"], mine)
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (404, "SURVEY_NOT_FOUND")
    b_mine = client.get("/api/v1/surveys/mine", headers=auth_headers(mine.guardian.account_id)).json()
    assert [s["id"] for c in b_mine for s in c["surveys"]] == [survey["id"]]
    # staff are not guardians: the answering routes are not theirs
    assert client.get("/api/v1/surveys/mine", headers=world.a.headers("admin")).status_code == 403
    assert client.put(f"/api/v1/surveys/{survey['id']}/responses/{mine.student.id}", headers=world.a.headers("admin"),
                      json=ANSWERS).status_code == 403
    # guardians do not read results
    assert client.get(f"/api/v1/surveys/{survey['id']}/results",
                      headers=auth_headers(mine.guardian.account_id)).status_code == 403


def test_staff_of_another_school_find_nothing(client, world, fixed_clock, families):
    survey = create_and_publish(client, world.a)
    put_answers(client, survey["id"], families[0])
    other = world.b.headers("admin")
    base = f"/api/v1/surveys/{survey['id']}"
    for method, url in [("GET", base), ("GET", f"{base}/results"), ("GET", f"{base}/suggestions"),
                        ("GET", f"{base}/results.xlsx"), ("POST", f"{base}/close"), ("POST", f"{base}/publish"),
                        ("DELETE", base), ("GET", f"/api/v1/terms/{world.a.term.id}/surveys")]:
        response = client.request(method, url, headers=other)
        assert response.status_code == 404, (method, url, response.status_code)
    assert client.put(base, headers=other, json=BODY).status_code == 404
    assert client.post(f"/api/v1/terms/{world.a.term.id}/surveys", headers=other, json=BODY).status_code == 404
    # still open, still one answer
    mine = client.get(base, headers=world.a.headers("admin")).json()
    assert (mine["state"], mine["responses"]) == ("open", 1)


def test_results_suggestions_and_the_export_filter_by_grade_and_class(client, session, world, fixed_clock, families):
    survey = create_and_publish(client, world.a)
    for n, family in enumerate(families):
        body = {"answers": [{"question_id": 1, "rating": 1 + n % 5}, {"question_id": 2, "rating": 5},
                            {"question_id": 3, "option_ids": [1 + n % 3]}, {"question_id": 5, "text": f"建议{n}"}]}
        assert put_answers(client, survey["id"], family, body=body).status_code == 200
    admin = world.a.headers("admin")
    base = f"/api/v1/surveys/{survey['id']}"

    everyone = client.get(f"{base}/results", headers=admin).json()
    ratings = [1 + n % 5 for n in range(len(families))]
    assert everyone["responses"] == 24 and everyone["eligible"] == 24 and everyone["response_rate"] == 100.0
    first = everyone["questions"][0]
    assert [b["count"] for b in first["rating"]["distribution"]] == [ratings.count(s) for s in range(1, 6)]
    assert first["rating"]["average"] == round(sum(ratings) / len(ratings), 2)
    assert first["rating"]["satisfied_rate"] == round(sum(r >= 4 for r in ratings) * 100 / len(ratings), 2)
    overall = ratings + [5] * len(families)
    assert everyone["satisfied_rate"] == round(sum(r >= 4 for r in overall) * 100 / len(overall), 2)

    in_grade = [n for n, f in enumerate(families) if f.school_class.grade == 4]
    grade4 = client.get(f"{base}/results", headers=admin, params={"grade": 4}).json()
    assert grade4["filter"]["label"] == "四年级" and grade4["responses"] == len(in_grade)
    assert [b["count"] for b in grade4["questions"][0]["rating"]["distribution"]] == [
        [1 + n % 5 for n in in_grade].count(s) for s in range(1, 6)]
    assert [o["count"] for o in grade4["questions"][2]["options"]] == [
        [1 + n % 3 for n in in_grade].count(i) for i in (1, 2, 3)]

    school_class = families[-1].school_class
    in_class = [n for n, f in enumerate(families) if f.school_class.id == school_class.id]
    texts = client.get(f"{base}/suggestions", headers=admin, params={"class_id": school_class.id}).json()
    assert sorted(i["text"] for i in texts["items"]) == sorted(f"建议{n}" for n in in_class)
    assert {i["class_name"] for i in texts["items"]} == {school_class.name}
    assert client.get(f"{base}/results", headers=admin,
                      params={"class_id": world.b.classes[0].id}).json()["error"]["code"] == "CLASS_NOT_FOUND"
    assert client.get(f"{base}/results", headers=admin, params={"grade": 7}).status_code == 422

    export = client.get(f"{base}/results.xlsx", headers=admin, params={"class_id": school_class.id})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    name = f"{world.a.school.name}-{world.a.term.name}-{survey['title']}（{school_class.name}）-满意度调查结果.xlsx"
    assert quote(name) in export.headers["content-disposition"]
    book = load_workbook(io.BytesIO(export.content))
    assert book["汇总"]["A1"].value == (f"{world.a.school.name} {world.a.term.name} {survey['title']}"
                                      f"（{school_class.name}） 满意度调查结果")
    assert len(list(book["答卷明细"].iter_rows(min_row=3))) == len(in_class)
    assert sorted(r[3] for r in book["意见建议"].iter_rows(min_row=3, values_only=True)) == sorted(
        f"建议{n}" for n in in_class)


def test_a_draft_is_invisible_to_guardians(client, world, fixed_clock, families):
    admin = world.a.headers("admin")
    draft = client.post(f"/api/v1/terms/{world.a.term.id}/surveys", headers=admin, json=BODY).json()
    family = families[0]
    mine = client.get("/api/v1/surveys/mine", headers=auth_headers(family.guardian.account_id)).json()
    assert mine[0]["surveys"] == []
    refused = put_answers(client, draft["id"], family)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "SURVEY_NOT_FOUND")


def test_the_export_is_on_the_audit_trail_without_children_and_rate_limited(client, session, world, fixed_clock,
                                                                           families, settings, monkeypatch):
    from app.audit.models import AuditEvent
    survey = create_and_publish(client, world.a)
    put_answers(client, survey["id"], families[0])
    monkeypatch.setitem(settings.rate_limits, "export", {"per_user": 2, "per_ip": 100, "seconds": 60})
    url = f"/api/v1/surveys/{survey['id']}/results.xlsx"
    admin = world.a.headers("admin")
    assert [client.get(url, headers=admin).status_code for _ in range(3)] == [200, 200, 429]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "export.surveys")).all()
    assert len(events) == 2 and {e.student_count for e in events} == {0}
    assert events[0].school_id == world.a.school.id and survey["title"] in events[0].detail
