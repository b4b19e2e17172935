"""A bounded property-based run over the OpenAPI schema: no 500s, no reply that breaks the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import two_schools

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(app, session):
    world = two_schools(session)
    app.state.matrix_world = world
    app.state.admin_headers = world.a.headers("admin")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_its_schema(case, app):
    case.call_and_validate(headers=app.state.admin_headers, checks=[not_a_server_error, response_schema_conformance])
