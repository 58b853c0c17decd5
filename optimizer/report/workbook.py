"""Excel workbooks (openpyxl) for ``plan`` and ``compare``: consultants live in Excel.

Each sheet is a plain table (header row, frozen, autofilter, numbers as numbers) rendered from the
same document the other formats use; every text cell is made safe by
:func:`optimizer.text_safety.cell_text` and stays text (never a formula).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.compare_report import COMPARE_CSV_COLUMNS, compare_rows
from optimizer.report.plan_report import PLAN_CSV_COLUMNS, pessimistic_sentence, plan_rows
from optimizer.text_safety import EXCEL_CELL_CHARACTERS, cell_text, is_formula_like


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, str):
        return cell_text(value, limit=EXCEL_CELL_CHARACTERS)
    return value


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append one row; text that a spreadsheet would run as a formula is written as text.

    Such a cell becomes a text cell with Excel's own quote prefix (what Excel stores when a user
    types ``'=1+1``): the workbook shows the name exactly, and Excel keeps it text even when the
    cell is edited (OWASP's advice against formula injection).
    """
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def _add_sheet(workbook: Workbook, title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title)
    _append(sheet, [_cell(column) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, [_cell(row.get(column)) for column in columns])
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    for position, column in enumerate(columns, start=1):
        width = max([len(str(column))] + [len(str(_cell(row.get(column)) or "")) for row in rows[:200]])
        sheet.column_dimensions[get_column_letter(position)].width = min(60, width + 2)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_workbook(document: dict[str, Any]) -> bytes:
    """Sheets: Recommendation (key figures and reasons), Measures (every pathway × measure), Pathways."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    best = document["recommended"]
    summary = [
        {"item": "scenario", "value": document["scenario"]},
        {"item": "objective", "value": document["objective"]},
        {"item": "recommended pathway", "value": best["pathway"]},
        {"item": "expected final score", "value": best["expected_final_score"]},
        {"item": "final score 10th percentile", "value": best["final_score_interval"][0]},
        {"item": "final score 90th percentile", "value": best["final_score_interval"][1]},
        {"item": f"probability of reaching {document['performance_threshold']:g}", "value": best["probability_at_or_above_threshold"]},
        {"item": "expected adjustment ($ a year)", "value": best["expected_payment_adjustment_dollars"]},
        *({"item": f"expected adjustment at {case} scaling ($)", "value": value} for case, value in best["expected_payment_adjustment_dollars_by_scaling"].items()),
        {"item": "improvement activities", "value": ", ".join(best["improvement_activities"])},
        {"item": "draws", "value": document["draws"]},
        {"item": "what the probabilities assume", "value": document["forecast_assumptions"]},
        {"item": "on a pessimistic forecast", "value": pessimistic_sentence(document) or ""},
        *({"item": "reason", "value": reason} for reason in best.get("reasons", [])),
    ]
    _add_sheet(workbook, "Recommendation", ("item", "value"), summary)
    _add_sheet(workbook, "Measures", PLAN_CSV_COLUMNS, plan_rows(document))
    pathway_columns = ("pathway", "title", "feasible", "expected_final_score", "probability_at_or_above_threshold", "expected_payment_adjustment_dollars", "improvement_activities", "infeasible_reason")
    _add_sheet(workbook, "Pathways", pathway_columns, document["pathways"])
    return _save(workbook)


def compare_workbook(document: dict[str, Any]) -> bytes:
    """One sheet, one row per variant."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_sheet(workbook, "Comparison", COMPARE_CSV_COLUMNS, compare_rows(document))
    return _save(workbook)
