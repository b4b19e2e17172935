"""One error shape; Chinese messages naming the field; no stack traces."""

import pytest


def test_validation_errors_are_chinese_and_name_the_field(client, world):
    response = client.post("/api/v1/guardians/bind", headers=world.a.headers("guardian"),
                           json={"student_no": "1", "student_name": "某", "phone": "12"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "phone" in error["fields"]
    assert "输入有误" in error["message"]


def test_a_missing_field_is_reported_as_required(client, world):
    response = client.post("/api/v1/auth/password", json={"username": "a"})
    assert response.json()["error"]["fields"] == {"password": "为必填项"}


def test_malformed_json_is_a_validation_error(client):
    response = client.post("/api/v1/auth/wechat", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_unknown_paths_use_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "NOT_FOUND", "message": "未找到"}}


def test_an_unexpected_failure_is_500_without_details(app, client):
    @app.get("/boom", include_in_schema=False)
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"


def test_no_free_database_connection_is_busy_not_a_crash(app, client):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    @app.post("/rush", include_in_schema=False)
    def rush():
        raise PoolTimeout("QueuePool limit reached")

    response = client.post("/rush")
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "BUSY"


def test_healthz_checks_the_database_and_echoes_a_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-request-id"] == "abc123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_a_nul_byte_is_refused_as_bad_input_not_a_crash(client):
    response = client.post("/api/v1/auth/password", json={"username": "a\u0000b", "password": "whatever"})
    assert response.status_code in (401, 422)
    assert response.status_code != 500


def test_a_rule_across_fields_keeps_its_own_chinese_message(client, world):
    response = client.post(f"/api/v1/terms/{world.a.term.id}/clubs", headers=world.a.headers("admin"), json={
        "name": "书法", "category": "art", "weekdays": [1], "start_time": "17:00", "end_time": "16:00",
        "capacity": 20, "grades": [3]})
    assert response.status_code == 422
    assert "结束时间须晚于开始时间" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/duty/roster/export.xlsx?from=9999-12-31",
                                  "/api/v1/incidents/export.xlsx?to=0001-01-02", "/api/v1/incidents?to=0001-01-02"])
def test_a_date_at_the_end_of_the_calendar_is_refused_not_a_crash(client, world, path):
    response = client.get(path, headers=world.a.headers("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "OUT_OF_RANGE"
