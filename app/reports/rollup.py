"""Many school-days' figures in one statement (PostgreSQL): what `compute_day` counts a day at a time in Python,
set-based. The district report uses it for today's live figures of all its schools at once (100 × `compute_day`
would take seconds), and `make bench` fills a generated term's kept figures with it and checks a sample against
`compute_day` (docs/benchmarks.md, "Dashboards").

It follows `compute_day`: the day's sessions are the ones the calendar still plans (care groups of the term,
active clubs meeting the weekday the day runs as); the children in care are the active ones with an approved
application for that weekday not yet left; the leave that counts is the one `_leaves_on` picks (the last in force,
else the first still waiting) when it is in force and not an early pickup; a child who came counts as expected and
present, one on leave or marked leave as leave, any other child in care as expected.

A day missing a session the calendar plans is left to `compute_day`, which makes it: a day nobody opened yet, and a
day opened before a care group or a club was added (or before a club's times changed), whose new session only
`compute_day` (or anyone opening the day) makes. Counting the sessions that happen to exist would leave the new one
out of today's figures until someone opened the day again.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from app.core.config import get_settings
from app.reports.models import DayFigures

COLUMNS = ("school_id", "day", "expected", "present", "leave", "absent", "released", "by_method", "buckets",
           "latest_release_at", "late", "with_guard", "patrols_due", "patrols_done")

SQL = """
WITH d AS (
    SELECT * FROM unnest(CAST(:schools AS int[]), CAST(:terms AS int[]), CAST(:days AS date[]),
                         CAST(:weekdays AS int[]), CAST(:per_lesson AS int[]), CAST(:lesson_minutes AS int[]))
        AS d(school_id, term_id, day, weekday, per_lesson, lesson_minutes)
), sess AS (
    SELECT ss.id, d.school_id, d.day, ss.starts_at, ss.ends_at, d.per_lesson, d.lesson_minutes
    FROM service_session ss JOIN d ON d.school_id = ss.school_id AND d.day = ss.day
    WHERE (ss.kind = 'care_group' AND EXISTS (SELECT 1 FROM care_group g WHERE g.id = ss.care_group_id
                                              AND g.term_id = d.term_id))
       OR (ss.kind = 'club' AND EXISTS (SELECT 1 FROM club c WHERE c.id = ss.club_id AND c.term_id = d.term_id
                                        AND c.is_active AND c.weekdays::jsonb @> to_jsonb(d.weekday)))
), marks AS (
    SELECT s.school_id, s.day, a.student_id, bool_or(a.status IN ('present', 'late')) AS arrived,
           bool_or(a.status = 'leave') AS leave_mark
    FROM attendance a JOIN sess s ON s.id = a.session_id GROUP BY s.school_id, s.day, a.student_id
), in_care AS (
    SELECT d.school_id, d.day, ap.student_id FROM d JOIN application ap ON ap.term_id = d.term_id
    JOIN student st ON st.id = ap.student_id AND st.is_active
    WHERE ap.status = 'approved' AND ap.weekdays::jsonb @> to_jsonb(d.weekday)
      AND (ap.leaves_on IS NULL OR d.day < ap.leaves_on)
), leave_pick AS (
    SELECT DISTINCT ON (ld.school_id, ld.day, lr.student_id) ld.school_id, ld.day, lr.student_id,
           lr.status IN ('approved', 'noted') AND lr.kind <> 'early_pickup' AS away
    FROM leave_day ld JOIN d ON d.school_id = ld.school_id AND d.day = ld.day
    JOIN leave_request lr ON lr.id = ld.leave_id
    WHERE lr.status <> 'cancelled'
    ORDER BY ld.school_id, ld.day, lr.student_id, lr.status IN ('approved', 'noted') DESC,
             CASE WHEN lr.status IN ('approved', 'noted') THEN -extract(epoch FROM lr.requested_at)
                  ELSE extract(epoch FROM lr.requested_at) END, lr.id
), children AS (
    SELECT coalesce(i.school_id, m.school_id) AS school_id, coalesce(i.day, m.day) AS day,
           coalesce(m.arrived, false) AS arrived, coalesce(m.leave_mark, false) AS leave_mark,
           i.student_id IS NOT NULL AS in_care, i.student_id IS NOT NULL AND coalesce(lp.away, false) AS away
    FROM in_care i FULL JOIN marks m ON m.school_id = i.school_id AND m.day = i.day AND m.student_id = i.student_id
    LEFT JOIN leave_pick lp ON lp.school_id = i.school_id AND lp.day = i.day AND lp.student_id = i.student_id
), att AS (
    SELECT school_id, day, count(*) FILTER (WHERE arrived OR (in_care AND NOT away AND NOT leave_mark)) AS expected,
           count(*) FILTER (WHERE arrived) AS present,
           count(*) FILTER (WHERE NOT arrived AND (away OR leave_mark)) AS leave
    FROM children GROUP BY school_id, day
), released AS (
    SELECT h.school_id, h.day, h.method, h.released_at,
           to_char(h.released_at AT TIME ZONE :zone, 'HH24:')
           || lpad((extract(minute FROM h.released_at AT TIME ZONE :zone)::int / 10 * 10)::text, 2, '0') AS bucket
    FROM handoff h JOIN d ON d.school_id = h.school_id AND d.day = h.day
), rel AS (
    SELECT school_id, day, count(*) AS released, max(released_at) AS latest FROM released GROUP BY school_id, day
), methods AS (
    SELECT school_id, day, json_object_agg(method, n) AS by_method
    FROM (SELECT school_id, day, method, count(*) AS n FROM released GROUP BY school_id, day, method) x
    GROUP BY school_id, day
), buckets AS (
    SELECT school_id, day, json_object_agg(bucket, n ORDER BY bucket) AS buckets
    FROM (SELECT school_id, day, bucket, count(*) AS n FROM released GROUP BY school_id, day, bucket) x
    GROUP BY school_id, day
), late AS (
    SELECT lp.school_id, lp.day, count(*) AS late, count(*) FILTER (WHERE lp.stage = 'with_guard') AS with_guard
    FROM late_pickup lp JOIN d ON d.school_id = lp.school_id AND d.day = lp.day GROUP BY lp.school_id, lp.day
), due AS (
    SELECT school_id, day, sum(per_lesson * greatest(1, ceil(extract(epoch FROM ends_at::time - starts_at::time)
                                                            / 60.0 / lesson_minutes)))::int AS due
    FROM sess GROUP BY school_id, day
), done AS (
    SELECT pr.school_id, pr.day, count(*) AS done FROM patrol_record pr
    JOIN d ON d.school_id = pr.school_id AND d.day = pr.day GROUP BY pr.school_id, pr.day
)
SELECT d.school_id, d.day, coalesce(att.expected, 0) AS expected, coalesce(att.present, 0) AS present,
       coalesce(att.leave, 0) AS leave, greatest(0, coalesce(att.expected, 0) - coalesce(att.present, 0)) AS absent,
       coalesce(rel.released, 0) AS released, coalesce(methods.by_method, '{}') AS by_method,
       coalesce(buckets.buckets, '{}') AS buckets, rel.latest AS latest_release_at, coalesce(late.late, 0) AS late,
       coalesce(late.with_guard, 0) AS with_guard, coalesce(due.due, 0) AS patrols_due,
       coalesce(done.done, 0) AS patrols_done
FROM d LEFT JOIN att ON att.school_id = d.school_id AND att.day = d.day
LEFT JOIN rel ON rel.school_id = d.school_id AND rel.day = d.day
LEFT JOIN methods ON methods.school_id = d.school_id AND methods.day = d.day
LEFT JOIN buckets ON buckets.school_id = d.school_id AND buckets.day = d.day
LEFT JOIN late ON late.school_id = d.school_id AND late.day = d.day
LEFT JOIN due ON due.school_id = d.school_id AND due.day = d.day
LEFT JOIN done ON done.school_id = d.school_id AND done.day = d.day
WHERE EXISTS (SELECT 1 FROM sess WHERE sess.school_id = d.school_id AND sess.day = d.day)
  -- every session the calendar plans is there, as planned: else the day is left to compute_day, which makes it
  AND NOT EXISTS (SELECT 1 FROM care_group g WHERE g.term_id = d.term_id AND NOT EXISTS (
      SELECT 1 FROM service_session ss WHERE ss.school_id = d.school_id AND ss.day = d.day
         AND ss.kind = 'care_group' AND ss.care_group_id = g.id))
  AND NOT EXISTS (SELECT 1 FROM club c WHERE c.term_id = d.term_id AND c.is_active
         AND c.weekdays::jsonb @> to_jsonb(d.weekday) AND NOT EXISTS (
      SELECT 1 FROM service_session ss WHERE ss.school_id = d.school_id AND ss.day = d.day
         AND ss.kind = 'club' AND ss.club_id = c.id AND ss.starts_at = c.start_time AND ss.ends_at = c.end_time))
"""


@dataclass(frozen=True)
class SchoolDay:
    """A served school-day to count: its term, the weekday it runs as, the school's patrol rules."""

    school_id: int
    term_id: int
    day: date
    weekday: int
    per_lesson: int
    lesson_minutes: int


def params(days: list[SchoolDay]) -> dict:
    return {"schools": [d.school_id for d in days], "terms": [d.term_id for d in days], "days": [d.day for d in days],
            "weekdays": [d.weekday for d in days], "per_lesson": [d.per_lesson for d in days],
            "lesson_minutes": [d.lesson_minutes for d in days], "zone": get_settings().timezone}


def figures(session: Session, days: list[SchoolDay]) -> dict[tuple[int, date], DayFigures]:
    """The figures of each school-day whose sessions exist (PostgreSQL only), by (school, day); not kept."""
    if not days:
        return {}
    rows = session.execute(text(SQL), params(days)).mappings().all()
    return {(r["school_id"], r["day"]): DayFigures(**r) for r in rows}
