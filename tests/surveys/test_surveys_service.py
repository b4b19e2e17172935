"""满意度调查, the rules without HTTP: drafts and publishing, who is asked, once per child, every answer checked
against its question, and results recomputed here from the raw answer rows."""

import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlmodel import select

from app.core.clock import utcnow
from app.core.errors import AppError
from app.people.models import Guardianship
from app.surveys import service
from app.surveys.models import SurveyAnswer, SurveyResponse
from app.surveys.schemas import PublishIn, QuestionIn
from tests.factories import create_guardian, create_student
from tests.surveys.conftest import admin_account, guardian_caller, published, submit, survey_in


def code_of(excinfo) -> str:
    return excinfo.value.code


# ---------- writing and publishing ----------

def test_a_draft_is_edited_then_published_and_its_questions_are_fixed(session, world, fixed_clock):
    a = world.a
    out = service.create_survey(session=session, term=a.term, account_id=admin_account(a), data=survey_in())
    assert (out.status, out.state, out.state_label) == ("draft", "draft", "草稿")
    assert [q.id for q in out.questions] == [1, 2, 3, 4, 5]
    assert [o.text for o in out.questions[0].options] == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert [(o.id, o.text) for o in out.questions[2].options] == [(1, "愿意"), (2, "一般"), (3, "不愿意")]
    row = service.get_survey(session=session, school_ids={a.school.id}, survey_id=out.id)

    edited = service.update_survey(session=session, row=row, data=survey_in(
        title="改过的标题", questions=[{"kind": "text", "text": "建议"}, {"kind": "rating", "text": "总体"}]))
    assert edited.title == "改过的标题" and [q.kind for q in edited.questions] == ["text", "rating"]

    fixed_clock.advance(minutes=1)
    opened = service.publish(session=session, row=row, data=PublishIn())
    assert (opened.status, opened.state, opened.opens_at, opened.published_at) == ("published", "open", None, utcnow())
    with pytest.raises(AppError) as refused:
        service.update_survey(session=session, row=row, data=survey_in())
    assert code_of(refused) == "SURVEY_NOT_DRAFT"
    with pytest.raises(AppError) as refused:
        service.publish(session=session, row=row, data=PublishIn())
    assert code_of(refused) == "SURVEY_NOT_DRAFT"
    with pytest.raises(AppError) as refused:
        service.delete_survey(session=session, row=row)
    assert code_of(refused) == "SURVEY_NOT_DRAFT"


def test_a_draft_can_be_thrown_away_but_not_closed(session, world, fixed_clock):
    a = world.a
    out = service.create_survey(session=session, term=a.term, account_id=admin_account(a), data=survey_in())
    row = service.get_survey(session=session, school_ids={a.school.id}, survey_id=out.id)
    with pytest.raises(AppError) as refused:
        service.close(session=session, row=row)
    assert code_of(refused) == "SURVEY_NOT_PUBLISHED"
    service.delete_survey(session=session, row=row)
    assert service.list_surveys(session=session, term=a.term) == []


@pytest.mark.parametrize("question, message", [
    ({"kind": "single", "text": "选一个", "options": ["唯一"]}, "至少要有两个选项"),
    ({"kind": "multiple", "text": "选几个", "options": ["甲", "甲"]}, "选项不能重复"),
    ({"kind": "multiple", "text": "选几个", "options": ["甲", " "]}, "选项不能为空"),
    ({"kind": "rating", "text": "打分", "options": ["好", "坏"]}, "没有选项"),
    ({"kind": "text", "text": "   "}, "题目不能为空"),
])
def test_questions_are_checked_when_written(question, message):
    with pytest.raises(ValidationError, match=message):
        QuestionIn(**question)


def test_opening_and_closing_times(session, world, fixed_clock, families):
    a = world.a
    now = utcnow()
    with pytest.raises(AppError) as refused:
        service.publish(session=session, row=_draft(session, a), data=PublishIn(closes_at=now - timedelta(minutes=1)))
    assert code_of(refused) == "SURVEY_CLOSES_IN_PAST"
    with pytest.raises(ValidationError, match="截止时间须晚于开始时间"):
        PublishIn(opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=1))

    row = _draft(session, a)
    out = service.publish(session=session, row=row, data=PublishIn(opens_at=now + timedelta(days=1),
                                                                   closes_at=now + timedelta(days=8)))
    assert (out.state, out.state_label) == ("scheduled", "未开始")
    family = families[0]
    with pytest.raises(AppError) as refused:
        submit(session, family.guardian, family.student, row, (1, 5), (2, 5), (3, [1]))
    assert code_of(refused) == "SURVEY_NOT_OPEN"
    assert _listed(session, family) == []

    fixed_clock.advance(days=1)
    assert service.one_out(session, row).state == "open"
    assert _listed(session, family) == [row.id]
    submit(session, family.guardian, family.student, row, (1, 5), (2, 5), (3, [1]))

    fixed_clock.advance(days=7)
    assert service.one_out(session, row).state == "closed"
    late = families[1]
    with pytest.raises(AppError) as refused:
        submit(session, late.guardian, late.student, row, (1, 5), (2, 5), (3, [1]))
    assert code_of(refused) == "SURVEY_CLOSED"
    assert _listed(session, late) == []
    # closing by hand afterwards records when it really ended; the answer given stays
    closed = service.close(session=session, row=row)
    assert closed.closed_at == now + timedelta(days=8) and closed.responses == 1


def test_a_survey_closed_by_hand_takes_no_more_answers(session, world, fixed_clock, families):
    row = published(session, world.a)
    service.close(session=session, row=row)
    assert service.close(session=session, row=row).status == "closed"  # twice: nothing changes
    family = families[0]
    with pytest.raises(AppError) as refused:
        submit(session, family.guardian, family.student, row, (1, 5), (2, 5), (3, [1]))
    assert code_of(refused) == "SURVEY_CLOSED"


def _draft(session, school):
    out = service.create_survey(session=session, term=school.term, account_id=admin_account(school), data=survey_in())
    return service.get_survey(session=session, school_ids={school.school.id}, survey_id=out.id)


def _listed(session, family) -> list[int]:
    mine = service.my_surveys(session=session, caller=guardian_caller(session, family.guardian.account_id))
    return [s.id for child in mine if child.student_id == family.student.id for s in child.surveys]


# ---------- who answers, and how often ----------

def test_one_answer_per_child_the_same_again_is_the_first_and_anything_else_is_refused(session, world, fixed_clock,
                                                                                        families):
    row = published(session, world.a)
    family = families[0]
    first = submit(session, family.guardian, family.student, row, (1, 5), (2, 4), (3, [2]), (5, " 希望多些户外活动 "))
    assert [(a.question_id, a.rating, a.option_ids, a.text) for a in first.answers] == [
        (1, 5, None, None), (2, 4, None, None), (3, None, [2], None), (5, None, None, "希望多些户外活动")]

    fixed_clock.advance(minutes=5)
    again = submit(session, family.guardian, family.student, row, (1, 5), (2, 4), (3, [2]), (5, "希望多些户外活动"))
    assert again == first  # a retry: the first submission, its time included
    with pytest.raises(AppError) as refused:
        submit(session, family.guardian, family.student, row, (1, 3), (2, 4), (3, [2]))
    assert (code_of(refused), refused.value.status_code) == ("SURVEY_ALREADY_ANSWERED", 409)

    # the child's other guardian cannot answer a second time for the same child
    father = create_guardian(session, family.student, relation="爸爸")
    with pytest.raises(AppError) as refused:
        submit(session, father, family.student, row, (1, 1), (2, 1), (3, [3]))
    assert code_of(refused) == "SURVEY_ALREADY_ANSWERED"
    assert len(session.exec(select(SurveyResponse)).all()) == 1
    assert len(session.exec(select(SurveyAnswer)).all()) == 4

    # a sibling is another child: answered on its own
    sibling = create_student(session, family.school_class)
    session.add(Guardianship(school_id=sibling.school_id, student_id=sibling.id, guardian_id=family.guardian.id,
                             relation="妈妈"))
    session.commit()
    submit(session, family.guardian, sibling, row, (1, 4), (2, 4), (3, [1]))
    assert len(session.exec(select(SurveyResponse)).all()) == 2


def test_a_guardian_answers_only_for_their_own_children_and_their_school(session, world, fixed_clock, families):
    row = published(session, world.a)
    mine, theirs = families[0], families[1]
    with pytest.raises(AppError) as refused:
        submit(session, mine.guardian, theirs.student, row, (1, 5), (2, 5), (3, [1]))
    assert (code_of(refused), refused.value.status_code) == ("STUDENT_NOT_FOUND", 404)

    other_school = published(session, world.b)
    with pytest.raises(AppError) as refused:
        submit(session, mine.guardian, mine.student, other_school, (1, 5), (2, 5), (3, [1]))
    assert (code_of(refused), refused.value.status_code) == ("SURVEY_NOT_FOUND", 404)

    draft = _draft(session, world.a)
    with pytest.raises(AppError) as refused:
        submit(session, mine.guardian, mine.student, draft, (1, 5), (2, 5), (3, [1]))
    assert code_of(refused) == "SURVEY_NOT_FOUND"
    assert session.exec(select(SurveyResponse)).all() == []


def test_an_in_care_survey_asks_only_the_families_of_children_in_care(session, world, fixed_clock, families):
    a = world.a
    in_care = published(session, a, audience="in_care")
    everyone = published(session, a, audience="all")
    outside = create_student(session, a.classes[0])  # no application this term
    guardian = create_guardian(session, outside)
    session.commit()

    mine = service.my_surveys(session=session, caller=guardian_caller(session, guardian.account_id))
    assert [(c.student_id, [s.id for s in c.surveys]) for c in mine] == [(outside.id, [everyone.id])]
    with pytest.raises(AppError) as refused:
        submit(session, guardian, outside, in_care, (1, 5), (2, 5), (3, [1]))
    assert (code_of(refused), refused.value.status_code) == ("SURVEY_NOT_FOR_CHILD", 403)
    submit(session, guardian, outside, everyone, (1, 5), (2, 5), (3, [1]))

    assert _listed(session, families[0]) == [in_care.id, everyone.id]
    assert service.results(session=session, survey=in_care).eligible == 24
    assert service.results(session=session, survey=everyone).eligible == 25


def test_my_surveys_lists_each_child_with_the_open_surveys_and_what_was_sent(session, world, fixed_clock, families):
    a = world.a
    row = published(session, a)
    _draft(session, a)
    closed = published(session, a, title="上学期的问卷")
    service.close(session=session, row=closed)
    published(session, world.b)
    family = families[0]
    submit(session, family.guardian, family.student, row, (1, 4), (2, 5), (3, [1]), (4, [2, 4]))

    [child] = service.my_surveys(session=session, caller=guardian_caller(session, family.guardian.account_id))
    assert (child.student_id, child.student_name, child.school_name, child.class_name) == (
        family.student.id, family.student.name, a.school.name, family.school_class.name)
    [survey] = child.surveys
    assert (survey.id, survey.state, survey.answered) == (row.id, "open", True)
    assert [(x.question_id, x.rating, x.option_ids) for x in survey.response.answers] == [
        (1, 4, None), (2, 5, None), (3, None, [1]), (4, None, [2, 4])]

    other = families[1]
    [child] = service.my_surveys(session=session, caller=guardian_caller(session, other.guardian.account_id))
    assert [(s.id, s.answered, s.response) for s in child.surveys] == [(row.id, False, None)]


def test_my_surveys_reads_five_statements_however_many_children_and_surveys(session, world, fixed_clock, families):
    """Children, surveys, responses, their answers and who is in care are each read once for all of them."""
    from sqlalchemy import event

    a = world.a
    everyone = published(session, a)
    in_care = published(session, a, audience="in_care")
    first = families[0]
    submit(session, first.guardian, first.student, everyone, (1, 4), (2, 5), (3, [1]))

    def statements():
        caller = guardian_caller(session, first.guardian.account_id)  # (opens the transaction: not counted)
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            mine = service.my_surveys(session=session, caller=caller)
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        return len(seen), mine

    one, mine = statements()
    assert [[(s.id, s.answered) for s in c.surveys] for c in mine] == [[(everyone.id, True), (in_care.id, False)]]

    outside = create_student(session, first.school_class)  # not in care: asked by `everyone` only
    for student in (families[1].student, outside):
        session.add(Guardianship(school_id=a.school.id, student_id=student.id, guardian_id=first.guardian.id,
                                 relation="妈妈"))
    session.commit()
    later = published(session, a, title="第二份问卷")
    submit(session, first.guardian, families[1].student, in_care, (1, 3), (2, 4), (3, [2]), (5, "多些阅读"))
    three, mine = statements()
    assert one == three == 5
    assert {c.student_id: [(s.id, s.answered) for s in c.surveys] for c in mine} == {
        first.student.id: [(everyone.id, True), (in_care.id, False), (later.id, False)],
        families[1].student.id: [(everyone.id, False), (in_care.id, True), (later.id, False)],
        outside.id: [(everyone.id, False), (later.id, False)]}
    [answered] = [s for c in mine for s in c.surveys if c.student_id == families[1].student.id and s.answered]
    assert [(x.question_id, x.rating, x.option_ids, x.text) for x in answered.response.answers] == [
        (1, 3, None, None), (2, 4, None, None), (3, None, [2], None), (5, None, None, "多些阅读")]


# ---------- every answer against its question ----------

@pytest.mark.parametrize("pairs, question_id, message", [
    (((1, 0), (2, 5), (3, [1])), 1, "评分须为 1–5 分"),
    (((1, 6), (2, 5), (3, [1])), 1, "评分须为 1–5 分"),
    (((1, 5), (2, 5), (3, [9])), 3, "选项不属于这道题"),
    (((1, 5), (2, 5), (3, [1, 2])), 3, "单选题只能选一项"),
    (((1, 5), (2, 5), (3, [1]), (4, [2, 2])), 4, "选项重复"),
    (((1, 5), (2, 5), (3, [1]), (4, [5])), 4, "选项不属于这道题"),
    (((1, "很好"), (2, 5), (3, [1])), 1, "这是评分题"),
    (((1, 5), (2, 5), (3, 2)), 3, "这是选择题"),
    (((1, 5), (2, 5), (3, [1]), (5, 3)), 5, "这是填空题"),
    (((1, 5), (3, [1])), 2, "此题必答"),
    (((1, 5), (2, 5), (3, [])), 3, "此题必答"),
    (((1, 5), (2, 5), (3, [1]), (9, 5)), 9, "问卷中没有这道题"),
    (((1, 5), (1, 4), (2, 5), (3, [1])), 1, "同一道题只能回答一次"),
])
def test_every_answer_is_checked_against_its_question(session, world, fixed_clock, families, pairs, question_id,
                                                      message):
    row = published(session, world.a)
    family = families[0]
    with pytest.raises(AppError) as refused:
        submit(session, family.guardian, family.student, row, *pairs)
    assert (code_of(refused), refused.value.status_code) == ("SURVEY_ANSWER_INVALID", 422)
    problems = refused.value.extra["errors"]
    assert {"question_id": question_id, "message": message} in [
        {"question_id": p["question_id"], "message": p["message"][:len(message)]} for p in problems]
    assert session.exec(select(SurveyResponse)).all() == []


def test_every_problem_is_reported_at_once_in_question_order(session, world, fixed_clock, families):
    row = published(session, world.a)
    family = families[0]
    with pytest.raises(AppError) as refused:
        submit(session, family.guardian, family.student, row, (3, [7]), (1, 9))
    assert [p["question_id"] for p in refused.value.extra["errors"]] == [1, 2, 3]
    assert refused.value.message == "第 1 题：评分须为 1–5 分"


def test_optional_questions_may_stay_blank_but_something_must_be_answered(session, world, fixed_clock, families):
    row = published(session, world.a, questions=[{"kind": "rating", "text": "总体", "required": False},
                                                 {"kind": "text", "text": "建议", "required": False}])
    family = families[0]
    with pytest.raises(AppError, match="请至少回答一道题"):
        submit(session, family.guardian, family.student, row, (2, "   "))
    out = submit(session, family.guardian, family.student, row, (2, "老师很负责"))
    assert [(a.question_id, a.text) for a in out.answers] == [(2, "老师很负责")]


# ---------- results, recomputed from the raw rows ----------

def _answer_everyone(session, row, families, seed=7):
    """Most families answer (a few do not), with random ratings, choices and sometimes a suggestion."""
    rng = random.Random(seed)
    for n, family in enumerate(families):
        if n % 6 == 5:
            continue
        pairs = [(1, rng.choice([2, 3, 4, 4, 5, 5])), (2, rng.randint(1, 5)), (3, [rng.randint(1, 3)])]
        if rng.random() < 0.7:
            pairs.append((4, sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 3)))))
        if rng.random() < 0.5:
            pairs.append((5, f"建议{n}"))
        submit(session, family.guardian, family.student, row, *pairs)


def _raw(session, row, grade=None, class_id=None):
    """(response, answer) rows straight from the tables."""
    rows = session.exec(select(SurveyResponse, SurveyAnswer).join(
        SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id).where(SurveyResponse.survey_id == row.id)).all()
    return [(r, a) for r, a in rows
            if (grade is None or r.grade == grade) and (class_id is None or r.class_id == class_id)]


def _expected(session, row, grade=None, class_id=None):
    raw = _raw(session, row, grade, class_id)
    ratings = {q: Counter(a.rating for _, a in raw if a.question_id == q) for q in (1, 2)}
    all_ratings = [a.rating for _, a in raw if a.rating is not None]
    return {
        "responses": len({r.id for r, _ in raw}),
        "ratings": ratings,
        "average": {q: round(sum(s * n for s, n in c.items()) / sum(c.values()), 2) for q, c in ratings.items()},
        "satisfied": {q: round((c[4] + c[5]) * 100 / sum(c.values()), 2) for q, c in ratings.items()},
        "overall": round(sum(r >= 4 for r in all_ratings) * 100 / len(all_ratings), 2),
        "rating_answers": len(all_ratings),
        "single": Counter(a.option_ids[0] for _, a in raw if a.question_id == 3),
        "multiple": Counter(o for _, a in raw if a.question_id == 4 for o in a.option_ids),
        "multiple_answered": sum(1 for _, a in raw if a.question_id == 4),
        "texts": sorted(a.text for _, a in raw if a.question_id == 5),
    }


def _check(results, expected):
    assert results.responses == expected["responses"]
    for q in (0, 1):
        rating = results.questions[q].rating
        counts = expected["ratings"][q + 1]
        assert [(b.score, b.count) for b in rating.distribution] == [(s, counts[s]) for s in range(1, 6)]
        assert results.questions[q].answered == sum(counts.values())
        assert rating.average == expected["average"][q + 1]
        assert rating.satisfied_rate == expected["satisfied"][q + 1]
    assert results.satisfied_rate == expected["overall"]
    assert results.rating_answers == expected["rating_answers"]
    assert {o.option_id: o.count for o in results.questions[2].options} == {
        i: expected["single"][i] for i in (1, 2, 3)}
    assert {o.option_id: o.count for o in results.questions[3].options} == {
        i: expected["multiple"][i] for i in (1, 2, 3, 4)}
    assert results.questions[3].answered == expected["multiple_answered"]
    assert sorted(t.text for t in results.questions[4].texts) == expected["texts"]


def test_results_are_what_the_raw_answers_say_for_the_school_a_grade_and_a_class(session, world, fixed_clock,
                                                                                   families):
    row = published(session, world.a)
    _answer_everyone(session, row, families)
    everyone = service.results(session=session, survey=row)
    assert everyone.filter.label == "全校" and everyone.responses == 20 and everyone.eligible == 24
    assert everyone.response_rate == round(20 * 100 / 24, 2)
    _check(everyone, _expected(session, row))
    # the shares are of those who answered the question
    single = everyone.questions[2]
    assert [o.share for o in single.options] == [round(o.count * 100 / single.answered, 2) for o in single.options]

    grade4 = service.results(session=session, survey=row, grade=4)
    assert grade4.filter.label == "四年级" and grade4.eligible == 10
    _check(grade4, _expected(session, row, grade=4))
    school_class = families[-1].school_class
    one_class = service.results(session=session, survey=row, class_id=school_class.id)
    assert one_class.filter.label == school_class.name and one_class.eligible == 5
    _check(one_class, _expected(session, row, class_id=school_class.id))
    assert grade4.responses + service.results(session=session, survey=row, grade=3).responses == 20

    with pytest.raises(AppError) as refused:
        service.results(session=session, survey=row, class_id=world.b.classes[0].id)
    assert code_of(refused) == "CLASS_NOT_FOUND"


def test_results_keep_the_class_a_child_answered_in(session, world, fixed_clock, families):
    row = published(session, world.a)
    family = families[-1]  # grade 4
    submit(session, family.guardian, family.student, row, (1, 5), (2, 5), (3, [1]))
    family.student.class_id = world.a.classes[0].id  # moved to a grade-3 class afterwards
    session.add(family.student)
    session.commit()
    assert service.results(session=session, survey=row, grade=4).responses == 1
    assert service.results(session=session, survey=row, grade=3).responses == 0


def test_results_of_a_survey_nobody_answered_are_zeros(session, world, fixed_clock, families):
    row = published(session, world.a)
    out = service.results(session=session, survey=row)
    assert (out.responses, out.satisfied_rate, out.response_rate) == (0, 0.0, 0.0)
    assert out.questions[0].rating.average == 0.0 and out.questions[0].rating.satisfied_rate == 0.0
    assert all(b.share == 0.0 for b in out.questions[0].rating.distribution)


def test_suggestions_list_every_text_newest_first_without_names(session, world, fixed_clock, families):
    row = published(session, world.a)
    for n, family in enumerate(families[:3]):
        fixed_clock.advance(minutes=1)
        submit(session, family.guardian, family.student, row, (1, 5), (2, 5), (3, [1]), (5, f"建议{n}"))
    out = service.suggestions(session=session, survey=row)
    assert [i.text for i in out.items] == ["建议2", "建议1", "建议0"]
    assert out.items[0].class_name == families[2].school_class.name
    assert out.items[0].question_text == "您的意见和建议"
    assert "student" not in out.items[0].model_dump_json()
    only = service.suggestions(session=session, survey=row, class_id=families[0].school_class.id)
    assert [i.text for i in only.items] == [f"建议{n}" for n in (2, 1, 0)
                                            if families[n].school_class.id == families[0].school_class.id]


# ---------- the summary the reports dashboard reads ----------

def test_satisfaction_summary_adds_up_every_rating_answer_of_the_terms_published_surveys(session, world, fixed_clock,
                                                                                         families):
    a = world.a
    empty = service.satisfaction_summary(session, a.school.id, a.term.id)
    assert empty == {"surveys": [], "rating_answers": 0, "satisfied_answers": 0, "satisfied_rate": 0.0}

    first = published(session, a)
    _answer_everyone(session, first, families, seed=1)
    second = published(session, a, title="第二份", questions=[{"kind": "rating", "text": "总体"},
                                                            {"kind": "text", "text": "建议", "required": False}])
    for family in families[:3]:
        submit(session, family.guardian, family.student, second, (1, 3))
    service.close(session=session, row=second)
    _draft(session, a)  # drafts never count
    published(session, world.b)

    summary = service.satisfaction_summary(session, a.school.id, a.term.id)
    ratings = {s: [a.rating for a in session.exec(select(SurveyAnswer).where(
        SurveyAnswer.survey_id == s, SurveyAnswer.rating.is_not(None))).all()] for s in (first.id, second.id)}
    per_survey = [{"survey_id": s.id, "title": s.title, "state": state, "responses": n,
                   "rating_answers": len(ratings[s.id]), "satisfied_answers": sum(r >= 4 for r in ratings[s.id]),
                   "satisfied_rate": round(sum(r >= 4 for r in ratings[s.id]) * 100 / len(ratings[s.id]), 2)}
                  for s, state, n in ((first, "open", 20), (second, "closed", 3))]
    everything = ratings[first.id] + ratings[second.id]
    assert summary == {"surveys": per_survey, "rating_answers": len(everything),
                       "satisfied_answers": sum(r >= 4 for r in everything),
                       "satisfied_rate": round(sum(r >= 4 for r in everything) * 100 / len(everything), 2)}
    assert summary["surveys"][1]["satisfied_rate"] == 0.0
    # another school's term gives nothing of this school
    assert service.satisfaction_summary(session, world.b.school.id, a.term.id)["surveys"] == []


# ---------- the export ----------

def test_the_export_holds_the_title_the_figures_the_suggestions_and_every_response(session, world, fixed_clock,
                                                                                  families):
    a = world.a
    row = published(session, a)
    _answer_everyone(session, row, families, seed=3)
    data, filename = service.results_xlsx(session=session, survey=row)
    assert filename == f"{a.school.name}-{a.term.name}-{row.title}-满意度调查结果.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["汇总", "意见建议", "答卷明细"]
    results = service.results(session=session, survey=row)

    summary = book["汇总"]
    assert summary["A1"].value == f"{a.school.name} {a.term.name} {row.title} 满意度调查结果"
    cells = {r[0]: r[1:] for r in summary.iter_rows(min_row=2, values_only=True) if r[0] is not None}
    assert cells["提交份数"][0] == 20 and cells["应答人数"][0] == 24
    assert cells["总体满意率（%）"][0] == results.satisfied_rate
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "1. 您对本学期课后服务的总体满意度（评分，必答）")
    assert rows[start][1] == f"作答 {results.questions[0].answered} 人"
    assert rows[start + 1][:4] == ("分值", "评价", "人数", "占比（%）")
    dist = {b.score: b for b in results.questions[0].rating.distribution}
    assert [r[:4] for r in rows[start + 2:start + 7]] == [
        (s, dist[s].label, dist[s].count, dist[s].share) for s in (5, 4, 3, 2, 1)]
    assert rows[start + 7][:2] == ("平均分", results.questions[0].rating.average)
    choice = next(i for i, r in enumerate(rows) if r[0] == "3. 孩子是否愿意参加课后服务（单选，必答）")
    assert rows[choice + 1][:3] == ("选项", "人数", "占比（%）")
    assert [r[:2] for r in rows[choice + 2:choice + 5]] == [(o.text, o.count) for o in results.questions[2].options]

    texts = book["意见建议"]
    assert texts["A1"].value == f"{a.school.name} {a.term.name} {row.title} 意见建议"
    assert [c.value for c in texts[2]] == ["题目", "年级", "班级", "内容", "提交时间"]
    assert sorted(r[3] for r in texts.iter_rows(min_row=3, values_only=True)) == sorted(
        t.text for t in results.questions[4].texts)

    detail = book["答卷明细"]
    assert [c.value for c in detail[2]][:5] == ["序号", "年级", "班级", "提交时间", "1. 您对本学期课后服务的总体满意度"]
    lines = list(detail.iter_rows(min_row=3, values_only=True))
    assert len(lines) == 20
    raw = session.exec(select(SurveyResponse).where(SurveyResponse.survey_id == row.id)
                       .order_by(SurveyResponse.submitted_at, SurveyResponse.id)).all()
    first = {a.question_id: a for a in session.exec(select(SurveyAnswer).where(
        SurveyAnswer.response_id == raw[0].id)).all()}
    labels = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert lines[0][4] == f"{first[1].rating}（{labels[first[1].rating - 1]}）"
    assert lines[0][6] == ["愿意", "一般", "不愿意"][first[3].option_ids[0] - 1]
    names = {s.name for s in (f.student for f in families)}
    assert not any(isinstance(v, str) and v in names for line in lines for v in line)  # no child named

    graded, name = service.results_xlsx(session=session, survey=row, grade=4)
    assert name.endswith("（四年级）-满意度调查结果.xlsx")
    sheet = load_workbook(io.BytesIO(graded))["答卷明细"]
    assert {r[1] for r in sheet.iter_rows(min_row=3, values_only=True)} == {"四年级"}
