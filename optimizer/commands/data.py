"""``mips-optimizer data fetch``, ``data bundle`` and ``data show``."""

from __future__ import annotations

import sys
from pathlib import Path

from optimizer.catalog import fetch_year, known_years, read_catalog
from optimizer.catalog.lookup import describe_measure, describe_mvp, search_titles, summarise
from optimizer.output import emit


def fetch(year: int, *, source: str | None, data_dir: Path | None, force: bool, timeout: float | None = None) -> int:
    """Fetch and verify a year's CMS files (each download within ``timeout`` seconds); print one line per file."""
    for result in fetch_year(year, source=source, data_dir=data_dir, force=force, timeout=timeout):
        print(f"{result.action:>16}  {result.path}  →  {result.cached_at}", file=sys.stdout)
    print(f"performance year {year}: every file matches its recorded SHA-256", file=sys.stdout)
    return 0


def bundle(years: list[int], *, source: str | None, output: Path | None) -> int:
    """Regenerate the bundled tables of ``years`` (default: every pinned year); print one line per file."""
    from optimizer.catalog.bundle import default_output_folder, write_bundle

    folder = output if output is not None else default_output_folder()
    for year in years or known_years():
        for path, action in write_bundle(year, source=source, output_folder=folder):
            print(f"{action:>10}  {path}", file=sys.stdout)
    return 0


def show(year: int, *, measure: str | None, mvp: str | None, search: str | None, data_dir: Path | None) -> int:
    """Print a measure, an MVP, a title search, or the year's summary."""
    catalog = read_catalog(year, data_dir=data_dir)
    if measure is not None:
        content = describe_measure(catalog, measure)
    elif mvp is not None:
        content = describe_mvp(catalog, mvp)
    elif search is not None:
        content = search_titles(catalog, search)
    else:
        content = summarise(catalog)
        emit(content, None)
        return 0
    emit(f"{content}\nSource: {catalog.source}.\n", None)
    return 0
