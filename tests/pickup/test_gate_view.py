"""The gate's quick read of the children it is asked about (`_children_at_the_gate`, two statements) says of each
child exactly what the whole day's plan says (`children_today` over `school_day`): place, end time, marks, release,
lateness."""

from app.attendance.service import school_day
from app.pickup import service
from tests.attendance.conftest import MONDAY, add_leave
from tests.factories import auth_headers
from tests.pickup.test_release import release


def seen_at_the_gate(child: service.ChildToday) -> tuple:
    return (child.student.id, child.school_class.id, child.place, child.end_time, child.arrived, child.marked_away,
            child.handoff.id if child.handoff else None, child.late.id if child.late else None, child.where,
            child.status(), child.in_care)


def test_the_gate_reads_each_child_as_the_day_plan_does(client, session, day, mum_phone):
    """Monday: one child released, one marked present, one on leave, the club child unmarked."""
    add_leave(session, day.at_group[2])
    client.put(f"/api/v1/sessions/{day.session_of(session).id}/attendance", headers=auth_headers(day.tutor.account_id),
               json=[{"student_id": s.id, "status": "present"} for s in day.at_group[:2]])
    assert release(client, day, mum_phone.code(), [day.school.students[0].id]).status_code == 200
    school_id, ids = day.school.school.id, [s.id for s in day.school.students]
    _, served = school_day(session, school_id, MONDAY)

    planned = service.children_today(session, school_id, MONDAY, ids, served=served)
    quick = service._children_at_the_gate(session, school_id, MONDAY, set(ids))

    assert quick is not None  # the day's sessions exist, so the gate takes its quick path
    assert {sid: seen_at_the_gate(c) for sid, c in quick.items()} == {
        sid: seen_at_the_gate(c) for sid, c in planned.items()}
    assert {c.status()[0] for c in planned.values()} == {"released", "ready", "on_leave"}
