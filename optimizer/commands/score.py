"""``mips-optimizer score``: score what a scenario reports."""

from __future__ import annotations

from pathlib import Path

from optimizer.inputs.loading import input_files, load_scenario
from optimizer.output import check_output, emit
from optimizer.report.rendering import render_document


def score(scenario_path: Path, *, report_format: str, output: Path | None, data_dir: Path | None) -> int:
    """Score the scenario and write the report; returns the exit code."""
    from optimizer.report.score_report import score_to_dict
    from optimizer.planning.score import score_scenario

    scenario, catalog = load_scenario(scenario_path, data_dir)
    inputs = input_files([scenario])
    check_output(output, inputs)
    emit(render_document("score", score_to_dict(score_scenario(scenario, catalog)), report_format), output, inputs=inputs)
    return 0
