import pytest

from app.enrollment import service
from app.enrollment.schemas import PlanIn
from app.core.deps import Caller, load_actor

AGREEMENT = "甲方（学校）负责课后服务期间学生的安全看护……乙方（家长）按时接孩子……"


def caller_for(session, account_id, *roles):
    """The Caller a route with these roles would build for this account."""
    actor = load_actor(session, account_id)
    return Caller(actor=actor, school_ids=actor.schools_with(roles), as_guardian="guardian" in roles
                  and bool(actor.guardian_ids))


@pytest.fixture
def plan(session, world):
    """A published plan for school A: Monday–Friday, 600 元 a term, no cap."""
    service.save_draft(session=session, term=world.a.term,
                       data=PlanIn(agreement_text=AGREEMENT, fee_cents=60000, content=["作业辅导", "阅读"]))
    return service.publish(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id)


@pytest.fixture
def callers(session, world):
    a = world.a
    return {
        "guardian": caller_for(session, a.guardians[0].account_id, "guardian"),
        "other_guardian": caller_for(session, a.guardians[1].account_id, "guardian"),
        "class_head": caller_for(session, a.staff["class_head"].account_id, "admin", "class_head"),
        "admin": caller_for(session, a.staff["admin"].account_id, "admin", "class_head"),
    }
