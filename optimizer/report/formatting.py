"""Number formats and tables shared by every report (display only: results stay unrounded)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from typing import Any

from optimizer.collection_types import ADMIN_CLAIMS, DESCRIPTIONS
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


_TYPE_CODE = re.compile(r"\(([a-z_]+)\)")


def pretty_types(text: str) -> str:
    """``236 (medicare_part_b_claims)`` → ``236 (Medicare Part B claims)`` in labels built elsewhere.

    >>> pretty_types("swap 047 (medicare_part_b_claims) for 317 (ecqm)")
    'swap 047 (Medicare Part B claims) for 317 (eCQM)'
    """
    return _TYPE_CODE.sub(
        lambda match: f"({DESCRIPTIONS[match.group(1)].split(' (')[0]})" if match.group(1) in DESCRIPTIONS else match.group(0), text
    )


def category_rows(categories: dict[str, Any], complex_patient_bonus: float) -> list[list[str]]:
    """Category, score, weight and points toward the final score, one row each (reweighted categories
    say so), then the complex patient bonus when there is one: the same table in every report."""
    rows = [
        [
            CATEGORY_TITLES.get(category, category),
            "reweighted" if entry["reweighted"] else percent(entry["percent"], 2),
            f"{entry['weight'] * 100:.0f}%",
            number(entry["contribution"]),
        ]
        for category, entry in categories.items()
    ]
    if complex_patient_bonus:
        rows.append(["Complex patient bonus", "", "", number(complex_patient_bonus)])
    return rows


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
