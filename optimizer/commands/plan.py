"""``mips-optimizer plan``: choose the measures and activities worth the most, for every pathway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.output import check_output, emit
from optimizer.report.rendering import check_template_dir, render_document
from optimizer.plan import plan_scenario
from optimizer.report.plan_report import plan_to_dict
from optimizer.scenario import with_optimize_overrides
from optimizer.workflow import input_files, load_scenario


def plan(
    scenario_path: Path,
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
    timings: bool = False,
    template_dir: Path | None = None,
) -> int:
    """Plan the scenario and write the report (with solve times when ``timings``); returns the exit code."""
    check_template_dir(template_dir)
    scenario, catalog = load_scenario(scenario_path, data_dir)
    inputs = input_files([scenario])
    check_output(output, inputs)
    scenario = with_optimize_overrides(scenario, overrides)
    run = plan_scenario(scenario, catalog, progress=stderr_progress())
    emit(render_document("plan", plan_to_dict(run, timings=timings), report_format, template_dir), output, inputs=inputs)
    return 0
