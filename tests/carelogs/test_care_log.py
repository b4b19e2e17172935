"""The care log (看护记录): written by the session's teacher, amended as new versions, every version kept."""

from tests.factories import auth_headers


def write(client, headers, session_id, **body):
    body = {"activities": ["homework", "reading"], "summary": "完成数学作业，阅读绘本", **body}
    return client.put(f"/api/v1/sessions/{session_id}/care-log", headers=headers, json=body)


def test_the_teacher_writes_and_amends_and_every_version_is_kept(client, session, day):
    row = day.session_of(session)
    tutor = auth_headers(day.tutor.account_id)
    child = day.at_group[0]
    first = write(client, tutor, row.id, child_notes=[{"student_id": child.id, "note": "数学需要帮助"}])
    assert first.status_code == 200, first.text
    second = write(client, tutor, row.id, summary="完成数学作业，阅读绘本，做手工", unusual="一名学生流鼻血，已处理")
    log = second.json()
    assert [v["version"] for v in log["versions"]] == [1, 2]
    assert log["current"]["summary"].endswith("做手工") and log["current"]["unusual"]
    assert log["versions"][0]["child_notes"] == [{"student_id": child.id, "note": "数学需要帮助", "name": child.name}]
    assert log["current"]["activity_labels"] == ["作业辅导", "阅读"]
    again = client.get(f"/api/v1/sessions/{row.id}/care-log", headers=day.school.headers("duty_leader")).json()
    assert again == log


def test_only_the_session_s_teachers_write_its_log(client, session, day):
    row = day.session_of(session)
    assert write(client, auth_headers(day.club_teacher.account_id), row.id).status_code == 403
    assert write(client, day.school.headers("admin"), row.id).status_code == 200


def test_a_note_on_a_child_of_another_school_is_refused(client, session, day, world):
    row = day.session_of(session)
    response = write(client, auth_headers(day.tutor.account_id), row.id,
                     child_notes=[{"student_id": world.b.students[0].id, "note": "x"}])
    assert response.status_code == 404
    assert client.get(f"/api/v1/sessions/{row.id}/care-log",
                      headers=auth_headers(day.tutor.account_id)).json()["versions"] == []


def test_care_log_needs_what_the_children_did(client, session, day):
    row = day.session_of(session)
    response = client.put(f"/api/v1/sessions/{row.id}/care-log", headers=auth_headers(day.tutor.account_id),
                          json={"activities": [], "summary": ""})
    assert response.status_code == 422


def test_no_care_log_for_a_day_to_come(client, session, day):
    from tests.attendance.conftest import TUESDAY
    row = day.session_of(session, day=TUESDAY)
    response = write(client, auth_headers(day.tutor.account_id), row.id)
    assert response.json()["error"]["code"] == "DATE_IN_FUTURE"


def test_a_summary_or_note_of_spaces_only_is_refused_and_nothing_is_saved(client, session, day):
    row = day.session_of(session)
    tutor = auth_headers(day.tutor.account_id)
    blank_summary = write(client, tutor, row.id, summary="   ")
    blank_note = write(client, tutor, row.id, child_notes=[{"student_id": day.at_group[0].id, "note": "  "}])
    assert (blank_summary.status_code, blank_note.status_code) == (422, 422)
    assert client.get(f"/api/v1/sessions/{row.id}/care-log", headers=tutor).json() == {"current": None, "versions": []}
