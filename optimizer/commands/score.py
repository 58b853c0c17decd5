"""``mips-optimizer score``: score what a scenario reports."""

from __future__ import annotations

from pathlib import Path

from optimizer.inputs.loading import input_files, load_scenario
from optimizer.output import check_output, emit
from optimizer.report.provenance import provenance, report_date, with_provenance
from optimizer.report.rendering import check_template_dir, render_document


def score(
    scenario_path: Path,
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    template_dir: Path | None = None,
    report_date_given: str | None = None,
) -> int:
    """Score the scenario and write the report; returns the exit code."""
    from optimizer.report.score_report import score_to_dict
    from optimizer.planning.score import score_scenario

    check_template_dir(template_dir)
    date = report_date(report_date_given)
    scenario, catalog = load_scenario(scenario_path, data_dir)
    inputs = input_files([scenario])
    check_output(output, inputs)
    document = score_to_dict(score_scenario(scenario, catalog), catalog=catalog)
    document = with_provenance(document, provenance(catalog, inputs, date=date))
    emit(render_document("score", document, report_format, template_dir), output, inputs=inputs)
    return 0
