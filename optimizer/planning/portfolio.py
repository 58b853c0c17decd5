"""Plan a whole portfolio of practices: every scenario file in parallel, results written as they finish.

:func:`run_portfolio` finds the scenario files, skips the practices whose report is up to date (a
content hash of their inputs and settings, :func:`optimizer.planning.tasks.input_hash`), sends the
others to an executor — any :class:`concurrent.futures.Executor`: the local process pool or a Dask
cluster's (:mod:`optimizer.planning.executors`), so both take one code path — and writes each result
as it arrives (:mod:`optimizer.planning.output_folder`). Nothing is kept but the summary rows, and at
most a few tasks are in flight, so memory does not grow with the number of practices. A practice that
fails gets its row with the one-line reason; the others go on.

This module is light (standard library only): the parent process does not import the planner;
the work happens in the function the caller hands over (``mips-optimizer portfolio`` gives
:func:`optimizer.commands.portfolio_worker.plan_practice`, which plans and renders one practice).
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import MipsError
from optimizer.planning.output_folder import OutputFolder, locked, prepare_output_folder, reusable_row, write_result
from optimizer.planning.tasks import PortfolioSettings, PracticeResult, PracticeTask, failed_row

TASKS_PER_SLOT = 2
"""Tasks in flight per worker slot: enough to keep every worker busy, few enough to keep memory flat."""


def find_scenarios(paths: Sequence[Path]) -> list[Path]:
    """The scenario files to plan: each file given, and the ``*.toml`` files directly inside each folder
    given (sorted by name; hidden files such as ``.taplo.toml`` are not scenarios). A file named twice
    is planned once.

    Raises
    ------
    MipsError
        A path that does not exist, or no scenario file at all.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            members = sorted(entry for entry in path.glob("*.toml") if not entry.name.startswith(".") and entry.is_file())
        elif path.exists():
            members = [path]
        else:
            raise MipsError(f"{path}: no such file or folder")
        for member in members:
            key = member.resolve()
            if key not in seen:
                seen.add(key)
                found.append(member)
    if not found:
        raise MipsError(f"no scenario files (*.toml) in {', '.join(str(path) for path in paths)}")
    return found


def output_names(scenarios: Sequence[Path]) -> list[str]:
    """Each scenario's output name: its file name without ``.toml``, made unique by a short hash of
    its absolute path where two files share a name (compared without case, as macOS and Windows do).
    A file's name depends only on its path and the other names, so a rerun finds its state again."""
    stems = [path.stem for path in scenarios]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    names = []
    for path, stem in zip(scenarios, stems):
        if counts[stem.casefold()] > 1:
            stem = f"{stem}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]}"
        names.append(stem)
    return names


@dataclass
class Progress:
    """What the caller is told as the run goes: ``start(total, reused)`` once (``reused``: practices
    whose report is up to date), ``done(row, warnings)`` after each practice planned."""

    start: Callable[[int, int], None] = lambda total, reused: None
    done: Callable[[dict[str, Any], Sequence[str]], None] = lambda row, warnings: None


ExecutorFactory = Callable[[int], AbstractContextManager[tuple[Executor, int]]]
"""Opens an executor for that many tasks; yields it and how many tasks it runs at once."""
PlanPractice = Callable[[PracticeTask], PracticeResult]
"""Plans one practice in a worker (picklable: a module-level function); never raises for the
practice's own problem (its result is the failure row)."""


def run_portfolio(
    paths: Sequence[Path],
    output_dir: Path,
    settings: PortfolioSettings,
    open_executor: ExecutorFactory,
    plan_practice: PlanPractice,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[OutputFolder, list[dict[str, Any]]]:
    """Plan every practice whose report is not up to date (all with ``force``); returns the output
    folder and one summary row per practice, in the order of the files.

    ``open_executor`` is only called when something is left to plan (see :func:`planned_results` for
    what happens when the executor breaks).
    """
    progress = progress or Progress()
    scenarios = find_scenarios(paths)
    folder = prepare_output_folder(output_dir, settings.report_format)
    tasks = [
        PracticeTask(name, str(path.resolve()), str(path), settings) for name, path in zip(output_names(scenarios), scenarios)
    ]
    rows: dict[str, dict[str, Any]] = {}
    with locked(folder):
        for task in tasks:
            row = None if force else reusable_row(folder, task.name, Path(task.scenario), settings)
            if row is not None:
                rows[task.name] = row
        waiting = [task for task in tasks if task.name not in rows]
        progress.start(len(tasks), len(tasks) - len(waiting))
        for task, result in planned_results(open_executor, plan_practice, waiting):
            rows[task.name] = row = write_result(folder, task, result)
            progress.done(row, result.warnings)
    return folder, [rows[task.name] for task in tasks]


def planned_results(
    open_executor: ExecutorFactory, plan_practice: PlanPractice, tasks: Sequence[PracticeTask]
) -> Iterator[tuple[PracticeTask, PracticeResult]]:
    """Each task with its result (``plan_practice`` run by the executor), as they finish.

    When the executor breaks (a local worker process died: killed for memory, a crash in a native
    library), the tasks it was running are planned again one at a time in a new executor, so only a
    task that breaks one on its own fails ("the worker process planning it died"); the tasks not yet
    sent go on in a new executor. Any other error of the executor (a Dask worker lost too often) is
    that task's failure row.
    """
    waiting = deque(tasks)
    while waiting:
        with open_executor(len(waiting)) as (executor, slots):
            lost = yield from _until_broken(executor, plan_practice, waiting, TASKS_PER_SLOT * slots)
        for task in lost:
            alone = deque([task])
            with open_executor(1) as (executor, _):
                died = yield from _until_broken(executor, plan_practice, alone, 1)
            for task in [*died, *alone]:
                yield task, PracticeResult(task.name, failed_row(task, "the worker process planning it died (killed for memory, or a crash)"), None)


def _until_broken(
    executor: Executor, plan_practice: PlanPractice, waiting: deque[PracticeTask], window: int
) -> Generator[tuple[PracticeTask, PracticeResult], None, list[PracticeTask]]:
    """Send tasks from ``waiting`` with at most ``window`` in flight and yield their results as they
    finish, until ``waiting`` is empty or the executor breaks; returns the tasks lost when it broke."""
    pending: dict[Future[PracticeResult], PracticeTask] = {}
    lost: list[PracticeTask] = []
    sent, broken = 0, False
    while (waiting and not broken) or pending:
        while waiting and not broken and len(pending) < max(1, window):
            task = waiting.popleft()
            try:
                pending[executor.submit(plan_practice, task)] = task
                sent += 1
            except BrokenExecutor as error:
                waiting.appendleft(task)  # never sent: it goes on in the next executor
                if sent == 0:
                    raise MipsError(f"cannot start the worker processes ({error})") from None
                broken = True
        if not pending:
            break
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            task = pending.pop(future)
            try:
                result = future.result()
            except BrokenExecutor:
                lost.append(task)
                broken = True
                continue
            except Exception as error:  # noqa: BLE001 - the executor lost the task: that practice fails, the others go on
                result = PracticeResult(task.name, failed_row(task, f"the worker running it failed ({type(error).__name__}: {error})"), None)
            yield task, result
    return lost
