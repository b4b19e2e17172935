"""The district report: each school's key figures, the totals and the ranking (督导)."""

from tests.reports.test_school_dashboard import MONDAY, monday


def test_the_district_lists_its_schools_with_totals_and_ranks(client, session, day, world):
    monday(client, session, day)
    response = client.get(f"/api/v1/reports/districts/{world.district.id}", params={"from": MONDAY, "to": MONDAY},
                          headers=world.district_headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["school"]["id"] for s in body["schools"]] == [world.a.school.id]  # school B is not in the district
    row = body["schools"][0]
    assert (row["participation_rate"], row["attendance_rate"]) == (100.0, round(200 / 3, 2))
    assert row["ranks"]["participation_rate"] == 1
    assert body["totals"]["approved"] == 4
    export = client.get(f"/api/v1/reports/districts/{world.district.id}/export", headers=world.district_headers())
    assert export.status_code == 200


def test_only_the_district_s_officials_read_it(client, world):
    assert client.get(f"/api/v1/reports/districts/{world.district.id + 1}",
                      headers=world.district_headers()).status_code == 404
    assert client.get(f"/api/v1/reports/districts/{world.district.id}",
                      headers=world.a.headers("admin")).status_code == 403
