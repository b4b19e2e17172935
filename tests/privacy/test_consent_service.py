"""Separate guardian consent, as rules (no HTTP): what binding and photos need, what a withdrawal does, what a new
version of the processing rules asks."""

import pytest
from sqlmodel import select

from app.core.config import get_settings
from app.core.errors import AppError
from app.people.models import Guardian, Guardianship
from app.people import service as people
from app.people.photos import save_photo
from app.privacy import service
from app.privacy.models import ConsentScope, PrivacyConsent
from app.privacy.rules import current_version
from app.privacy.schemas import ConsentIn, ConsentOffer, WithdrawIn
from tests.enrollment.conftest import caller_for
from tests.factories import create_guardian, give_consent, png_bytes


def refusal(call) -> AppError:
    with pytest.raises(AppError) as refused:
        call()
    return refused.value


def guardian_caller(session, guardian):
    return caller_for(session, guardian.account_id, "guardian")


def media_file(relative):
    return get_settings().media_dir / relative


# ---------- binding ----------

def test_a_bind_needs_the_roster_scope_of_the_current_rules():
    current = current_version()
    assert refusal(lambda: service.check_offer(None)).code == "CONSENT_REQUIRED"
    photo_only = refusal(lambda: service.check_offer(ConsentOffer(version=current, scopes=["photo"])))
    assert (photo_only.code, photo_only.status_code) == ("CONSENT_REQUIRED", 422)
    stale = refusal(lambda: service.check_offer(ConsentOffer(version="0.9", scopes=["roster"])))
    assert (stale.code, stale.status_code, stale.extra) == ("CONSENT_VERSION_STALE", 409,
                                                            {"current_version": current})
    assert service.check_offer(ConsentOffer(version=current, scopes=["roster"])).scopes == ["roster"]


def test_consent_given_twice_is_recorded_once(session, world):
    student, guardian = world.a.students[0], world.a.guardians[0]
    caller = guardian_caller(session, guardian)
    before = len(session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == guardian.id)).all())
    out = service.give_consent(session=session, caller=caller,
                               data=ConsentIn(student_id=student.id, version=current_version(), scopes=["photo"]))
    after = session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == guardian.id)).all()
    assert len(after) == before == 3
    assert [s.status for s in out.scopes] == ["given", "given", "given"]


def test_a_guardian_can_consent_only_for_their_own_child(session, world):
    caller = guardian_caller(session, world.a.guardians[0])
    other = ConsentIn(student_id=world.a.students[1].id, version=current_version(), scopes=["roster"])
    assert refusal(lambda: service.give_consent(session=session, caller=caller, data=other)).status_code == 404


# ---------- photos ----------

def test_a_guardian_uploads_the_childs_photo_only_with_their_own_photo_consent(session, world):
    student = world.a.students[0]
    mum = world.a.guardians[0]
    dad = create_guardian(session, student, relation="爸爸", consent=[ConsentScope.ROSTER])
    session.commit()
    service.require_child_photo_consent(session, caller=guardian_caller(session, mum), student=student)
    refused = refusal(lambda: service.require_child_photo_consent(session, caller=guardian_caller(session, dad),
                                                                  student=student))
    assert (refused.code, refused.status_code) == ("PHOTO_CONSENT_REQUIRED", 403)
    assert "同意使用照片" in refused.message


def test_a_photo_upload_refused_for_want_of_consent_stores_nothing(session, world):
    student = world.a.students[0]
    dad = create_guardian(session, student, relation="爸爸", consent=[ConsentScope.ROSTER])
    session.commit()
    refused = refusal(lambda: people.upload_student_photo(session=session, caller=guardian_caller(session, dad),
                                                          student=student, data=png_bytes()))
    session.refresh(student)
    assert refused.code == "PHOTO_CONSENT_REQUIRED" and student.photo_path is None
    people.upload_student_photo(session=session, caller=guardian_caller(session, world.a.guardians[0]),
                                student=student, data=png_bytes())
    assert student.photo_path and media_file(student.photo_path).exists()


def test_admins_upload_a_childs_photo_only_when_a_guardian_consented_to_photos(session, world):
    admin = caller_for(session, world.a.staff["admin"].account_id, "admin")
    consented, not_consented = world.a.students[0], world.a.students[1]
    service.withdraw_consent(session=session, caller=guardian_caller(session, world.a.guardians[1]),
                             data=WithdrawIn(student_id=not_consented.id, scopes=["photo"]))
    service.require_child_photo_consent(session, caller=admin, student=consented)
    refused = refusal(lambda: service.require_child_photo_consent(session, caller=admin, student=not_consented))
    assert refused.code == "PHOTO_CONSENT_REQUIRED" and "家长尚未同意" in refused.message


def test_the_guardians_own_photo_needs_photo_consent_for_a_child_at_that_school(session, world):
    guardian = world.a.guardians[0]
    assert service.guardians_with_photo_consent(session, [guardian.id]) == [guardian.id]
    service.withdraw_consent(session=session, caller=guardian_caller(session, guardian),
                             data=WithdrawIn(student_id=world.a.students[0].id, scopes=["photo"]))
    assert refusal(lambda: service.guardians_with_photo_consent(session, [guardian.id])).code == \
        "PHOTO_CONSENT_REQUIRED"


# ---------- withdrawing ----------

def test_withdrawing_photo_consent_deletes_the_photo(session, world):
    student, guardian = world.a.students[0], world.a.guardians[0]
    save_photo(session=session, owner=student, data=png_bytes())
    save_photo(session=session, owner=guardian, data=png_bytes("blue"))
    files = [media_file(student.photo_path), media_file(guardian.photo_path)]
    assert all(f.is_file() for f in files)

    out = service.withdraw_consent(session=session, caller=guardian_caller(session, guardian),
                                   data=WithdrawIn(student_id=student.id, scopes=["photo"]))

    assert student.photo_path is None and guardian.photo_path is None
    assert not any(f.exists() for f in files)
    assert {s.scope: s.status for s in out.scopes} == {"roster": "given", "photo": "withdrawn",
                                                        "notifications": "given"}


def test_the_guardians_own_photo_stays_while_they_consent_to_photos_for_a_sibling(session, world):
    older, guardian = world.a.students[0], world.a.guardians[0]
    younger = world.a.students[1]
    session.add(Guardianship(school_id=younger.school_id, student_id=younger.id, guardian_id=guardian.id,
                             relation="妈妈"))
    give_consent(session, guardian, younger, *ConsentScope.ALL)
    save_photo(session=session, owner=guardian, data=png_bytes())
    save_photo(session=session, owner=older, data=png_bytes())

    service.withdraw_consent(session=session, caller=guardian_caller(session, guardian),
                             data=WithdrawIn(student_id=older.id, scopes=["photo"]))

    assert older.photo_path is None
    assert guardian.photo_path is not None, "still shown when she collects the younger child"


def test_withdrawing_roster_consent_unbinds_the_guardian_and_ends_every_consent_there(session, world):
    student, guardian = world.a.students[0], world.a.guardians[0]
    save_photo(session=session, owner=student, data=png_bytes())
    account_id = guardian.account_id

    out = service.withdraw_consent(session=session, caller=guardian_caller(session, guardian),
                                   data=WithdrawIn(student_id=student.id, scopes=["roster"]))

    assert session.get(Guardian, guardian.id).account_id is None
    assert student.photo_path is None
    assert [s.status for s in out.scopes] == ["withdrawn"] * 3
    assert service.wechat_messages_allowed(session, account_id=account_id, student_id=student.id)  # no longer theirs


def test_withdrawing_what_was_never_given_changes_nothing(session, world):
    student = world.a.students[0]
    dad = create_guardian(session, student, relation="爸爸", consent=[ConsentScope.ROSTER])
    session.commit()
    rows = session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == dad.id)).all()
    out = service.withdraw_consent(session=session, caller=guardian_caller(session, dad),
                                   data=WithdrawIn(student_id=student.id, scopes=["photo", "notifications"]))
    assert session.exec(select(PrivacyConsent).where(PrivacyConsent.guardian_id == dad.id)).all() == rows
    assert [s.status for s in out.scopes] == ["given", "none", "none"]


# ---------- notifications ----------

def test_only_a_guardian_who_consented_to_notifications_gets_wechat_messages_about_the_child(session, world):
    student, guardian = world.a.students[0], world.a.guardians[0]
    teacher = world.a.staff["teacher"].account_id
    assert service.wechat_messages_allowed(session, account_id=guardian.account_id, student_id=student.id)
    service.withdraw_consent(session=session, caller=guardian_caller(session, guardian),
                             data=WithdrawIn(student_id=student.id, scopes=["notifications"]))
    assert not service.wechat_messages_allowed(session, account_id=guardian.account_id, student_id=student.id)
    assert service.wechat_messages_allowed(session, account_id=teacher, student_id=student.id)
    never = create_guardian(session, world.a.students[2], consent=[ConsentScope.ROSTER])
    assert not service.wechat_messages_allowed(session, account_id=never.account_id,
                                               student_id=world.a.students[2].id)


# ---------- a new version ----------

def test_a_new_rules_version_asks_again_and_refuses_photos_until_agreed(session, world, new_rules_version):
    student, guardian = world.a.students[0], world.a.guardians[0]
    caller = guardian_caller(session, guardian)

    asked = service.summaries(session, [guardian.id], [student.id])[student.id]
    assert (asked.rules_version, asked.needed, asked.given) == ("2.0", True, [])
    assert {s.scope: s.status for s in service.my_consents(session=session, caller=caller)[0].scopes} == {
        "roster": "stale", "photo": "stale", "notifications": "stale"}
    stale = refusal(lambda: service.require_child_photo_consent(session, caller=caller, student=student))
    assert "处理规则已更新" in stale.message
    # What was agreed goes on under the old version: messages still go out.
    assert service.wechat_messages_allowed(session, account_id=guardian.account_id, student_id=student.id)
    old_version = refusal(lambda: service.give_consent(
        session=session, caller=caller, data=ConsentIn(student_id=student.id, version="1.0", scopes=["roster"])))
    assert old_version.code == "CONSENT_VERSION_STALE"

    service.give_consent(session=session, caller=caller,
                         data=ConsentIn(student_id=student.id, version="2.0", scopes=["roster", "photo"]))

    agreed = service.summaries(session, [guardian.id], [student.id])[student.id]
    assert (agreed.needed, agreed.given) == (False, ["roster", "photo"])
    service.require_child_photo_consent(session, caller=caller, student=student)
