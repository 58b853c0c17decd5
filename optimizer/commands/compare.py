"""``mips-optimizer compare``: plan every what-if variant of every scenario file side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.compare import compare_scenarios
from optimizer.output import emit
from optimizer.report.rendering import render_document
from optimizer.report.compare_report import compare_to_dict
from optimizer.workflow import load_scenario


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
    results = compare_scenarios(loaded, rescore_only=rescore_only, overrides=overrides, progress=stderr_progress())
    emit(render_document("compare", compare_to_dict(results, rescore_only=rescore_only), report_format), output)
    return 0
