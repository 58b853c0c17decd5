"""Number formats and tables shared by every report (display only: results stay unrounded)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.text_safety import spreadsheet_text

CATEGORY_TITLES: dict[str, str] = {
    "quality": "Quality",
    "cost": "Cost",
    "improvement_activities": "Improvement activities",
    "promoting_interoperability": "Promoting Interoperability",
}


def number(value: float | None, digits: int = 2) -> str:
    """``12.35``; an em dash for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """``12.3%`` for a value already on a 0–100 scale."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}%"


def performance_rate(value: float | None, collection_type: str) -> str:
    """A measure's rate as CMS states it: a percent, or for administrative-claims measures (479's
    readmission rate, 484's admissions per 100 person-years) CMS's own number, unitless."""
    if collection_type == ADMIN_CLAIMS:
        return number(value, 4)
    return percent(value, 2)


def signed_percent(value: float, digits: int = 2) -> str:
    """``+1.05%`` / ``−2.40%``."""
    return f"{value:+.{digits}f}%".replace("-", "−")


def dollars(value: float) -> str:
    """``+$12,345`` / ``−$1,200``."""
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}${abs(value):,.0f}"


def short_title(title: str, limit: int = 60) -> str:
    """A title cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut.

    >>> short_title("Preventive Care and Screening: Screening for Depression and Follow-Up Plan", 40)
    'Preventive Care and Screening…'
    >>> short_title("Controlling High Blood Pressure", 40)
    'Controlling High Blood Pressure'
    """
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–(") + "…"


def markdown_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A GitHub-flavoured Markdown table; ``align`` holds one of ``l``/``r`` per column."""
    align = align or "l" * len(header)
    rule = ["---:" if side == "r" else "---" for side in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_rows_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header: the one CSV writer of every report.

    None is an empty cell; text goes through :func:`optimizer.text_safety.spreadsheet_text`, so a
    name that looks like a formula stays text in the spreadsheet that opens the file.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_text(str(column)) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    return value
