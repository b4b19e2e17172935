from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit.service import record_access
from app.core.deps import Caller, SessionDep, allow
from app.core.ids import MAX_ID, PathId
from app.core.xlsx import export_route, xlsx_response
from app.schools.service import get_term
from app.surveys import service
from app.surveys.schemas import (
    ClosesAtIn, MyChildSurveys, PublishIn, ResponseIn, ResponseOut, SuggestionsOut, SurveyIn, SurveyOut, SurveyResults,
)

router = APIRouter(tags=["满意度调查"])

Admin = Annotated[Caller, Depends(allow("admin"))]
GuardianCaller = Annotated[Caller, Depends(allow("guardian"))]
Grade = Annotated[int | None, Query(ge=1, le=6, description="年级")]
ClassId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="班级（答卷时所在的班级）")]


# ---------- guardians ----------

@router.get("/surveys/mine", response_model=list[MyChildSurveys],
            summary="家长：每个孩子正在进行的满意度调查（含已提交的答卷）")
def my_surveys(session: SessionDep, caller: GuardianCaller) -> list[MyChildSurveys]:
    return service.my_surveys(session=session, caller=caller)


@router.put("/surveys/{survey_id}/responses/{student_id}", response_model=ResponseOut,
            summary="家长：为一个孩子提交问卷（每个孩子一次；相同内容重发返回第一次的结果；支持 Idempotency-Key）")
def answer(survey_id: PathId, student_id: PathId, body: ResponseIn, session: SessionDep,
           caller: GuardianCaller) -> ResponseOut:
    return service.answer(session=session, caller=caller, survey_id=survey_id, student_id=student_id,
                          answers=body.answers)


# ---------- admins ----------

@router.get("/terms/{term_id}/surveys", response_model=list[SurveyOut], summary="本学期的满意度调查（含草稿）")
def list_surveys(term_id: PathId, session: SessionDep, caller: Admin) -> list[SurveyOut]:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.list_surveys(session=session, term=term)


@router.post("/terms/{term_id}/surveys", response_model=SurveyOut, status_code=201,
             summary="新建满意度调查（草稿）：评分（1–5）、单选、多选、填空题")
def create_survey(term_id: PathId, body: SurveyIn, session: SessionDep, caller: Admin) -> SurveyOut:
    term = get_term(session=session, term_id=term_id, school_ids=caller.school_ids)
    return service.create_survey(session=session, term=term, account_id=caller.account_id, data=body)


@router.get("/surveys/{survey_id}", response_model=SurveyOut, summary="问卷详情")
def get_survey(survey_id: PathId, session: SessionDep, caller: Admin) -> SurveyOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.one_out(session, row)


@router.put("/surveys/{survey_id}", response_model=SurveyOut, summary="修改草稿（发布后不能再改）")
def update_survey(survey_id: PathId, body: SurveyIn, session: SessionDep, caller: Admin) -> SurveyOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.update_survey(session=session, row=row, data=body)


@router.delete("/surveys/{survey_id}", status_code=204, summary="删除草稿（已发布的问卷保留）")
def delete_survey(survey_id: PathId, session: SessionDep, caller: Admin) -> Response:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    service.delete_survey(session=session, row=row)
    return Response(status_code=204)


@router.post("/surveys/{survey_id}/publish", response_model=SurveyOut,
             summary="发布：题目从此固定；立即开始或到 opens_at 开始（开始时通知家长），到 closes_at 或手动结束")
def publish(survey_id: PathId, session: SessionDep, caller: Admin, body: PublishIn | None = None) -> SurveyOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.publish(session=session, row=row, data=body or PublishIn())


@router.put("/surveys/{survey_id}/closes-at", response_model=SurveyOut,
            summary="修改已发布问卷的截止时间（推迟、提前或取消截止；题目不变；已结束的问卷不能再改）")
def change_closes_at(survey_id: PathId, body: ClosesAtIn, session: SessionDep, caller: Admin) -> SurveyOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.change_closes_at(session=session, row=row, closes_at=body.closes_at)


@router.post("/surveys/{survey_id}/close", response_model=SurveyOut, summary="结束问卷（已提交的答卷保留）")
def close(survey_id: PathId, session: SessionDep, caller: Admin) -> SurveyOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.close(session=session, row=row)


@router.get("/surveys/{survey_id}/results", response_model=SurveyResults,
            summary="调查结果：每题的分布、平均分、满意率（4–5 分）、选项人数、填空内容；可按年级、班级筛选")
def results(survey_id: PathId, session: SessionDep, caller: Admin, grade: Grade = None,
            class_id: ClassId = None) -> SurveyResults:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.results(session=session, survey=row, grade=grade, class_id=class_id)


@router.get("/surveys/{survey_id}/suggestions", response_model=SuggestionsOut,
            summary="意见建议：填空题的全部回答（最新在前，不显示学生姓名）")
def suggestions(survey_id: PathId, session: SessionDep, caller: Admin, grade: Grade = None,
                class_id: ClassId = None) -> SuggestionsOut:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    return service.suggestions(session=session, survey=row, grade=grade, class_id=class_id)


@export_route(router, "/surveys/{survey_id}/results.xlsx", summary="导出调查结果（.xlsx，不含学生姓名）")
def results_xlsx(survey_id: PathId, session: SessionDep, caller: Admin, grade: Grade = None,
                 class_id: ClassId = None) -> Response:
    row = service.get_survey(session=session, school_ids=caller.school_ids, survey_id=survey_id)
    data, filename = service.results_xlsx(session=session, survey=row, grade=grade, class_id=class_id)
    # No child is named in it, so the audit row lists none; the export itself is still on record.
    record_access(session, caller, school_id=row.school_id, action="export.surveys", detail=filename[:200])
    return xlsx_response(data, filename, "survey-results.xlsx")
