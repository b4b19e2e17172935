"""Every export: an .xlsx titled with the school and the term, on the access audit, under the `export` rate limit.

The routes are found, not listed: any GET that answers an .xlsx (its OpenAPI response says so) is checked, so an
export added later is held to the same rules."""

import re

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.audit.service import ACTIONS
from app.core.ratelimit import RateLimit
from app.core.xlsx import XLSX_MEDIA_TYPE
from app.surveys.models import Survey
from tests.duty.test_daily_report import a_full_day
from tests.factories import auth_headers
from tests.sheets import read_xlsx, sheet_names
from tests.test_authorization_matrix import api_routes

API = "/api/v1"


def export_paths(app) -> list[str]:
    return sorted(path for path, operations in app.openapi()["paths"].items()
                  if XLSX_MEDIA_TYPE in operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {}))


def rate_limits(route) -> list[str]:
    def walk(dependant):
        for sub in dependant.dependencies:
            if isinstance(sub.call, RateLimit):
                yield sub.call.name
            yield from walk(sub)
    return list(walk(route.dependant))


def test_the_exports_are_found(app):
    paths = export_paths(app)
    for expected in ("/pickup/handoffs/export.xlsx", "/pickup/late/export.xlsx", "/incidents/export.xlsx",
                     "/audit/export.xlsx", "/schools/{school_id}/students/export.xlsx",
                     "/terms/{term_id}/care-groups/export.xlsx", "/clubs/{club_id}/roster/export.xlsx",
                     "/terms/{term_id}/clubs/export.xlsx", "/schools/{school_id}/leave-requests/export.xlsx",
                     "/duty/patrols/export.xlsx", "/duty/roster/export.xlsx", "/terms/{term_id}/bills/export.xlsx",
                     "/terms/{term_id}/applications/export.xlsx", "/reports/schools/{school_id}/export"):
        assert API + expected in paths


def test_every_export_is_under_the_export_rate_limit(app):
    exports = set(export_paths(app))
    routes = [route for method, route in api_routes(app) if method == "GET" and route.path in exports]
    assert len(routes) == len(exports)
    assert [route.path for route in routes if rate_limits(route) != ["export"]] == []


@pytest.fixture
def ids(session, day, client, fixed_clock):
    """A full served Monday at school A (roll call, a patrol, an incident, a release, late pickups) and a survey."""
    a_full_day(client, session, day, fixed_clock)
    survey = Survey(school_id=day.school.school.id, term_id=day.school.term.id, title="满意度调查", audience="all",
                    questions=[{"id": 1, "kind": "rating", "text": "总体满意度", "required": True, "options": []}],
                    status="published", created_by=day.school.staff["admin"].account_id)
    session.add(survey)
    session.commit()
    return {"school_id": day.school.school.id, "term_id": day.school.term.id, "club_id": day.club.id,
            "survey_id": survey.id, "day": "2026-11-23"}


def test_every_export_is_titled_with_the_school_and_term_and_audited(app, client, session, day, world, ids):
    school, term = day.school.school, day.school.term
    checked = []
    for path in export_paths(app):
        if "{district_id}" in path:
            continue  # below
        url = path.format(**{name: ids[name] for name in re.findall(r"{(\w+)}", path)})
        before = len(session.exec(select(AuditEvent.id)).all())
        response = client.get(url, headers=day.school.headers("admin"))
        table = read_xlsx(response)
        assert school.name in table.title and term.name in table.title, (path, table.title)
        assert table.headers and all(isinstance(h, str) for h in table.headers), path
        new = session.exec(select(AuditEvent).order_by(AuditEvent.id).offset(before)).all()
        assert [(e.school_id, e.account_id) for e in new] == [(school.id, day.school.staff["admin"].account_id)], path
        assert new[0].action.startswith("export.") and new[0].action in ACTIONS, (path, new[0].action)
        checked.append(path)
    assert len(checked) >= 17


def test_the_district_export_is_on_each_school_s_trail(client, session, day, world):
    response = client.get(f"{API}/reports/districts/{world.district.id}/export", headers=world.district_headers())
    assert world.district.name in read_xlsx(response).title
    assert sheet_names(response) == ["各校", "合计"]
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "export.reports")).all()
    assert (event.school_id, event.roles) == (world.a.school.id, "district")


def test_the_audit_export_lists_the_school_s_trail_naming_the_children(client, session, day, world):
    tutor = auth_headers(day.tutor.account_id)
    child = day.at_group[0]
    client.get(f"{API}/students/{child.id}", headers=tutor)
    client.get(f"{API}/students/{child.id}/guardians", headers=day.school.headers("admin"))
    client.get(f"{API}/students/{world.b.students[0].id}", headers=world.b.headers("admin"))  # school B's trail
    response = client.get(f"{API}/audit/export.xlsx", params={"from": "2026-11-23"},
                          headers=day.school.headers("admin"))
    table = read_xlsx(response)
    assert table.title == f"{day.school.school.name} {day.school.term.name} 访问审计记录（2026-11-23）"
    assert table.headers == ["时间", "查看人", "角色", "操作", "说明", "涉及学生人数", "涉及学生", "IP 地址"]
    trail = session.exec(select(AuditEvent).where(AuditEvent.school_id == day.school.school.id,
                                                  AuditEvent.action != "export.audit").order_by(AuditEvent.id)).all()
    assert [(r[1], r[3], r[5]) for r in table.rows] == [(e.actor_name, ACTIONS[e.action], e.student_count)
                                                        for e in trail]
    assert [r[2] for r in table.rows] == ["课后服务教师", "管理员"]
    assert table.rows[0][0] == "2026-11-23 16:00:00" and table.rows[0][6] == f"{child.name}（三年级1班）"
    by_teacher = read_xlsx(client.get(f"{API}/audit/export.xlsx", params={"actor_id": day.tutor.account_id},
                                      headers=day.school.headers("admin")))
    assert [r[1] for r in by_teacher.rows] == [day.tutor.name]
    exported = session.exec(select(AuditEvent).where(AuditEvent.action == "export.audit")).all()
    assert len(exported) == 2 and exported[0].student_count == 1


def test_a_district_official_names_the_school_to_export_its_trail(client, world):
    url = f"{API}/audit/export.xlsx"
    assert client.get(url, headers=world.district_headers()).status_code == 200  # one school in the district
    assert client.get(url, params={"school_id": world.b.school.id}, headers=world.district_headers()).status_code == 404
    assert client.get(url, headers=world.a.headers("teacher")).status_code == 403
