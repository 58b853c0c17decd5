"""``mips-optimizer swap``: mid-year, is swapping or adding a measure worth it, and still feasible?"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.output import emit
from optimizer.report.swap_report import render_swap_csv, render_swap_markdown, swap_to_dict
from optimizer.scenario import with_optimize_overrides
from optimizer.swap import evaluate_swaps
from optimizer.workflow import load_scenario


def render_swap(document: dict[str, Any], report_format: str) -> str:
    """The swap document in the requested format."""
    if report_format == "json":
        return json.dumps(document, indent=2, allow_nan=False) + "\n"
    if report_format == "csv":
        return render_swap_csv(document)
    if report_format == "html":
        from optimizer.report.html import render_swap_html

        return render_swap_html(document)
    return render_swap_markdown(document)


def swap(
    scenario_path: Path,
    *,
    ytd: Path,
    as_of: str | None,
    report_format: str,
    output: Path | None,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
) -> int:
    """Evaluate mid-year options and write the report; returns the exit code."""
    scenario, catalog = load_scenario(scenario_path, data_dir)
    scenario = with_optimize_overrides(scenario, overrides)
    emit(render_swap(swap_to_dict(evaluate_swaps(scenario, catalog, ytd, as_of)), report_format), output)
    return 0
