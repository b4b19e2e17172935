"""The application state machine: every allowed and every refused transition."""

import pytest

from app.core.errors import AppError
from app.enrollment import service
from app.enrollment.models import AppStatus
from app.enrollment.schemas import ApplicationIn, ApplicationUpdate, PlanIn
from tests.enrollment.conftest import AGREEMENT, caller_for
from app.notify.service import guardian_accounts
from tests.factories import create_guardian, create_student


def _apply(session, world, callers, **overrides):
    data = {"student_id": world.a.students[0].id, "term_id": world.a.term.id, "weekdays": [1, 2, 3, 4, 5], **overrides}
    return service.apply(session=session, caller=callers["guardian"], data=ApplicationIn(**data))


def _load(session, out):
    from app.enrollment.models import Application
    return session.get(Application, out.id)


def _review(session, callers, who, out, approve=True, comment=None):
    return service.review(session=session, caller=callers[who], app=_load(session, out), approve=approve,
                          comment=comment or ("同意" if approve else "名额已满"))


def _refused(code, fn, *args, **kwargs):
    with pytest.raises(AppError) as refused:
        fn(*args, **kwargs)
    assert refused.value.code == code, refused.value.message
    return refused.value


def test_the_full_path_to_care_apply_sign_class_head_admin(session, world, plan, callers):
    out = _apply(session, world, callers)
    assert out.status == AppStatus.SUBMITTED and not out.in_care
    out = service.sign(session=session, caller=callers["guardian"], app=_load(session, out), plan_version=1,
                       shown_hash=plan.agreement_hash, client="miniprogram", client_ip="127.0.0.1")
    assert out.signature.plan_version == 1 and out.signature.text_hash == plan.agreement_hash
    assert _review(session, callers, "class_head", out).status == AppStatus.CLASS_APPROVED
    out = _review(session, callers, "admin", out)
    assert out.status == AppStatus.APPROVED and out.in_care
    steps = [(h.action, h.actor_role) for h in service.history(session=session, app=_load(session, out))]
    assert steps == [("apply", "guardian"), ("sign", "guardian"), ("class_approve", "class_head"),
                     ("approve", "admin")]


def test_an_approved_but_unsigned_child_is_not_in_care(session, world, plan, callers):
    out = _apply(session, world, callers)
    _review(session, callers, "class_head", out)
    assert _review(session, callers, "admin", out).in_care is False


def test_the_admin_cannot_skip_the_class_heads_review(session, world, plan, callers):
    out = _apply(session, world, callers)
    # The admin is not this class's head: the first step is not theirs.
    _refused("CLASS_HEAD_ONLY", _review, session, callers, "admin", out)


def test_the_class_head_cannot_give_the_final_approval(session, world, plan, callers):
    out = _apply(session, world, callers)
    _review(session, callers, "class_head", out)
    _refused("ADMIN_ONLY", _review, session, callers, "class_head", out)


def test_a_class_head_cannot_review_another_class(session, world, plan, callers):
    other_class_child = world.a.students[1]  # in 三年级2班, whose head is not our class head
    create_guardian(session, other_class_child, name="二班家长")
    out = service.apply(session=session, caller=caller_for(session, world.a.guardians[1].account_id, "guardian"),
                        data=ApplicationIn(student_id=other_class_child.id, term_id=world.a.term.id, weekdays=[1]))
    _refused("CLASS_HEAD_ONLY", _review, session, callers, "class_head", out)


def test_rejection_needs_a_reason_and_the_guardian_can_resubmit(session, world, plan, callers):
    out = _apply(session, world, callers)
    _refused("COMMENT_REQUIRED", service.review, session=session, caller=callers["class_head"],
             app=_load(session, out), approve=False, comment=" ")
    assert _review(session, callers, "class_head", out, approve=False).status == AppStatus.REJECTED
    out = service.edit(session=session, caller=callers["guardian"], app=_load(session, out),
                       data=ApplicationUpdate(weekdays=[1, 3, 5], note="改为一三五"))
    assert out.status == AppStatus.SUBMITTED and out.weekdays == [1, 3, 5]


def test_the_admin_can_reject_after_the_class_head(session, world, plan, callers):
    out = _apply(session, world, callers)
    _review(session, callers, "class_head", out)
    assert _review(session, callers, "admin", out, approve=False).status == AppStatus.REJECTED


def test_one_live_application_per_child_per_term(session, world, plan, callers):
    _apply(session, world, callers)
    _refused("APPLICATION_STATE", _apply, session, world, callers)


def test_withdrawing_leaves_care_from_the_next_day_and_applying_again_is_allowed(session, world, plan, callers,
                                                                                  fixed_clock):
    out = _apply(session, world, callers)
    _review(session, callers, "class_head", out)
    _review(session, callers, "admin", out)
    out = service.withdraw(session=session, caller=callers["guardian"], app=_load(session, out), reason="搬家")
    assert out.status == AppStatus.WITHDRAWN and str(out.leaves_on) == "2026-11-24"
    again = _apply(session, world, callers)
    assert again.id == out.id and again.status == AppStatus.SUBMITTED and again.leaves_on is None


def test_applying_again_after_withdrawing_needs_a_new_signature(session, world, plan, callers, fixed_clock):
    out = _apply(session, world, callers)
    service.sign(session=session, caller=callers["guardian"], app=_load(session, out), plan_version=1,
                 shown_hash=None, client=None, client_ip=None)
    _review(session, callers, "class_head", out)
    assert _review(session, callers, "admin", out).in_care
    service.withdraw(session=session, caller=callers["guardian"], app=_load(session, out), reason="搬家")
    fixed_clock.advance(days=3)
    again = _apply(session, world, callers)
    assert again.signature is None
    _review(session, callers, "class_head", again)
    assert _review(session, callers, "admin", again).in_care is False
    signed = service.sign(session=session, caller=callers["guardian"], app=_load(session, again), plan_version=1,
                          shown_hash=None, client=None, client_ip=None)
    assert signed.in_care and signed.signature is not None


def test_declining_is_recorded_with_a_reason_and_reversed_by_applying(session, world, plan, callers):
    out = service.decline(session=session, caller=callers["guardian"], student_id=world.a.students[0].id,
                          term_id=world.a.term.id, reason="家中老人接送")
    assert out.status == AppStatus.DECLINED and out.decline_reason == "家中老人接送"
    assert _apply(session, world, callers).status == AppStatus.SUBMITTED


@pytest.mark.parametrize("action", ["withdraw", "sign", "edit"])
def test_nothing_can_be_done_to_a_declined_answer_but_applying(session, world, plan, callers, action):
    out = service.decline(session=session, caller=callers["guardian"], student_id=world.a.students[0].id,
                          term_id=world.a.term.id, reason=None)
    app = _load(session, out)
    calls = {
        "withdraw": lambda: service.withdraw(session=session, caller=callers["guardian"], app=app),
        "sign": lambda: service.sign(session=session, caller=callers["guardian"], app=app, plan_version=1,
                                     shown_hash=None, client=None, client_ip=None),
        "edit": lambda: service.edit(session=session, caller=callers["guardian"], app=app,
                                     data=ApplicationUpdate(note="x")),
    }
    _refused("APPLICATION_STATE", calls[action])


@pytest.mark.parametrize("status_path", [["class_approve"], ["class_approve", "approve"], ["withdraw"]])
def test_reviewing_outside_the_review_states_is_refused(session, world, plan, callers, status_path):
    out = _apply(session, world, callers)
    for step in status_path:
        if step == "class_approve":
            _review(session, callers, "class_head", out)
        elif step == "approve":
            _review(session, callers, "admin", out)
        else:
            service.withdraw(session=session, caller=callers["guardian"], app=_load(session, out))
    if status_path[-1] in ("approve", "withdraw"):
        _refused("APPLICATION_STATE", _review, session, callers, "admin", out)
    else:
        _refused("ADMIN_ONLY", _review, session, callers, "class_head", out)


def test_an_approved_application_cannot_be_declined_without_withdrawing(session, world, plan, callers):
    out = _apply(session, world, callers)
    _review(session, callers, "class_head", out)
    _review(session, callers, "admin", out)
    _refused("APPLICATION_STATE", service.decline, session=session, caller=callers["guardian"],
             student_id=world.a.students[0].id, term_id=world.a.term.id, reason=None)


def test_signing_an_outdated_version_is_refused(session, world, plan, callers):
    out = _apply(session, world, callers)
    service.save_draft(session=session, term=world.a.term, data=PlanIn(agreement_text=AGREEMENT + "（修订）"))
    service.publish(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id)
    error = _refused("AGREEMENT_OUTDATED", service.sign, session=session, caller=callers["guardian"],
                     app=_load(session, out), plan_version=1, shown_hash=None, client=None, client_ip=None)
    assert error.extra == {"current_version": 2}
    signed = service.sign(session=session, caller=callers["guardian"], app=_load(session, out), plan_version=2,
                          shown_hash=None, client=None, client_ip=None)
    assert signed.signature.plan_version == 2


def test_a_signature_over_different_text_is_refused(session, world, plan, callers):
    out = _apply(session, world, callers)
    _refused("AGREEMENT_TEXT_MISMATCH", service.sign, session=session, caller=callers["guardian"],
             app=_load(session, out), plan_version=1, shown_hash="0" * 64, client=None, client_ip=None)


def test_a_guardian_cannot_act_on_a_child_that_is_not_theirs(session, world, plan, callers):
    _refused("STUDENT_NOT_FOUND", service.apply, session=session, caller=callers["other_guardian"],
             data=ApplicationIn(student_id=world.a.students[0].id, term_id=world.a.term.id, weekdays=[1]))
    out = _apply(session, world, callers)
    _refused("STUDENT_NOT_FOUND", service.withdraw, session=session, caller=callers["other_guardian"],
             app=_load(session, out))


def test_walking_home_alone_needs_a_written_statement(session, world, plan, callers):
    _refused("SELF_STATEMENT_REQUIRED", _apply, session, world, callers, pickup_mode="self")
    out = _apply(session, world, callers, pickup_mode="self", self_statement="孩子家住学校对面，家长同意其自行回家。")
    assert out.pickup_mode == "self"


def test_only_the_plans_weekdays_can_be_chosen(session, world, callers):
    service.save_draft(session=session, term=world.a.term, data=PlanIn(agreement_text=AGREEMENT, weekdays=[1, 2, 3, 4]))
    service.publish(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id)
    error = _refused("WEEKDAY_NOT_OFFERED", _apply, session, world, callers, weekdays=[4, 5])
    assert "周五" in error.fields["weekdays"]


def test_no_application_before_the_plan_is_published(session, world, callers):
    _refused("PLAN_NOT_PUBLISHED", _apply, session, world, callers)


def test_priority_groups_are_approved_first_under_a_cap(session, world, callers):
    service.save_draft(session=session, term=world.a.term, data=PlanIn(agreement_text=AGREEMENT, capacity=2))
    service.publish(session=session, term=world.a.term, account_id=world.a.staff["admin"].account_id)
    first_class = world.a.classes[0]
    ordinary = [world.a.students[0], world.a.students[2]]
    migrant = create_student(session, first_class, name="随迁孩子", priority_migrant=True)
    create_guardian(session, migrant)
    outs = []
    for student in (*ordinary, migrant):  # the priority child applies last
        guardian_account = guardian_accounts(session, student.id)[0]
        outs.append(service.apply(session=session, caller=caller_for(session, guardian_account, "guardian"),
                                  data=ApplicationIn(student_id=student.id, term_id=world.a.term.id, weekdays=[1])))
    for out in outs:
        _review(session, callers, "class_head", out)
    queue = service.waiting_queue(session, world.a.term.id)
    assert [a.student_id for a in queue] == [migrant.id, ordinary[0].id, ordinary[1].id]
    # Two places, three waiting: the second ordinary child must wait behind the priority child.
    _refused("PRIORITY_WAITING", _review, session, callers, "admin", outs[1])
    results = service.approve_in_order(session=session, caller=callers["admin"], term=world.a.term, comment=None)
    assert [(r.ok, r.code) for r in results] == [(True, None), (True, None), (False, "CAPACITY_FULL")]
    approved = {o.student_id for o in service.guardian_applications(session=session, caller=callers["guardian"],
                                                                   term_id=None) if o.status == "approved"}
    assert ordinary[0].id in approved
