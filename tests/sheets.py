"""Reading the .xlsx exports in tests: the title row, the headers and the rows of a sheet."""

import io
from dataclasses import dataclass

from openpyxl import load_workbook

from app.core.xlsx import XLSX_MEDIA_TYPE


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[tuple]

    def column(self, header: str) -> list:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict]:
        return [dict(zip(self.headers, row, strict=True)) for row in self.rows]


def _trimmed(row: tuple) -> tuple:
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells)


def read_xlsx(response, sheet: str | None = None) -> Table:
    """A sheet of an export (the first unless named): row 1 is the title, row 2 the headers, the rest the rows."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    book = load_workbook(io.BytesIO(response.content))
    lines = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    headers = list(_trimmed(lines[1]))
    # An empty text cell reads back as None: rows come back with "" there, as wide as the headers.
    rows = [tuple("" if cell is None else cell for cell in (row + (None,) * len(headers))[:len(headers)])
            for row in lines[2:]]
    return Table(title=lines[0][0], headers=headers, rows=rows)


def sheet_names(response) -> list[str]:
    return load_workbook(io.BytesIO(response.content)).sheetnames
