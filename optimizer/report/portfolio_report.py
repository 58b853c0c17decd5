"""The portfolio summary: one row per practice, ranked by dollars at stake, as Markdown, CSV, HTML and Excel.

A practice's row is made from the same document its ``plan`` report renders
(:func:`optimizer.report.plan_report.plan_to_dict`) and from its current selection re-scored on the
same draws (:func:`optimizer.planning.current_selection.current_selection`), so the summary cannot
disagree with the practice's report. Text from the user (practice names, file names, reasons) is
made safe per format by :mod:`optimizer.text_safety`: escaped for Markdown and HTML, kept text in
CSV and Excel (a name starting with ``=`` is never a formula).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from optimizer.planning.tasks import FAILED, PLANNED, UNCHANGED
from optimizer.report.formatting import dollars, markdown_table, number, percent, render_rows_csv
from optimizer.text_safety import markdown_document

SUMMARY_SHEET_COLUMNS: tuple[tuple[str, str, str, int | None], ...] = (
    ("rank", "Rank", "count", 6),
    ("practice", "Practice", "text", 34),
    ("status", "Status", "text", 10),
    ("pathway", "Pathway", "text", 12),
    ("pathway_title", "Pathway title", "text", 30),
    ("expected_final_score", "Expected final score", "score", None),
    ("final_score_p10", "Final score, 10th percentile", "score", None),
    ("final_score_p90", "Final score, 90th percentile", "score", None),
    ("performance_threshold", "Performance threshold", "score", None),
    ("probability_at_or_above_threshold", "Chance of reaching the threshold", "probability", None),
    ("expected_payment_dollars", "Expected $ a year", "dollars", None),
    ("current_pathway", "Current pathway", "text", 12),
    ("current_expected_final_score", "Current selection: expected final score", "score", None),
    ("current_probability_at_or_above_threshold", "Current selection: chance of reaching the threshold", "probability", None),
    ("current_expected_payment_dollars", "Current selection: expected $ a year", "dollars", None),
    ("gain_dollars", "Gain over the current selection, $ a year", "dollars", None),
    ("note", "Note", "text", 40),
    ("reason", "Why it failed", "text", 40),
    ("file", "Scenario file", "text", 30),
    ("report", "Report", "text", 30),
)
"""The summary's columns as (key, header, kind of number, width) of an :class:`optimizer.report.excel.Column`
(plain values here: openpyxl is imported only when a workbook is written)."""

SUMMARY_COLUMNS = tuple(key for key, *_ in SUMMARY_SHEET_COLUMNS)
"""The summary's columns (CSV and Excel carry every one; Markdown and HTML the ones people read)."""


def practice_row(
    document: Mapping[str, Any],
    shown: str,
    current_pathway: str | None,
    current: Mapping[str, Any] | None,
    gain_dollars: float | None,
    note: str | None,
) -> dict[str, Any]:
    """A planned practice's summary row: the plan document's recommendation and the current selection's
    figures (:func:`optimizer.report.plan_report.outlook_to_dict` of it; None when it has none or it
    cannot be reported, ``note`` says which)."""
    best = document["recommended"]
    low, high = best["final_score_interval"]
    return {
        "practice": document["scenario"],
        "file": shown,
        "status": PLANNED,
        "pathway": best["pathway"],
        "pathway_title": best["title"],
        "expected_final_score": best["expected_final_score"],
        "final_score_p10": low,
        "final_score_p90": high,
        "performance_threshold": document["performance_threshold"],
        "probability_at_or_above_threshold": best["probability_at_or_above_threshold"],
        "expected_payment_dollars": best["expected_payment_adjustment_dollars"],
        "current_pathway": current_pathway,
        "current_expected_final_score": None if current is None else current["expected_final_score"],
        "current_probability_at_or_above_threshold": None if current is None else current["probability_at_or_above_threshold"],
        "current_expected_payment_dollars": None if current is None else current["expected_payment_adjustment_dollars"],
        "gain_dollars": gain_dollars,
        "note": note,
        "reason": None,
    }


def _rank_key(row: Mapping[str, Any]) -> tuple[int, float, str]:
    if row["status"] == FAILED:
        return (2, 0.0, row["practice"])
    if row.get("gain_dollars") is not None:
        return (0, -row["gain_dollars"], row["practice"])
    return (1, -(row.get("expected_payment_dollars") or 0.0), row["practice"])


def summary_document(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The summary as JSON-ready data: counts by status and the rows ranked by dollars at stake — the
    gain of the recommendation over the current selection on the same draws, largest first; then
    the practices without a current selection (or with one that cannot be reported) by expected
    adjustment; failed practices last."""
    ranked = [{**row, "rank": position} for position, row in enumerate(sorted(rows, key=_rank_key), start=1)]
    for row in ranked:
        for column in SUMMARY_COLUMNS:
            row.setdefault(column, None)
    statuses = [row["status"] for row in ranked]
    thresholds = {row["performance_threshold"] for row in ranked if row["performance_threshold"] is not None}
    return {
        "practices": len(ranked),
        "planned": statuses.count(PLANNED),
        "unchanged": statuses.count(UNCHANGED),
        "failed": statuses.count(FAILED),
        "gain_dollars": sum(row["gain_dollars"] or 0.0 for row in ranked),
        "performance_threshold": thresholds.pop() if len(thresholds) == 1 else None,
        "rows": ranked,
    }


def _counts_sentence(document: Mapping[str, Any]) -> str:
    return (
        f"{document['practices']} practices: {document['planned']} planned in this run, {document['unchanged']} unchanged since "
        f"their reports, {document['failed']} failed. Ranked by dollars at stake: the recommendation's expected adjustment minus "
        "the current selection's ([quality] reported and the attested activities), both scored on the same forecast draws; "
        "then practices without a current selection, by expected adjustment; failed practices last. "
        f"Total gain over the current selections: {dollars(document['gain_dollars'])} a year."
    )


def _threshold_label(document: Mapping[str, Any]) -> str:
    threshold = document["performance_threshold"]
    return "P(≥ threshold)" if threshold is None else f"P(≥ {threshold:g})"


def _display_cells(row: Mapping[str, Any]) -> list[str]:
    """The cells people read, in the Markdown and HTML tables' order."""
    if row["status"] == FAILED:
        return [str(row["rank"]), row["practice"], FAILED, "—", "—", "—", "—", "—", "—", row["reason"] or ""]
    interval = f"{number(row['expected_final_score'])} ({number(row['final_score_p10'])}–{number(row['final_score_p90'])})"
    current = "—"
    if row["current_expected_payment_dollars"] is not None:
        current = f"{row['current_pathway']}: {number(row['current_expected_final_score'])}, {dollars(row['current_expected_payment_dollars'])}"
    return [
        str(row["rank"]),
        row["practice"],
        row["status"],
        row["pathway"],
        interval,
        percent(100 * row["probability_at_or_above_threshold"], 0),
        dollars(row["expected_payment_dollars"]),
        current,
        "—" if row["gain_dollars"] is None else dollars(row["gain_dollars"]),
        row["note"] or row["report"] or "",
    ]


def _display_header(document: Mapping[str, Any]) -> list[str]:
    return [
        "#",
        "Practice",
        "Status",
        "Pathway",
        "Expected score (80% interval)",
        _threshold_label(document),
        "Expected $/year",
        "Current selection: score, $",
        "Gain $/year",
        "Report, note or reason",
    ]


def render_summary_markdown(document: Mapping[str, Any]) -> str:
    """The summary as one Markdown table (every text escaped)."""
    safe = markdown_document(dict(document))
    lines = [
        "# MIPS portfolio summary",
        "",
        _counts_sentence(safe),
        "",
        markdown_table(_display_header(safe), [_display_cells(row) for row in safe["rows"]], "lllllrrlrl"),
        "",
    ]
    return "\n".join(lines)


def render_summary_csv(document: Mapping[str, Any]) -> str:
    """Every column, numbers unrounded (text cells made safe from formula injection)."""
    return render_rows_csv(document["rows"], SUMMARY_COLUMNS)


def render_summary_html(document: Mapping[str, Any], template_dir: Path | None = None) -> str:
    """A self-contained page holding the summary table (``portfolio.html.j2``; everything inserted is escaped)."""
    from optimizer.report.html import render_template

    rows = []
    for row in document["rows"]:
        shown: list[Any] = list(_display_cells(row))
        if row["report"] and not row["note"]:  # the report beside the summary, one click away
            shown[-1] = {"text": row["report"], "href": quote(row["report"])}  # a relative URL: '#' or '?' in a name stay a name
        rows.append({"cells": shown, "css": "failed" if row["status"] == FAILED else None, "testid": f"practice-{row['rank']}"})
    context = {
        "title": "MIPS portfolio summary",
        "kind": "portfolio",
        "meta": [f"{document['practices']} practices"],
        "lead": _counts_sentence(document),
        "header": _display_header(document),
        "rows": rows,
        "provenance_lines": [],
    }
    return render_template("portfolio.html.j2", context, template_dir)


def summary_workbook(document: Mapping[str, Any]) -> bytes:
    """One titled sheet, every column (numbers as numbers with their formats, text cells never formulas)."""
    from optimizer.report.excel import Column, add_table, new_workbook, save

    workbook = new_workbook()
    columns = [Column(*spec) for spec in SUMMARY_SHEET_COLUMNS]
    add_table(workbook, "Portfolio", "MIPS portfolio summary", columns, document["rows"], note=_counts_sentence(document))
    return save(workbook)


SUMMARY_RENDERERS = {
    "md": render_summary_markdown,
    "csv": render_summary_csv,
    "html": render_summary_html,
    "xlsx": summary_workbook,
}
"""The summary's formats; ``portfolio`` writes each into the output folder as ``summary.<format>``."""
