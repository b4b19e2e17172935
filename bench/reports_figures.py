"""The kept figures (`DayFigures`) of the generated term's past school-days, filled with the app's own set-based
statement (`app/reports/rollup.py`), one school at a time; the benchmark then checks a sample against
`compute_day`."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.reports import rollup
from app.schools.models import Term
from app.schools.service import school_rules

COLUMNS = ", ".join(rollup.COLUMNS)
SQL = (f"INSERT INTO day_figures ({COLUMNS}, computed_at) SELECT {COLUMNS}, now() FROM ({rollup.SQL}) AS f "
       "ON CONFLICT (school_id, day) DO NOTHING")


@dataclass
class KeepFigures:
    sql: str = SQL

    @staticmethod
    def params(district, school_id: int, conn) -> dict:
        """The past served days of the district's data (not today: its figures are never kept)."""
        with Session(bind=conn) as session:
            term = session.exec(select(Term).where(Term.school_id == school_id)).one()
            rules = school_rules(session, school_id)
        return rollup.params([rollup.SchoolDay(school_id, term.id, day, weekday, rules.patrols_per_lesson,
                                               rules.lesson_minutes)
                              for day, weekday in district.days if day < district.today])


keep_figures = KeepFigures()
