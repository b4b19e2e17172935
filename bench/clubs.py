"""Club selection rush (抢课): 2,000 guardians tap "选这个" at the same second, 20 clubs × 30 seats.

Kehou: the real app (uvicorn, one process) answering POST /api/v1/clubs/{id}/enrollments with a login
token and an Idempotency-Key, on PostgreSQL. Baseline: a bare Starlette endpoint in its own uvicorn
process that only takes a seat with the same conditional UPDATE and inserts the row with raw psycopg
(no login, no checks, no history, no notification). The same load generator drives both: 64 requests
in flight, every guardian once, 200 of them double-tapping (a second request with the same key).
After each run the database is checked: never more enrolled than seats, never a child twice.
"""

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from app.clubs.models import Club, SelectionRound
from app.core.clock import utcnow
from app.core.security import create_access_token
from app.enrollment.models import Application
from bench.common import Tally, in_lanes, server_env, thread_connections, server_process

GUARDIANS = 2000
CLUBS = 20
SEATS = 30
IN_FLIGHT = 64
DOUBLE_TAPS = 200


# ---------- the baseline: bare Starlette + psycopg ----------

def baseline_app():
    """Take a seat or wait, in one transaction: the least any correct endpoint must do."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    connection = thread_connections()

    def enroll(request_body: dict, club_id: int) -> dict:
        conn = connection()
        with conn.transaction():
            taken = conn.execute("UPDATE club SET enrolled_count = enrolled_count + 1 "
                                 "WHERE id = %s AND enrolled_count < capacity", (club_id,)).rowcount
            status = "enrolled" if taken else "waitlisted"
            row = conn.execute(
                "INSERT INTO club_enrollment (school_id, term_id, club_id, student_id, status, queue_key, created_at,"
                " updated_at) SELECT school_id, term_id, id, %s, %s, %s, now(), now() FROM club WHERE id = %s "
                "ON CONFLICT (club_id, student_id) DO NOTHING RETURNING id",
                (request_body["student_id"], status, time.time(), club_id)).fetchone()
            if row is None:  # the same child again: undo the seat, answer with the first row
                if taken:
                    conn.execute("UPDATE club SET enrolled_count = enrolled_count - 1 WHERE id = %s", (club_id,))
                status = conn.execute("SELECT status FROM club_enrollment WHERE club_id = %s AND student_id = %s",
                                      (club_id, request_body["student_id"])).fetchone()[0]
        return {"status": status}

    async def endpoint(request):
        from starlette.concurrency import run_in_threadpool
        body = await request.json()
        result = await run_in_threadpool(enroll, body, int(request.path_params["club_id"]))
        return JSONResponse(result)

    return Starlette(routes=[Route("/api/v1/clubs/{club_id}/enrollments", endpoint, methods=["POST"])])


# ---------- set-up, load, checks ----------

def _world(engine):
    """A school whose 2,000 children are approved, each with a logged-in guardian; 20 open clubs."""
    from tests.factories import create_class, create_guardian, create_school, create_student, create_term
    with Session(engine, expire_on_commit=False) as session:
        school = create_school(session, name="抢课小学")
        term = create_term(session, school)
        classes = [create_class(session, school, grade=g, number=1) for g in range(1, 7)]
        taps = []
        for i in range(GUARDIANS):
            student = create_student(session, classes[i % 6], name=f"学生{i}")
            account_id = create_guardian(session, student).account_id
            session.add(Application(school_id=school.id, term_id=term.id, student_id=student.id,
                                    class_id=student.class_id, applicant_account_id=account_id, status="approved",
                                    weekdays=[1, 2, 3, 4, 5]))
            taps.append((student.id, account_id))
        session.add(SelectionRound(school_id=school.id, term_id=term.id, name="抢课", mode="first_come",
                                   opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(hours=1),
                                   max_per_child=2))
        session.commit()
    return school, term, taps


def _fresh_clubs(engine, school, term, run: str) -> list[int]:
    with Session(engine) as session:
        clubs = [Club(school_id=school.id, term_id=term.id, name=f"{run}社团{i}", category="art", weekdays=[3],
                      start_time="16:20", end_time="17:00", capacity=SEATS, grades=[1, 2, 3, 4, 5, 6])
                 for i in range(CLUBS)]
        session.add_all(clubs)
        session.commit()
        return [c.id for c in clubs]


async def _rush(base_url: str, requests: list[tuple[int, dict, dict]]) -> tuple[float, Tally]:
    """Send every request with IN_FLIGHT at a time; the wall time and the tally."""
    tally = Tally()

    async def tap(client, request) -> None:
        club_id, headers, body = request
        await tally.post(client, f"/api/v1/clubs/{club_id}/enrollments", headers=headers, json=body)

    elapsed = await in_lanes(base_url, IN_FLIGHT, requests, tap)
    for status, text in tally.samples.items():
        print(f"clubs   sample {status}: {text}", flush=True)
    return elapsed, tally


def _requests(taps, club_ids, with_auth: bool) -> list[tuple[int, dict, dict]]:
    out = []
    for i, (student_id, account_id) in enumerate(taps):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        if with_auth:
            headers["Authorization"] = f"Bearer {create_access_token(account_id)[0]}"
        request = (club_ids[i % CLUBS], headers, {"student_id": student_id})
        out.append(request)
        if i < DOUBLE_TAPS:
            out.append(request)  # the double tap: same key, same child, same club
    return out


def _check(engine, club_ids) -> str:
    with engine.connect() as conn:
        over = conn.execute(text("SELECT count(*) FROM club WHERE id = ANY(:ids) AND enrolled_count > capacity"),
                            {"ids": club_ids}).scalar()
        enrolled = conn.execute(text("SELECT count(*) FROM club_enrollment WHERE club_id = ANY(:ids) "
                                     "AND status = 'enrolled'"), {"ids": club_ids}).scalar()
        twice = conn.execute(text("SELECT count(*) FROM (SELECT student_id FROM club_enrollment "
                                  "WHERE club_id = ANY(:ids) GROUP BY student_id HAVING count(*) > 1) t"),
                             {"ids": club_ids}).scalar()
    return f"enrolled {enrolled}/{CLUBS * SEATS}, oversold clubs {over}, children twice {twice}"


def run(engine) -> Iterator[str]:
    if engine.dialect.name != "postgresql":
        yield "clubs   skipped: the rush benchmark needs PostgreSQL (make bench starts one)"
        return
    school, term, taps = _world(engine)
    with server_process(["bench.clubs:baseline_app", "--factory"], server_env()) as base_url:
        club_ids = _fresh_clubs(engine, school, term, "base")
        base_elapsed, base = asyncio.run(_rush(base_url, _requests(taps, club_ids, False)))
        yield "clubs   " + base.line("baseline: bare Starlette + psycopg", base_elapsed)
        yield f"clubs   baseline check: {_check(engine, club_ids)}"
        with engine.begin() as conn:  # the children start afresh for the Kehou run
            conn.execute(text("DELETE FROM club_enrollment WHERE club_id = ANY(:ids)"), {"ids": club_ids})
            conn.execute(text("UPDATE club SET is_active = false WHERE id = ANY(:ids)"), {"ids": club_ids})
    with server_process(["app.main:create_app", "--factory"], server_env()) as base_url:
        club_ids = _fresh_clubs(engine, school, term, "kehou")
        elapsed, kehou = asyncio.run(_rush(base_url, _requests(taps, club_ids, True)))
        yield "clubs   " + kehou.line("Kehou POST /clubs/{id}/enrollments", elapsed, base, base_elapsed)
        yield f"clubs   Kehou check: {_check(engine, club_ids)}"
