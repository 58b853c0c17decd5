"""A portfolio's unit of work: one practice to plan (:class:`PracticeTask`), what comes back from the worker
(:class:`PracticeResult`), and the content hash that decides whether a practice needs planning again.

Everything here is picklable and light (standard library only), so a task travels to a local worker
process or a Dask worker and the parent never imports the planner.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer import __version__

STATE_VERSION = 1
"""The layout of a state file and of the hash; a change makes every practice plan again."""
PLANNED, UNCHANGED, FAILED = "planned", "unchanged", "failed"
"""A summary row's status: planned in this run, its report up to date (not planned again), or failed."""


@dataclass(frozen=True)
class PortfolioSettings:
    """What every practice of a run is planned with (everything but the practice's own files)."""

    report_format: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """``--draws``, ``--seed``, ``--objective``, ``--solver``, ``--time-limit`` given (checked)."""
    data_dir: str | None = None
    quality_work: bool = False
    """Each report also says where quality work pays (``portfolio --quality-work``; 2–4 times the plan)."""

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change a practice's report (the data folder does not: every source of a
        year holds the same pinned tables, which the hash names by their upstream commit)."""
        return {
            "state_version": STATE_VERSION,
            "tool_version": __version__,
            "report_format": self.report_format,
            "overrides": {key: self.overrides[key] for key in sorted(self.overrides)},
            "quality_work": self.quality_work,
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


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (read in blocks): a practice's input hash, a report's provenance."""
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
        digest.update(b"\0" + os.fsencode(path) + b"\0" + file_digest(path).encode())
    return digest.hexdigest()
