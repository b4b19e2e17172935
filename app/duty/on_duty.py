"""Who is on duty on a day: read by alerts elsewhere (absences, late pickups, incidents) without the rest of duty."""

from datetime import date

from sqlmodel import Session, select

from app.duty.models import DutyAssignment, DutyRole
from app.people.models import Staff


def duty_staff_ids(session: Session, school_id: int, day: date, *, leaders_only: bool = True) -> list[int]:
    """Who is on duty that day (the leader, or everyone on the roster); every duty leader of the school when the
    roster names nobody, so an alert always reaches someone."""
    query = select(DutyAssignment.staff_id).where(DutyAssignment.school_id == school_id, DutyAssignment.day == day)
    if leaders_only:
        query = query.where(DutyAssignment.role == DutyRole.LEADER)
    on_roster = list(session.exec(query).all())
    return on_roster or staff_with_role(session, school_id, "duty_leader")


def staff_with_role(session: Session, school_id: int, role: str) -> list[int]:
    """The active staff holding `role`, by id (the order duty rosters take turns in)."""
    return [sid for sid, roles in session.exec(select(Staff.id, Staff.roles).where(
        Staff.school_id == school_id, Staff.is_active == True).order_by(Staff.id)).all()  # noqa: E712
        if role in (roles or [])]
