"""``mips-optimizer plan``: choose the measures and activities worth the most, for every pathway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.inputs.loading import input_files, load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.output import check_output, emit
from optimizer.planning.care_gaps import value_quality_work
from optimizer.planning.current_selection import current_selection
from optimizer.planning.plan import plan_scenario
from optimizer.report.plan_report import plan_to_dict
from optimizer.report.provenance import provenance, report_date, with_provenance
from optimizer.report.rendering import check_template_dir, render_document


def plan(
    scenario_path: Path,
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
    timings: bool = False,
    template_dir: Path | None = None,
    report_date_given: str | None = None,
    quality_work: bool = True,
) -> int:
    """Plan the scenario and write the report (with solve times when ``timings``; without the value of
    quality work when not ``quality_work``); returns the exit code."""
    check_template_dir(template_dir)
    date = report_date(report_date_given)
    scenario, catalog = load_scenario(scenario_path, data_dir)
    inputs = input_files([scenario])
    check_output(output, inputs)
    scenario = with_optimize_overrides(scenario, overrides)
    progress = stderr_progress()
    run = plan_scenario(scenario, catalog, progress=progress)
    current = current_selection(run, catalog)
    work = value_quality_work(run, catalog, progress) if quality_work else None
    document = plan_to_dict(run, timings=timings, catalog=catalog, current=current, quality_work=work)
    made = provenance(catalog, inputs, date=date, draws=document["draws"], objective=run.objective, forecast_settings=run.forecast.settings)
    emit(render_document("plan", with_provenance(document, made), report_format, template_dir), output, inputs=inputs)
    return 0
