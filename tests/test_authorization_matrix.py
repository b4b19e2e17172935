"""Every route declares who may call it, and the declaration holds:

- no token → 401 (unless the route is declared public);
- a logged-in person with none of the route's roles → 403;
- an object of another school, or a child that is not yours → 404 (never revealing it exists).

A new route must declare a policy (app/core/deps.py) and, if it takes a body, get a
sample body below; otherwise this test fails and says what to add.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.routing import APIRoute
from sqlmodel import select

from app.attendance.models import ServiceSession
from app.calendar.models import CalendarChange
from app.caregroups.models import CareGroup
from app.core.deps import DISTRICT, GUARDIAN, Policy, allow_any_account, public
from app.clubs.models import Club, ClubEnrollment, SelectionRound
from app.enrollment.models import Application, Bill, ServicePlan
from app.leave.models import LeaveDay, LeaveRequest
from app.notify import service as notify
from app.notify.models import OutboxMessage
from app.incidents.models import Incident
from app.schools.models import District
from app.pickup.models import PickupBlock, PickupDelegate
from app.people.models import Guardianship
from tests.factories import World, auth_headers, png_bytes


ROSTER_CSV = "学号,姓名,性别,年级,班级,监护人1姓名,监护人1电话,监护人1关系\n90000001,测试,男,3,1,家长,13900009999,妈妈\n"

# Request bodies that pass validation, so the refusal we see is the policy's, not the schema's.
# Values may be callables of the world (for ids in the *other* school).
SAMPLE_BODIES: dict[tuple[str, str], Callable[[World], dict]] = {
    ("POST", "/api/v1/auth/wechat"): lambda w: {"json": {"code": "dev:matrix"}},
    ("POST", "/api/v1/auth/password"): lambda w: {"json": {"username": "nobody", "password": "nothing-here"}},
    ("POST", "/api/v1/guardians/bind"): lambda w: {"json": {"student_no": "1", "student_name": "某",
                                                            "phone": "13800000000"}},
    ("POST", "/api/v1/schools/{school_id}/terms"): lambda w: {"json": {
        "name": "矩阵学期", "starts_on": "2031-09-01", "ends_on": "2032-01-20"}},
    ("PATCH", "/api/v1/terms/{term_id}"): lambda w: {"json": {"name": "改名学期"}},
    ("POST", "/api/v1/schools/{school_id}/classes"): lambda w: {"json": {"grade": 5, "number": 9}},
    ("PATCH", "/api/v1/classes/{class_id}"): lambda w: {"json": {"head_staff_id": None}},
    ("POST", "/api/v1/schools/{school_id}/students"): lambda w: {"json": {
        "class_id": w.b.classes[0].id, "student_no": "M0001", "name": "矩阵", "gender": "male"}},
    ("PATCH", "/api/v1/students/{student_id}"): lambda w: {"json": {"name": "改名"}},
    ("PUT", "/api/v1/students/{student_id}/photo"): lambda w: {"files": {"file": ("a.png", png_bytes(), "image/png")}},
    ("POST", "/api/v1/students/{student_id}/photo"): lambda w: {"files": {"file": ("a.png", png_bytes(), "image/png")}},
    ("POST", "/api/v1/pickup/my-photo"): lambda w: {"files": {"file": ("a.png", png_bytes(), "image/png")}},
    ("POST", "/api/v1/clubs/{club_id}/cover"): lambda w: {"files": {"file": ("a.png", png_bytes(), "image/png")}},
    ("POST", "/api/v1/students/{student_id}/guardians"): lambda w: {"json": {
        "name": "新家长", "phone": "13700001111", "relation": "爸爸"}},
    ("PATCH", "/api/v1/guardianships/{guardianship_id}"): lambda w: {"json": {"may_pick_up": False}},
    ("POST", "/api/v1/schools/{school_id}/staff"): lambda w: {"json": {"name": "新老师", "roles": ["teacher"]}},
    ("PATCH", "/api/v1/staff/{staff_id}"): lambda w: {"json": {"name": "改名"}},
    ("POST", "/api/v1/staff/bind"): lambda w: {"json": {"code": "ABCD-EFGH"}},
    ("POST", "/api/v1/notifications/subscriptions"): lambda w: {"json": {"results": {"dev-arrived": "accept"}}},
    ("PUT", "/api/v1/terms/{term_id}/plan/draft"): lambda w: {"json": {"agreement_text": "协议正文"}},
    ("POST", "/api/v1/applications"): lambda w: {"json": {"student_id": w.b.students[1].id, "term_id": w.b.term.id,
                                                          "weekdays": [1, 2]}},
    ("POST", "/api/v1/applications/decline"): lambda w: {"json": {"student_id": w.b.students[1].id,
                                                                  "term_id": w.b.term.id}},
    ("PATCH", "/api/v1/applications/{application_id}"): lambda w: {"json": {"note": "改"}},
    ("POST", "/api/v1/applications/{application_id}/sign"): lambda w: {"json": {"plan_version": 1}},
    ("POST", "/api/v1/applications/{application_id}/withdraw"): lambda w: {"json": {}},
    ("POST", "/api/v1/applications/{application_id}/review"): lambda w: {"json": {"decision": "approve"}},
    ("POST", "/api/v1/terms/{term_id}/applications/bulk-approve"): lambda w: {"json": {"application_ids": [1]}},
    ("PUT", "/api/v1/bills/{bill_id}/waiver"): lambda w: {"json": {"waiver": "half", "reason": "低保"}},
    ("POST", "/api/v1/terms/{term_id}/clubs"): lambda w: {"json": CLUB},
    ("PUT", "/api/v1/clubs/{club_id}"): lambda w: {"json": CLUB},
    ("POST", "/api/v1/terms/{term_id}/selection-rounds"): lambda w: {"json": {
        "name": "第一轮", "mode": "first_come", "opens_at": "2026-09-01T12:00:00+08:00",
        "closes_at": "2026-09-03T12:00:00+08:00"}},
    ("POST", "/api/v1/clubs/{club_id}/enrollments"): lambda w: {"json": {"student_id": w.a.students[0].id}},
    ("PUT", "/api/v1/selection-rounds/{round_id}/choices/{student_id}"): lambda w: {"json": {"club_ids": [1]}},
    ("POST", "/api/v1/selection-rounds/{round_id}/draw"): lambda w: {"json": {}},
    ("POST", "/api/v1/club-enrollments/{enrollment_id}/move"): lambda w: {"json": {"reason": "调整"}},
    ("PUT", "/api/v1/schools/{school_id}/rules"): lambda w: {"json": {"group_max": 40}},
    ("PUT", "/api/v1/terms/{term_id}/tutor-offers/{staff_id}"): lambda w: {"json": {"weekdays": [1, 2]}},
    ("PATCH", "/api/v1/care-groups/{group_id}"): lambda w: {"json": {"room": "阅览室"}},
    ("POST", "/api/v1/care-groups/{group_id}/members"): lambda w: {"json": {"student_id": w.b.students[0].id,
                                                                            "reason": "调整"}},
    ("PUT", "/api/v1/care-groups/{group_id}/tutors"): lambda w: {"json": {"tutors": [
        {"staff_id": w.b.staff["teacher"].id, "weekday": 1}]}},
    ("POST", "/api/v1/terms/{term_id}/calendar/changes"): lambda w: {"json": {
        "date": "2026-11-03", "kind": "cancel", "reason": "运动会"}},
    ("POST", "/api/v1/leave-requests"): lambda w: {"json": {"student_id": w.b.students[0].id, "dates": ["2026-12-01"],
                                                            "reason": "发烧", "kind": "sick"}},
    ("POST", "/api/v1/leave-requests/{leave_id}/decision"): lambda w: {"json": {"decision": "approve"}},
    ("PUT", "/api/v1/sessions/{session_id}/attendance"): lambda w: {"json": [
        {"student_id": w.b.students[0].id, "status": "present"}]},
    ("POST", "/api/v1/classes/{class_id}/handover"): lambda w: {"json": {"date": "2026-11-23", "present_ids": []}},
    ("POST", "/api/v1/pickup/verify"): lambda w: {"json": {"code": "KH" + "A" * 31}},
    ("POST", "/api/v1/pickup/handoffs"): lambda w: {"json": {"code": "KH" + "A" * 31,
                                                             "student_ids": [w.b.students[0].id]}},
    ("POST", "/api/v1/pickup/devices"): lambda w: {"json": {"label": "矩阵"}},
    ("POST", "/api/v1/pickup/delegates"): lambda w: {"json": {
        "student_id": w.b.students[0].id, "name": "张三", "phone": "13700002222", "relation": "姑姑",
        "from": "2026-11-23", "to": "2026-11-27"}},
    ("POST", "/api/v1/pickup/delegates/accept"): lambda w: {"json": {"invite_code": "NOSUCHCODE",
                                                                      "phone": "13700002222"}},
    ("POST", "/api/v1/pickup/handoffs/manual"): lambda w: {"json": {
        "student_id": w.b.students[0].id, "guardian_id": w.b.guardians[0].id, "note": "核对"}},
    ("POST", "/api/v1/pickup/walk-home"): lambda w: {"json": {"student_ids": [w.b.students[0].id]}},
    ("POST", "/api/v1/pickup/blocks"): lambda w: {"json": {
        "student_id": w.b.students[0].id, "name": "某人", "phone": "13700003333", "reason": "法院裁定"}},
    ("PUT", "/api/v1/duty/roster"): lambda w: {"json": {"date": "2026-11-23",
                                                        "leader_staff_id": w.b.staff["duty_leader"].id}},
    ("POST", "/api/v1/duty/roster/swap"): lambda w: {"json": {
        "date": "2026-11-23", "from_staff_id": w.b.staff["duty_leader"].id, "to_staff_id": w.b.staff["admin"].id,
        "reason": "换班"}},
    ("POST", "/api/v1/duty/terms/{term_id}/roster/generate"): lambda w: {"json": {}},
    ("POST", "/api/v1/duty/patrols"): lambda w: {"json": {"session_id": 1, "teacher_present": True,
                                                           "headcount_seen": 1, "order": "good"}},
    ("POST", "/api/v1/duty/reports/{day}/corrections"): lambda w: {"json": {"text": "更正"}},
    ("PUT", "/api/v1/sessions/{session_id}/care-log"): lambda w: {"json": {"activities": ["homework"],
                                                                           "summary": "作业"}},
    ("POST", "/api/v1/incidents"): lambda w: {"json": {
        "type": "injury", "severity": "low", "place": "操场", "student_ids": [w.b.students[0].id],
        "description": "摔倒", "actions_taken": "包扎"}},
    ("POST", "/api/v1/incidents/{incident_id}/entries"): lambda w: {"json": {"kind": "follow_up", "text": "跟进"}},
    ("POST", "/api/v1/terms/{term_id}/surveys"): lambda w: {"json": SURVEY},
    ("PUT", "/api/v1/surveys/{survey_id}"): lambda w: {"json": SURVEY},
    ("POST", "/api/v1/surveys/{survey_id}/publish"): lambda w: {"json": {}},
    ("PUT", "/api/v1/surveys/{survey_id}/closes-at"): lambda w: {"json": {"closes_at": "2031-12-20T18:00:00+08:00"}},
    ("PUT", "/api/v1/surveys/{survey_id}/responses/{student_id}"): lambda w: {"json": {
        "answers": [{"question_id": 1, "rating": 5}]}},
    ("POST", "/api/v1/students/{student_id}/erase"): lambda w: {"json": {"reason": "转学离校"}},
    ("PUT", "/api/v1/schools/{school_id}/retention"): lambda w: {"json": {"pickup_days": 365}},
    ("POST", "/api/v1/privacy/consents"): lambda w: {"json": {"student_id": w.b.students[0].id, "version": "1.0",
                                                              "scopes": ["photo"]}},
    ("POST", "/api/v1/privacy/consents/withdraw"): lambda w: {"json": {"student_id": w.b.students[0].id,
                                                                       "scopes": ["photo"]}},
    ("POST", "/api/v1/schools/{school_id}/roster/import"): lambda w: {
        "files": {"file": ("roster.csv", ROSTER_CSV.encode(), "text/csv")}},
}


SURVEY = {"title": "满意度调查", "questions": [{"kind": "rating", "text": "总体满意度"}]}
CLUB = {"name": "书法", "category": "art", "weekdays": [3], "start_time": "16:10", "end_time": "17:00",
        "capacity": 20, "grades": [3, 4]}

# Routes without a path id whose body names the object (their samples above name school B's).
BODY_NAMES_OBJECT = {("POST", "/api/v1/applications"), ("POST", "/api/v1/applications/decline"),
                     ("POST", "/api/v1/leave-requests"), ("POST", "/api/v1/pickup/delegates"),
                     ("POST", "/api/v1/pickup/handoffs/manual"), ("POST", "/api/v1/pickup/blocks"),
                     ("POST", "/api/v1/incidents"), ("POST", "/api/v1/privacy/consents"),
                     ("POST", "/api/v1/privacy/consents/withdraw")}
# Path parameters that name no object (a date): a route with only these acts on the caller's own school.
NOT_OBJECTS = {"day"}


@pytest.fixture(autouse=True)
def no_rate_limits(settings, monkeypatch):
    """The matrix calls every export a dozen times in a minute: the refusals it checks are the policies', not the
    limits' (tests/core/test_rate_limits.py has those)."""
    monkeypatch.setattr(settings, "rate_limits_enabled", False)


def other_school_ids(world: World, session) -> dict[str, int]:
    """For each path parameter, an object of school B (the caller works at school A)."""
    return {**school_object_ids(session, world.b), "district_id": other_district(session).id}


def school_object_ids(session, school) -> dict[str, int]:
    """For each path parameter naming an object, one of this school's (tests/test_mass_assignment.py uses A's)."""
    guardianship = session.exec(select(Guardianship).where(Guardianship.student_id == school.students[0].id)).first()
    message = notify.enqueue(session, account_id=school.guardians[0].account_id, event="arrived", data={},
                             dedupe_key=f"matrix:{school.guardians[0].account_id}", school_id=school.school.id)
    outbox = session.exec(select(OutboxMessage).where(OutboxMessage.inbox_id == message.id)).one()
    application, bill = enrollment_fixture(session, school)
    club, round_, enrollment = clubs_fixture(session, school)
    change = CalendarChange(school_id=school.school.id, term_id=school.term.id, day=date(2026, 11, 3), kind="cancel",
                            reason="运动会", created_by=school.staff["admin"].account_id)
    session.add(change)
    session.commit()
    return {
        "application_id": application.id, "bill_id": bill.id,
        "club_id": club.id, "round_id": round_.id, "enrollment_id": enrollment.id,
        "school_id": school.school.id, "term_id": school.term.id, "class_id": school.classes[0].id,
        "group_id": care_group_fixture(session, school).id,
        "student_id": school.students[0].id, "staff_id": school.staff["teacher"].id, "guardianship_id": guardianship.id,
        "message_id": message.id, "outbox_id": outbox.id, "name": "cover.png",
        "session_id": session_fixture(session, school).id, "guardian_id": school.guardians[0].id,
        "change_id": change.id, "leave_id": leave_fixture(session, school.students[0], school.guardians[0]).id,
        **pickup_fixture(session, school), "incident_id": incident_fixture(session, school).id, "day": "2026-11-23",
        "survey_id": survey_fixture(session, school).id,
    }


def other_district(session):
    """A district the matrix's official does not belong to."""
    district = District(name="别的区教育局", code="DX-OTHER")
    session.add(district)
    session.commit()
    return district


def survey_fixture(session, school):
    """A published survey of the school's term, open to every family."""
    from app.surveys.models import Survey
    row = Survey(school_id=school.school.id, term_id=school.term.id, title="满意度调查", audience="all",
                 questions=[{"id": 1, "kind": "rating", "text": "总体满意度", "required": True, "options": []}],
                 status="published", created_by=school.staff["admin"].account_id)
    session.add(row)
    session.commit()
    return row


def incident_fixture(session, school):
    from datetime import datetime, timezone
    row = Incident(school_id=school.school.id, day=date(2026, 11, 23), type="other", severity="low",
                   at=datetime(2026, 11, 23, 8, tzinfo=timezone.utc), place="操场", student_ids=[],
                   description="矩阵", actions_taken="无", reported_by=school.staff["teacher"].account_id,
                   reported_by_name="老师")
    session.add(row)
    session.commit()
    return row


def pickup_fixture(session, school):
    """A delegate and a pickup block for the school's first student."""
    delegate = PickupDelegate(school_id=school.school.id, student_id=school.students[0].id, name="张三",
                              phone="13700002222", relation="姑姑", starts_on=date(2026, 11, 23),
                              ends_on=date(2026, 11, 27), granted_by_guardian_id=school.guardians[0].id,
                              invite_hash=f"matrix-{school.school.id}")
    block = PickupBlock(school_id=school.school.id, student_id=school.students[0].id, name="某人",
                        phone="13700003333", reason="法院裁定", created_by=school.staff["admin"].account_id)
    session.add_all([delegate, block])
    session.commit()
    return {"delegate_id": delegate.id, "block_id": block.id}


def enrollment_fixture(session, school):
    """A published plan, an approved application and its bill, for the first student of a school."""
    plan = ServicePlan(school_id=school.school.id, term_id=school.term.id, version=1, status="published",
                       agreement_text="协议", agreement_hash="x", end_times={"low": "17:00"})
    session.add(plan)
    session.flush()
    application = Application(school_id=school.school.id, term_id=school.term.id, student_id=school.students[0].id,
                              class_id=school.students[0].class_id, applicant_account_id=school.guardians[0].account_id,
                              status="approved", weekdays=[1])
    bill = Bill(school_id=school.school.id, term_id=school.term.id, student_id=school.students[0].id,
                amount_cents=100)
    session.add_all([application, bill])
    session.flush()
    return application, bill


def clubs_fixture(session, school):
    from datetime import datetime, timezone
    club = Club(school_id=school.school.id, term_id=school.term.id, name="围棋", category="other", weekdays=[3],
                start_time="16:10", end_time="17:00", capacity=10, grades=[3], teacher_staff_id=school.staff["teacher"].id)
    round_ = SelectionRound(school_id=school.school.id, term_id=school.term.id, name="第一轮", mode="first_come",
                            opens_at=datetime(2026, 9, 1, tzinfo=timezone.utc),
                            closes_at=datetime(2026, 9, 3, tzinfo=timezone.utc))
    session.add_all([club, round_])
    session.flush()
    enrollment = ClubEnrollment(school_id=school.school.id, term_id=school.term.id, club_id=club.id,
                                student_id=school.students[0].id, status="enrolled")
    session.add(enrollment)
    session.flush()
    return club, round_, enrollment


def leave_fixture(session, student, guardian):
    leave = LeaveRequest(school_id=student.school_id, student_id=student.id, kind="sick", reason="发烧",
                         requested_by=guardian.account_id)
    session.add(leave)
    session.flush()
    session.add(LeaveDay(school_id=student.school_id, leave_id=leave.id, student_id=student.id, day=date(2026, 12, 1)))
    session.commit()
    return leave


def session_fixture(session, school):
    row = ServiceSession(school_id=school.school.id, term_id=school.term.id, day=date(2026, 11, 23), kind="club",
                         name="围棋", starts_at="16:10", ends_at="17:00")
    session.add(row)
    session.commit()
    return row


def care_group_fixture(session, school):
    group = CareGroup(school_id=school.school.id, term_id=school.term.id, name="三年级1班", grade=3,
                      class_ids=[school.classes[0].id])
    session.add(group)
    session.commit()
    return group


def not_my_child_ids(world: World, session) -> dict[str, int]:
    """For a guardian of A's first student: another child of the same school, and its application."""
    ids = other_school_ids(world, session)
    ids["student_id"] = world.a.students[1].id
    other_child = Application(school_id=world.a.school.id, term_id=world.a.term.id, student_id=world.a.students[1].id,
                              class_id=world.a.students[1].class_id, status="submitted", weekdays=[1],
                              applicant_account_id=world.a.guardians[1].account_id)
    session.add(other_child)
    session.commit()
    ids["application_id"] = other_child.id
    ids["leave_id"] = leave_fixture(session, world.a.students[1], world.a.guardians[1]).id
    return ids


@dataclass(frozen=True)
class Endpoint:
    path: str            # the full path, with the /api/v1 prefix
    dependant: object    # FastAPI's dependency tree for the route
    body_field: object


def api_routes(app) -> list[tuple[str, Endpoint]]:
    """Every (method, endpoint) of the app, routers included (FastAPI ≥ 0.160 nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
        contexts = [(ctx.original_route, ctx.path) for ctx in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI flattens included routers into APIRoutes
        contexts = [(route, getattr(route, "path", None)) for route in app.routes]
    return [(method, Endpoint(path, route.dependant, route.body_field))
            for route, path in contexts if isinstance(route, APIRoute)
            for method in sorted(route.methods - {"HEAD"})]


def declared_policy(route: Endpoint):
    def walk(dependant):
        for sub in dependant.dependencies:
            if isinstance(sub.call, Policy) or sub.call in (allow_any_account, public):
                yield sub.call
            yield from walk(sub)
    found = list(walk(route.dependant))
    return found[0] if found else None


def call(client, method: str, path: str, ids: dict[str, int], world: World, headers: dict | None):
    url = path.format(**{name: ids[name] for name in _path_params(path)})
    body = SAMPLE_BODIES.get((method, path), lambda w: {})(world)
    return client.request(method, url, headers=headers or {}, **body)


def _path_params(path: str) -> list[str]:
    import re
    return re.findall(r"{(\w+)}", path)


def actors(world: World) -> dict[str, dict]:
    a = world.a
    return {**{role: a.headers(role) for role in ("admin", "class_head", "teacher", "duty_leader", "guard")},
            GUARDIAN: a.headers("guardian"), DISTRICT: world.district_headers(),
            "stranger": auth_headers(world.stranger.id)}


def test_every_route_declares_a_policy(app):
    missing = [f"{method} {route.path}" for method, route in api_routes(app) if declared_policy(route) is None]
    assert not missing, f"routes without a declared policy (use allow(...), allow_any_account or public): {missing}"


def test_every_route_with_a_body_has_a_sample(app, world, session):
    ids = other_school_ids(world, session)
    missing = [f"{method} {route.path}" for method, route in api_routes(app)
               if route.body_field is not None and (method, route.path) not in SAMPLE_BODIES]
    assert not missing, f"add a valid sample body to SAMPLE_BODIES for: {missing}"
    unknown = [route.path for _, route in api_routes(app) if set(_path_params(route.path)) - set(ids)]
    assert not unknown, f"add the path parameter to other_school_ids() for: {unknown}"


def test_anonymous_callers_get_401(app, client, world, session):
    ids = other_school_ids(world, session)
    wrong = []
    for method, route in api_routes(app):
        if declared_policy(route) is public:
            continue
        response = call(client, method, route.path, ids, world, None)
        if response.status_code != 401 or response.json()["error"]["code"] != "NOT_AUTHENTICATED":
            wrong.append(f"{method} {route.path} → {response.status_code}")
    assert not wrong, wrong


def test_forged_token_gets_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401


def test_roles_outside_a_routes_policy_get_403(app, client, world, session):
    ids = {name: value for name, value in other_school_ids(world, session).items()}
    everyone = actors(world)
    wrong = []
    for method, route in api_routes(app):
        policy = declared_policy(route)
        if not isinstance(policy, Policy):
            continue
        # Use A's own objects: the refusal must come from the role, not the school.
        own = {**ids, "school_id": world.a.school.id, "term_id": world.a.term.id, "class_id": world.a.classes[0].id,
               "student_id": world.a.students[0].id, "staff_id": world.a.staff["teacher"].id}
        for name, headers in everyone.items():
            if name in policy.roles:
                continue
            response = call(client, method, route.path, own, world, headers)
            if response.status_code != 403:
                wrong.append(f"{name}: {method} {route.path} → {response.status_code}")
    assert not wrong, wrong


@pytest.mark.parametrize("role", ["admin", "class_head", "teacher", "duty_leader", "guard", GUARDIAN, DISTRICT])
def test_another_schools_objects_are_not_found(app, client, world, session, role):
    ids = not_my_child_ids(world, session) if role == GUARDIAN else other_school_ids(world, session)
    headers = actors(world)[role]
    checked, wrong = 0, []
    for method, route in api_routes(app):
        policy = declared_policy(route)
        admits = policy is allow_any_account or (isinstance(policy, Policy) and role in policy.roles)
        objects = set(_path_params(route.path)) - NOT_OBJECTS
        if not admits or not (objects or (method, route.path) in BODY_NAMES_OBJECT):
            continue
        response = call(client, method, route.path, ids, world, headers)
        checked += 1
        if response.status_code != 404:
            wrong.append(f"{method} {route.path} → {response.status_code} {response.text[:120]}")
    assert not wrong, wrong
    assert checked or role == "guard", f"no route checked for {role}"
