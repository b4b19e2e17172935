from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session

from app.audit.service import record_access
from app.clubs import exports, service
from app.clubs.models import Club, ClubEnrollment, SelectionRound
from app.clubs.schemas import (
    ChoicesIn, ClubIn, ClubOut, DrawIn, DrawResult, EnrollIn, EnrollmentOut, MoveIn, RoundIn, RoundOut, RosterRow,
)
from app.core.config import get_settings
from app.core.deps import GUARDIAN, STAFF, Admission, Caller, SessionDep, allow, allow_in_unit_of_work, public
from app.core.errors import NotFound
from app.core.idempotency import OwnIdempotencyKey, answer_once
from app.core.ids import PathId, QueryId
from app.core.media import IMAGE_RESPONSES
from app.core.signed_urls import check_signature
from app.core.scope import get_in_schools
from app.core.xlsx import export_route, xlsx_response
from app.people.exposure import disclosure
from app.people.service import readable_student
from app.schools.models import Term
from app.schools.service import get_term

router = APIRouter(tags=["社团选课"])
# Tapped by every family in the same second (抢课): app/main.py matches it before all other routes.
rush = APIRouter(tags=["社团选课"])

Admin = Annotated[Caller, Depends(allow("admin"))]
Guardian = Annotated[Caller, Depends(allow(GUARDIAN))]
GuardianInUnitOfWork = Annotated[Admission, Depends(allow_in_unit_of_work(GUARDIAN))]
Browser = Annotated[Caller, Depends(allow(*STAFF, GUARDIAN))]
TeacherOrAdmin = Annotated[Caller, Depends(allow("admin", "teacher"))]


def _club(session, school_ids: frozenset[int], club_id: int) -> Club:
    return get_in_schools(session, Club, club_id, school_ids, message="未找到该社团")


@router.get("/terms/{term_id}/clubs", response_model=list[ClubOut],
            summary="社团目录：实时余位；带 student_id 时说明孩子能否选")
def list_clubs(term_id: PathId, session: SessionDep, caller: Browser, student_id: QueryId | None = None
               ) -> list[ClubOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids)
    student = readable_student(session=session, caller=caller, student_id=student_id) if student_id else None
    if student is not None and student.school_id != term.school_id:
        raise NotFound("STUDENT_NOT_FOUND", "未找到该学生")
    return service.club_outs(session, service.term_clubs(session, term.id), student)


@router.post("/terms/{term_id}/clubs", response_model=ClubOut, status_code=201, summary="新建社团")
def create_club(term_id: PathId, body: ClubIn, session: SessionDep, caller: Admin) -> ClubOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.club_outs(session, [service.save_club(session=session, term=term, data=body)])[0]


@router.get("/clubs/{club_id}", response_model=ClubOut, summary="社团详情")
def get_club(club_id: PathId, session: SessionDep, caller: Browser) -> ClubOut:
    return service.club_outs(session, [_club(session, caller.visible_school_ids, club_id)])[0]


@router.put("/clubs/{club_id}", response_model=ClubOut, summary="修改社团")
def update_club(club_id: PathId, body: ClubIn, session: SessionDep, caller: Admin) -> ClubOut:
    club = _club(session, caller.school_ids, club_id)
    term = get_term(session=session, term_id=club.term_id, school_ids=caller.school_ids)
    return service.club_outs(session, [service.save_club(session=session, term=term, data=body, club=club)])[0]


@router.delete("/clubs/{club_id}", status_code=204, summary="停开社团（已选和候补的学生退出并通知家长，记录保留）")
def close_club(club_id: PathId, session: SessionDep, caller: Admin) -> Response:
    club = _club(session, caller.school_ids, club_id)
    service.close_club(session=session, caller=caller, club=club)
    return Response(status_code=204)


@router.post("/clubs/{club_id}/cover", response_model=ClubOut,
             summary="上传社团封面（JPG/PNG；POST，因为小程序 wx.uploadFile 只能 POST）")
def upload_cover(club_id: PathId, session: SessionDep, caller: Admin,
                 file: Annotated[UploadFile, File(description="JPG 或 PNG 图片")]) -> ClubOut:
    club = _club(session, caller.school_ids, club_id)
    data = file.file.read(get_settings().max_photo_bytes + 1)
    return service.club_outs(session, [service.save_cover(session=session, club=club, data=data)])[0]


@router.get("/clubs/{club_id}/cover/{name}", response_class=FileResponse, responses=IMAGE_RESPONSES,
            dependencies=[Depends(public)], summary="社团封面（凭目录里的签名链接访问）")
def get_cover(club_id: PathId, name: Annotated[str, Path(max_length=64)], session: SessionDep,
              exp: Annotated[int | None, Query(ge=0, le=2**40)] = None,
              sig: Annotated[str | None, Query(max_length=64)] = None
              ) -> FileResponse:
    check_signature(f"/api/v1/clubs/{club_id}/cover/{name}", exp, sig)
    path, media_type = service.cover_file(session, club_id, name)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/terms/{term_id}/selection-rounds", response_model=list[RoundOut], summary="选课轮次")
def list_rounds(term_id: PathId, session: SessionDep, caller: Browser) -> list[RoundOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids)
    return [service.round_out(r) for r in service.term_rounds(session, term.id)]


@router.post("/terms/{term_id}/selection-rounds", response_model=RoundOut, status_code=201, summary="新建选课轮次")
def create_round(term_id: PathId, body: RoundIn, session: SessionDep, caller: Admin) -> RoundOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.round_out(service.create_round(session=session, term=term, data=body))


@rush.post("/clubs/{club_id}/enrollments", response_model=EnrollmentOut, summary="抢课：选上或进入候补")
async def enroll(club_id: PathId, body: EnrollIn, guardian: GuardianInUnitOfWork, key: OwnIdempotencyKey) -> Response:
    # One thread hop and one transaction for the whole choice: who is calling, the place, and the record of its
    # Idempotency-Key (app/core/idempotency.py).
    def choose(session: Session, caller: Caller) -> Response:
        return answer_once(session, key, lambda on_answer: service.enroll(
            session=session, caller=caller, club_id=club_id, student_id=body.student_id, on_answer=on_answer))
    return await guardian.run(choose)


@router.delete("/clubs/{club_id}/enrollments/{student_id}", response_model=EnrollmentOut,
               summary="退选（候补第一位随即递补）")
def drop(club_id: PathId, student_id: PathId, session: SessionDep, caller: Guardian) -> EnrollmentOut:
    return service.drop(session=session, caller=caller, club=_club(session, caller.visible_school_ids, club_id), student_id=student_id)


@router.get("/students/{student_id}/clubs", response_model=list[EnrollmentOut], summary="孩子的社团")
def child_clubs(student_id: PathId, session: SessionDep,
                caller: Annotated[Caller, Depends(allow("admin", "class_head", "teacher", GUARDIAN))]
                ) -> list[EnrollmentOut]:
    student = readable_student(session=session, caller=caller, student_id=student_id)
    return service.child_enrollments(session, student.id)


@router.get("/selection-rounds/{round_id}", response_model=RoundOut, summary="选课轮次详情")
def get_round(round_id: PathId, session: SessionDep, caller: Browser) -> RoundOut:
    return service.round_out(get_in_schools(session, SelectionRound, round_id, caller.visible_school_ids,
                                            message="未找到该轮次"))


@router.get("/selection-rounds/{round_id}/choices/{student_id}", response_model=list[ClubOut],
            summary="已填报的摇号志愿（按顺序）")
def get_choices(round_id: PathId, student_id: PathId, session: SessionDep, caller: Guardian) -> list[ClubOut]:
    round_ = get_in_schools(session, SelectionRound, round_id, caller.visible_school_ids, message="未找到该轮次")
    student = service.guardian_child(session, caller, student_id)
    return service.club_outs(session, service.saved_choices(session, round_, student.id), student)


@router.get("/terms/{term_id}/my-clubs", response_model=list[ClubOut], summary="我指导的社团")
def my_clubs(term_id: PathId, session: SessionDep, caller: TeacherOrAdmin) -> list[ClubOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.club_outs(session, service.led_clubs(session, term, caller.actor.staff_id(term.school_id)))


@router.put("/selection-rounds/{round_id}/choices/{student_id}", response_model=list[ClubOut],
            summary="摇号志愿（按顺序）")
def set_choices(round_id: PathId, student_id: PathId, body: ChoicesIn, session: SessionDep,
                caller: Guardian) -> list[ClubOut]:
    round_ = get_in_schools(session, SelectionRound, round_id, caller.visible_school_ids, message="未找到该轮次")
    return service.set_choices(session=session, caller=caller, round_=round_, student_id=student_id,
                               club_ids=body.club_ids)


@router.post("/selection-rounds/{round_id}/draw", response_model=DrawResult, summary="摇号（种子记录在案，可复现）")
def draw(round_id: PathId, body: DrawIn, session: SessionDep, caller: Admin) -> DrawResult:
    round_ = get_in_schools(session, SelectionRound, round_id, caller.school_ids, message="未找到该轮次")
    return service.draw(session=session, round_=round_, seed=body.seed)


@router.get("/selection-rounds/{round_id}/results", response_model=DrawResult, summary="各社团录取与候补名单")
def results(round_id: PathId, session: SessionDep, caller: Admin) -> DrawResult:
    round_ = get_in_schools(session, SelectionRound, round_id, caller.school_ids, message="未找到该轮次")
    return service.draw_result(session, round_)


def _roster(session, caller: Caller, club_id: int, action: str) -> tuple[Club, list[RosterRow]]:
    """A club's roster, for an admin or the club's own teacher (anyone else: not found), on the access audit."""
    club = _club(session, caller.school_ids, club_id)
    if not service.may_read_roster(caller, club):
        raise NotFound("CLUB_NOT_FOUND", "未找到该社团")
    rows = service.roster(session, club, shown=disclosure(session, caller, club.school_id))
    record_access(session, caller, school_id=club.school_id, action=action,
                  student_ids=(r.student_id for r in rows), detail=club.name)
    return club, rows


@router.get("/clubs/{club_id}/roster", response_model=list[RosterRow], summary="社团名单（含班级与家长联系方式）")
def roster(club_id: PathId, session: SessionDep, caller: TeacherOrAdmin) -> list[RosterRow]:
    return _roster(session, caller, club_id, "roster.club")[1]


@export_route(router, "/clubs/{club_id}/roster/export.xlsx", summary="导出社团名单（.xlsx，含班级与家长联系方式）")
def export_roster(club_id: PathId, session: SessionDep, caller: TeacherOrAdmin) -> Response:
    club, rows = _roster(session, caller, club_id, "export.clubs")
    return xlsx_response(exports.roster_xlsx(session, club, session.get(Term, club.term_id), rows),
                         f"{club.name}-社团名单.xlsx", "club-roster.xlsx")


@export_route(router, "/terms/{term_id}/clubs/export.xlsx",
              summary="导出本学期的社团目录与全部社团名单（.xlsx）")
def export_clubs(term_id: PathId, session: SessionDep, caller: Admin) -> Response:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    clubs = service.term_clubs(session, term.id)
    shown = disclosure(session, caller, term.school_id)  # an admin's: every phone
    rosters = {c.id: service.roster(session, c, shown=shown) for c in clubs}
    record_access(session, caller, school_id=term.school_id, action="export.clubs", detail=term.name,
                  student_ids=(r.student_id for rows in rosters.values() for r in rows))
    return xlsx_response(exports.term_xlsx(session, term, service.club_outs(session, clubs), rosters),
                         f"社团目录与名单-{term.name}.xlsx", "clubs.xlsx")


@router.post("/club-enrollments/{enrollment_id}/move", response_model=list[EnrollmentOut],
             summary="管理员调整（移出或调到其他社团，须注明原因）")
def move(enrollment_id: PathId, body: MoveIn, session: SessionDep, caller: Admin) -> list[EnrollmentOut]:
    row = get_in_schools(session, ClubEnrollment, enrollment_id, caller.school_ids, message="未找到该选课记录")
    to_club = get_in_schools(session, Club, body.to_club_id, caller.school_ids, message="未找到目标社团") \
        if body.to_club_id else None
    return service.move(session=session, caller=caller, row=row, to_club=to_club, reason=body.reason)
