"""``mips-optimizer compare``: plan every what-if variant of every scenario file side by side.

A variant or file that fails gets its row with the one-line reason (and a line on stderr); the
others are reported, and the exit code is :data:`SOME_FAILED` (4).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.errors import quoted
from optimizer.inputs.loading import input_files, load_base
from optimizer.inputs.scenario import check_optimize_overrides
from optimizer.output import check_output, emit
from optimizer.planning.compare import ComparedVariant, FailedVariant, compare_files
from optimizer.planning.resolve import forecast_settings
from optimizer.report.compare_report import compare_to_dict
from optimizer.report.provenance import provenance, report_date, with_provenance
from optimizer.report.rendering import check_template_dir, render_document
from optimizer.text_safety import terminal_line

SOME_FAILED = 4
"""Exit code: the report is written, but some variants (or files) failed; their rows say why."""


def compare(
    scenario_paths: Sequence[Path],
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    rescore_only: bool,
    overrides: Mapping[str, Any],
    template_dir: Path | None = None,
    report_date_given: str | None = None,
) -> int:
    """Compare the scenarios and their variants; returns the exit code (0, or 4 when some failed)."""
    check_optimize_overrides(overrides)
    check_template_dir(template_dir)
    date = report_date(report_date_given)
    check_output(output, scenario_paths)
    catalogs: list[Any] = []

    def read(path: Path) -> tuple[Any, Any]:
        scenario, catalog = load_base(path, data_dir)
        catalogs.append(catalog)
        return scenario, catalog

    results = compare_files(scenario_paths, read, rescore_only=rescore_only, overrides=overrides, progress=stderr_progress())
    inputs = [*scenario_paths, *input_files(result.scenario for result in results if isinstance(result, ComparedVariant))]
    titles: dict[str, str] = {}
    for catalog in catalogs:
        table = catalog.improvement_activities
        titles.update(zip(table["measure_id"].astype(str), table["title"].astype(str), strict=True))
    named = {a for result in results if isinstance(result, ComparedVariant) and result.plan.outlook is not None for a in result.plan.outlook.activities}
    document = compare_to_dict(results, rescore_only=rescore_only, activity_titles={a: titles[a] for a in sorted(named) if a in titles})
    if catalogs:
        settings = next((forecast_settings(result.scenario) for result in results if isinstance(result, ComparedVariant)), None)
        made = provenance(catalogs[0], inputs, date=date, draws=overrides.get("draws"), seed=overrides.get("seed"),
                          objective=document["objective"], forecast_settings=settings)
        document = with_provenance(document, made)
    emit(render_document("compare", document, report_format, template_dir), output, inputs=inputs)
    failed = [result for result in results if isinstance(result, FailedVariant)]
    for result in failed:
        name = result.file if result.variant is None else f"{result.file} (what-if {quoted(result.variant)})"
        where = "" if result.reason.startswith(result.file) else f"{name}: "  # input errors name their file already
        print(f"mips-optimizer: error: {terminal_line(where + result.reason)}", file=sys.stderr)
    return SOME_FAILED if failed else 0
