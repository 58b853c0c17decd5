"""Provenance: what a report was made from, so that a report found in a shared folder can be reproduced.

Every report (``plan``, ``compare``, ``swap``, ``score``; every format) carries the tool's version,
CMS's data (repository, tag, commit, and whether the bundled tables or a fetched copy were read),
the performance year, the report's date, the forecast's draws, seed and assumptions, and the
SHA-256 of every input file (so "the same inputs" can be checked, not only claimed).

The date. A report needs one, but the same inputs and seed must give the same bytes (the
reproducible-builds rule). So the date is an input like the others: ``--report-date YYYY-MM-DD``
when given; else ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC), the variable reproducible
builds set for exactly this purpose; else today's date. Only the date is written, never the time
of day, and the report says which of the three it is.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from optimizer import __version__
from optimizer.errors import InputError
from optimizer.planning.tasks import file_digest

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The reproducible-builds variable fixing a build's (here: a report's) date."""


def report_date(given: str | None, environment: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The report's date (ISO) and where it came from: ``--report-date``, ``SOURCE_DATE_EPOCH`` or today.

    Raises
    ------
    InputError
        The date given, or the variable, is not a date.
    """
    environment = os.environ if environment is None else environment
    if given is not None:
        try:
            return datetime.date.fromisoformat(given).isoformat(), "--report-date"
        except ValueError:
            raise InputError(f"--report-date expects a date like 2026-01-15, got {given!r}") from None
    epoch = environment.get(SOURCE_DATE_EPOCH)
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date().isoformat(), SOURCE_DATE_EPOCH
        except (ValueError, OverflowError, OSError):
            raise InputError(f"{SOURCE_DATE_EPOCH} expects whole seconds since 1970-01-01, got {epoch!r}") from None
    return datetime.date.today().isoformat(), "today"


def shown_path(path: Path) -> str:
    """A file as the report names it: relative to the working folder when it lies inside it, else as given."""
    try:
        return Path(os.path.relpath(path)).as_posix() if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)


def cms_data(catalog: Any) -> dict[str, Any]:
    """Which CMS data a run read: the pinned upstream repository, tag and commit, and whether the
    bundled tables or a fetched copy (``data fetch``) were read."""
    manifest = catalog.manifest
    source = str(catalog.source)
    return {
        "repository": manifest.repository,
        "tag": manifest.tag,
        "commit": manifest.commit,
        # read_bundled and read_fetched word Catalog.source; the bundle's starts "bundled tables".
        "read_from": "bundle" if source.startswith("bundled") else "fetched copy",
        "description": source,
    }


def provenance(
    catalog: Any,
    inputs: Iterable[Path],
    *,
    date: tuple[str, str],
    draws: int | None = None,
    seed: int | None = None,
    objective: str | None = None,
    forecast_settings: Any | None = None,
) -> dict[str, Any]:
    """The provenance of one report (JSON-ready).

    ``inputs`` are the files the run read (scenario, baseline, year-to-date), each listed once with
    its SHA-256; ``forecast_settings`` a :class:`optimizer.forecast.ForecastSettings` (None for
    ``score``, which forecasts nothing).
    """
    files = []
    for path in dict.fromkeys(Path(item) for item in inputs):
        try:
            digest: str | None = file_digest(path)
        except OSError:  # a file the run could not read (compare reports it as a failed row)
            digest = None
        files.append({"file": shown_path(path), "sha256": digest})
    document: dict[str, Any] = {
        "tool": "mips-optimizer",
        "tool_version": __version__,
        "cms_data": cms_data(catalog),
        "performance_year": int(catalog.performance_year),
        "report_date": date[0],
        "report_date_from": date[1],
        "inputs": files,
    }
    if forecast_settings is not None:
        settings = asdict(forecast_settings)
        settings_draws, settings_seed = settings.pop("draws"), settings.pop("seed")
        document["draws"] = settings_draws if draws is None else draws
        document["seed"] = settings_seed if seed is None else seed
        document["objective"] = objective
        document["forecast_settings"] = settings
    return document


def with_provenance(document: dict[str, Any], provenance: Mapping[str, Any]) -> dict[str, Any]:
    """The report document with its provenance (last, like a page's footer)."""
    return {**document, "provenance": dict(provenance)}


def provenance_lines(provenance: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The provenance as labelled lines (Markdown, HTML and the workbook's Provenance sheet)."""
    if not provenance:
        return []
    data = provenance["cms_data"]
    date_from = {"--report-date": "given with --report-date", SOURCE_DATE_EPOCH: "from SOURCE_DATE_EPOCH", "today": "the day it was run"}
    source = str(provenance["report_date_from"]).replace("\\", "")  # a Markdown document arrives escaped ("\\--report-date")
    lines = [
        ("tool", "Tool", f"{provenance['tool']} {provenance['tool_version']}"),
        ("report-date", "Report date", f"{provenance['report_date']} ({date_from.get(source, source)})"),
        ("performance-year", "Performance year", str(provenance["performance_year"])),
        ("cms-data", "CMS data", f"{data['repository']} {data['tag']}, commit {data['commit']} ({'the tables bundled with the tool' if data['read_from'] == 'bundle' else 'a fetched copy'})"),
    ]
    if "draws" in provenance:
        lines.append(("forecast", "Forecast", f"{provenance['draws']:,} draws, seed {provenance['seed']}; objective {str(provenance.get('objective') or '').replace('_', ' ')}"))
        settings = provenance.get("forecast_settings") or {}
        lines.append(("forecast-settings", "Forecast settings", ", ".join(f"{key} = {value:g}" for key, value in settings.items())))
    for position, item in enumerate(provenance.get("inputs") or []):
        digest = f"SHA-256 {item['sha256']}" if item["sha256"] else "not readable"
        lines.append((f"input-{position}", "Input file", f"{item['file']} ({digest})"))
    return [{"key": key, "label": label, "value": value} for key, label, value in lines]


def provenance_columns(provenance: Mapping[str, Any] | None) -> dict[str, Any]:
    """The provenance as columns repeated on every CSV row (a CSV file has no other place for it)."""
    if not provenance:
        return {}
    data = provenance["cms_data"]
    columns: dict[str, Any] = {
        "tool_version": provenance["tool_version"],
        "report_date": provenance["report_date"],
        "cms_data_tag": data["tag"],
        "cms_data_commit": data["commit"],
        "cms_data_read_from": data["read_from"],
    }
    if "draws" in provenance:
        columns.update(draws=provenance["draws"], seed=provenance["seed"])
        columns["forecast_settings"] = "; ".join(f"{key}={value:g}" for key, value in (provenance.get("forecast_settings") or {}).items())
    columns["input_sha256"] = "; ".join(f"{item['file']}={item['sha256'] or 'not readable'}" for item in provenance.get("inputs") or [])
    return columns


PROVENANCE_CSV_COLUMNS: Sequence[str] = (
    "tool_version", "report_date", "cms_data_tag", "cms_data_commit", "cms_data_read_from", "draws", "seed", "forecast_settings", "input_sha256",
)
"""The provenance columns at the end of every CSV report (``draws`` … empty for ``score``)."""
