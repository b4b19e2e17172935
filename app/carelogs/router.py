from typing import Annotated

from fastapi import APIRouter, Depends

from app.attendance.service import get_session_row
from app.carelogs import service
from app.carelogs.schemas import CareLogHistory, CareLogIn
from app.core.deps import Caller, SessionDep, allow
from app.core.ids import PathId

router = APIRouter(tags=["看护记录"])

CareStaff = Annotated[Caller, Depends(allow("admin", "duty_leader", "teacher", "class_head"))]


@router.get("/sessions/{session_id}/care-log", response_model=CareLogHistory, summary="场次的看护记录（当前版本和全部历史）")
def get_care_log(session_id: PathId, session: SessionDep, caller: CareStaff) -> CareLogHistory:
    row = get_session_row(session=session, caller=caller, session_id=session_id)
    return service.history(session=session, row=row)


@router.put("/sessions/{session_id}/care-log", response_model=CareLogHistory,
            summary="写或修改看护记录（每次保存为新版本，旧版本保留）；支持 Idempotency-Key")
def write_care_log(session_id: PathId, body: CareLogIn, session: SessionDep, caller: CareStaff) -> CareLogHistory:
    row = get_session_row(session=session, caller=caller, session_id=session_id)
    return service.write(session=session, caller=caller, row=row, data=body)
