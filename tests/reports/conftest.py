import pytest

from tests.attendance.conftest import build_day


@pytest.fixture
def day(session, world, fixed_clock):
    """The served Monday of tests/attendance: 16:00, one care group, a club, four children."""
    return build_day(session, world.a)
