"""Read a performance year into a :class:`Catalog` of tidy tables (see ``tables``), from one of two sources.

Which source wins:

1. **Fetched files** — when the data folder (``--data-dir``, else ``$MIPS_OPTIMIZER_DATA_DIR``,
   else the user's cache folder) holds the year's upstream files at the tag the project pins
   (``data fetch``). They are verified against the manifest again on every read: a changed file is
   refused with its name.
2. **The bundle** — otherwise, the tables shipped in ``benchmarks_data/<year>/`` (built from the
   same pinned files by ``data bundle``), so the tool works offline from the first command.

Both give identical tables for the pinned tag (a test compares them); :attr:`Catalog.source`
says which one was read. The parsed catalog is memoised per process, keyed by the source and the
files' sizes and modification times, so commands that read a year several times parse it once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.catalog import bundle
from optimizer.catalog.locations import cached_path, tag_directory
from optimizer.catalog.manifest import Manifest, read_manifest
from optimizer.catalog.verify import read_bounded, verify_content
from optimizer.errors import DataError


@dataclass(frozen=True)
class MvpDefinition:
    """One MVP's title and members by role, in CMS's order: plain values, built once per catalog."""

    mvp_id: str
    title: str
    quality: tuple[str, ...]
    admin_claims: tuple[str, ...]
    activities: tuple[str, ...]
    cost: tuple[str, ...]
    foundation_quality: tuple[str, ...]
    """Foundation measures in the quality category (the MVP's population-health measures)."""
    specialties: tuple[str, ...] = ()
    """The specialties CMS lists the MVP as most applicable to (``specialtiesMostApplicableTo``; empty
    when the year's data has no such field)."""


@dataclass(frozen=True)
class Catalog:
    """CMS's program data for one performance year, as DataFrames (columns documented in ``tables``)."""

    performance_year: int
    manifest: Manifest
    quality_measures: pd.DataFrame
    cost_measures: pd.DataFrame
    improvement_activities: pd.DataFrame
    pi_measures: pd.DataFrame
    benchmarks: pd.DataFrame
    benchmark_exclusions: pd.DataFrame
    mvps: pd.DataFrame
    mvp_members: pd.DataFrame
    quality_strata: pd.DataFrame
    source: str = ""
    """Where the tables were read from, in words (``data show`` prints it)."""
    _quality_index: dict[str, int] = field(default_factory=dict, repr=False)
    _benchmark_index: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _exclusion_index: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _rows: dict[tuple[str, int], pd.Series] = field(default_factory=dict, repr=False)
    _mvp_definitions: dict[str, MvpDefinition] = field(default_factory=dict, repr=False)
    _traditional_activities: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._quality_index.update({measure_id: position for position, measure_id in enumerate(self.quality_measures["measure_id"])})
        keys = zip(self.benchmarks["measure_id"], self.benchmarks["collection_type"], strict=True)
        self._benchmark_index.update({key: position for position, key in enumerate(keys)})
        for row in self.benchmark_exclusions.itertuples(index=False):
            self._exclusion_index.setdefault((row.measure_id, row.collection_type), row.reason)

    def quality_measure(self, measure_id: str) -> pd.Series | None:
        """The quality measure's row, or None when the year has no such quality measure."""
        position = self._quality_index.get(str(measure_id))
        return None if position is None else self._row("quality_measures", position)

    def benchmark(self, measure_id: str, collection_type: str) -> pd.Series | None:
        """The benchmark row of a measure × collection type, or None when it has none."""
        position = self._benchmark_index.get((str(measure_id), collection_type))
        return None if position is None else self._row("benchmarks", position)

    def _row(self, table: str, position: int) -> pd.Series:
        """A table's row, built once (a pandas row lookup costs about 0.1 ms; planning asks thousands)."""
        key = (table, position)
        if key not in self._rows:
            self._rows[key] = getattr(self, table).iloc[position]
        return self._rows[key]

    def benchmark_exclusion(self, measure_id: str, collection_type: str) -> str | None:
        """CMS's reason a measure × collection type has no benchmark, when CMS gives one."""
        return self._exclusion_index.get((str(measure_id), collection_type))

    def mvp_definition(self, mvp_id: str) -> MvpDefinition | None:
        """An MVP's members by role (None when the year has no such MVP). The tables are read into
        plain values once per catalog: a pandas selection per role cost about 5 ms an MVP, on
        every plan."""
        if not self._mvp_definitions:
            members: dict[str, list[tuple[str, str, str]]] = {}
            for row in self.mvp_members.itertuples(index=False):
                members.setdefault(str(row.mvp_id), []).append((str(row.role), str(row.member_category), str(row.member_id)))
            for row in self.mvps.itertuples(index=False):
                if str(row.mvp_id) in members:
                    self._mvp_definitions[str(row.mvp_id)] = _mvp_definition(
                        str(row.mvp_id), str(row.title), members[str(row.mvp_id)], tuple(row.specialties)
                    )
        return self._mvp_definitions.get(str(mvp_id))

    def traditional_activity_ids(self) -> frozenset[str]:
        """The improvement activities traditional MIPS accepts (read once per catalog: planning asks for
        every pathway it plans)."""
        if not self._traditional_activities:
            activities = self.improvement_activities
            self._traditional_activities.update(str(i) for i in activities.loc[activities["is_traditional_mips"], "measure_id"])
        return frozenset(self._traditional_activities)

    def mvp_specialties(self) -> list[str]:
        """Every specialty CMS lists for one of the year's MVPs, sorted (empty for a year without them)."""
        return sorted({str(name) for names in self.mvps["specialties"] for name in names})

    def mvp_ids(self) -> list[str]:
        """The year's MVP ids, in CMS's order."""
        return [str(mvp_id) for mvp_id in self.mvps["mvp_id"]]


def _mvp_definition(mvp_id: str, title: str, members: list[tuple[str, str, str]], specialties: tuple[str, ...]) -> MvpDefinition:
    """An MVP from its member rows ``(role, member category, member id)``, in CMS's order, and its specialties."""

    def ids(role: str, category: str | None = None) -> tuple[str, ...]:
        return tuple(member for kind, group, member in members if kind == role and category in (None, group))

    return MvpDefinition(
        mvp_id, title, ids("quality"), ids("admin_claims"), ids("activity"), ids("cost"), ids("foundation", "quality"), specialties
    )


_MEMO: dict[tuple[int, str], tuple[tuple[tuple[int, int], ...], Catalog]] = {}


def _load_json(path: Path, manifest: Manifest, role: str, year: int) -> Any:
    item = manifest.file(role)
    if item is None:
        return []
    if not path.is_file():
        raise DataError(
            f"{path}: CMS data for {year} has been fetched only in part; run `mips-optimizer data fetch {year} --force` "
            "(or `--from` a local copy of CMSgov/qpp-measures-data)"
        )
    try:
        data = read_bounded(path, item)
        verify_content(data, item, str(path))
    except DataError as error:
        raise DataError(f"{error}; the cache was changed after it was fetched, run `mips-optimizer data fetch {year} --force`") from None
    return json.loads(data)


def _stamp(path: Path) -> tuple[int, int]:
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.is_file() else (-1, -1)


def _catalog(year: int, manifest: Manifest, frames: dict[str, pd.DataFrame], source: str) -> Catalog:
    return Catalog(performance_year=year, manifest=manifest, source=source, **frames)


def read_fetched(manifest: Manifest, data_dir: str | os.PathLike[str] | None = None) -> Catalog:
    """The catalog of the files of ``manifest`` fetched into the data folder (verified; memoised)."""
    year = manifest.performance_year
    paths = {item.role: cached_path(manifest, item.path, data_dir) for item in manifest.files}
    stamps = tuple(_stamp(path) for path in paths.values())
    key = (year, str(next(iter(paths.values())).resolve()))
    memo = _MEMO.get(key)
    if memo is not None and memo[0] == stamps:
        return memo[1]
    documents = {role: _load_json(path, manifest, role, year) for role, path in paths.items()}
    try:
        frames = bundle.catalog_tables(documents)
    except ValueError as error:
        raise DataError(f"{paths['benchmarks']}: {error}") from None
    folder = tag_directory(manifest, data_dir)
    catalog = _catalog(year, manifest, frames, f"fetched files in {folder} ({manifest.repository} {manifest.tag}, every file SHA-256 verified)")
    _MEMO[key] = (stamps, catalog)
    return catalog


def read_bundled(manifest: Manifest) -> Catalog:
    """The catalog of the tables bundled with the project for the manifest's year (memoised)."""
    year = manifest.performance_year
    key = (year, "bundle")
    memo = _MEMO.get(key)
    if memo is not None:
        return memo[1]
    frames = bundle.read_bundle(year, manifest)
    source = (
        f"bundled tables benchmarks_data/{year} (built from {manifest.repository} {manifest.tag}, "
        f"commit {manifest.commit[:12]})"
    )
    catalog = _catalog(year, manifest, frames, source)
    _MEMO[key] = ((), catalog)
    return catalog


def read_catalog(year: int, *, data_dir: str | os.PathLike[str] | None = None) -> Catalog:
    """The :class:`Catalog` of a performance year: the fetched files if the data folder holds them, else the bundle."""
    manifest = read_manifest(year)
    paths = [cached_path(manifest, item.path, data_dir) for item in manifest.files]
    if any(path.is_file() for path in paths) or not bundle.has_bundle(year):
        if not any(path.is_file() for path in paths):
            raise DataError(
                f"{paths[0]}: CMS data for {year} has not been fetched and the project bundles none for it; "
                f"run `mips-optimizer data fetch {year}` (or `--from` a local copy of CMSgov/qpp-measures-data)"
            )
        return read_fetched(manifest, data_dir)
    return read_bundled(manifest)
