"""The served Monday of tests/attendance (16:00, grade-3 children ending at 17:20), with phones that make codes."""

import pytest
from sqlmodel import Session

from app.core.clock import utcnow
from app.pickup import codes, service
from app.pickup.models import PickupDevice
from tests.attendance.conftest import ServedDay, build_day  # noqa: F401 - re-exported for the tests
from tests.factories import auth_headers


class Phone:
    """A registered phone: makes codes as the mini-program does (utils/pickup-code.js)."""

    def __init__(self, session: Session, account_id: int):
        self.session = session
        self.account_id = account_id
        registered = service.register_device(session=session, account_id=account_id, label="测试手机")
        self.device = session.get(PickupDevice, registered.device_id)

    def code(self, seconds_ago: int = 0) -> str:
        return codes.make_code(self.device.id, self.device.salt, int(utcnow().timestamp()) - seconds_ago)


@pytest.fixture
def day(session, world, fixed_clock) -> ServedDay:
    return build_day(session, world.a)


@pytest.fixture
def phone(session):
    return lambda account_id: Phone(session, account_id)


@pytest.fixture
def mum_phone(day, phone) -> Phone:
    """The phone of the first child's guardian (relation 妈妈)."""
    return phone(day.school.guardians[0].account_id)


def teacher_headers(day: ServedDay) -> dict[str, str]:
    return auth_headers(day.tutor.account_id)
