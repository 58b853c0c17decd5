"""One dispatcher from a report document to the requested format, shared by every report command.

Every format is rendered from the same JSON-ready document. Text in it that came from the user
(titles, names, file paths) is made safe here, once per format: JSON by
:func:`optimizer.text_safety.json_text`, Markdown by escaping every string of the document with
:func:`optimizer.text_safety.markdown_document` before it is rendered; the CSV and Excel writers
(:func:`optimizer.report.formatting.render_rows_csv`, :mod:`optimizer.report.workbook`) make each
cell safe as they write it, and the HTML templates escape everything they insert.
"""

from __future__ import annotations

import importlib
from typing import Any

from optimizer.text_safety import json_text, markdown_document

RENDERERS: dict[str, dict[str, str]] = {
    "plan": {
        "md": "optimizer.report.plan_report:render_plan_markdown",
        "csv": "optimizer.report.plan_report:render_plan_csv",
        "html": "optimizer.report.html:render_plan_html",
        "xlsx": "optimizer.report.workbook:plan_workbook",
    },
    "compare": {
        "md": "optimizer.report.compare_report:render_compare_markdown",
        "csv": "optimizer.report.compare_report:render_compare_csv",
        "html": "optimizer.report.html:render_compare_html",
        "xlsx": "optimizer.report.workbook:compare_workbook",
    },
    "swap": {
        "md": "optimizer.report.swap_report:render_swap_markdown",
        "csv": "optimizer.report.swap_report:render_swap_csv",
        "html": "optimizer.report.html:render_swap_html",
    },
    "score": {
        "md": "optimizer.report.score_report:render_score_markdown",
        "csv": "optimizer.report.score_report:render_score_csv",
        "html": "optimizer.report.html:render_score_html",
    },
}
"""Per report kind and format, the renderer as ``module:function`` (imported only when used)."""


def render_document(kind: str, document: dict[str, Any], report_format: str) -> str | bytes:
    """The document of a ``plan``, ``compare``, ``swap`` or ``score`` run in ``md``, ``json``, ``csv``, ``html`` or ``xlsx``."""
    if report_format == "json":
        return json_text(document)
    module, function = RENDERERS[kind][report_format].split(":")
    if report_format == "md":
        document = markdown_document(document)
    return getattr(importlib.import_module(module), function)(document)
