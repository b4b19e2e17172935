"""Pickup at the gate (放学接送): a dismissal of 2,000 children at one school, 50 teachers scanning at once.

Kehou: the real app (uvicorn, one process): POST /api/v1/pickup/verify with the guardian's fresh code, then
POST /api/v1/pickup/handoffs (Idempotency-Key) for the children shown ready, with a fresh code. Baseline: a
bare Starlette app in its own uvicorn process doing the same shape with raw psycopg — the login token
(python-jose, HS256, the same claims), the teacher's post, the code's HMAC, one read of the adult's children
(guardianship, blocks, today's handoffs, in care, leave, place, end time), and for a release the code use, the
handoff rows, an inbox and an outbox row per guardian and the idempotency record, in one transaction.

50 lanes, one per teacher, each a client with one connection, take the next family: 1,800 guardians (200 with
two children, released in one scan); 100 children are scanned by two teachers at once (mum's phone at one,
dad's at the other: one wins, the other is told CHILD_ALREADY_RELEASED); 100 releases are retried with the
same key (the first answer again); 20 children are on leave. Afterwards the database is checked: every child
in care released exactly once, none on leave released, no code used twice, one message per guardian.
"""

import asyncio
import hashlib
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from app.auth.models import Account
from app.attendance.places import service_day
from app.calendar.models import CalendarChange, DayChangeKind
from app.calendar.service import day_in_force
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor
from app.core.clock import today, utcnow
from app.core.security import create_access_token
from app.enrollment import service as enrollment
from app.enrollment.models import Application
from app.enrollment.schemas import PlanIn
from app.leave.models import LeaveDay, LeaveRequest
from app.people.models import Guardian, Guardianship, Staff, Student
from app.pickup import codes
from app.pickup.models import PickupDevice
from app.schools.models import School, SchoolClass, Term
from bench.common import Tally, in_lanes, server_env, thread_connections, server_process

CHILDREN = 2000
TEACHERS = 50
SIBLING_FAMILIES = 200   # a guardian with two children, released in one scan
DOUBLE_SCANS = 100       # children whose mum and dad are scanned by two teachers at the same moment
RETRIES = 100            # releases sent again with the same Idempotency-Key
ON_LEAVE = 20
GRADES, CLASSES_PER_GRADE = 6, 8
P = "pickup  "


# ---------- the school at 17:30 ----------

@dataclass
class Family:
    phones: list[tuple[int, int, str]]  # (account id, device id, salt): mum's, and dad's for a double scan
    children: list[int]


@dataclass
class Gate:
    school_id: int
    day: object
    teacher_accounts: list[int]
    families: list[Family]
    on_leave: set[int]


def _add(session: Session, rows: list) -> list:
    session.add_all(rows)
    session.flush()
    return rows


def _world(engine) -> Gate:
    """One school serving today, 2,000 children in care groups, each guardian bound with a registered phone."""
    day = today()
    with Session(engine, expire_on_commit=False) as session:
        school = _add(session, [School(name="放学小学", code="PICKUP")])[0]
        term = _add(session, [Term(school_id=school.id, name="本学期", starts_on=day - timedelta(days=60),
                                   ends_on=day + timedelta(days=60))])[0]
        admin = _add(session, [Account(display_name="管理员")])[0]
        enrollment.save_draft(session=session, term=term, data=PlanIn(agreement_text="课后服务协议"))
        enrollment.publish(session=session, term=term, account_id=admin.id)
        if not day_in_force(session, school.id, day)[2].served:  # a weekend or a holiday: the school adds the day
            session.add(CalendarChange(school_id=school.id, term_id=term.id, day=day, kind=DayChangeKind.ADD,
                                       reason="基准测试", follows_weekday=min(day.isoweekday(), 5), created_by=admin.id))
        accounts = _add(session, [Account(display_name=f"老师{i}", wechat_openid=f"bench-teacher-{i}")
                                  for i in range(TEACHERS)])
        teachers = _add(session, [Staff(school_id=school.id, name=f"老师{i}", roles=["teacher"], account_id=a.id)
                                  for i, a in enumerate(accounts)])
        classes = _add(session, [SchoolClass(school_id=school.id, grade=g, number=n) for g in range(1, GRADES + 1)
                                 for n in range(1, CLASSES_PER_GRADE + 1)])
        students = _add(session, [Student(school_id=school.id, class_id=classes[i % len(classes)].id,
                                          student_no=f"P{i:05d}", name=f"学生{i}", gender="female" if i % 2 else "male")
                                  for i in range(CHILDREN)])
        groups = _add(session, [CareGroup(school_id=school.id, term_id=term.id, name=f"{c.grade}年级看护{c.number}组",
                                          grade=c.grade, room=f"{c.grade}0{c.number}", class_ids=[c.id])
                                for c in classes])
        group_of_class = {c.id: g.id for c, g in zip(classes, groups)}
        _add(session, [CareGroupMember(school_id=school.id, term_id=term.id, group_id=group_of_class[s.class_id],
                                       student_id=s.id) for s in students])
        _add(session, [CareGroupTutor(school_id=school.id, group_id=g.id, staff_id=teachers[i % TEACHERS].id,
                                      weekday=w) for i, g in enumerate(groups) for w in range(1, 6)])

        # Families: the first SIBLING_FAMILIES take children i and i + CHILDREN // 2; every other child alone.
        kids = [[i, i + CHILDREN // 2] if i < SIBLING_FAMILIES else [i] for i in range(CHILDREN // 2)]
        kids += [[i] for i in range(CHILDREN // 2 + SIBLING_FAMILIES, CHILDREN)]
        doubled = range(SIBLING_FAMILIES, SIBLING_FAMILIES + DOUBLE_SCANS)  # singles whose dad scans too
        adults = [(f, "母亲") for f in range(len(kids))] + [(f, "父亲") for f in doubled]
        parent_accounts = _add(session, [Account(display_name=f"家长{f}{r}", wechat_openid=f"bench-parent-{f}-{r}")
                                         for f, r in adults])
        guardians = _add(session, [Guardian(school_id=school.id, name=f"家长{f}{r}", phone=f"138{n:08d}",
                                            account_id=a.id) for n, ((f, r), a) in enumerate(zip(adults, parent_accounts))])
        _add(session, [Guardianship(school_id=school.id, student_id=students[k].id, guardian_id=g.id, relation=r)
                       for (f, r), g in zip(adults, guardians) for k in kids[f]])
        _add(session, [Application(school_id=school.id, term_id=term.id, student_id=s.id, class_id=s.class_id,
                                   applicant_account_id=admin.id, status="approved", weekdays=[1, 2, 3, 4, 5, 6, 7])
                       for s in students])
        devices = _add(session, [PickupDevice(account_id=a.id, salt=codes.new_salt(), label="基准手机")
                                 for a in parent_accounts])
        leave_kids = [students[kids[f][0]] for f in range(len(kids) - ON_LEAVE, len(kids))]
        leaves = _add(session, [LeaveRequest(school_id=school.id, student_id=s.id, kind="sick", reason="发烧",
                                             status="approved", requested_by=admin.id) for s in leave_kids])
        _add(session, [LeaveDay(school_id=school.id, leave_id=leave.id, student_id=leave.student_id, day=day)
                       for leave in leaves])
        session.commit()
        service_day(session, school.id, day)  # the day's sessions, as the 16:00 roll call made them
        session.commit()
        families = [Family([], [students[k].id for k in ks]) for ks in kids]
        for (f, _), a, d in zip(adults, parent_accounts, devices):
            families[f].phones.append((a.id, d.id, d.salt))
        return Gate(school.id, day, [a.id for a in accounts], families, {s.id for s in leave_kids})


# ---------- the gate: 50 teachers scanning ----------

@dataclass
class Scans:
    verify: Tally = field(default_factory=Tally)
    release: Tally = field(default_factory=Tally)
    retry: Tally = field(default_factory=Tally)
    events: Counter = field(default_factory=Counter)


@dataclass
class Scan:
    teacher: dict            # the teacher's Authorization header
    phone: tuple[int, int, str]
    retry: bool = False
    together: asyncio.Event | None = None  # a double scan: both teachers release once both have verified
    arrived: list = field(default_factory=list)


def _jobs(gate: Gate, tokens: list[dict]) -> list[Scan]:
    """One scan per family (two for a double scan, one after the other in the queue), in a fixed shuffled order."""
    groups = []
    for n, family in enumerate(gate.families):
        teacher = tokens[n % TEACHERS]
        if len(family.phones) == 2:
            together, arrived = asyncio.Event(), []
            groups.append([Scan(teacher, phone, together=together, arrived=arrived) for phone in family.phones])
        else:
            groups.append([Scan(teacher, family.phones[0], retry=n % (len(gate.families) // RETRIES) == 0)])
    random.Random(17).shuffle(groups)
    for n, group in enumerate(groups):  # the two teachers of a double scan are two different lanes
        if len(group) == 2:
            group[1].teacher = tokens[(n + 1) % TEACHERS]
    return [scan for group in groups for scan in group]


def _code(phone: tuple[int, int, str]) -> str:
    _, device_id, salt = phone
    return codes.make_code(device_id, salt, int(time.time()))


async def _dismissal(base_url: str, gate: Gate) -> tuple[float, Scans]:
    tokens = [{"Authorization": f"Bearer {create_access_token(a)[0]}"} for a in gate.teacher_accounts]
    scans = Scans()

    async def scan(client, job: Scan) -> None:
        shown = await scans.verify.post(client, "/api/v1/pickup/verify", headers=job.teacher,
                                        json={"code": _code(job.phone)})
        ready = [c["student_id"] for c in shown.json()["children"] if c["status"] == "ready"] \
            if shown is not None and shown.status_code == 200 else []
        if job.together is not None:
            job.arrived.append(job)
            if len(job.arrived) == 2:
                job.together.set()
            await job.together.wait()
        if not ready:
            scans.events["nothing ready"] += 1
            return
        headers, body = {**job.teacher, "Idempotency-Key": str(uuid.uuid4())}, {"code": _code(job.phone),
                                                                                 "student_ids": ready}
        first = await scans.release.post(client, "/api/v1/pickup/handoffs", headers=headers, json=body)
        if first is not None and first.status_code == 409:
            scans.events[f"refused {first.json()['error']['errors'][0]['code']}"
                         if "errors" in first.json()["error"] else f"refused {first.json()['error']['code']}"] += 1
        if job.retry and first is not None:
            again = await scans.retry.post(client, "/api/v1/pickup/handoffs", headers=headers, json=body)
            scans.events["retry replayed the first answer" if again is not None and again.content == first.content
                         else "retry answered differently"] += 1

    elapsed = await in_lanes(base_url, TEACHERS, _jobs(gate, tokens), scan)
    for tally in (scans.verify, scans.release, scans.retry):
        for status, sample in tally.samples.items():
            if status != 409:
                print(f"{P}sample {status}: {sample}", flush=True)
    return elapsed, scans


def _check(engine, gate: Gate) -> str:
    """From the database: every child in care released exactly once, nobody on leave, no code used twice."""
    params = {"school": gate.school_id, "day": gate.day, "leave": list(gate.on_leave)}
    with engine.connect() as conn:
        def one(sql: str) -> int:
            return conn.execute(text(sql), params).scalar()
        released = one("SELECT count(DISTINCT student_id) FROM handoff WHERE school_id = :school AND day = :day")
        twice = one("SELECT count(*) FROM (SELECT student_id FROM handoff WHERE school_id = :school AND day = :day "
                    "GROUP BY student_id HAVING count(*) > 1) t")
        on_leave = one("SELECT count(*) FROM handoff WHERE day = :day AND student_id = ANY(:leave)")
        uses = one("SELECT count(*) FROM pickup_code_use u JOIN pickup_device d ON d.id = u.device_id")
        codes_twice = one("SELECT count(*) FROM (SELECT device_id, issued_at FROM pickup_code_use "
                          "GROUP BY 1, 2 HAVING count(*) > 1) t")
        scans = one("SELECT count(DISTINCT (device_id, released_at)) FROM handoff WHERE school_id = :school "
                    "AND day = :day")
        messages = one("SELECT count(*) FROM inbox_message WHERE school_id = :school AND event = 'picked_up'")
        owed = one("SELECT count(*) FROM handoff h JOIN guardianship gs ON gs.student_id = h.student_id JOIN guardian g "
                   "ON g.id = gs.guardian_id WHERE h.school_id = :school AND h.day = :day AND g.account_id IS NOT NULL")
    in_care = CHILDREN - len(gate.on_leave)
    return (f"released {released}/{in_care} in care, twice {twice}, on leave released {on_leave}; "
            f"codes used {uses} for {scans} releases, a code twice {codes_twice}; messages {messages}/{owed}")


def _reset(engine, gate: Gate) -> None:
    """The children back at school for the next run: no handoffs, used codes, messages or replies."""
    with engine.begin() as conn:
        params = {"school": gate.school_id, "teachers": gate.teacher_accounts}
        for sql in ("DELETE FROM handoff WHERE school_id = :school", "DELETE FROM pickup_code_use",
                    "DELETE FROM outbox_message WHERE school_id = :school",
                    "DELETE FROM inbox_message WHERE school_id = :school",
                    "DELETE FROM idempotency_record WHERE account_id = ANY(:teachers)"):
            conn.execute(text(sql), params)


def _lines(name: str, elapsed: float, scans: Scans, base: tuple[float, Scans] | None) -> Iterator[str]:
    base_elapsed, base_scans = base or (None, None)
    yield P + scans.verify.line(f"{name} verify", elapsed, base_scans and base_scans.verify, base_elapsed)
    yield P + scans.release.line(f"{name} release", elapsed, base_scans and base_scans.release, base_elapsed)
    yield P + scans.retry.line(f"{name} retry (same key)", elapsed)
    yield f"{P}{name} at the gate: {dict(scans.events)}; whole dismissal {elapsed:.1f} s"


def run(engine) -> Iterator[str]:
    if engine.dialect.name != "postgresql":
        yield f"{P}skipped: the gate benchmark needs PostgreSQL (make bench starts one)"
        return
    gate = _world(engine)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    with server_process(["bench.pickup:baseline_app", "--factory"], server_env()) as base_url:
        base = asyncio.run(_dismissal(base_url, gate))
    yield from _lines("baseline: bare Starlette + psycopg", *base, None)
    yield f"{P}baseline check: {_check(engine, gate)}"
    _reset(engine, gate)
    with server_process(["app.main:create_app", "--factory"], server_env()) as base_url:
        kehou = asyncio.run(_dismissal(base_url, gate))
    yield from _lines("Kehou", *kehou, base)
    yield f"{P}Kehou check: {_check(engine, gate)}"


# ---------- the baseline: bare Starlette + psycopg ----------

# The adult's children in the teacher's school, with all a teacher must see: who the adult is to the child and
# whether they may take them (no block), today's release, the approved weekdays and leave, the care group, the plan.
_CHILDREN = """
SELECT s.id, s.name, c.grade, c.number, g.name, g.id, gs.relation, gs.may_pick_up
         AND NOT EXISTS (SELECT 1 FROM pickup_block b WHERE b.student_id = s.id AND b.phone = g.phone
                         AND b.lifted_at IS NULL),
       h.adult_name, h.relation, h.released_at, h.released_by_name,
       a.weekdays, a.leaves_on,
       EXISTS (SELECT 1 FROM leave_day ld JOIN leave_request lr ON lr.id = ld.leave_id
               WHERE ld.student_id = s.id AND ld.day = %(day)s AND lr.status IN ('approved', 'noted')
               AND lr.kind <> 'early_pickup'),
       cg.name, p.end_times, ss.id
FROM guardian g
JOIN guardianship gs ON gs.guardian_id = g.id
JOIN student s ON s.id = gs.student_id AND s.is_active
JOIN school_class c ON c.id = s.class_id
JOIN term t ON t.school_id = s.school_id AND t.starts_on <= %(day)s AND t.ends_on >= %(day)s
JOIN service_plan p ON p.term_id = t.id AND p.status = 'published'
LEFT JOIN application a ON a.student_id = s.id AND a.term_id = t.id AND a.status = 'approved'
LEFT JOIN care_group_member m ON m.student_id = s.id AND m.term_id = t.id
LEFT JOIN care_group cg ON cg.id = m.group_id
LEFT JOIN service_session ss ON ss.care_group_id = cg.id AND ss.day = %(day)s
LEFT JOIN handoff h ON h.student_id = s.id AND h.day = %(day)s
WHERE g.account_id = %(account)s AND g.school_id = %(school)s
ORDER BY s.id
"""
_BANDS = {1: "low", 2: "low", 3: "mid", 4: "mid", 5: "high", 6: "high"}


def baseline_app():
    """The least a correct gate must do, with the same token, code and rules, on raw psycopg."""
    from jose import jwk, jwt
    from psycopg.types.json import Json
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from app.core.config import get_settings
    from app.core.errors import AppError

    settings = get_settings()
    secret = jwk.construct(settings.jwt_secret, "HS256")
    connection = thread_connections()

    def refuse(status: int, code: str, **extra) -> JSONResponse:
        return JSONResponse({"error": {"code": code, **extra}}, status_code=status)

    def teacher(request) -> int:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=settings.jwt_audience,
                            issuer=settings.jwt_issuer)
        return int(claims["sub"])

    def scanned(conn, account_id: int, code: str):
        """The teacher's post and the code's adult with their children; a refusal as a response."""
        post = conn.execute("SELECT id, name, school_id, roles FROM staff WHERE account_id = %s AND is_active",
                            (account_id,)).fetchone()
        if post is None or not {"teacher", "class_head", "duty_leader", "guard", "admin"} & set(post[3]):
            return refuse(403, "FORBIDDEN")
        try:
            code_parts = codes.parse(code)
            device = conn.execute("SELECT account_id, salt, revoked_at FROM pickup_device WHERE id = %s",
                                  (code_parts.device_id,)).fetchone()
            codes.check(code_parts, salt=device[1] if device else None, revoked=bool(device and device[2]),
                        now=int(time.time()))
        except AppError as refusal:
            return refuse(400, refusal.code)
        day = today()
        rows = conn.execute(_CHILDREN, {"day": day, "account": device[0], "school": post[2]}).fetchall()
        children = []
        for (sid, name, grade, number, adult, guardian_id, relation, allowed, taken_by, taken_relation, taken_at,
             taken_teacher, weekdays, leaves_on, on_leave, place, end_times, session_id) in rows:
            in_care = weekdays is not None and day.isoweekday() in weekdays and (leaves_on is None or day < leaves_on)
            status = ("released" if taken_at else "on_leave" if in_care and on_leave else
                      "ready" if in_care and allowed else "not_authorised" if in_care else "not_in_care")
            children.append({"student_id": sid, "name": name, "class_name": f"{grade}年级{number}班", "place": place,
                             "end_time": end_times.get(_BANDS[grade]), "relation": relation, "status": status,
                             "released": {"adult_name": taken_by, "relation": taken_relation, "by": taken_teacher,
                                          "at": taken_at.isoformat()} if taken_at else None,
                             "adult": adult, "guardian_id": guardian_id, "session_id": session_id})
        return post, code_parts, children

    def verify(account_id: int, body: dict):
        conn = connection()
        with conn.transaction():
            found = scanned(conn, account_id, body["code"])
            if isinstance(found, Response):
                return found
            _, code_parts, children = found
        adult = children[0]["adult"] if children else ""
        return JSONResponse({"adult": {"kind": "guardian", "name": adult}, "children": children,
                             "code_age_seconds": int(time.time()) - code_parts.issued_at})

    def release(account_id: int, key: str, raw: bytes):
        body = json.loads(raw)
        conn = connection()
        try:
            with conn.transaction():
                found = scanned(conn, account_id, body["code"])
                if isinstance(found, Response):
                    return found
                post, code_parts, children = found
                mine = {c["student_id"]: c for c in children}
                wanted = list(dict.fromkeys(body["student_ids"]))
                problems = [{"student_id": sid, "code": "CHILD_ALREADY_RELEASED" if sid in mine and
                             mine[sid]["status"] == "released" else "NOT_READY"} for sid in wanted
                            if mine.get(sid, {}).get("status") != "ready"]
                if problems:
                    raise _Refused(refuse(409, "PICKUP_REFUSED", errors=problems))
                if conn.execute("INSERT INTO pickup_code_use (device_id, issued_at, used_at) VALUES (%s, %s, now()) "
                                "ON CONFLICT DO NOTHING RETURNING id",
                                (code_parts.device_id, code_parts.issued_at)).fetchone() is None:
                    raise _Refused(refuse(409, "PICKUP_CODE_USED"))
                day = today()
                picked = [mine[sid] for sid in wanted]
                taken = conn.execute(
                    "INSERT INTO handoff (school_id, student_id, day, method, guardian_id, adult_name, relation, "
                    "released_by_staff_id, released_by_name, session_id, place, device_id, released_at) "
                    "SELECT %s, unnest(%s::int[]), %s, 'qr', unnest(%s::int[]), unnest(%s::text[]), "
                    "unnest(%s::text[]), %s, %s, unnest(%s::int[]), unnest(%s::text[]), %s, now() "
                    "ON CONFLICT (student_id, day) DO NOTHING RETURNING student_id",
                    (post[2], wanted, day, [c["guardian_id"] for c in picked], [c["adult"] for c in picked],
                     [c["relation"] for c in picked], post[0], post[1], [c["session_id"] for c in picked],
                     [c["place"] or "" for c in picked], code_parts.device_id)).fetchall()
                if len(taken) != len(wanted):  # another teacher released one a moment ago: nothing happens
                    raise _Refused(refuse(409, "PICKUP_REFUSED", errors=[
                        {"student_id": sid, "code": "CHILD_ALREADY_RELEASED"}
                        for sid in set(wanted) - {row[0] for row in taken}]))
                at = time.strftime("%H:%M")
                notes = conn.execute(
                    "SELECT gs.student_id, g.account_id FROM guardianship gs JOIN guardian g ON g.id = gs.guardian_id "
                    "WHERE gs.student_id = ANY(%s) AND g.account_id IS NOT NULL", (wanted,)).fetchall()
                texts = [f"{mine[sid]['name']}已由 {mine[sid]['adult']}（{mine[sid]['relation']}）接走 {at}，"
                         f"{post[1]}确认。" for sid, _ in notes]
                conn.execute(
                    "WITH inbox AS (INSERT INTO inbox_message (school_id, account_id, event, title, body, page, data, "
                    "dedupe_key, created_at) SELECT %s, unnest(%s::int[]), 'picked_up', '孩子已被接走', "
                    "unnest(%s::text[]), '', %s, unnest(%s::text[]), now() ON CONFLICT (dedupe_key) DO NOTHING "
                    "RETURNING id, school_id, account_id, data, dedupe_key) "
                    "INSERT INTO outbox_message (school_id, account_id, inbox_id, event, data, dedupe_key, status, "
                    "attempts, next_attempt_at, created_at) SELECT school_id, account_id, id, 'picked_up', data, "
                    "dedupe_key, 'pending', 0, now(), now() FROM inbox",
                    (post[2], [a for _, a in notes], texts, Json({"time": at}),
                     [f"picked_up:{sid}:{day}:{a}" for sid, a in notes]))
                answer = json.dumps({"released": [{"student_id": c["student_id"], "student_name": c["name"],
                                                   "adult_name": c["adult"], "relation": c["relation"],
                                                   "released_time": at, "released_by": post[1], "place": c["place"]}
                                                  for c in picked]}, ensure_ascii=False)
                if key and not remember(conn, account_id, key, raw, 200, answer):
                    raise _Replay()
                return Response(answer, media_type="application/json")
        except _Refused as refused:
            # Like Kehou, a refusal is the key's answer too, unless the key has one already (a retry).
            if not key or remember(conn, account_id, key, raw, refused.response.status_code,
                                   refused.response.body.decode()):
                conn.commit()
                return refused.response
            conn.rollback()
        except _Replay:
            pass
        stored = conn.execute("SELECT status_code, body FROM idempotency_record WHERE account_id = %s AND key = %s",
                              (account_id, key)).fetchone()
        conn.commit()
        return Response(stored[1], status_code=stored[0], media_type="application/json")

    def remember(conn, account_id: int, key: str, raw: bytes, status: int, answer: str) -> bool:
        return conn.execute(
            "INSERT INTO idempotency_record (account_id, key, request_hash, status_code, content_type, body, "
            "created_at) VALUES (%s, %s, %s, %s, 'application/json', %s, now()) "
            "ON CONFLICT (account_id, key) DO NOTHING RETURNING id",
            (account_id, key, hashlib.sha256(raw).hexdigest(), status, answer)).fetchone() is not None

    async def verify_endpoint(request):
        return await run_in_threadpool(verify, teacher(request), await request.json())

    async def release_endpoint(request):
        key = request.headers.get("idempotency-key")
        return await run_in_threadpool(release, teacher(request), key, await request.body())

    return Starlette(routes=[Route("/api/v1/pickup/verify", verify_endpoint, methods=["POST"]),
                             Route("/api/v1/pickup/handoffs", release_endpoint, methods=["POST"])])


class _Refused(Exception):
    """Roll the transaction back and answer this."""

    def __init__(self, response):
        self.response = response


class _Replay(Exception):
    """The key has an answer already: roll back and give that one."""
