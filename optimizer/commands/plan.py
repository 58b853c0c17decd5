"""``mips-optimizer plan``: choose the measures and activities worth the most, for every pathway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.output import emit
from optimizer.plan import plan_scenario
from optimizer.report.plan_report import plan_to_dict, render_plan_csv, render_plan_json, render_plan_markdown
from optimizer.scenario import with_optimize_overrides
from optimizer.workflow import load_scenario


def render_plan(document: dict[str, Any], report_format: str) -> str | bytes:
    """The plan document in the requested format."""
    if report_format == "json":
        return render_plan_json(document)
    if report_format == "csv":
        return render_plan_csv(document)
    if report_format == "html":
        from optimizer.report.html import render_plan_html

        return render_plan_html(document)
    if report_format == "xlsx":
        from optimizer.report.workbook import plan_workbook

        return plan_workbook(document)
    return render_plan_markdown(document)


def plan(
    scenario_path: Path,
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
) -> int:
    """Plan the scenario and write the report; returns the exit code."""
    scenario, catalog = load_scenario(scenario_path, data_dir)
    scenario = with_optimize_overrides(scenario, overrides)
    run = plan_scenario(scenario, catalog, progress=stderr_progress())
    emit(render_plan(plan_to_dict(run), report_format), output)
    return 0
