"""The reports benchmark's data: one district of 100 schools, each with a term of 2,000 children × 90 served days.

Everything per school that is small (the school, its term and published plan, 48 classes, 60 teachers, 48 care
groups with their tutors, 10 clubs) goes in through the ORM; everything big is generated set-based in SQL
(`INSERT … SELECT … FROM generate_series`): students and their guardians, approved applications, care-group
places, club places, bills, the sessions of every served day with their teachers, one attendance mark per child
per day (18 M), leave, releases (handoffs), late pickups, patrols, incidents. Then the kept figures
(`DayFigures`) of every past school-day are filled by one SQL statement per school, and a sample of them is
checked against `compute_day`.

The data lives in its own database (`kehou_reports`) next to the benchmarks' scratch one and is kept between
runs (`make bench` keeps the server's data dir in `.bench-data/`): each step records itself in
`bench_progress` and is skipped once done. The clock is pinned: the term runs 2026-03-02 to 2026-07-17,
"today" is Friday 2026-07-10 at 18:30, its 90th served day (89 kept days and today's live figures).
"""

import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.attendance.places import _planned_sessions
from app.auth.models import Account
from app.calendar.service import service_days
from app.caregroups.models import CareGroup, CareGroupTutor
from app.clubs.models import Club
from app.core.clock import FixedClock, set_clock
from app.core.config import get_settings
from app.core.db import make_engine
from app.enrollment import service as enrollment
from app.enrollment.schemas import PlanIn
from app.people.models import DistrictOfficial, Staff
from app.schools.models import District, School, SchoolClass, Term

SCHOOLS = int(os.environ.get("BENCH_REPORTS_SCHOOLS", "100"))  # fewer for a quick try, in a database of their own
CHILDREN = 2000
DAYS = 90
GRADES, CLASSES_PER_GRADE = 6, 8
TEACHERS = 60
CLUBS = 10            # two a weekday, 30 seats each
CLUB_SEATS = 30
TERM_START, TERM_END = date(2026, 3, 2), date(2026, 7, 17)
DISTRICT_CODE = "BENCH-RPT"
DATABASE = "kehou_reports" if SCHOOLS == 100 else f"kehou_reports_{SCHOOLS}"
# (school, day) pairs whose kept figures are checked against compute_day
CHECKED = 12
PARALLEL = 2          # schools generated at once


def zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


@dataclass
class District_:
    id: int
    school_ids: list[int]
    admin_accounts: dict[int, int]   # school id → its admin's account
    official_account: int
    days: list[tuple[date, int]]     # the served days with data, and the weekday each runs as
    today: date

    @property
    def now(self) -> datetime:
        return datetime.combine(self.today, datetime.min.time().replace(hour=18, minute=30), tzinfo=zone())


def reports_engine():
    """The kept database, created and migrated to head when needed (never emptied)."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE}).first():
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    engine = make_engine(url.set(database=DATABASE).render_as_string(hide_password=False))
    from alembic import command
    from tests.migration_tools import alembic_config
    command.upgrade(alembic_config(engine), "head")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_progress (step text PRIMARY KEY, seconds float NOT NULL,"
                          " done_at timestamptz NOT NULL DEFAULT now())"))
    return engine


def _done(engine, step: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM bench_progress WHERE step = :s"), {"s": step}).first() is not None


def _step(engine, step: str, work, log) -> None:
    """Run `work(conn)` in one transaction and record it, unless done before."""
    if _done(engine, step):
        return
    start = time.perf_counter()
    with engine.begin() as conn:
        work(conn)
        seconds = time.perf_counter() - start  # noqa: F841
        conn.execute(text("INSERT INTO bench_progress (step, seconds) VALUES (:s, :t)"), {"s": step, "t": seconds})
    log(f"  generated {step} in {seconds:.1f} s")


def _served(session: Session, term: Term) -> list[tuple[date, int]]:
    plan = enrollment.published_plan(session, term.id)
    return [(d.day, d.runs_as_weekday) for d in service_days(session, term, plan) if d.served]


# ---------- the small things, through the ORM ----------

def _world(engine, log) -> None:
    if _done(engine, "world"):
        return
    start = time.perf_counter()
    with Session(engine) as session:
        district = District(name="基准区教育局", code=DISTRICT_CODE)
        session.add(district)
        official = Account(display_name="督导员", username="bench-official")
        session.add(official)
        session.flush()
        session.add(DistrictOfficial(district_id=district.id, account_id=official.id, name="督导员"))
        for n in range(SCHOOLS):
            school = School(name=f"基准第{n + 1}小学", code=f"RPT{n + 1:03d}", district_id=district.id)
            session.add(school)
            session.flush()
            term = Term(school_id=school.id, name="2026年春季学期", starts_on=TERM_START, ends_on=TERM_END)
            admin = Account(display_name=f"管理员{n + 1}", username=f"bench-admin-{n + 1}")
            session.add_all([term, admin])
            session.flush()
            session.add(Staff(school_id=school.id, name=f"管理员{n + 1}", roles=["admin"], account_id=admin.id))
            enrollment.save_draft(session=session, term=term, data=PlanIn(agreement_text="课后服务协议",
                                                                         fee_cents=60000))
            enrollment.publish(session=session, term=term, account_id=admin.id)
            classes = [SchoolClass(school_id=school.id, grade=g, number=c) for g in range(1, GRADES + 1)
                       for c in range(1, CLASSES_PER_GRADE + 1)]
            teachers = [Staff(school_id=school.id, name=f"老师{i}", roles=["class_head"] if i < len(classes)
                              else ["teacher"], is_active=i != TEACHERS - 1) for i in range(TEACHERS)]
            session.add_all(classes + teachers)
            session.flush()
            groups = [CareGroup(school_id=school.id, term_id=term.id, name=f"{c.grade}年级看护{c.number}组",
                                grade=c.grade, room=f"{c.grade}0{c.number}", class_ids=[c.id]) for c in classes]
            clubs = [Club(school_id=school.id, term_id=term.id, name=f"社团{k + 1}", category="艺术", description="",
                          teacher_staff_id=teachers[k].id, venue=f"活动室{k + 1}", weekdays=[k % 5 + 1],
                          start_time="16:20", end_time="17:30", capacity=CLUB_SEATS, grades=list(range(1, 7)),
                          enrolled_count=CLUB_SEATS) for k in range(CLUBS)]
            session.add_all(groups + clubs)
            session.flush()
            # One tutor a group a weekday; 2 of the 60 teachers never tutor (participation below 100%).
            session.add_all([CareGroupTutor(school_id=school.id, group_id=g.id, staff_id=teachers[(i + w) % 57].id,
                                            weekday=w) for i, g in enumerate(groups) for w in range(1, 6)])
        session.commit()
        session.execute(text("INSERT INTO bench_progress (step, seconds) VALUES ('world', :t)"),
                        {"t": time.perf_counter() - start})
        session.commit()
    log(f"  generated world in {time.perf_counter() - start:.1f} s")


def load(engine) -> District_:
    with Session(engine) as session:
        district = session.exec(select(District).where(District.code == DISTRICT_CODE)).one()
        schools = session.exec(select(School.id).where(School.district_id == district.id).order_by(School.id)).all()
        admins = dict(session.exec(select(Staff.school_id, Staff.account_id).where(
            Staff.school_id.in_(schools), Staff.account_id.is_not(None))).all())
        official = session.exec(select(DistrictOfficial.account_id).where(
            DistrictOfficial.district_id == district.id)).first()
        term = session.exec(select(Term).where(Term.school_id == schools[0])).one()
        days = _served(session, term)[:DAYS]
        return District_(district.id, list(schools), admins, official, days, days[-1][0])


# ---------- the big things, in SQL ----------

PEOPLE = """
INSERT INTO student (school_id, class_id, student_no, name, name_initials, gender, priority_disabled,
    priority_left_behind, priority_migrant, priority_low_income, priority_single_parent, priority_dual_working,
    is_active, created_at, updated_at)
SELECT s.id, c.id, 'S' || lpad(n::text, 5, '0'), '学生' || n, 'xs', CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END,
       n % 500 = 0, n % 40 = 0, n % 5 < 4, n % 30 = 0, n % 25 = 0, n % 3 = 0, true, now(), now()
FROM school s CROSS JOIN generate_series(0, :children - 1) n
JOIN LATERAL (SELECT id FROM school_class WHERE school_id = s.id ORDER BY grade, number
              OFFSET (n % 48) LIMIT 1) c ON true
WHERE s.district_id = :district;

INSERT INTO guardian (school_id, name, phone)
SELECT school_id, name || '家长', '139' || lpad(id::text, 8, '0') FROM student WHERE school_id = ANY(:schools);
INSERT INTO guardianship (school_id, student_id, guardian_id, relation, may_pick_up)
SELECT st.school_id, st.id, g.id, '母亲', true FROM student st JOIN guardian g
  ON g.school_id = st.school_id AND g.phone = '139' || lpad(st.id::text, 8, '0') WHERE st.school_id = ANY(:schools);

INSERT INTO application (school_id, term_id, student_id, class_id, applicant_account_id, status, weekdays, pickup_mode,
    priority_claims, submitted_at, decided_at, updated_at)
SELECT st.school_id, t.id, st.id, st.class_id, adm.account_id, 'approved', '[1, 2, 3, 4, 5]', 'guardian',
       CASE WHEN st.id % 50 = 0 THEN '["single_parent"]' ELSE '[]' END::json, now(), now(), now()
FROM student st JOIN term t ON t.school_id = st.school_id
JOIN staff adm ON adm.school_id = st.school_id AND adm.account_id IS NOT NULL
WHERE st.school_id = ANY(:schools);

INSERT INTO care_group_member (school_id, term_id, group_id, student_id, placed_by, placed_at)
SELECT st.school_id, g.term_id, g.id, st.id, 'auto', now() FROM student st
JOIN care_group g ON g.school_id = st.school_id AND (g.class_ids ->> 0)::int = st.class_id
WHERE st.school_id = ANY(:schools);

-- 30 children a club, each in one club (it meets on one weekday); 5 more waiting per club
INSERT INTO club_enrollment (school_id, term_id, club_id, student_id, status, queue_key, created_at, updated_at)
SELECT cl.school_id, cl.term_id, cl.id, st.id, CASE WHEN st.r % 35 < 30 THEN 'enrolled' ELSE 'waitlisted' END,
       st.r, now(), now()
FROM (SELECT id, school_id, row_number() OVER (PARTITION BY school_id ORDER BY id) - 1 AS r FROM student
      WHERE school_id = ANY(:schools)) st
JOIN (SELECT id, school_id, term_id, row_number() OVER (PARTITION BY school_id ORDER BY id) - 1 AS k FROM club
      WHERE school_id = ANY(:schools)) cl ON cl.school_id = st.school_id AND cl.k = st.r / 35
WHERE st.r < 35 * :clubs;

INSERT INTO bill (school_id, term_id, student_id, amount_cents, waiver, created_at)
SELECT a.school_id, a.term_id, a.student_id, 60000,
       CASE WHEN a.student_id % 100 = 0 THEN 'full' WHEN a.student_id % 40 = 0 THEN 'half' ELSE 'none' END, now()
FROM application a WHERE a.school_id = ANY(:schools) AND a.status = 'approved';
"""


def _people(conn, district: District_) -> None:
    for statement in PEOPLE.split(";\n"):
        if statement.strip():
            conn.execute(text(statement), {"children": CHILDREN, "district": district.id,
                                           "schools": district.school_ids, "clubs": CLUBS})


def _sessions(conn, district: District_) -> None:
    """Every served day's sessions and their teachers, as `_ensure_sessions` makes them (its own plan per
    weekday, read once per school), inserted from arrays."""
    rows: dict[str, list] = {k: [] for k in ("school", "term", "weekday", "kind", "owner", "name", "room", "starts",
                                             "ends", "staff")}
    with Session(bind=conn) as session:
        for school_id in district.school_ids:
            term = session.exec(select(Term).where(Term.school_id == school_id)).one()
            plan = enrollment.published_plan(session, term.id)
            entries = {d.runs_as_weekday: d for d in service_days(session, term, plan) if d.served}
            for weekday, entry in sorted(entries.items()):
                for kind, owner, name, room, starts, ends, staff in _planned_sessions(session, term, plan, entry):
                    for column, value in zip(rows, (school_id, term.id, weekday, kind, owner, name, room, starts,
                                                    ends, staff[0] if staff else None)):
                        rows[column].append(value)
    days, weekdays = [d for d, _ in district.days], [w for _, w in district.days]
    conn.execute(text("""
        CREATE TEMP TABLE planned ON COMMIT DROP AS
        SELECT * FROM unnest(CAST(:school AS int[]), CAST(:term AS int[]), CAST(:weekday AS int[]),
            CAST(:kind AS text[]), CAST(:owner AS int[]), CAST(:name AS text[]), CAST(:room AS text[]),
            CAST(:starts AS text[]), CAST(:ends AS text[]), CAST(:staff AS int[]))
            AS p(school_id, term_id, weekday, kind, owner, name, room, starts, ends, staff_id)"""), rows)
    conn.execute(text("""
        INSERT INTO service_session (school_id, term_id, day, kind, care_group_id, club_id, name, room, starts_at,
                                     ends_at, created_at)
        SELECT p.school_id, p.term_id, d.day, p.kind, CASE WHEN p.kind = 'care_group' THEN p.owner END,
               CASE WHEN p.kind = 'club' THEN p.owner END, p.name, p.room, p.starts, p.ends, now()
        FROM unnest(CAST(:days AS date[]), CAST(:weekdays AS int[])) AS d(day, weekday)
        JOIN planned p ON p.weekday = d.weekday ORDER BY p.school_id, d.day, p.kind, p.owner"""),
        {"days": days, "weekdays": weekdays})
    conn.execute(text("""
        INSERT INTO session_staff (school_id, session_id, staff_id)
        SELECT ss.school_id, ss.id, p.staff_id FROM service_session ss
        JOIN unnest(CAST(:days AS date[]), CAST(:weekdays AS int[])) AS d(day, weekday) ON d.day = ss.day
        JOIN planned p ON p.school_id = ss.school_id AND p.weekday = d.weekday AND p.kind = ss.kind
             AND p.owner = coalesce(ss.care_group_id, ss.club_id)
        WHERE p.staff_id IS NOT NULL AND ss.school_id = ANY(:schools)"""),
        {"days": days, "weekdays": weekdays, "schools": district.school_ids})


def _leave(conn, district: District_) -> None:
    """About 1% of the children a day on sick leave (approved; a few still waiting, and some early pickups)."""
    conn.execute(text("""
        INSERT INTO leave_request (school_id, student_id, kind, reason, status, urgent, requested_by, requested_at)
        SELECT st.school_id, st.id,
               CASE WHEN h % 100 < 85 THEN 'sick' WHEN h % 100 < 95 THEN 'personal' ELSE 'early_pickup' END,
               '发烧 ' || d.day, CASE WHEN h % 100 < 90 THEN 'approved' WHEN h % 100 < 95 THEN 'noted'
                                      ELSE 'submitted' END,
               false, adm.account_id, d.day - 1 + time '20:00'
        FROM unnest(CAST(:days AS date[])) WITH ORDINALITY AS d(day, n)
        JOIN student st ON st.school_id = ANY(:schools)
        JOIN staff adm ON adm.school_id = st.school_id AND adm.account_id IS NOT NULL
        CROSS JOIN LATERAL (SELECT abs(hashint8(st.id::bigint * 1000 + d.n)) AS h) x
        WHERE h % 10000 < 100"""), {"days": [d for d, _ in district.days], "schools": district.school_ids})
    conn.execute(text("""
        INSERT INTO leave_day (school_id, leave_id, student_id, day)
        SELECT school_id, id, student_id, substr(reason, 4)::date FROM leave_request
        WHERE school_id = ANY(:schools)"""), {"schools": district.school_ids})


# One mark per child per served day, in the session they belong to that day (their club's when it meets, else
# their care group's). On approved or noted leave: 'leave'; otherwise about 93% present, 2% late, 2% marked
# leave by the teacher, 3% absent.
ATTENDANCE = """
INSERT INTO attendance (school_id, session_id, student_id, status, marked_at, marked_by, arrived_at)
SELECT ss.school_id, coalesce(cs.id, ss.id), m.student_id, x.status, ss.day + time '08:00' + interval '30 minutes',
       :marker, CASE WHEN x.status IN ('present', 'late') THEN ss.day + time '08:00'
                     + make_interval(mins => 5 * (x.h % 7)) END
FROM service_session ss
JOIN care_group_member m ON m.group_id = ss.care_group_id
LEFT JOIN club_enrollment ce ON ce.student_id = m.student_id AND ce.status = 'enrolled'
LEFT JOIN service_session cs ON cs.club_id = ce.club_id AND cs.day = ss.day
LEFT JOIN (SELECT ld.student_id, ld.day FROM leave_day ld JOIN leave_request lr ON lr.id = ld.leave_id
           WHERE ld.school_id = :school AND lr.status IN ('approved', 'noted') AND lr.kind <> 'early_pickup') lv
       ON lv.student_id = m.student_id AND lv.day = ss.day
CROSS JOIN LATERAL (SELECT abs(hashint8(m.student_id::bigint * 100000 + (ss.day - date '2026-01-01'))) % 1000 AS h) hh
CROSS JOIN LATERAL (SELECT hh.h AS h, CASE WHEN lv.student_id IS NOT NULL THEN 'leave' WHEN hh.h < 930 THEN 'present'
                    WHEN hh.h < 950 THEN 'late' WHEN hh.h < 970 THEN 'leave' ELSE 'absent' END AS status) x
WHERE ss.school_id = :school AND ss.kind = 'care_group'
"""

# Every child who came is released (90% by code, 7% checked by hand, 3% walk home), within 45 minutes of their
# session's end; 0.3% are late pickups, a fifth of those handed to the guard.
HANDOFFS = """
INSERT INTO handoff (school_id, student_id, day, method, guardian_id, adult_name, relation, released_by_staff_id,
                     released_by_name, session_id, place, released_at)
SELECT a.school_id, a.student_id, ss.day, x.method, CASE WHEN x.method <> 'walk_home' THEN gd.guardian_id END,
       CASE WHEN x.method <> 'walk_home' THEN '家长' ELSE '' END, CASE WHEN x.method <> 'walk_home' THEN '母亲' ELSE '' END,
       st.staff_id, '老师', a.session_id, '校门',
       ((ss.day + ss.ends_at::time + make_interval(mins => x.h % 45)) AT TIME ZONE :zone)
FROM service_session ss
JOIN attendance a ON a.session_id = ss.id
JOIN guardianship gd ON gd.student_id = a.student_id AND gd.school_id = :school
JOIN (SELECT session_id, min(staff_id) AS staff_id FROM session_staff WHERE school_id = :school GROUP BY session_id) st
     ON st.session_id = a.session_id
CROSS JOIN LATERAL (SELECT abs(hashint8(a.student_id::bigint * 7919 + (ss.day - date '2026-01-01'))) % 1000 AS h) hh
CROSS JOIN LATERAL (SELECT hh.h AS h, CASE WHEN hh.h < 900 THEN 'qr' WHEN hh.h < 970 THEN 'manual' ELSE 'walk_home' END
                    AS method) x
WHERE ss.school_id = :school AND a.status IN ('present', 'late')
"""

LATE = """
INSERT INTO late_pickup (school_id, student_id, day, end_time, stage, raised_at, to_guard_at)
SELECT h.school_id, h.student_id, h.day, s.ends_at, CASE WHEN h.student_id % 5 = 0 THEN 'with_guard' ELSE 'late' END,
       h.released_at - interval '5 minutes',
       CASE WHEN h.student_id % 5 = 0 THEN h.released_at - interval '2 minutes' END
FROM student st JOIN handoff h ON h.student_id = st.id JOIN service_session s ON s.id = h.session_id
WHERE st.school_id = :school AND abs(hashint8(h.id::bigint)) % 1000 < 3
"""

# Every session's patrols (two a lesson of 40 minutes), one in forty missed.
PATROLS = """
INSERT INTO patrol_record (school_id, session_id, day, at, staff_id, teacher_present, headcount_seen, roster_present,
                           "order", note, recorded_at)
SELECT ss.school_id, ss.id, ss.day, (ss.day + ss.starts_at::time + make_interval(mins => 15 + 18 * k)) AT TIME ZONE :zone,
       :patroller, true, 40, 40, '良好', NULL, (ss.day + ss.starts_at::time + make_interval(mins => 16 + 18 * k))
       AT TIME ZONE :zone
FROM service_session ss
CROSS JOIN generate_series(0, 2 * greatest(1, ceil(extract(epoch FROM ss.ends_at::time - ss.starts_at::time) / 2400))::int - 1) k
WHERE ss.school_id = :school AND abs(hashint8(ss.id::bigint * 10 + k)) % 40 <> 0
"""

INCIDENTS = """
INSERT INTO incident (school_id, day, type, severity, at, place, student_ids, description, actions_taken, reported_by,
                      reported_by_name, reported_at)
SELECT s.id, d.day, (ARRAY['injury', 'illness', 'conflict', 'property', 'other'])[1 + (s.id + d.n) % 5], 'minor',
       (d.day + time '16:30') AT TIME ZONE :zone, '操场', '[]', '基准', '已处理', adm.account_id, '管理员',
       (d.day + time '16:40') AT TIME ZONE :zone
FROM school s JOIN staff adm ON adm.school_id = s.id AND adm.account_id IS NOT NULL
JOIN unnest(CAST(:days AS date[])) WITH ORDINALITY AS d(day, n) ON (s.id * 7 + d.n) % 12 = 0
WHERE s.id = ANY(:schools);
INSERT INTO incident_entry (school_id, incident_id, kind, text, changes, written_by, written_by_name, written_at)
SELECT school_id, id, 'close', '已结案', '{}', reported_by, '管理员', reported_at + interval '1 hour' FROM incident
WHERE school_id = ANY(:schools) AND id % 4 <> 0
"""


def _by_school(engine, name: str, sql: str, district: District_, log, extra=None) -> None:
    """One step per school (each its own transaction, two at a time), so an interrupted run resumes where it
    stopped."""
    from concurrent.futures import ThreadPoolExecutor
    start = time.perf_counter()
    todo = [school_id for school_id in district.school_ids if not _done(engine, f"{name}:{school_id}")]
    if not todo:
        return
    with engine.begin() as conn:  # fresh statistics, so the per-school statements plan as they should
        conn.execute(text("ANALYZE"))

    def one(school_id: int) -> None:
        started = time.perf_counter()
        with engine.begin() as conn:
            params = {"school": school_id, "zone": get_settings().timezone, **(extra(conn, school_id) if extra else {})}
            conn.execute(text(sql), params)
            conn.execute(text("INSERT INTO bench_progress (step, seconds) VALUES (:s, :t)"),
                         {"s": f"{name}:{school_id}", "t": time.perf_counter() - started})
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(one, todo))
    log(f"  generated {name} for {len(todo)} schools in {time.perf_counter() - start:.1f} s")


def _helpers(conn, school_id: int) -> dict:
    account, staff = conn.execute(text("SELECT account_id, id FROM staff WHERE school_id = :s AND account_id IS NOT NULL"),
                                  {"s": school_id}).one()
    return {"marker": account, "patroller": staff}


def _without_indexes(engine, tables, work, log) -> None:
    """The big loads run about twice as fast without the secondary indexes (each statement above reaches the rows
    through the unique ones); they are made again from the models afterwards, also after an interrupted run."""
    from sqlmodel import SQLModel
    with engine.begin() as conn:
        for table in tables:
            for index in SQLModel.metadata.tables[table].indexes:
                if not index.unique:
                    conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
    try:
        work()
    finally:
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SET maintenance_work_mem = '512MB'"))
            for table in tables:
                for index in SQLModel.metadata.tables[table].indexes:
                    index.create(conn, checkfirst=True)
        log(f"  indexed {', '.join(tables)} in {time.perf_counter() - start:.1f} s")


def generate(engine, log=print) -> District_:
    start = time.perf_counter()
    _world(engine, log)
    district = load(engine)
    _step(engine, "people", lambda conn: _people(conn, district), log)
    _step(engine, "sessions", lambda conn: _sessions(conn, district), log)
    _step(engine, "leave", lambda conn: _leave(conn, district), log)


    def big() -> None:
        _by_school(engine, "attendance", ATTENDANCE, district, log, _helpers)
        _by_school(engine, "handoffs", HANDOFFS, district, log)
        _by_school(engine, "late", LATE, district, log)
    if not _done(engine, f"late:{district.school_ids[-1]}"):
        _without_indexes(engine, ("attendance", "handoff"), big, log)
    _by_school(engine, "patrols", PATROLS, district, log, _helpers)
    _step(engine, "incidents", lambda conn: [conn.execute(text(s), {"zone": get_settings().timezone,
                                                                   "days": [d for d, _ in district.days],
                                                                   "schools": district.school_ids})
                                             for s in INCIDENTS.split(";\n")], log)
    from bench.reports_figures import keep_figures
    _by_school(engine, "figures", keep_figures.sql, district, log,
               lambda conn, school_id: keep_figures.params(district, school_id, conn))
    _step(engine, "analyze", lambda conn: conn.execute(text("ANALYZE")), log)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # visibility maps: index-only scans
        if not _done(engine, "vacuum"):
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("INSERT INTO bench_progress (step, seconds) VALUES ('vacuum', 0)"))
    log(f"  data ready in {time.perf_counter() - start:.1f} s")
    return district


def sizes(engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables
            WHERE relname IN ('student', 'application', 'service_session', 'session_staff', 'attendance', 'handoff',
                              'late_pickup', 'patrol_record', 'leave_day', 'incident', 'bill', 'day_figures')
            ORDER BY pg_total_relation_size(relid) DESC""")).all()
        total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return [f"{name} {count:,} rows ({size / 2**20:,.0f} MB)" for name, count, size in rows] + \
        [f"database {total / 2**30:.1f} GB"]


def pin_clock(district: District_):
    return set_clock(FixedClock(district.now))
