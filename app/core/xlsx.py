"""Exports as .xlsx: a sheet per list, each titled (school, term or day) in its first row, bold headers below."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

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
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
