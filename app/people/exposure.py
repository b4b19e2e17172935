"""Least exposure (PIPL art. 51, 最小必要): how much of a child's family each caller reads.

Staff reach the children of their school (app/core/deps.py); this decides what of them they read. A guardian's
phone number is read in full only by those whose job is to phone the family:

- an admin of the school (教导处 / 校长);
- the child's class head (班主任: `SchoolClass.head_staff_id` is their staff post and they hold the class_head
  role, as for leave and application review);
- the duty leader on duty today (the day's roster leader, or every duty leader when the roster names nobody —
  the same people the late-pickup and absence alerts reach), who is in charge of the school that afternoon;
- a guard, for the children handed to the guard today (交门卫: the guard keeps them and phones the family);
- a guardian, their own number.

Everyone else gets it masked (138****5678): enough to tell two numbers apart, or to ask the adult at the gate
for the last four digits; not enough to phone, nor to bind the child (student number + name + phone bind one).
A child's birth date and priority groups (留守、单亲、家庭经济困难…) go only to admins, the class head and the
child's own guardians. A student record's signed photo link (`StudentOut.photo_url`) goes only to the child's own
guardians (their 我的 page shows it); staff see photos in the rosters and lists that need them.

Every response that carries a guardian's phone or those details takes a `Disclosure` and asks it; the table of who
sees which field is in docs/privacy.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from app.core.clock import today
from app.core.deps import Caller
from app.duty.on_duty import duty_staff_ids
from app.people.models import Guardianship
from app.people.schemas import StudentOut
from app.pickup.models import LatePickup, LateStage
from app.schools.models import SchoolClass


def mask_phone(phone: str) -> str:
    """'13812345678' → '138****5678'; a shorter number keeps only its last two digits."""
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****" + phone[-2:] if len(phone) > 4 else "****"


@dataclass(frozen=True)
class Disclosure:
    """What one caller reads in full at one school; the rest of a family is masked or left out."""

    all_phones: bool = False                           # an admin; the duty leader on duty today
    all_details: bool = False                          # an admin: every child's birth date and priority groups
    headed_class_ids: frozenset[int] = frozenset()     # the classes the caller heads: everything of their children
    kept_student_ids: frozenset[int] = frozenset()     # children handed to this guard today: their families' phones
    own_guardian_ids: frozenset[int] = frozenset()     # the caller's own guardian records: their own phone
    own_student_ids: frozenset[int] = frozenset()      # the caller's own children: their details

    def phone(self, phone: str, *, student_id: int, class_id: int, guardian_id: int | None = None) -> str:
        """The phone of an adult of this child (guardian or delegate), in full or masked."""
        full = (self.all_phones or class_id in self.headed_class_ids or student_id in self.kept_student_ids
                or (guardian_id is not None and guardian_id in self.own_guardian_ids))
        return phone if full else mask_phone(phone)

    def details(self, *, student_id: int, class_id: int) -> bool:
        """Whether the child's birth date and priority groups are shown."""
        return self.all_details or class_id in self.headed_class_ids or student_id in self.own_student_ids

    def student(self, out: StudentOut) -> StudentOut:
        """A student as this caller reads them: without birth date and priority groups unless `details`, and
        without the photo's signed link unless it is the caller's own child (staff see photos in rosters)."""
        hidden = {}
        if not self.details(student_id=out.id, class_id=out.class_id):
            hidden.update(birth_date=None, priority=None)
        if out.id not in self.own_student_ids:
            hidden["photo_url"] = None
        return out.model_copy(update=hidden) if hidden else out


# Nothing in full: for callers that are none of the above (and the safe thing to pass when in doubt).
MASKED = Disclosure()


def disclosure(session: Session, caller: Caller, school_id: int) -> Disclosure:
    """What this caller reads in full about the children (and their families) of one school."""
    actor = caller.actor
    post = actor.staff.get(school_id) if school_id in caller.school_ids else None
    if post is not None and "admin" in post[1]:
        return Disclosure(all_phones=True, all_details=True)
    own_guardian_ids = frozenset(actor.guardian_ids) if caller.as_guardian else frozenset()
    own_student_ids = _children_of(session, own_guardian_ids, school_id)
    if post is None:
        return Disclosure(own_guardian_ids=own_guardian_ids, own_student_ids=own_student_ids)
    staff_id, roles = post
    headed = frozenset(session.exec(select(SchoolClass.id).where(
        SchoolClass.school_id == school_id, SchoolClass.head_staff_id == staff_id)).all()) \
        if "class_head" in roles else frozenset()
    day = today()
    on_duty = "duty_leader" in roles and staff_id in duty_staff_ids(session, school_id, day)
    kept = frozenset(session.exec(select(LatePickup.student_id).where(
        LatePickup.school_id == school_id, LatePickup.day == day, LatePickup.stage == LateStage.WITH_GUARD)).all()) \
        if "guard" in roles else frozenset()
    return Disclosure(all_phones=on_duty, headed_class_ids=headed, kept_student_ids=kept,
                      own_guardian_ids=own_guardian_ids, own_student_ids=own_student_ids)


def _children_of(session: Session, guardian_ids: Iterable[int], school_id: int) -> frozenset[int]:
    ids = list(guardian_ids)
    if not ids:
        return frozenset()
    return frozenset(session.exec(select(Guardianship.student_id).where(
        Guardianship.guardian_id.in_(ids), Guardianship.school_id == school_id)).all())
