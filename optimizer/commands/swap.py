"""``mips-optimizer swap``: mid-year, is swapping or adding a measure (or switching pathway) worth it, and still feasible?"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.inputs.loading import input_files, load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.output import check_output, emit
from optimizer.planning.resolve import forecast_settings
from optimizer.planning.swap import evaluate_swaps
from optimizer.report.provenance import provenance, report_date, with_provenance
from optimizer.report.rendering import check_template_dir, render_document
from optimizer.report.swap_report import swap_to_dict


def swap(
    scenario_path: Path,
    *,
    ytd: Path,
    as_of: str | None,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
    template_dir: Path | None = None,
    report_date_given: str | None = None,
) -> int:
    """Evaluate mid-year options and write the report; returns the exit code."""
    check_template_dir(template_dir)
    date = report_date(report_date_given)
    scenario, catalog = load_scenario(scenario_path, data_dir)
    inputs = [*input_files([scenario]), ytd]
    check_output(output, inputs)
    scenario = with_optimize_overrides(scenario, overrides)
    result = evaluate_swaps(scenario, catalog, ytd, as_of, data_dir)
    document = swap_to_dict(result, catalog=catalog)
    made = provenance(catalog, inputs, date=date, objective=scenario.optimize.objective, forecast_settings=forecast_settings(result.scenario))
    emit(render_document("swap", with_provenance(document, made), report_format, template_dir), output, inputs=inputs)
    return 0
