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
from optimizer.compare import ComparedVariant, FailedVariant, compare_files
from optimizer.errors import quoted
from optimizer.output import check_output, emit
from optimizer.report.compare_report import compare_to_dict
from optimizer.report.rendering import check_template_dir, render_document
from optimizer.scenario import check_optimize_overrides
from optimizer.text_safety import terminal_line
from optimizer.workflow import input_files, load_base

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
) -> int:
    """Compare the scenarios and their variants; returns the exit code (0, or 4 when some failed)."""
    check_optimize_overrides(overrides)
    check_template_dir(template_dir)
    check_output(output, scenario_paths)
    results = compare_files(
        scenario_paths, lambda path: load_base(path, data_dir), rescore_only=rescore_only, overrides=overrides, progress=stderr_progress()
    )
    inputs = [*scenario_paths, *input_files(result.scenario for result in results if isinstance(result, ComparedVariant))]
    emit(render_document("compare", compare_to_dict(results, rescore_only=rescore_only), report_format, template_dir), output, inputs=inputs)
    failed = [result for result in results if isinstance(result, FailedVariant)]
    for result in failed:
        name = result.file if result.variant is None else f"{result.file} (what-if {quoted(result.variant)})"
        where = "" if result.reason.startswith(result.file) else f"{name}: "  # input errors name their file already
        print(f"mips-optimizer: error: {terminal_line(where + result.reason)}", file=sys.stderr)
    return SOME_FAILED if failed else 0
