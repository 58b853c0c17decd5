"""A portfolio's output folder: where each practice's report and state file go, which practices are up to
date, and writing a finished practice so that a run killed at any moment leaves whole files only.

Layout: ``practices/<name>.<format>`` (one report per practice), ``.portfolio/<name>.json`` (a state
file: the practice's input hash and summary row) and ``.portfolio/lock``; the command writes the
summaries beside them. Every file is written atomically (:func:`optimizer.output.write_atomically`),
the state file after its report, so a state file always stands for a whole report of its inputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import MipsError
from optimizer.output import write_atomically
from optimizer.planning.tasks import STATE_VERSION, UNCHANGED, PortfolioSettings, PracticeResult, PracticeTask, failed_row, input_hash

REPORTS_FOLDER = "practices"
"""Where the per-practice reports go, inside the output folder."""
STATE_FOLDER = ".portfolio"
"""Where the per-practice state files (input hash and summary row) and the lock go."""


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
        """Where a practice's report goes (the format is its extension: ``.md``, ``.html``, ``.xlsx`` …)."""
        return self.reports / f"{name}.{self.report_format}"

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


def write_result(folder: OutputFolder, task: PracticeTask, result: PracticeResult) -> dict[str, Any]:
    """Write a finished practice: its report, then its state file; a failure removes both (so a report
    never stands for inputs it was not made from). Returns its summary row."""
    report, state = folder.report_path(task.name), folder.state_path(task.name)
    if result.failed:
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
def locked(folder: OutputFolder) -> Iterator[None]:
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
