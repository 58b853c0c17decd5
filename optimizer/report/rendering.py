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

from pathlib import Path

from optimizer.errors import MipsError
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
        "xlsx": "optimizer.report.workbook:swap_workbook",
    },
    "score": {
        "md": "optimizer.report.score_report:render_score_markdown",
        "csv": "optimizer.report.score_report:render_score_csv",
        "html": "optimizer.report.html:render_score_html",
        "xlsx": "optimizer.report.workbook:score_workbook",
    },
}
"""Per report kind and format, the renderer as ``module:function`` (imported only when used)."""


def render_document(kind: str, document: dict[str, Any], report_format: str, template_dir: Path | None = None) -> str | bytes:
    """The document of a ``plan``, ``compare``, ``swap`` or ``score`` run in ``md``, ``json``, ``csv``, ``html`` or ``xlsx``
    (HTML from the templates of ``template_dir`` where it has them, else the built-in ones)."""
    if report_format == "json":
        return json_text(document)
    module, function = RENDERERS[kind][report_format].split(":")
    renderer = getattr(importlib.import_module(module), function)
    if report_format == "md":
        document = markdown_document(document)
    if report_format != "html":
        return renderer(document)
    check_template_dir(template_dir)
    from jinja2 import TemplateError

    try:
        return renderer(document, template_dir=template_dir)
    except TemplateError as error:
        raise MipsError(template_problem(error, template_dir)) from None


def check_template_dir(template_dir: Path | None) -> None:
    """Refuse a ``--template-dir`` that is not a folder (before any work is done)."""
    if template_dir is not None and not Path(template_dir).is_dir():
        raise MipsError(f"{template_dir}: --template-dir expects a folder of templates (such as branding.html.j2)")


def template_problem(error: Exception, template_dir: Path | None) -> str:
    """One line naming the template (and line) that failed: a ``--template-dir`` template, usually."""
    from jinja2 import TemplateNotFound

    folder = f"the templates in {template_dir}" if template_dir is not None else "the built-in templates"
    if isinstance(error, TemplateNotFound):
        return f"{folder}: cannot render the HTML report: template {error.name} is neither there nor built in"
    name = getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    where = (f"{name}, line {line}" if line else str(name)) if name else folder
    return f"{where}: cannot render the HTML report: {getattr(error, 'message', None) or type(error).__name__}"
