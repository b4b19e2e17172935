"""Clubs as .xlsx: one club's roster (its teacher or an admin), the term's catalogue with every roster (admins)."""

from app.clubs import service
from app.clubs.models import ClubEnrollment
from app.people.exposure import MASKED
from tests.clubs.conftest import make_club
from tests.factories import auth_headers
from tests.sheets import read_xlsx


def enrol(session, world, club, student, status="enrolled", queue_key=0):
    session.add(ClubEnrollment(school_id=world.a.school.id, term_id=world.a.term.id, club_id=club.id,
                               student_id=student.id, status=status, queue_key=queue_key))
    session.commit()


def test_a_club_roster_exports_who_is_in_and_who_waits(client, session, world):
    club = make_club(session, world, capacity=1)
    enrol(session, world, club, world.a.students[0])
    enrol(session, world, club, world.a.students[1], "waitlisted", 1)
    enrol(session, world, club, world.a.students[2], "dropped", 2)
    teacher = world.a.headers("teacher")  # the club's teacher
    table = read_xlsx(client.get(f"/api/v1/clubs/{club.id}/roster/export.xlsx", headers=teacher))
    assert table.title == f"{world.a.school.name} {world.a.term.name} 书法 社团名单"
    assert table.headers == ["序号", "班级", "学生", "状态", "家长联系方式"]
    roster = service.roster(session, club, shown=MASKED)  # a teacher reads the families' phones masked, here too
    assert table.rows == [(n, r.class_name, r.student_name, s, "；".join(r.guardians))
                          for n, (r, s) in enumerate(zip(roster, ["已选上", "候补第 1 位"], strict=True), start=1)]
    assert all("****" in r[4] for r in table.rows)
    other_teacher = auth_headers(world.a.staff["class_head"].account_id)
    assert client.get(f"/api/v1/clubs/{club.id}/roster/export.xlsx", headers=other_teacher).status_code == 403


def test_the_term_s_clubs_export_with_their_rosters(client, session, world):
    calligraphy = make_club(session, world)
    chess = make_club(session, world, name="围棋", weekdays=(2, 4))
    enrol(session, world, calligraphy, world.a.students[0])
    enrol(session, world, chess, world.a.students[1])
    response = client.get(f"/api/v1/terms/{world.a.term.id}/clubs/export.xlsx", headers=world.a.headers("admin"))
    catalogue = read_xlsx(response, "社团目录")
    outs = service.club_outs(session, service.term_clubs(session, world.a.term.id))  # the live seats, as listed
    assert [(r[0], r[4], r[5], r[7], r[8], r[9], r[10]) for r in catalogue.rows] == [
        (c.name, w, "16:10-17:00", c.capacity, c.enrolled, c.free_seats, c.waitlisted)
        for c, w in zip(outs, ["周三", "周二、周四"], strict=True)]
    rosters = read_xlsx(response, "社团名单")
    assert rosters.headers == ["社团", "序号", "班级", "学生", "状态", "家长联系方式"]
    assert [(r[0], r[3]) for r in rosters.rows] == [("书法", world.a.students[0].name), ("围棋", world.a.students[1].name)]
    assert world.a.guardians[0].phone in rosters.rows[0][5]  # an admin's file: the phones in full
    assert client.get(f"/api/v1/terms/{world.a.term.id}/clubs/export.xlsx",
                      headers=world.a.headers("teacher")).status_code == 403
