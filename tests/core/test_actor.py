"""Who is calling: read in one statement per request, never from a cache, and the token checked once."""

import pytest
from sqlalchemy import event

from app.core import security
from app.core.deps import load_actor
from app.people.models import DistrictOfficial
from tests.factories import create_account, create_guardian, create_staff


def test_everything_a_person_is_comes_from_one_statement(session, world, engine):
    person = world.a.staff["teacher"]
    session.add(DistrictOfficial(district_id=world.district.id, account_id=person.account_id, name="兼职督导"))
    guardian = create_guardian(session, world.b.students[0])
    guardian.account_id = person.account_id
    session.add(guardian)
    create_staff(session, world.b.school, "guard", "duty_leader").account_id = person.account_id
    session.commit()
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        actor = load_actor(session, person.account_id)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len([s for s in statements if s.startswith("SELECT")]) == 1  # the test session adds a SAVEPOINT
    assert actor.staff == {world.a.school.id: (person.id, frozenset({"teacher"})),
                           world.b.school.id: (actor.staff_id(world.b.school.id), frozenset({"guard", "duty_leader"}))}
    assert actor.guardian_ids == (guardian.id,) and actor.guardian_school_ids == {world.b.school.id}
    assert actor.district_school_ids == {world.a.school.id}  # school B is outside the district
    assert actor.roles == {"teacher", "guard", "duty_leader", "guardian", "district"}


def test_a_closed_account_or_post_counts_for_nothing(session, world):
    teacher = world.a.staff["teacher"]
    teacher.is_active = False
    session.add(teacher)
    session.commit()
    assert load_actor(session, teacher.account_id).staff == {}
    nobody = create_account(session, name="已注销")
    nobody.is_active = False
    session.commit()
    assert load_actor(session, nobody.id) is None


def test_a_role_taken_away_shows_on_the_next_request(client, session, world):
    headers = world.a.headers("admin")
    url = f"/api/v1/terms/{world.a.term.id}/selection-rounds"
    assert client.get(url, headers=headers).status_code == 200
    admin = world.a.staff["admin"]
    admin.roles = []
    session.add(admin)
    session.commit()
    assert client.get(url, headers=headers).status_code == 403


def test_the_token_is_checked_once_per_request(monkeypatch):
    calls = []
    real = security.decode_access_token
    monkeypatch.setattr(security, "decode_access_token", lambda token: calls.append(token) or real(token))
    token, _ = security.create_access_token(7)
    scope = {"headers": [(b"authorization", f"Bearer {token}".encode())]}
    assert security.request_account_id(scope) == security.request_account_id(scope) == 7
    assert calls == [token]


@pytest.mark.parametrize("header", [b"", b"Bearer ", b"Basic abc", b"Bearer not-a-token"])
def test_no_valid_token_means_no_account(header):
    assert security.request_account_id({"headers": [(b"authorization", header)]}) is None
