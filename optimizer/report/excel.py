"""Excel sheets (openpyxl) for the report workbooks: titled tables with number formats, native charts.

Each sheet has a title row, a short note, a header row of readable names (frozen, with a filter)
and one row per item, rendered from the same document the other formats use. Every number is a
number with a number format (scores to two decimals, chances and category scores as percents,
dollars as currency, counts with thousands separators), and charts are Excel's own
(:mod:`openpyxl.chart`), so they stay live when the client sorts or edits. Every text cell is made
safe by :func:`optimizer.text_safety.cell_text` and stays text (never a formula).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.text_safety import EXCEL_CELL_CHARACTERS, cell_text, is_formula_like

NUMBER_FORMATS: dict[str, str] = {
    "score": "0.00",
    "points": "0.00",
    "probability": "0%",
    "percent": "0.00%",
    "dollars": '+"$"#,##0;−"$"#,##0;"$"0',
    "count": "#,##0",
    "hours": "0.0",
    "factor": "0.000",
    "rate": "0.0000",
}
"""Excel number formats by kind of value. ``probability`` takes a fraction (0.83 → 83%);
``percent`` takes a percent on a 0–100 scale, divided by 100 when written (74.23 → 74.23%)."""

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1C4F8C")
NOTE_FONT = Font(italic=True, color="616E7C")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the row key it shows, its header, and the kind of value (a key of
    :data:`NUMBER_FORMATS`, ``text`` or ``flag``)."""

    key: str
    header: str
    kind: str = "text"
    width: int | None = None


def _text(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, str):
        return cell_text(value, limit=EXCEL_CELL_CHARACTERS)
    return value


def _value(value: Any, kind: str) -> Any:
    """A cell's value: numbers as numbers (percents as fractions), flags as yes/blank, text made safe."""
    if value is None:
        return None
    if kind == "flag":
        return "yes" if value else ""
    if kind in NUMBER_FORMATS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / 100.0 if kind == "percent" else value
    return _text(value)


def _write(sheet: Worksheet, row: int, column: int, value: Any, kind: str = "text") -> None:
    """One cell; text that a spreadsheet would run as a formula is written as text.

    Such a cell becomes a text cell with Excel's own quote prefix (what Excel stores when a user
    types ``'=1+1``): the workbook shows the name exactly, and Excel keeps it text even when the
    cell is edited (OWASP's advice against formula injection).
    """
    cell = sheet.cell(row=row, column=column, value=_value(value, kind))
    if isinstance(cell.value, str):
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
    elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        cell.number_format = NUMBER_FORMATS.get(kind, NUMBER_FORMATS["score"])


def _heading(sheet: Worksheet, title: str, note: str | None) -> int:
    """The sheet's title (row 1) and note (row 2); returns the header row."""
    _write(sheet, 1, 1, title)
    sheet.cell(row=1, column=1).font = TITLE_FONT
    if note:
        _write(sheet, 2, 1, note)
        sheet.cell(row=2, column=1).font = NOTE_FONT
    return 3


def add_table(
    workbook: Workbook, name: str, title: str, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], note: str | None = None
) -> Worksheet:
    """A sheet holding one table: title, note, frozen header with a filter, formatted rows (a row's
    ``_kinds`` mapping overrides a column's kind for that row)."""
    sheet = workbook.create_sheet(name)
    header_row = _heading(sheet, title, note)
    for position, column in enumerate(columns, start=1):
        _write(sheet, header_row, position, column.header)
        cell = sheet.cell(row=header_row, column=position)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(rows, start=1):
        kinds = row.get("_kinds") or {}
        for position, column in enumerate(columns, start=1):
            _write(sheet, header_row + offset, position, row.get(column.key), kinds.get(column.key, column.kind))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    if rows:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{header_row + len(rows)}"
    for position, column in enumerate(columns, start=1):
        sample = [len(str(_value(row.get(column.key), column.kind) or "")) for row in rows[:200]]
        width = column.width or max([min(len(column.header), 24), *[min(value, 60) for value in sample]]) + 2
        sheet.column_dimensions[get_column_letter(position)].width = max(8, width)
    return sheet


def add_key_figures(workbook: Workbook, name: str, title: str, figures: Sequence[tuple[str, Any, str]], note: str | None = None) -> Worksheet:
    """A sheet of (label, value, kind) lines: the report's key figures and sentences."""
    sheet = workbook.create_sheet(name)
    header_row = _heading(sheet, title, note)
    for position, header in enumerate(("Item", "Value"), start=1):
        _write(sheet, header_row, position, header)
        cell = sheet.cell(row=header_row, column=position)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for offset, (label, value, kind) in enumerate(figures, start=1):
        _write(sheet, header_row + offset, 1, label)
        _write(sheet, header_row + offset, 2, value, kind)
        sheet.cell(row=header_row + offset, column=2).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 100
    return sheet


def add_bar_chart(
    sheet: Worksheet,
    *,
    title: str,
    category_column: int,
    value_column: int,
    first_row: int,
    last_row: int,
    anchor: str,
    x_title: str,
    y_title: str,
    number_format: str,
    horizontal: bool = True,
) -> None:
    """A native Excel bar chart of one column of ``sheet`` against its labels (rows first..last)."""
    if last_row < first_row:
        return
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.style = 10
    chart.title = title
    chart.legend = None
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.y_axis.numFmt = number_format
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(sheet, min_col=value_column, min_row=first_row - 1, max_row=last_row)
    categories = Reference(sheet, min_col=category_column, min_row=first_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.gapWidth = 40 if horizontal else 10
    chart.height = max(7.5, min(20.0, 0.6 * (last_row - first_row + 1) + 3)) if horizontal else 9.0
    chart.width = 18.0
    sheet.add_chart(chart, anchor)


def save(workbook: Workbook) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def chart_anchor(rows: int, columns: int) -> str:
    """Where a chart goes on a table's sheet: right of a narrow table, else below it."""
    if columns <= 9:
        return f"{get_column_letter(columns + 2)}3"
    return f"A{rows + 6}"
