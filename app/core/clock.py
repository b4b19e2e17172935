"""The one source of "now", in UTC and in the school's zone. Tests replace it."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from app.core.config import get_settings


class Clock:
    def now(self) -> datetime:
        """Aware UTC datetime."""
        return datetime.now(timezone.utc)

    def local_now(self) -> datetime:
        return self.now().astimezone(ZoneInfo(get_settings().timezone))

    def today(self) -> date:
        """The school-local date."""
        return self.local_now().date()


class FixedClock(Clock):
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        from datetime import timedelta
        self.at = self.at + timedelta(**delta)


clock: Clock = Clock()


def set_clock(new: Clock) -> Clock:
    """Replace the process clock and return the previous one."""
    global clock
    previous, clock = clock, new
    return previous


def utcnow() -> datetime:
    return clock.now()


def today() -> date:
    return clock.today()


def school_time(at: datetime) -> datetime:
    """A stored (UTC) time in the school's zone, for text people read."""
    return at.astimezone(ZoneInfo(get_settings().timezone))


def school_moment(day: date, hhmm: str = "00:00") -> datetime:
    """A school-local date and "HH:MM" (a session's start, a grade's end time) as an aware UTC datetime."""
    local = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(get_settings().timezone))
    return local.astimezone(timezone.utc)
