"""``mips-optimizer score``: score what a scenario reports."""

from __future__ import annotations

from pathlib import Path

from optimizer.output import emit
from optimizer.workflow import load_scenario


def score(scenario_path: Path, *, report_format: str, output: Path | None, data_dir: Path | None) -> int:
    """Score the scenario and write the report; returns the exit code."""
    from optimizer.report.score_report import render_score_csv, render_score_json, render_score_markdown
    from optimizer.scoring import score_scenario

    scenario, catalog = load_scenario(scenario_path, data_dir)
    result = score_scenario(scenario, catalog)
    if report_format == "json":
        content = render_score_json(result)
    elif report_format == "csv":
        content = render_score_csv(result)
    elif report_format == "html":
        from optimizer.report.html import render_score_html

        content = render_score_html(result)
    else:
        content = render_score_markdown(result)
    emit(content, output)
    return 0
