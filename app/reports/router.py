from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit.service import record_access
from app.core.deps import DISTRICT, Caller, SessionDep, allow
from app.core.ids import PathId
from app.core.xlsx import export_route, xlsx_response
from app.reports import exports, service
from app.reports.schemas import DistrictDashboard, SchoolDashboard
from app.schools.service import require_school

router = APIRouter(prefix="/reports", tags=["统计与督导"])

SchoolReader = Annotated[Caller, Depends(allow("admin", DISTRICT))]
DistrictReader = Annotated[Caller, Depends(allow(DISTRICT))]
From = Annotated[date | None, Query(alias="from", description="开始日期，默认学期开始")]
To = Annotated[date | None, Query(description="结束日期，默认今天（不超过学期结束）")]
TermId = Annotated[int | None, Query(ge=1, description="学期，默认当前学期")]


def _school_dashboard(session, caller: Caller, school_id: int, term_id, from_, to) -> SchoolDashboard:
    school = require_school(session, school_id, caller.school_ids)
    return service.school_dashboard(session=session, school=school, term_id=term_id, start=from_, end=to)


@router.get("/schools/{school_id}", response_model=SchoolDashboard,
            summary="学校统计：参与率、出勤、接送、社团、教师参与、巡查、突发情况、收费与满意度")
def school_dashboard(school_id: PathId, session: SessionDep, caller: SchoolReader, term_id: TermId = None,
                     from_: From = None, to: To = None) -> SchoolDashboard:
    return _school_dashboard(session, caller, school_id, term_id, from_, to)


@export_route(router, "/schools/{school_id}/export", summary="导出学校统计（.xlsx，每项一张表）")
def school_export(school_id: PathId, session: SessionDep, caller: SchoolReader, term_id: TermId = None,
                  from_: From = None, to: To = None) -> Response:
    dashboard = _school_dashboard(session, caller, school_id, term_id, from_, to)
    # Figures, no child named: the audit row records that the school's figures left, and by whom.
    record_access(session, caller, school_id=school_id, action="export.reports",
                  detail=f"{dashboard.term.name} {dashboard.from_}至{dashboard.to}")
    return xlsx_response(exports.school_xlsx(dashboard),
                         f"{dashboard.school.name}-{dashboard.term.name}-课后服务统计.xlsx", "report.xlsx")


@router.get("/districts/{district_id}", response_model=DistrictDashboard, summary="区县督导：各校主要指标、合计与排名")
def district_dashboard(district_id: PathId, session: SessionDep, caller: DistrictReader, from_: From = None,
                       to: To = None) -> DistrictDashboard:
    district = service.get_district(session, caller.account_id, district_id)
    return service.district_dashboard(session=session, district=district, start=from_, end=to)


@export_route(router, "/districts/{district_id}/export", summary="导出区县督导统计（.xlsx）")
def district_export(district_id: PathId, session: SessionDep, caller: DistrictReader, from_: From = None,
                    to: To = None) -> Response:
    district = service.get_district(session, caller.account_id, district_id)
    dashboard = service.district_dashboard(session=session, district=district, start=from_, end=to)
    for row in dashboard.schools:  # on each school's trail: its figures went out in the district's file
        record_access(session, caller, school_id=row.school.id, action="export.reports", detail=f"{district.name}督导统计")
    return xlsx_response(exports.district_xlsx(dashboard), f"{district.name}-课后服务督导统计.xlsx", "report.xlsx")
