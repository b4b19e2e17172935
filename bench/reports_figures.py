"""The kept figures (`DayFigures`) of many past school-days in one SQL statement per school: what `compute_day`
does one day at a time in Python, set-based, for the benchmark's generated term (checked against `compute_day`
on a sample by the benchmark).

It follows `compute_day`: the day's sessions are the ones the calendar still plans (care groups of the term,
active clubs meeting the weekday the day runs as); the children in care are the active ones with an approved
application for that weekday not yet left; the leave that counts is the one `_leaves_on` picks (the last in force,
else the first still waiting) when it is in force and not an early pickup; a child who came counts as expected and
present, one on leave or marked leave as leave, any other child in care as expected.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.core.config import get_settings
from app.schools.models import Term
from app.schools.service import school_rules

SQL = """
INSERT INTO day_figures (school_id, day, expected, present, leave, absent, released, by_method, buckets,
                         latest_release_at, late, with_guard, patrols_due, patrols_done, computed_at)
WITH days AS (
    SELECT * FROM unnest(CAST(:days AS date[]), CAST(:weekdays AS int[])) AS d(day, weekday)
), sess AS (
    SELECT ss.id, ss.day, ss.starts_at, ss.ends_at FROM service_session ss JOIN days d ON d.day = ss.day
    WHERE ss.school_id = :school AND (
        (ss.kind = 'care_group' AND EXISTS (SELECT 1 FROM care_group g WHERE g.id = ss.care_group_id
                                            AND g.term_id = :term))
        OR (ss.kind = 'club' AND EXISTS (SELECT 1 FROM club c WHERE c.id = ss.club_id AND c.term_id = :term
                                         AND c.is_active AND c.weekdays::jsonb @> to_jsonb(d.weekday))))
), marks AS (
    SELECT a.student_id, s.day, bool_or(a.status IN ('present', 'late')) AS arrived,
           bool_or(a.status = 'leave') AS leave_mark
    FROM attendance a JOIN sess s ON s.id = a.session_id GROUP BY a.student_id, s.day
), in_care AS (
    SELECT ap.student_id, d.day FROM application ap JOIN student st ON st.id = ap.student_id AND st.is_active
    CROSS JOIN days d
    WHERE ap.term_id = :term AND ap.status = 'approved' AND ap.weekdays::jsonb @> to_jsonb(d.weekday)
      AND (ap.leaves_on IS NULL OR d.day < ap.leaves_on)
), leave_pick AS (
    SELECT DISTINCT ON (ld.student_id, ld.day) ld.student_id, ld.day,
           lr.status IN ('approved', 'noted') AND lr.kind <> 'early_pickup' AS away
    FROM leave_day ld JOIN leave_request lr ON lr.id = ld.leave_id JOIN days d ON d.day = ld.day
    WHERE ld.school_id = :school AND lr.status <> 'cancelled'
    ORDER BY ld.student_id, ld.day, lr.status IN ('approved', 'noted') DESC,
             CASE WHEN lr.status IN ('approved', 'noted') THEN -extract(epoch FROM lr.requested_at)
                  ELSE extract(epoch FROM lr.requested_at) END, lr.id
), children AS (
    SELECT coalesce(i.day, m.day) AS day, coalesce(m.arrived, false) AS arrived,
           coalesce(m.leave_mark, false) AS leave_mark, i.student_id IS NOT NULL AS in_care,
           i.student_id IS NOT NULL AND coalesce(lp.away, false) AS away
    FROM in_care i FULL JOIN marks m ON m.student_id = i.student_id AND m.day = i.day
    LEFT JOIN leave_pick lp ON lp.student_id = i.student_id AND lp.day = i.day
), att AS (
    SELECT day, count(*) FILTER (WHERE arrived OR (in_care AND NOT away AND NOT leave_mark)) AS expected,
           count(*) FILTER (WHERE arrived) AS present,
           count(*) FILTER (WHERE NOT arrived AND (away OR leave_mark)) AS leave
    FROM children GROUP BY day
), released AS (
    SELECT h.day, h.method, to_char(h.released_at AT TIME ZONE :zone, 'HH24:')
               || lpad((extract(minute FROM h.released_at AT TIME ZONE :zone)::int / 10 * 10)::text, 2, '0') AS bucket,
           h.released_at
    FROM handoff h JOIN days d ON d.day = h.day WHERE h.school_id = :school
), rel AS (
    SELECT day, count(*) AS released, max(released_at) AS latest FROM released GROUP BY day
), methods AS (
    SELECT day, json_object_agg(method, n) AS by_method
    FROM (SELECT day, method, count(*) AS n FROM released GROUP BY day, method) x GROUP BY day
), buckets AS (
    SELECT day, json_object_agg(bucket, n ORDER BY bucket) AS buckets
    FROM (SELECT day, bucket, count(*) AS n FROM released GROUP BY day, bucket) x GROUP BY day
), late AS (
    SELECT lp.day, count(*) AS late, count(*) FILTER (WHERE lp.stage = 'with_guard') AS with_guard
    FROM late_pickup lp JOIN days d ON d.day = lp.day WHERE lp.school_id = :school GROUP BY lp.day
), due AS (
    SELECT day, sum(:per_lesson * greatest(1, ceil(extract(epoch FROM ends_at::time - starts_at::time)
                                                    / 60.0 / :lesson_minutes))) AS due
    FROM sess GROUP BY day
), done AS (
    SELECT pr.day, count(*) AS done FROM patrol_record pr JOIN days d ON d.day = pr.day
    WHERE pr.school_id = :school GROUP BY pr.day
)
SELECT :school, d.day, coalesce(att.expected, 0), coalesce(att.present, 0), coalesce(att.leave, 0),
       greatest(0, coalesce(att.expected, 0) - coalesce(att.present, 0)), coalesce(rel.released, 0),
       coalesce(methods.by_method, '{}'), coalesce(buckets.buckets, '{}'), rel.latest, coalesce(late.late, 0),
       coalesce(late.with_guard, 0), coalesce(due.due, 0), coalesce(done.done, 0), now()
FROM days d LEFT JOIN att ON att.day = d.day LEFT JOIN rel ON rel.day = d.day
LEFT JOIN methods ON methods.day = d.day LEFT JOIN buckets ON buckets.day = d.day
LEFT JOIN late ON late.day = d.day LEFT JOIN due ON due.day = d.day LEFT JOIN done ON done.day = d.day
ON CONFLICT (school_id, day) DO NOTHING
"""


@dataclass
class KeepFigures:
    sql: str = SQL

    @staticmethod
    def params(district, school_id: int, conn) -> dict:
        """The past served days of the district's data (not today: its figures are never kept)."""
        past = [(d, w) for d, w in district.days if d < district.today]
        return {"days": [d for d, _ in past], "weekdays": [w for _, w in past],
                "zone": get_settings().timezone, **_rules(conn, school_id)}


def _rules(conn, school_id: int) -> dict:
    with Session(bind=conn) as session:
        term = session.exec(select(Term).where(Term.school_id == school_id)).one()
        rules = school_rules(session, school_id)
        return {"term": term.id, "per_lesson": rules.patrols_per_lesson, "lesson_minutes": rules.lesson_minutes}


keep_figures = KeepFigures()
