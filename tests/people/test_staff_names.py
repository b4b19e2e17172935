"""Staff names by id are read in one place (`staff_names`), so every list shows them the same way."""

import pathlib
import re

from sqlalchemy import event

import app
from app.people.service import staff_names
from tests.factories import create_staff


def test_staff_names_reads_them_at_once_and_skips_what_is_not_an_id(session, world):
    wang, li = (create_staff(session, world.a.school, "teacher", name=n) for n in ("王老师", "李老师"))
    session.commit()
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        assert staff_names(session, [wang.id, li.id, wang.id, None, 10_000_000]) == {wang.id: "王老师", li.id: "李老师"}
        assert staff_names(session, []) == staff_names(session, [None]) == {}
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len([s for s in seen if s.startswith("SELECT")]) == 1


def test_nothing_else_looks_staff_names_up_by_id_by_hand():
    """`select(Staff.id, Staff.name).where(Staff.id…)` or `select(Staff.name).where(Staff.id…)` outside
    app/people/service.py is a copy of `staff_names`."""
    by_hand = re.compile(r"select\(Staff\.(id, Staff\.)?name\)\s*\.where\(\s*Staff\.id\b")
    root = pathlib.Path(app.__file__).parent
    sources = list(root.rglob("*.py"))
    assert len(sources) > 50
    found = [str(p.relative_to(root)) for p in sources if by_hand.search(p.read_text())]
    assert found == ["people/service.py"]
