"""``mips-optimizer compare``: plan every what-if variant of every scenario file side by side."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.commands.progress import stderr_progress
from optimizer.compare import compare_scenarios
from optimizer.output import emit
from optimizer.report.compare_report import compare_to_dict, render_compare_csv, render_compare_markdown
from optimizer.workflow import load_scenario


def render_compare(document: dict[str, Any], report_format: str) -> str | bytes:
    """The comparison document in the requested format."""
    if report_format == "json":
        return json.dumps(document, indent=2, allow_nan=False) + "\n"
    if report_format == "csv":
        return render_compare_csv(document)
    if report_format == "html":
        from optimizer.report.html import render_compare_html

        return render_compare_html(document)
    if report_format == "xlsx":
        from optimizer.report.workbook import compare_workbook

        return compare_workbook(document)
    return render_compare_markdown(document)


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
    emit(render_compare(compare_to_dict(results, rescore_only=rescore_only), report_format), output)
    return 0
