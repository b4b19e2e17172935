from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit.service import record_access
from app.core.deps import STAFF, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.xlsx import export_route, xlsx_response
from app.schools.service import require_school
from app.workload import service
from app.workload.schemas import MONTH_PATTERN, SchoolRecordsOut, ServiceRecordOut

router = APIRouter(tags=["教师课时"])

Admin = Annotated[Caller, Depends(allow("admin"))]
MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="月份 YYYY-MM，默认本月")]


@router.get("/staff/{staff_id}/service-record", response_model=ServiceRecordOut,
            summary="教师本月课时（本人或管理员）")
def staff_record(staff_id: PathId, session: SessionDep, caller: Annotated[Caller, Depends(allow(*STAFF))],
                 month: MonthQuery = None) -> ServiceRecordOut:
    return service.staff_record(session=session, caller=caller, staff_id=staff_id, month=month)


@router.get("/schools/{school_id}/service-records", response_model=SchoolRecordsOut, summary="全校教师月度课时")
def school_records(school_id: PathId, session: SessionDep, caller: Admin, month: MonthQuery = None) -> SchoolRecordsOut:
    school = require_school(session, school_id, caller.school_ids)
    return service.school_records(session=session, school=school, month=month)


@export_route(router, "/schools/{school_id}/service-records.xlsx",
              summary="导出全校教师月度课时（.xlsx，用于课时津贴与每月公示）")
def school_records_xlsx(school_id: PathId, session: SessionDep, caller: Admin, month: MonthQuery = None) -> Response:
    school = require_school(session, school_id, caller.school_ids)
    data, filename = service.school_records_xlsx(session=session, school=school, month=month)
    # Teachers' sessions and pay, no child: on the trail as the month's figures leaving.
    record_access(session, caller, school_id=school.id, action="export.workload", detail=filename[:200])
    return xlsx_response(data, filename, "service-records.xlsx")
