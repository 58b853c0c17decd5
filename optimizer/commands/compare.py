"""``mips-optimizer compare``: plan every what-if variant of every scenario file side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.compare import compare_scenarios
from optimizer.output import check_output, emit
from optimizer.report.rendering import render_document
from optimizer.report.compare_report import compare_to_dict
from optimizer.workflow import input_files, load_scenario


def compare(
    scenario_paths: Sequence[Path],
    *,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    rescore_only: bool,
    overrides: Mapping[str, Any],
) -> int:
    """Compare the scenarios and their variants; returns the exit code."""
    loaded = [load_scenario(path, data_dir) for path in scenario_paths]
    check_output(output, input_files(scenario for scenario, _ in loaded))
    results = compare_scenarios(loaded, rescore_only=rescore_only, overrides=overrides, progress=stderr_progress())
    inputs = input_files(result.scenario for result in results)  # what-ifs may name other baselines
    emit(render_document("compare", compare_to_dict(results, rescore_only=rescore_only), report_format), output, inputs=inputs)
    return 0
