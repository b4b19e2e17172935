"""Mass assignment is impossible: a request body sets only what its schema names, and where a schema names another
object (a child, a guardian), the server still holds the caller to their own school.

Every JSON body is an `Input` (app/core/inputs.py: unknown fields are refused with 422, never ignored). This walks
every POST/PUT/PATCH route with the authorisation matrix's route list and sample bodies, as a caller the route
admits, and smuggles in the fields an attacker would try.
"""

import typing

import pytest
from fastapi import params
from pydantic import BaseModel
from sqlmodel import select

from app.attendance.models import Attendance
from app.caregroups.models import CareGroupMember
from app.clubs.models import ClubEnrollment
from app.core.deps import DISTRICT, GUARDIAN, Policy, allow_any_account, public
from app.core.inputs import Input
from app.enrollment.models import Application
from app.leave.models import LeaveRequest
from app.people.models import Staff, Student
from app.pickup.models import Handoff, PickupBlock, PickupDelegate
from tests.attendance.conftest import build_day
from tests.pickup.conftest import Phone
from tests.test_authorization_matrix import (
    SAMPLE_BODIES, _path_params, actors, api_routes, declared_policy, other_school_ids,
)

# What a caller might try to set that no body of theirs should: the tenant, privileges, ids, workflow state.
SMUGGLED = {"school_id": 2, "role": "admin", "roles": ["admin"], "id": 1, "guardian_id": 1, "student_id": 1,
            "status": "approved", "created_by": 1, "account_id": 1}
# The first of these a route admits is the caller: the most privileged, so that a refusal is the schema's.
PREFERRED_ROLES = ("admin", "class_head", "duty_leader", "teacher", "guard", GUARDIAN, DISTRICT)


def multipart(route) -> bool:
    """A file upload: its form has one file part and nothing else is read (extra parts are never assigned)."""
    return isinstance(route.body_field.field_info, params.Form)


def body_routes(app):
    return [(method, route) for method, route in api_routes(app)
            if method in ("POST", "PUT", "PATCH") and route.body_field is not None and not multipart(route)]


def models_in(annotation) -> list[type[BaseModel]]:
    """The body's model and every model nested in it (a list of marks, a survey's questions…)."""
    found: list[type[BaseModel]] = []

    def walk(tp):
        if typing.get_origin(tp) is not None:
            for arg in typing.get_args(tp):
                walk(arg)
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in found:
            found.append(tp)
            for field in tp.model_fields.values():
                walk(field.annotation)
    walk(annotation)
    return found


def body_model(route) -> type[BaseModel]:
    """The model of one body item (the body itself, or the items of a list body)."""
    return models_in(route.body_field.field_info.annotation)[0]


def accepted_names(model: type[BaseModel]) -> set[str]:
    return {name for name, field in model.model_fields.items()} | {
        field.alias for field in model.model_fields.values() if field.alias}


def admitted_headers(world, route):
    policy = declared_policy(route)
    everyone = actors(world)
    if policy is public:
        return {}
    if policy is allow_any_account:
        return everyone["stranger"]
    assert isinstance(policy, Policy)
    return everyone[next(role for role in PREFERRED_ROLES if role in policy.roles)]


def send(client, method, route, ids, headers, body):
    url = route.path.format(**{name: ids[name] for name in _path_params(route.path)})
    return client.request(method, url, headers=headers, json=body)


def test_every_request_body_refuses_fields_it_does_not_name(app):
    loose = [f"{method} {route.path}: {model.__module__}.{model.__name__}"
             for method, route in body_routes(app)
             for model in models_in(route.body_field.field_info.annotation)
             if not issubclass(model, Input) or model.model_config.get("extra") != "forbid"]
    assert not loose, f"make these request schemas subclass app.core.inputs.Input: {loose}"


def test_smuggled_fields_are_refused_on_every_route(app, client, world, session):
    ids = other_school_ids(world, session)
    checked, wrong = 0, []
    for method, route in body_routes(app):
        sample = SAMPLE_BODIES[(method, route.path)](world)["json"]
        smuggled = {k: v for k, v in SMUGGLED.items() if k not in accepted_names(body_model(route))}
        body = [{**item, **smuggled} for item in sample] if isinstance(sample, list) else {**sample, **smuggled}
        response = send(client, method, route, ids, admitted_headers(world, route), body)
        checked += 1
        refused = response.status_code == 422 and response.json()["error"]["code"] == "VALIDATION_ERROR"
        named = {field.rsplit(".", 1)[-1] for field in (response.json()["error"].get("fields") or {})} \
            if refused else set()
        if not refused or not set(smuggled) <= named:
            wrong.append(f"{method} {route.path} → {response.status_code} {response.text[:160]}")
    assert not wrong, wrong
    assert checked >= 60  # every body route of the app, not a handful


# Fields some schemas legitimately have that name a child or a guardian.
NAMES_A_CHILD = {"student_id", "student_ids", "present_ids"}


def with_ids(sample, student: int, guardian: int, only: str | None = None):
    """The sample body with its child and guardian fields set (all of them, or `only` one)."""
    def fill(item: dict) -> dict:
        out = dict(item)
        for name in out:
            if only not in (None, name):
                continue
            if name in NAMES_A_CHILD:
                out[name] = [student] if name.endswith("_ids") else student
            elif name == "guardian_id":
                out[name] = guardian
        return out
    return [fill(item) for item in sample] if isinstance(sample, list) else fill(sample)


def outcome(response) -> tuple:
    """Status, error code and the per-child codes of a refusal: what tells one refusal from another."""
    error = (response.json() or {}).get("error") or {} if response.content else {}
    return response.status_code, error.get("code"), tuple(sorted(e.get("code", "") for e in error.get("errors", [])))


@pytest.fixture
def served(session, world, fixed_clock):
    """School A's served Monday, 16:00 (tests/attendance): its children are in care, student 0 goes home alone."""
    day = build_day(session, world.a)
    walker = session.exec(select(Application).where(Application.student_id == world.a.students[0].id)).one()
    walker.pickup_mode, walker.self_statement = "self", "孩子放学后自行回家，家长知悉并负责"
    session.add(walker)
    session.commit()
    return day


def test_a_child_or_guardian_named_in_a_body_must_be_within_the_caller_s_reach(app, client, world, session, served):
    """Each such field pointed at school B's child or guardian is refused, and for a reason of its own: the same body
    naming the caller's own child is accepted, or refused for something else."""
    # The served day's own objects for the path (a new route here with another path parameter: add it).
    own = {"school_id": world.a.school.id, "term_id": world.a.term.id, "class_id": world.a.classes[0].id,
           "club_id": served.club.id, "group_id": served.group.id, "session_id": served.session_of(session).id}
    a_student, a_guardian = world.a.students[0].id, world.a.guardians[0].id
    b_student, b_guardian = world.b.students[0].id, world.b.guardians[0].id
    fresh_code = {"code": Phone(session, world.a.guardians[0].account_id).code()}  # for the release by code
    checked, wrong = [], []
    for method, route in body_routes(app):
        for name in sorted(accepted_names(body_model(route)) & (NAMES_A_CHILD | {"guardian_id"})):
            sample = with_ids(SAMPLE_BODIES[(method, route.path)](world)["json"], a_student, a_guardian)
            if isinstance(sample, dict):  # the samples name B's term and a made-up code: make them the caller's
                sample.update({k: v for k, v in {**fresh_code, "term_id": world.a.term.id}.items() if k in sample})
            headers = admitted_headers(world, route)
            foreign = send(client, method, route, own, headers, with_ids(sample, b_student, b_guardian, only=name))
            mine = send(client, method, route, own, headers, sample)
            checked.append(f"{method} {route.path} {name}: {outcome(foreign)} / own {outcome(mine)}")
            if not 400 <= foreign.status_code < 500 or outcome(foreign) == outcome(mine):
                wrong.append(checked[-1])
    assert not wrong, wrong
    assert len(checked) >= 12, checked
    for table in (Application, Attendance, CareGroupMember, ClubEnrollment, Handoff, LeaveRequest, PickupBlock,
                  PickupDelegate):
        assert session.exec(select(table).where(table.student_id == b_student)).all() == [], table.__name__


# ---------- the fields a schema has, held to the caller's school and role ----------

def test_an_admin_assigns_only_staff_roles_and_only_in_their_own_school(client, session, world):
    url = f"/api/v1/schools/{world.a.school.id}/staff"
    admin = world.a.headers("admin")
    assert client.post(url, headers=admin, json={"name": "新老师", "roles": ["teacher"]}).status_code == 201
    for roles in (["district"], ["guardian"], ["superuser"]):
        response = client.post(url, headers=admin, json={"name": "越权", "roles": roles})
        assert response.status_code == 422 and "roles.0" in response.json()["error"]["fields"], roles
    smuggled = client.post(url, headers=admin,
                           json={"name": "越权", "roles": ["admin"], "school_id": world.b.school.id})
    assert smuggled.status_code == 422 and smuggled.json()["error"]["fields"] == {"school_id": "不是可接受的字段"}
    other = client.post(f"/api/v1/schools/{world.b.school.id}/staff", headers=admin,
                        json={"name": "越权", "roles": ["admin"]})
    assert other.status_code == 404
    assert session.exec(select(Staff).where(Staff.name == "越权")).all() == []


def test_a_class_head_cannot_give_themselves_a_role(client, world):
    me = world.a.staff["class_head"]
    response = client.patch(f"/api/v1/staff/{me.id}", headers=world.a.headers("class_head"), json={"roles": ["admin"]})
    assert response.status_code == 403


def test_a_student_stays_in_their_school_whatever_the_body_says(client, session, world):
    student = world.a.students[0]
    admin = world.a.headers("admin")
    moved = client.patch(f"/api/v1/students/{student.id}", headers=admin,
                         json={"name": "改名", "school_id": world.b.school.id, "student_no": "B0001"})
    assert moved.status_code == 422 and set(moved.json()["error"]["fields"]) == {"school_id", "student_no"}
    to_b_class = client.patch(f"/api/v1/students/{student.id}", headers=admin, json={"class_id": world.b.classes[0].id})
    assert to_b_class.status_code == 422 and to_b_class.json()["error"]["code"] == "CLASS_NOT_FOUND"
    session.refresh(student)
    assert (student.school_id, student.class_id) == (world.a.school.id, world.a.classes[0].id)
    assert student.name != "改名" and student.student_no != "B0001"


def test_a_class_head_and_a_club_teacher_must_be_staff_of_the_school(client, world):
    admin = world.a.headers("admin")
    b_teacher = world.b.staff["teacher"].id
    head = client.patch(f"/api/v1/classes/{world.a.classes[1].id}", headers=admin, json={"head_staff_id": b_teacher})
    assert head.status_code == 422 and head.json()["error"]["code"] == "STAFF_NOT_FOUND"
    club = client.post(f"/api/v1/terms/{world.a.term.id}/clubs", headers=admin, json={
        "name": "书法", "category": "art", "weekdays": [3], "start_time": "16:10", "end_time": "17:00",
        "capacity": 20, "grades": [3, 4], "teacher_staff_id": b_teacher})
    assert club.status_code == 422 and club.json()["error"]["code"] == "STAFF_NOT_FOUND"


@pytest.mark.parametrize("whose", ["another family's", "another school's"])
def test_a_manual_release_names_only_one_of_the_child_s_own_adults(client, session, world, fixed_clock, whose):
    build_day(session, world.a)
    child = world.a.students[0]
    stranger = world.a.guardians[1] if whose == "another family's" else world.b.guardians[0]
    response = client.post("/api/v1/pickup/handoffs/manual", headers=world.a.headers("teacher"),
                           json={"student_id": child.id, "guardian_id": stranger.id, "note": "核对了身份证"})
    assert response.status_code == 409 and [e["code"] for e in response.json()["error"]["errors"]] == [
        "NOT_AUTHORISED_FOR_CHILD"]
    mum = client.post("/api/v1/pickup/handoffs/manual", headers=world.a.headers("teacher"),
                      json={"student_id": child.id, "guardian_id": world.a.guardians[0].id, "note": "核对了身份证"})
    assert mum.status_code == 200, mum.text


def test_a_roster_import_lands_in_the_path_s_school_whatever_else_the_form_carries(client, session, world):
    from tests.test_authorization_matrix import ROSTER_CSV
    response = client.post(f"/api/v1/schools/{world.a.school.id}/roster/import", headers=world.a.headers("admin"),
                           data={"school_id": str(world.b.school.id)},
                           files={"file": ("roster.csv", ROSTER_CSV.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    imported = session.exec(select(Student).where(Student.student_no == "90000001")).one()
    assert imported.school_id == world.a.school.id
