"""Every table model, imported in one place so Alembic and tests see the whole schema."""

from sqlmodel import SQLModel

# Named constraints make Alembic revisions (and SQLite batch downgrades) deterministic.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from app.attendance.models import (  # noqa: E402,F401
    AbsenceAlert, Attendance, Handover, ServiceSession, SessionStaff,
)
from app.audit.models import AuditEvent, AuditEventStudent  # noqa: E402,F401
from app.auth.models import Account  # noqa: E402,F401
from app.calendar.models import CalendarChange  # noqa: E402,F401
from app.caregroups.models import CareGroup, CareGroupMember, CareGroupTutor, TutorOffer  # noqa: E402,F401
from app.clubs.models import (  # noqa: E402,F401
    Club, ClubEnrollment, EnrollmentEvent, LotteryChoice, SelectionRound,
)
from app.core.idempotency import IdempotencyRecord  # noqa: E402,F401
from app.dataprotection.models import RetentionRules, StudentErasure  # noqa: E402,F401
from app.carelogs.models import CareLogVersion  # noqa: E402,F401
from app.incidents.models import Incident, IncidentEntry  # noqa: E402,F401
from app.duty.models import DutyAssignment, PatrolRecord  # noqa: E402,F401
from app.enrollment.models import (  # noqa: E402,F401
    AgreementSignature, Application, ApplicationEvent, Bill, ServicePlan,
)
from app.leave.models import LeaveDay, LeaveRequest  # noqa: E402,F401
from app.notify.models import InboxMessage, OutboxMessage, SubscriptionGrant, WeChatAccessToken  # noqa: E402,F401
from app.people.models import (  # noqa: E402,F401
    BindAttempt, DistrictOfficial, Guardian, Guardianship, Staff, Student,
)
from app.pickup.models import (  # noqa: E402,F401
    Clearance, Handoff, LatePickup, PickupBlock, PickupCodeUse, PickupDelegate, PickupDevice,
)
from app.privacy.models import PrivacyConsent  # noqa: E402,F401
from app.reports.models import DayFigures  # noqa: E402,F401
from app.schools.models import District, School, SchoolClass, SchoolRules, Term  # noqa: E402,F401
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse  # noqa: E402,F401

metadata = SQLModel.metadata
