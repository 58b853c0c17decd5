"""One dispatcher from a report document to the requested format, shared by plan, compare and swap."""

from __future__ import annotations

import importlib
import json
from typing import Any

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
}
"""Per report kind and format, the renderer as ``module:function`` (imported only when used)."""


def render_document(kind: str, document: dict[str, Any], report_format: str) -> str | bytes:
    """The document of a ``plan``, ``compare`` or ``swap`` run in ``md``, ``json``, ``csv``, ``html`` or ``xlsx``."""
    if report_format == "json":
        return json.dumps(document, indent=2, allow_nan=False) + "\n"
    module, function = RENDERERS[kind][report_format].split(":")
    return getattr(importlib.import_module(module), function)(document)
