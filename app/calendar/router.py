from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.calendar import service
from app.calendar.schemas import CalendarOut, DayChangeIn, DayOut
from app.core.deps import GUARDIAN, STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.schools.service import get_term

router = APIRouter(tags=["服务日历"])

Admin = Annotated[Caller, Depends(allow("admin"))]
StaffOrGuardian = Annotated[Caller, Depends(allow(*STAFF, GUARDIAN))]


@router.get("/terms/{term_id}/calendar", response_model=CalendarOut, summary="学期服务日历（含节假日、调休、停课与加开）")
def term_calendar(term_id: PathId, session: SessionDep, caller: StaffOrGuardian,
                  start: Annotated[date | None, Query(alias="from")] = None,
                  end: Annotated[date | None, Query(alias="to")] = None) -> CalendarOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.visible_school_ids)
    return service.term_calendar(session=session, term=term, start=start, end=end,
                                 with_leave=term.school_id in caller.school_ids)


@router.post("/terms/{term_id}/calendar/changes", response_model=DayOut, summary="停课或加开某天")
def change_day(term_id: PathId, body: DayChangeIn, session: SessionDep, caller: Admin) -> DayOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.change_day(session=session, term=term, data=body, account_id=caller.account_id)


@router.delete("/calendar-changes/{change_id}", status_code=204, summary="撤销停课/加开")
def undo_change(change_id: PathId, session: SessionDep, caller: Admin) -> None:
    service.undo_change(session=session, change_id=change_id, school_ids=caller.school_ids)
