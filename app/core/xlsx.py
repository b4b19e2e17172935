"""Exports as .xlsx: a sheet per list, each titled (school, term or day) in its first row, bold headers below;
and the one way a route answers with one (`export_route` + `xlsx_response`).

Every export is a GET declared with `export_route`, so it is rate-limited as `export` (app/core/ratelimit.py) and
documented as an Excel file; the route records the export on the access audit (`record_access`, `export.*`)
before it answers with `xlsx_response`. `tests/audit/test_exports.py` walks every such route and checks both."""

import io
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.ratelimit import rate_limit

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_RESPONSES = {200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "Excel 文件（.xlsx）"}}

Sheet = tuple[str, list[str], list[list]]  # name, Chinese headers, rows


def titled_workbook(title: str, sheets: list[Sheet], *, name_in_title: bool = True) -> bytes:
    book = Workbook()
    for index, (name, headers, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        sheet.append([f"{title} · {name}" if name_in_title else title])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        fit_columns(sheet, from_row=2)
    return workbook_bytes(book)


def fit_columns(sheet, *, from_row: int = 1, widest: int = 60) -> None:
    """Widen each column to its longest value below the title (a Chinese character takes two places)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=from_row, values_only=True):
        for index, value in enumerate(row, start=1):
            if value is not None:
                text = str(value)
                widths[index] = max(widths.get(index, 0), len(text) + sum(1 for c in text if ord(c) > 0x2E80))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(widest, max(8, width + 2))


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str, ascii_name: str = "export.xlsx") -> Response:
    """The file as a download: the Chinese name for browsers that read `filename*` (RFC 5987), an ASCII one for
    the rest."""
    return Response(data, media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"})


def export_route(router: APIRouter, path: str, *, summary: str, responses: dict | None = None):
    """`@export_route(router, "/things/export.xlsx", summary=…)`: a GET answering an .xlsx, rate-limited as
    `export`."""
    return router.get(path, response_class=Response, dependencies=[Depends(rate_limit("export"))],
                      responses=responses or XLSX_RESPONSES, summary=summary)
