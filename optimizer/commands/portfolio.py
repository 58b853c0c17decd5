"""``mips-optimizer portfolio``: plan every practice of a folder (or list) in parallel, one report each,
and a summary ranked by dollars at stake.

Standard output carries the Markdown summary and nothing else; progress (a count and an ETA, drawn by
tqdm) goes to standard error: a bar on a terminal, a plain line now and then otherwise
(``MIPS_OPTIMIZER_PROGRESS=0`` silences it). Each failure is one line on stderr as it happens, and
its row in the summary. Exit code 0 when every practice has its report, :data:`SOME_FAILED` when some
failed, :data:`ALL_FAILED` when every one did.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.commands.progress import PROGRESS_ENVIRONMENT_VARIABLE
from optimizer.inputs.scenario import check_optimize_overrides
from optimizer.output import emit, write_atomically
from optimizer.planning.portfolio import Progress, run_portfolio
from optimizer.planning.tasks import FAILED, PortfolioSettings
from optimizer.report.portfolio_report import SUMMARY_RENDERERS, render_summary_markdown, summary_document
from optimizer.text_safety import terminal_line

SOME_FAILED = 4
"""Exit code: every summary is written; some practices failed (their rows and stderr say why)."""
ALL_FAILED = 5
"""Exit code: every summary is written; every practice failed."""
SUMMARY_NAME = "summary"
PLAIN_LINE_SECONDS = 10.0
"""When stderr is not a terminal, a progress line at most this often (and one for the last practice)."""


class _StderrProgress:
    """Count and ETA on stderr: a tqdm bar on a terminal, tqdm-formatted plain lines otherwise."""

    def __init__(self) -> None:
        setting = os.environ.get(PROGRESS_ENVIRONMENT_VARIABLE)
        self.quiet = setting == "0"
        self.bar: Any = None
        self.total = self.done_count = self.reused = self.failed = 0
        self.started = time.monotonic()
        self.last_line = -PLAIN_LINE_SECONDS

    def progress(self) -> Progress:
        return Progress(start=self.start, done=self.done)

    def start(self, total: int, reused: int) -> None:
        self.total, self.reused, self.done_count = total, reused, reused
        self.started = time.monotonic()
        if self.quiet:
            return
        if reused:
            self.say(f"mips-optimizer: {reused} of {total} practices unchanged since their reports (--force plans them again)")
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=reused, unit="practice", file=sys.stderr, dynamic_ncols=True, leave=True)

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def done(self, row: Mapping[str, Any], warnings: Sequence[str]) -> None:
        self.done_count += 1
        for warning in warnings:
            self.say(f"mips-optimizer: warning: {terminal_line(warning)}")
        if row["status"] == FAILED:
            self.failed += 1
            reason = row.get("reason") or ""
            where = "" if reason.startswith(row["file"]) else f"{row['file']}: "
            self.say(f"mips-optimizer: error: {terminal_line(where + reason)}")
        postfix = f"{self.failed} failed" if self.failed else None
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)
            return
        now = time.monotonic()
        if self.quiet or (now - self.last_line < PLAIN_LINE_SECONDS and self.done_count < self.total):
            return
        from tqdm import tqdm

        self.last_line = now
        meter = tqdm.format_meter(
            self.done_count,
            self.total,
            now - self.started,
            unit="practice",
            initial=self.reused,
            postfix=postfix,
            bar_format="{n_fmt}/{total_fmt} practices [{elapsed} elapsed, {remaining} left, {rate_fmt}]{postfix}",
        )
        print(f"mips-optimizer: {meter}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def portfolio(
    paths: Sequence[Path],
    *,
    output_dir: Path,
    report_format: str,
    jobs: int | None,
    scheduler: str | None,
    force: bool,
    data_dir: Path | None,
    overrides: Mapping[str, Any],
    quality_work: bool = False,
) -> int:
    """Plan the portfolio, write the reports and summaries, print the summary; returns the exit code."""
    from optimizer.commands.portfolio_worker import plan_practice
    from optimizer.planning.executors import cluster_executor, local_executor

    check_optimize_overrides(overrides)
    settings = PortfolioSettings(report_format, dict(overrides), None if data_dir is None else os.path.abspath(data_dir), quality_work)

    def open_executor(tasks: int):  # noqa: ANN202 - a context manager factory
        return cluster_executor(scheduler) if scheduler is not None else local_executor(jobs, tasks, plan_practice.__module__)

    display = _StderrProgress()
    try:
        folder, rows = run_portfolio(paths, output_dir, settings, open_executor, plan_practice, force=force, progress=display.progress())
    finally:
        display.close()
    document = summary_document(rows)
    for summary_format, render in SUMMARY_RENDERERS.items():
        write_atomically(folder.root / f"{SUMMARY_NAME}.{summary_format}", render(document))
    emit(render_summary_markdown(document), None)
    failed = document["failed"]
    if failed:
        print(
            f"mips-optimizer: {failed} of {document['practices']} practices failed; "
            f"their rows in {terminal_line(str(folder.root / SUMMARY_NAME))}.md say why",
            file=sys.stderr,
        )
    if failed and failed == document["practices"]:
        return ALL_FAILED
    return SOME_FAILED if failed else 0
