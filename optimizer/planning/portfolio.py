"""Plan a whole portfolio of practices: every scenario file in parallel, results written as they finish.

:func:`run_portfolio` finds the scenario files, skips the practices whose report is up to date (a
content hash of their inputs and settings, :func:`input_hash`), sends the others to an executor —
any :class:`concurrent.futures.Executor`: the local process pool or a Dask cluster's
(:mod:`optimizer.planning.executors`), so both take one code path — and writes each result as it
arrives: the practice's report, then its state file (the hash and its summary row). Nothing is kept
but the summary rows, and at most a few tasks are in flight, so memory does not grow with the number
of practices. A practice that fails gets its row with the one-line reason; the others go on.

The output folder holds ``practices/<name>.<format>`` (one report per practice), ``.portfolio/``
(a state file per practice and a lock) and the summaries the command writes beside them. A run
killed at any moment leaves whole files only (every file is written atomically, the state file
after its report), so running the same command again resumes where it stopped.

This module is light (standard library only): the parent process does not import the planner;
the work happens in :mod:`optimizer.planning.practice`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer import __version__
from optimizer.errors import MipsError
from optimizer.output import write_atomically

REPORTS_FOLDER = "practices"
"""Where the per-practice reports go, inside the output folder."""
STATE_FOLDER = ".portfolio"
"""Where the per-practice state files (input hash and summary row) and the lock go."""
STATE_VERSION = 1
"""The layout of a state file and of the hash; a change makes every practice plan again."""
PLANNED, UNCHANGED, FAILED = "planned", "unchanged", "failed"
"""A summary row's status: planned in this run, its report up to date (not planned again), or failed."""
REPORT_EXTENSIONS = {"md": "md", "html": "html", "json": "json", "csv": "csv", "xlsx": "xlsx"}
TASKS_PER_SLOT = 2
"""Tasks in flight per worker slot: enough to keep every worker busy, few enough to keep memory flat."""


@dataclass(frozen=True)
class PortfolioSettings:
    """What every practice of a run is planned with (everything but the practice's own files)."""

    report_format: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """``--draws``, ``--seed``, ``--objective``, ``--solver``, ``--time-limit`` given (checked)."""
    data_dir: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change a practice's report (the data folder does not: every source of a
        year holds the same pinned tables, which the hash names by their upstream commit)."""
        return {
            "state_version": STATE_VERSION,
            "tool_version": __version__,
            "report_format": self.report_format,
            "overrides": {key: self.overrides[key] for key in sorted(self.overrides)},
        }


@dataclass(frozen=True)
class PracticeTask:
    """One practice to plan: the name of its outputs, its scenario file (absolute), the run's settings."""

    name: str
    scenario: str
    shown: str
    """The scenario file as the user named it (summary rows and messages show this)."""
    settings: PortfolioSettings


@dataclass(frozen=True)
class PracticeResult:
    """What a worker sends back: the summary row, the rendered report (None when the practice failed),
    the files it read and their hash, and the input warnings it met (one line each)."""

    name: str
    row: dict[str, Any]
    report: bytes | None
    input_files: tuple[str, ...] = ()
    input_hash: str | None = None
    performance_year: int | None = None
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """No report: the row's ``reason`` says why."""
        return self.report is None


def failed_row(task: PracticeTask, reason: str, practice: str | None = None) -> dict[str, Any]:
    """A summary row for a practice that could not be planned."""
    return {"practice": practice or Path(task.shown).stem, "file": task.shown, "status": FAILED, "reason": reason}


# --- which files, under which names ------------------------------------------------------------


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


# --- the content hash and the state files ------------------------------------------------------


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cms_data_tag(year: int) -> dict[str, str]:
    """The CMS data a year is planned on: the upstream repository, tag and commit the project pins."""
    from optimizer.catalog.manifest import read_manifest

    manifest = read_manifest(year)
    return {"repository": manifest.repository, "tag": manifest.tag, "commit": manifest.commit}


def input_hash(files: Sequence[str], year: int, settings: PortfolioSettings) -> str:
    """SHA-256 over what a practice's report depends on: each input file's path and content (the
    scenario file first, then its baseline files), the CMS data's tag and commit for its year, the
    tool's version and the run's settings (:meth:`PortfolioSettings.fingerprint`).

    Raises
    ------
    OSError
        An input file cannot be read (the caller treats the practice as changed).
    """
    digest = hashlib.sha256()
    header = {"settings": settings.fingerprint(), "performance_year": year, "cms_data": cms_data_tag(year)}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for path in files:
        digest.update(b"\0" + os.fsencode(path) + b"\0" + _file_digest(path).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class OutputFolder:
    """The output folder's layout: reports, state files and summaries."""

    root: Path
    report_format: str

    @property
    def reports(self) -> Path:
        return self.root / REPORTS_FOLDER

    @property
    def state(self) -> Path:
        return self.root / STATE_FOLDER

    def report_path(self, name: str) -> Path:
        """Where a practice's report goes."""
        return self.reports / f"{name}.{REPORT_EXTENSIONS[self.report_format]}"

    def state_path(self, name: str) -> Path:
        """Where a practice's state file goes."""
        return self.state / f"{name}.json"

    def relative(self, path: Path) -> str:
        """A path inside the folder as the summary names it (``practices/x.md``)."""
        return path.relative_to(self.root).as_posix()


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("state_version") == STATE_VERSION else None


def reusable_row(folder: OutputFolder, name: str, scenario: Path, settings: PortfolioSettings) -> dict[str, Any] | None:
    """The summary row of a practice whose report is up to date, else None: its state file exists,
    names this scenario file, its report is there, and the hash of the files it lists (read again
    now) and of the settings is the one recorded."""
    state = _read_state(folder.state_path(name))
    if state is None or state.get("scenario") != str(scenario.resolve()):
        return None
    if not folder.report_path(name).is_file() or state.get("report") != folder.relative(folder.report_path(name)):
        return None
    try:
        current = input_hash(state["input_files"], int(state["performance_year"]), settings)
    except (OSError, KeyError, TypeError, ValueError, MipsError):
        return None
    if current != state.get("input_hash"):
        return None
    return {**state["row"], "status": UNCHANGED}


def _write_result(folder: OutputFolder, task: PracticeTask, result: PracticeResult) -> dict[str, Any]:
    """Write a finished practice: its report, then its state file; a failure removes both (so a report
    never stands for inputs it was not made from). Returns its summary row."""
    report, state = folder.report_path(task.name), folder.state_path(task.name)
    if result.report is None:
        _remove_outputs(folder, task.name)
        return result.row
    try:
        write_atomically(report, result.report, result.input_files)
    except MipsError as error:
        _remove_outputs(folder, task.name)
        return failed_row(task, str(error), result.row.get("practice"))
    row = {**result.row, "report": folder.relative(report)}
    document = {
        "state_version": STATE_VERSION,
        "scenario": task.scenario,
        "performance_year": result.performance_year,
        "input_files": list(result.input_files),
        "input_hash": result.input_hash,
        "report": folder.relative(report),
        "row": row,
    }
    write_atomically(state, json.dumps(document, indent=1, sort_keys=True))
    return row


def _remove_outputs(folder: OutputFolder, name: str) -> None:
    """Remove a practice's state file and the report it names (both written by an earlier run)."""
    state = _read_state(folder.state_path(name))
    folder.state_path(name).unlink(missing_ok=True)
    if state is not None and state.get("report") == folder.relative(folder.report_path(name)):
        folder.report_path(name).unlink(missing_ok=True)


@contextmanager
def _locked(folder: OutputFolder) -> Iterator[None]:
    """Hold an exclusive lock on the output folder for the run (one run writes into it at a time) and
    remove the temporary files a killed run left behind (only once the lock is held)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; runs are not protected from each other
        fcntl = None  # type: ignore[assignment]
    handle = os.open(folder.state / "lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise MipsError(f"{folder.root}: another portfolio run is writing into this folder; wait for it or choose another --output-dir") from None
        for leftover in [*folder.reports.glob(".*.part"), *folder.state.glob(".*.part"), *folder.root.glob(".*.part")]:
            leftover.unlink(missing_ok=True)
        yield
    finally:
        os.close(handle)


def prepare_output_folder(root: Path, report_format: str) -> OutputFolder:
    """Create the output folder and its subfolders; one line when that is impossible."""
    folder = OutputFolder(root, report_format)
    if root.exists() and not root.is_dir():
        raise MipsError(f"{root}: is not a folder; --output-dir names a folder to write the reports into")
    try:
        folder.reports.mkdir(parents=True, exist_ok=True)
        folder.state.mkdir(exist_ok=True)
    except OSError as error:
        raise MipsError(f"{root}: cannot create the output folder ({error.strerror or type(error).__name__})") from None
    return folder


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Progress:
    """What the caller is told as the run goes: ``start(total, reused)`` once (``reused``: practices
    whose report is up to date), ``done(row, warnings)`` after each practice planned."""

    start: Callable[[int, int], None] = lambda total, reused: None
    done: Callable[[dict[str, Any], Sequence[str]], None] = lambda row, warnings: None


ExecutorFactory = Callable[[int], AbstractContextManager[tuple[Executor, int]]]
"""Opens an executor for that many tasks; yields it and how many tasks it runs at once."""


def run_portfolio(
    paths: Sequence[Path],
    output_dir: Path,
    settings: PortfolioSettings,
    open_executor: ExecutorFactory,
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
    with _locked(folder):
        for task in tasks:
            row = None if force else reusable_row(folder, task.name, Path(task.scenario), settings)
            if row is not None:
                rows[task.name] = row
        waiting = [task for task in tasks if task.name not in rows]
        progress.start(len(tasks), len(tasks) - len(waiting))
        for task, result in planned_results(open_executor, waiting):
            rows[task.name] = row = _write_result(folder, task, result)
            progress.done(row, result.warnings)
    return folder, [rows[task.name] for task in tasks]


def planned_results(open_executor: ExecutorFactory, tasks: Sequence[PracticeTask]) -> Iterator[tuple[PracticeTask, PracticeResult]]:
    """Each task with its result, as they finish.

    When the executor breaks (a local worker process died: killed for memory, a crash in a native
    library), the tasks it was running are planned again one at a time in a new executor, so only a
    task that breaks one on its own fails ("the worker process planning it died"); the tasks not yet
    sent go on in a new executor. Any other error of the executor (a Dask worker lost too often) is
    that task's failure row.
    """
    waiting = deque(tasks)
    while waiting:
        with open_executor(len(waiting)) as (executor, slots):
            lost = yield from _until_broken(executor, waiting, TASKS_PER_SLOT * slots)
        for task in lost:
            with open_executor(1) as (executor, _):
                alone = yield from _until_broken(executor, deque([task]), 1)
            for task in alone:
                yield task, PracticeResult(task.name, failed_row(task, "the worker process planning it died (killed for memory, or a crash)"), None)


def _until_broken(
    executor: Executor, waiting: deque[PracticeTask], window: int
) -> Generator[tuple[PracticeTask, PracticeResult], None, list[PracticeTask]]:
    """Send tasks from ``waiting`` with at most ``window`` in flight and yield their results as they
    finish, until ``waiting`` is empty or the executor breaks; returns the tasks lost when it broke."""
    from optimizer.planning.practice import plan_practice

    pending: dict[Future[PracticeResult], PracticeTask] = {}
    lost: list[PracticeTask] = []
    while (waiting and not lost) or pending:
        while waiting and not lost and len(pending) < max(1, window):
            task = waiting.popleft()
            try:
                pending[executor.submit(plan_practice, task)] = task
            except BrokenExecutor:
                lost.append(task)
        if not pending:
            break
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            task = pending.pop(future)
            try:
                result = future.result()
            except BrokenExecutor:
                lost.append(task)
                continue
            except Exception as error:  # noqa: BLE001 - the executor lost the task: that practice fails, the others go on
                result = PracticeResult(task.name, failed_row(task, f"the worker running it failed ({type(error).__name__}: {error})"), None)
            yield task, result
    return lost
