"""Separate guardian consent to the 儿童个人信息处理规则 (docs/privacy.md).

A guardian agrees per child and per scope (roster, photo, notifications) to one version of the rules; each
consent is a row, a withdrawal stamps it, a newer consent is a new row, and the newest row per guardian, child
and scope is what holds. Binding needs the current version's roster consent; uploading a photo needs the current
version's photo consent; a new version asks again (`needed` in GET /me) but blocks nothing else: the school's
daily care and the safe handoff at the gate go on under the consent already given.
"""

from collections.abc import Iterable

from sqlmodel import Session, select

from app.core.clock import utcnow
from app.core.deps import Caller
from app.core.errors import AppError, Conflict, NotFound
from app.people.models import Guardian, Guardianship, Student
from app.people.photos import delete_photos
from app.privacy import rules
from app.privacy.models import ConsentScope, PrivacyConsent
from app.privacy.schemas import (
    ChildConsentsOut, ConsentIn, ConsentOffer, ConsentSummary, RulesOut, RulesSection, RulesVersionOut, ScopeOut,
    ScopeState, WithdrawIn,
)
from app.schools.models import School

REQUIRED_AT_BINDING = (ConsentScope.ROSTER,)
WHERE_TO_CONSENT = "「我的 → 隐私与授权」"
# Better first: what an account holds when it has two guardian records for the same child.
_STATUS_ORDER = ("given", "stale", "withdrawn", "none")
Key = tuple[int, int, str]  # guardian, student, scope


# ---------- the rules ----------

def rules_out(*, session: Session, version: str | None = None, school_id: int | None = None) -> RulesOut:
    """One version of the rules (the current one by default), filled in with the school's name when given."""
    catalog = rules.catalog()
    chosen = catalog.get(version) if version else catalog.current
    if chosen is None:
        raise NotFound("RULES_VERSION_NOT_FOUND", f"没有版本为 {version} 的处理规则")
    school = session.get(School, school_id) if school_id else None
    if school_id and school is None:
        raise NotFound("SCHOOL_NOT_FOUND", "未找到该学校")
    markdown = chosen.render(school.name if school else None)
    return RulesOut(version=chosen.version, title=chosen.title, effective_from=chosen.effective_from,
                    current_version=catalog.current.version, is_current=chosen is catalog.current,
                    school_name=school.name if school else None, markdown=markdown,
                    sections=[RulesSection(**s) for s in rules.sections(markdown)],
                    scopes=[ScopeOut(scope=s, label=ConsentScope.LABELS[s], required=s in REQUIRED_AT_BINDING)
                            for s in ConsentScope.ALL],
                    versions=[RulesVersionOut(version=v.version, effective_from=v.effective_from, changes=v.changes)
                              for v in catalog.versions])


# ---------- reading consent ----------

def _newest(session: Session, guardian_ids: Iterable[int], student_ids: Iterable[int] | None = None,
            scopes: Iterable[str] = ConsentScope.ALL) -> dict[Key, PrivacyConsent]:
    """The row that holds for each (guardian, student, scope): the newest one."""
    guardians, wanted = set(guardian_ids), set(scopes)
    if not guardians:
        return {}
    query = select(PrivacyConsent).where(PrivacyConsent.guardian_id.in_(guardians),
                                         PrivacyConsent.scope.in_(wanted))
    if student_ids is not None:
        query = query.where(PrivacyConsent.student_id.in_(set(student_ids)))
    newest: dict[Key, PrivacyConsent] = {}
    for row in session.exec(query.order_by(PrivacyConsent.id)).all():
        newest[(row.guardian_id, row.student_id, row.scope)] = row
    return newest


def _status(row: PrivacyConsent | None, current: str) -> str:
    if row is None:
        return "none"
    if row.withdrawn_at is not None:
        return "withdrawn"
    return "given" if row.rules_version == current else "stale"


def _best(rows: Iterable[PrivacyConsent | None], current: str) -> tuple[str, PrivacyConsent | None]:
    ranked = sorted(((_status(r, current), r) for r in rows), key=lambda pair: _STATUS_ORDER.index(pair[0]))
    return ranked[0] if ranked else ("none", None)


def _is_live(row: PrivacyConsent | None, *, current_only: bool) -> bool:
    if row is None or row.withdrawn_at is not None:
        return False
    return row.rules_version == rules.current_version() if current_only else True


def summaries(session: Session, guardian_ids: Iterable[int], student_ids: Iterable[int]) -> dict[int, ConsentSummary]:
    """For GET /me: per child, whether the guardian is asked (again) and which scopes hold at the current version."""
    guardian_ids, student_ids = tuple(guardian_ids), tuple(student_ids)
    current = rules.current_version()
    newest = _newest(session, guardian_ids, student_ids)
    out = {}
    for student_id in student_ids:
        given = [scope for scope in ConsentScope.ALL
                 if _best((newest.get((g, student_id, scope)) for g in guardian_ids), current)[0] == "given"]
        out[student_id] = ConsentSummary(rules_version=current, needed=ConsentScope.ROSTER not in given, given=given)
    return out


def _child_consents(session: Session, student: Student, guardian_ids: list[int]) -> ChildConsentsOut:
    current = rules.current_version()
    newest = _newest(session, guardian_ids, [student.id])
    states = []
    for scope in ConsentScope.ALL:
        status, row = _best((newest.get((g, student.id, scope)) for g in guardian_ids), current)
        states.append(ScopeState(scope=scope, label=ConsentScope.LABELS[scope], status=status,
                                 version=row.rules_version if row else None, given_at=row.given_at if row else None,
                                 withdrawn_at=row.withdrawn_at if row else None))
    school = session.get(School, student.school_id)
    return ChildConsentsOut(student_id=student.id, student_name=student.name, school_id=school.id,
                            school_name=school.name, rules_version=current,
                            needed=states[0].status != "given", scopes=states)


def my_consents(*, session: Session, caller: Caller) -> list[ChildConsentsOut]:
    """Every child the caller is a guardian of, with each scope's state."""
    rows = session.exec(select(Student, Guardianship.guardian_id)
                        .join(Guardianship, Guardianship.student_id == Student.id)
                        .where(Guardianship.guardian_id.in_(caller.actor.guardian_ids),
                               Student.is_active == True)  # noqa: E712
                        .order_by(Student.id)).all()
    children: dict[int, tuple[Student, list[int]]] = {}
    for student, guardian_id in rows:
        children.setdefault(student.id, (student, []))[1].append(guardian_id)
    return [_child_consents(session, student, guardian_ids) for student, guardian_ids in children.values()]


# ---------- giving consent ----------

def check_offer(offer: ConsentOffer | None) -> ConsentOffer:
    """The consent a bind must carry: the current version, with the roster scope ticked. Refusing changes nothing."""
    if offer is None or not set(REQUIRED_AT_BINDING) <= set(offer.scopes):
        raise AppError("CONSENT_REQUIRED", "请先阅读并同意《儿童个人信息处理规则》中的“花名册与课后服务信息”",
                       status_code=422, fields={"consent.scopes": "须同意花名册与课后服务信息"},
                       extra={"current_version": rules.current_version()})
    _check_version(offer.version)
    return offer


def _check_version(version: str) -> None:
    current = rules.current_version()
    if version != current:
        raise Conflict("CONSENT_VERSION_STALE", "处理规则已更新，请阅读新版本后再确认",
                       fields={"consent.version": f"当前版本为 {current}"}, extra={"current_version": current})


def record_consents(session: Session, *, guardian: Guardian, student_id: int, account_id: int | None,
                    version: str, scopes: Iterable[str]) -> None:
    """Add a consent row per scope not already held at this version (the caller commits)."""
    newest = _newest(session, [guardian.id], [student_id], scopes)
    now = utcnow()
    for scope in dict.fromkeys(scopes):
        row = newest.get((guardian.id, student_id, scope))
        if _is_live(row, current_only=False) and row.rules_version == version:
            continue
        session.add(PrivacyConsent(school_id=guardian.school_id, guardian_id=guardian.id, student_id=student_id,
                                   account_id=account_id, scope=scope, rules_version=version, given_at=now))


def _my_guardian_rows(session: Session, caller: Caller, student_id: int) -> tuple[Student, list[Guardian]]:
    """The child and the caller's guardian records linked to it; 404 for a child that is not theirs."""
    student = session.get(Student, student_id)
    rows = list(session.exec(select(Guardian).join(Guardianship, Guardianship.guardian_id == Guardian.id).where(
        Guardianship.student_id == student_id, Guardian.id.in_(caller.actor.guardian_ids))).all()) \
        if student is not None else []
    if not rows:
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    return student, rows


def give_consent(*, session: Session, caller: Caller, data: ConsentIn) -> ChildConsentsOut:
    """Agree (again) to the current rules for one child; agreeing twice records once."""
    student, guardians = _my_guardian_rows(session, caller, data.student_id)
    _check_version(data.version)
    for guardian in guardians:
        record_consents(session, guardian=guardian, student_id=student.id, account_id=caller.account_id,
                        version=data.version, scopes=data.scopes)
    session.commit()
    return _child_consents(session, student, [g.id for g in guardians])


# ---------- withdrawing ----------

def withdraw_consent(*, session: Session, caller: Caller, data: WithdrawIn) -> ChildConsentsOut:
    """Withdraw scopes for one child. Photo: the child's photo is deleted at once, and the guardian's own pickup
    photo at that school when no photo consent of theirs is left there. Roster: the guardian's WeChat is unbound
    from their record at that school, and every consent of theirs there is withdrawn (photos deleted)."""
    student, guardians = _my_guardian_rows(session, caller, data.student_id)
    guardian_ids = [g.id for g in guardians]
    scopes = set(data.scopes)
    if ConsentScope.ROSTER in scopes:
        _unbind(session, guardians)
    else:
        _stamp_withdrawn(_newest(session, guardian_ids, [student.id], scopes).values())
        if ConsentScope.PHOTO in scopes:
            _delete_photos_without_consent(session, [student], guardians)
    session.commit()
    return _child_consents(session, student, guardian_ids)


def _stamp_withdrawn(rows: Iterable[PrivacyConsent]) -> None:
    now = utcnow()
    for row in rows:
        if row.withdrawn_at is None:
            row.withdrawn_at = now


def _unbind(session: Session, guardians: list[Guardian]) -> None:
    """Roster consent withdrawn: the guardian records let go of the WeChat account, and nothing of theirs holds."""
    children = list(session.exec(select(Student).join(Guardianship, Guardianship.student_id == Student.id).where(
        Guardianship.guardian_id.in_([g.id for g in guardians]))).all())
    _stamp_withdrawn(_newest(session, [g.id for g in guardians], [c.id for c in children]).values())
    for guardian in guardians:
        guardian.account_id = None
        session.add(guardian)
    _delete_photos_without_consent(session, children, guardians)


def _delete_photos_without_consent(session: Session, children: list[Student], guardians: list[Guardian]) -> None:
    """Delete the children's photos, and each guardian's own photo unless they still consent for a child there."""
    session.flush()
    still = {row.guardian_id for row in _newest(session, [g.id for g in guardians], scopes=[ConsentScope.PHOTO])
             .values() if _is_live(row, current_only=False)}
    delete_photos(session=session, owners=[*children, *(g for g in guardians if g.id not in still)])


# ---------- what a consent allows ----------

def _photo_refusal(status: str, by_guardian: bool) -> AppError:
    if not by_guardian:
        return AppError("PHOTO_CONSENT_REQUIRED", "孩子的家长尚未同意使用照片，学校不能上传", status_code=403)
    if status == "stale":
        return AppError("PHOTO_CONSENT_REQUIRED", f"处理规则已更新，请先在{WHERE_TO_CONSENT}中确认新版本，再上传照片",
                        status_code=403, extra={"current_version": rules.current_version()})
    return AppError("PHOTO_CONSENT_REQUIRED", f"上传照片前，请先在{WHERE_TO_CONSENT}中同意使用照片", status_code=403,
                    extra={"current_version": rules.current_version()})


def require_child_photo_consent(session: Session, *, caller: Caller, student: Student) -> None:
    """May this caller upload the child's photo? A guardian: with their own photo consent to the current rules.
    School staff (admins): when at least one guardian of the child gave it."""
    current = rules.current_version()
    if student.school_id in caller.school_ids:
        guardian_ids = list(session.exec(select(Guardianship.guardian_id).where(
            Guardianship.student_id == student.id)).all())
        by_guardian = False
    else:
        _, guardians = _my_guardian_rows(session, caller, student.id)
        guardian_ids, by_guardian = [g.id for g in guardians], True
    rows = _newest(session, guardian_ids, [student.id], [ConsentScope.PHOTO]).values()
    status, _ = _best(rows, current)
    if status != "given":
        raise _photo_refusal(status, by_guardian)


def guardians_with_photo_consent(session: Session, guardian_ids: Iterable[int]) -> list[int]:
    """The guardian records (one per school) whose own photo may be uploaded: photo consent to the current rules
    for at least one child there. None: the upload is refused."""
    guardian_ids = list(guardian_ids)
    rows = _newest(session, guardian_ids, scopes=[ConsentScope.PHOTO]).values()
    allowed = sorted({row.guardian_id for row in rows if _is_live(row, current_only=True)})
    if not allowed:
        current = rules.current_version()
        status, _ = _best(rows, current)
        raise _photo_refusal(status, by_guardian=True)
    return allowed


def wechat_messages_allowed(session: Session, *, account_id: int, student_id: int | None = None,
                            student_ids: Iterable[int] = ()) -> bool:
    """Whether a non-safety message about these children may go out through WeChat to this account: always for
    staff (not a guardian of the child), for a guardian only while their notifications consent holds (any version)
    for every child the message names (one message may name a guardian's several children, e.g. a survey's)."""
    return all(_notifications_allowed(session, account_id, sid)
               for sid in {*student_ids, *([student_id] if student_id else [])})


def _notifications_allowed(session: Session, account_id: int, student_id: int) -> bool:
    guardian_ids = list(session.exec(select(Guardian.id).join(Guardianship, Guardianship.guardian_id == Guardian.id)
                                     .where(Guardianship.student_id == student_id,
                                            Guardian.account_id == account_id)).all())
    if not guardian_ids:
        return True
    rows = _newest(session, guardian_ids, [student_id], [ConsentScope.NOTIFICATIONS]).values()
    return any(_is_live(row, current_only=False) for row in rows)
