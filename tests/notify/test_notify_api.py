"""The inbox, subscriptions and the admin's view of failed sends, over HTTP."""

from sqlalchemy import update

from app.notify import service
from app.notify.models import OutboxMessage


def _notify(session, world, count=3):
    account_id = world.a.guardians[0].account_id
    for i in range(count):
        service.enqueue(session, account_id=account_id, event="arrived", school_id=world.a.school.id,
                        data={"student_name": "小明", "time": f"16:0{i}", "place": "三年级1班看护班",
                              "teacher_name": "王老师"}, dedupe_key=f"arrived:{i}")
    session.commit()


def test_the_inbox_lists_newest_first_with_the_unread_count(client, session, world):
    _notify(session, world)
    page = client.get("/api/v1/inbox", headers=world.a.headers("guardian")).json()
    assert page["unread"] == 3 and page["total"] == 3
    assert [m["body"][-20:] for m in page["items"]][0].endswith("由王老师看护。")
    assert page["items"][0]["id"] > page["items"][-1]["id"]


def test_reading_one_and_reading_all(client, session, world):
    _notify(session, world)
    headers = world.a.headers("guardian")
    first = client.get("/api/v1/inbox", headers=headers).json()["items"][0]
    assert client.post(f"/api/v1/inbox/{first['id']}/read", headers=headers).json()["read"] is True
    assert client.get("/api/v1/inbox", headers=headers).json()["unread"] == 2
    assert client.post("/api/v1/inbox/read-all", headers=headers).json() == {"updated": 2}
    assert client.get("/api/v1/inbox", headers=headers).json()["unread"] == 0


def test_a_guardian_sees_only_their_own_messages(client, session, world):
    _notify(session, world)
    other = world.a.headers("teacher")
    assert client.get("/api/v1/inbox", headers=other).json()["total"] == 0
    message_id = client.get("/api/v1/inbox", headers=world.a.headers("guardian")).json()["items"][0]["id"]
    assert client.post(f"/api/v1/inbox/{message_id}/read", headers=other).status_code == 404


def test_subscriptions_are_remembered(client, world):
    headers = world.a.headers("guardian")
    templates = client.get("/api/v1/notifications/templates", headers=headers).json()
    assert {t["event"] for t in templates} >= {"picked_up", "arrived", "absent", "late_pickup", "incident"}
    picked_up = next(t["template_id"] for t in templates if t["event"] == "picked_up")
    client.post("/api/v1/notifications/subscriptions", headers=headers, json={"results": {picked_up: "accept"}})
    mine = client.get("/api/v1/notifications/subscriptions", headers=headers).json()
    assert mine == [{"template_id": picked_up, "event": "picked_up", "long_term": True, "remaining": 0,
                     "last_choice": "accept"}]


def test_an_unknown_template_is_refused(client, world):
    response = client.post("/api/v1/notifications/subscriptions", headers=world.a.headers("guardian"),
                           json={"results": {"not-ours": "accept"}})
    assert response.status_code == 422 and response.json()["error"]["code"] == "TEMPLATE_UNKNOWN"


def test_admins_list_failed_sends_and_retry_them(client, session, world):
    _notify(session, world, count=2)
    session.exec(update(OutboxMessage).values(status="failed", last_error="40003 invalid openid", attempts=8))
    session.commit()
    url = f"/api/v1/schools/{world.a.school.id}/notifications/outbox"
    headers = world.a.headers("admin")
    failed = client.get(url, params={"status": "failed"}, headers=headers).json()
    assert failed["total"] == 2 and failed["items"][0]["last_error"] == "40003 invalid openid"
    one = failed["items"][0]["id"]
    assert client.post(f"{url}/{one}/retry", headers=headers).json() == {"retried": 1}
    assert client.post(f"{url}/{one}/retry", headers=headers).status_code == 409
    assert client.post(f"{url}/retry-failed", headers=headers).json() == {"retried": 1}
    assert client.get(url, params={"status": "failed"}, headers=headers).json()["total"] == 0
    assert client.get(url, headers=world.b.headers("admin")).status_code == 404
