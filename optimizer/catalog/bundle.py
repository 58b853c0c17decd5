"""The bundled program data: the catalog's tidy tables as CSV files shipped with the project.

``benchmarks_data/<year>/`` holds one CSV per table of :class:`optimizer.catalog.read.Catalog`
(facts and figures only: ids, titles, flags, numbers) and ``source.toml``, which records the
upstream repository, tag and commit, the SHA-256 of every upstream file the tables were built
from, and the SHA-256 and row count of every table. ``write_bundle`` builds them from
checksum-verified upstream files (``mips-optimizer data bundle``); ``read_bundle`` reads them back
into exactly the DataFrames the upstream JSON gives (a test compares the two, and another
regenerates the bundle and compares bytes).

CSV cells: text as is; booleans ``true``/``false``; whole numbers in decimal; floats in Python's
shortest round-trip form (empty for NaN); tuples joined by ``|``; empty for a missing year.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.catalog import tables
from optimizer.catalog.manifest import MANIFEST_PACKAGE, Manifest
from optimizer.catalog.verify import sha256_of
from optimizer.errors import DataError
from optimizer.rules.measure_points import PERCENTILE_KEYS

SOURCE_FILE = "source.toml"
TUPLE_SEPARATOR = "|"

TEXT, INTEGER, OPTIONAL_INTEGER, FLOAT, BOOLEAN, TUPLE = "text", "integer", "optional_integer", "float", "boolean", "tuple"

_YEARS = {"first_performance_year": OPTIONAL_INTEGER, "last_performance_year": OPTIONAL_INTEGER}
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "quality_measures": {
        "measure_id": TEXT, "title": TEXT, "measure_type": TEXT, "is_outcome": BOOLEAN, "is_high_priority": BOOLEAN,
        "is_inverse": BOOLEAN, "metric_type": TEXT, "collection_types": TUPLE, **_YEARS, "is_traditional_mips": BOOLEAN,
        "mvp_ids": TUPLE, "measure_sets": TUPLE, "seven_point_cap_removed": TUPLE, "emeasure_id": TEXT,
        "emeasure_uuid": TEXT, "overall_algorithm": TEXT,
    },
    "quality_strata": {
        "measure_id": TEXT, "position": INTEGER, "name": TEXT, "initial_population_uuid": TEXT, "denominator_uuid": TEXT,
        "numerator_uuid": TEXT, "denominator_exclusion_uuid": TEXT, "denominator_exception_uuid": TEXT,
        "stratifier_uuids": TUPLE,
    },
    "cost_measures": {"measure_id": TEXT, "title": TEXT, **_YEARS, "is_traditional_mips": BOOLEAN},
    "improvement_activities": {
        "measure_id": TEXT, "title": TEXT, **_YEARS, "is_traditional_mips": BOOLEAN, "weight": TEXT, "subcategory": TEXT,
    },
    "pi_measures": {
        "measure_id": TEXT, "title": TEXT, **_YEARS, "is_traditional_mips": BOOLEAN, "is_required": BOOLEAN,
        "is_bonus": BOOLEAN, "objective": TEXT, "reporting_category": TEXT, "metric_type": TEXT,
    },
    "benchmarks": {
        "measure_id": TEXT, "collection_type": TEXT, "submission_method": TEXT, "benchmark_year": INTEGER,
        "performance_year": INTEGER, **{key: FLOAT for key in PERCENTILE_KEYS}, "is_inverse": BOOLEAN,
        "is_topped_out": BOOLEAN, "is_topped_out_by_program": BOOLEAN, "seven_point_cap": BOOLEAN,
        "is_defined_topped_out": BOOLEAN, "is_flat": BOOLEAN, "metric_type": TEXT, "average_performance_rate": FLOAT,
        "source_format": TEXT,
    },
    "benchmark_exclusions": {"measure_id": TEXT, "collection_type": TEXT, "reason_codes": TUPLE},
    "mvps": {
        "mvp_id": TEXT, "title": TEXT, "clinical_topic": TEXT, "has_cahps": BOOLEAN, "has_outcome_admin_claims": BOOLEAN,
        "specialties": TUPLE,
    },
    "mvp_members": {"mvp_id": TEXT, "member_id": TEXT, "role": TEXT, "member_category": TEXT},
}
"""Every bundled table, its columns in file order and how each cell is written."""

DERIVED_COLUMNS: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
    "benchmark_exclusions": {"reason": lambda row: tables.exclusion_reason(row["reason_codes"])},
}
"""Columns the catalog derives on reading instead of storing (the project's wording, not CMS's prose)."""

INTEGER_COLUMNS: tuple[str, ...] = ("first_performance_year", "last_performance_year")


def catalog_tables(documents: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Every table of the catalog from CMS's parsed JSON documents, keyed by manifest role.

    Raises ``ValueError`` naming the benchmark row CMS's file has in a shape the project cannot read.
    """
    mvp_records = documents.get("mvps", [])
    measure_records = documents["measures"]
    cap_removed = {
        str(record["measureId"]): tables.collection_types_of(record.get("sevenPointCapRemoved", []) or [], str(record["measureId"]))
        for record in measure_records
        if record.get("category") == "quality"
    }
    mvps, mvp_members = tables.mvp_tables(mvp_records)
    return {
        "quality_measures": tables.quality_measure_table(measure_records, tables.mvp_quality_index(mvp_records)),
        "quality_strata": tables.quality_strata_table(measure_records),
        "cost_measures": tables.other_measure_table(measure_records, "cost"),
        "improvement_activities": tables.other_measure_table(measure_records, "ia"),
        "pi_measures": tables.other_measure_table(measure_records, "pi"),
        "benchmarks": tables.benchmark_table(documents["benchmarks"], cap_removed),
        "benchmark_exclusions": tables.benchmark_exclusion_table(documents.get("benchmark_exclusion_reasons", [])),
        "mvps": mvps,
        "mvp_members": mvp_members,
    }


# ----------------------------------------------------------------------------- cells


def _write_cell(value: Any, kind: str, where: str) -> str:
    if kind == TEXT:
        return str(value)
    if kind == BOOLEAN:
        return "true" if bool(value) else "false"
    if kind in (INTEGER, OPTIONAL_INTEGER):
        return "" if pd.isna(value) else str(int(value))
    if kind == FLOAT:
        return "" if math.isnan(float(value)) else repr(float(value))
    if kind == TUPLE:
        items = [str(item) for item in value]
        if any(TUPLE_SEPARATOR in item for item in items):
            raise ValueError(f"{where}: an item of {items} contains {TUPLE_SEPARATOR!r}")
        return TUPLE_SEPARATOR.join(items)
    raise ValueError(f"{where}: unknown cell kind {kind!r}")


def _read_cell(text: str, kind: str) -> Any:
    if kind == TEXT:
        return text
    if kind == BOOLEAN:
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text == "true"
    if kind == INTEGER:
        return int(text)
    if kind == OPTIONAL_INTEGER:
        return pd.NA if text == "" else int(text)
    if kind == FLOAT:
        return float("nan") if text == "" else float(text)
    if kind == TUPLE:
        return tuple(text.split(TUPLE_SEPARATOR)) if text else ()
    raise ValueError(f"unknown cell kind {kind!r}")


def render_table(name: str, frame: pd.DataFrame) -> bytes:
    """One table as the bytes of its CSV file (``\\n`` line ends, UTF-8)."""
    columns = TABLE_COLUMNS[name]
    if list(frame.columns) != list(columns):
        raise ValueError(f"table {name}: columns {list(frame.columns)} differ from the bundle's {list(columns)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for position, record in enumerate(frame.to_dict(orient="records"), start=1):
        writer.writerow([_write_cell(record[column], kind, f"{name} row {position} {column}") for column, kind in columns.items()])
    return buffer.getvalue().encode("utf-8")


def parse_table(name: str, data: bytes, label: str) -> pd.DataFrame:
    """A table's CSV bytes back into the DataFrame the upstream JSON gives."""
    columns = TABLE_COLUMNS[name]
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, None)
    if header != list(columns):
        raise DataError(f"{label}: header {header} differs from the expected {list(columns)}")
    rows = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(columns):
            raise DataError(f"{label}, line {line}: {len(cells)} cells, expected {len(columns)}")
        try:
            row = {column: _read_cell(cell, kind) for (column, kind), cell in zip(columns.items(), cells, strict=True)}
        except ValueError as error:
            raise DataError(f"{label}, line {line}: {error}") from None
        for column, derive in DERIVED_COLUMNS.get(name, {}).items():
            row[column] = derive(row)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*columns, *DERIVED_COLUMNS.get(name, {})])
    for column in INTEGER_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    return frame


# ----------------------------------------------------------------------------- the bundle of a year


@dataclass(frozen=True)
class BundleSource:
    """What ``source.toml`` records: the upstream files the tables came from, and the tables."""

    performance_year: int
    repository: str
    tag: str
    commit: str
    upstream: tuple[tuple[str, str], ...]  # (path, sha256)
    tables: tuple[tuple[str, int, str], ...]  # (file name, rows, sha256)


def bundle_folder(year: int) -> Any:
    """The packaged folder of a year's bundle (an importlib resource)."""
    return resources.files(MANIFEST_PACKAGE).joinpath(str(year))


def has_bundle(year: int) -> bool:
    """Whether the project ships bundled tables for ``year``."""
    return bundle_folder(year).joinpath(SOURCE_FILE).is_file()


def render_source(manifest: Manifest, rendered: Mapping[str, bytes], row_counts: Mapping[str, int]) -> bytes:
    """``source.toml`` for tables built from the files of ``manifest``."""
    lines = [
        f"# Bundled CMS program data for performance year {manifest.performance_year}: facts and figures only.",
        "# Generated by `mips-optimizer data bundle` from the checksum-verified upstream files below;",
        "# do not edit by hand (reading checks every table's SHA-256).",
        f"performance_year = {manifest.performance_year}",
        f'repository = "{manifest.repository}"',
        f'tag = "{manifest.tag}"',
        f'commit = "{manifest.commit}"',
    ]
    for item in manifest.files:
        lines += ["", "[[upstream]]", f'path = "{item.path}"', f'sha256 = "{item.sha256}"']
    for name, data in rendered.items():
        lines += ["", "[[tables]]", f'file = "{name}.csv"', f"rows = {row_counts[name]}", f'sha256 = "{sha256_of(data)}"']
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_source(year: int, folder: Any = None) -> BundleSource:
    """The ``source.toml`` of a year's bundle (in ``folder``, default the packaged one)."""
    entry = (folder if folder is not None else bundle_folder(year)).joinpath(SOURCE_FILE)
    document = tomllib.loads(entry.read_text(encoding="utf-8"))
    return BundleSource(
        performance_year=int(document["performance_year"]),
        repository=document["repository"],
        tag=document["tag"],
        commit=document["commit"],
        upstream=tuple((item["path"], item["sha256"]) for item in document.get("upstream", [])),
        tables=tuple((item["file"], int(item["rows"]), item["sha256"]) for item in document.get("tables", [])),
    )


def check_source(source: BundleSource, manifest: Manifest) -> None:
    """Refuse a bundle built from other upstream files than the ones the project pins."""
    pinned = tuple((item.path, item.sha256) for item in manifest.files)
    if (source.repository, source.tag, source.commit, source.upstream) != (manifest.repository, manifest.tag, manifest.commit, pinned):
        raise DataError(
            f"benchmarks_data/{source.performance_year}/{SOURCE_FILE}: the bundle was built from {source.repository} "
            f"{source.tag} but the project pins {manifest.repository} {manifest.tag} (or other files); regenerate it with "
            f"`mips-optimizer data bundle {source.performance_year}`"
        )


def read_bundle(year: int, manifest: Manifest, folder: Any = None) -> dict[str, pd.DataFrame]:
    """Every bundled table of ``year`` (in ``folder``, default the packaged one), each checked
    against its recorded SHA-256 and row count."""
    folder = folder if folder is not None else bundle_folder(year)
    source = read_source(year, folder)
    check_source(source, manifest)
    recorded = {file: (rows, sha256) for file, rows, sha256 in source.tables}
    result = {}
    for name in TABLE_COLUMNS:
        label = f"benchmarks_data/{year}/{name}.csv"
        if f"{name}.csv" not in recorded:
            raise DataError(f"benchmarks_data/{year}/{SOURCE_FILE}: no record of {name}.csv; regenerate with `mips-optimizer data bundle {year}`")
        rows, sha256 = recorded[f"{name}.csv"]
        entry = folder.joinpath(f"{name}.csv")
        if not entry.is_file():
            raise DataError(f"{label}: missing from the installed project (reinstall it, or `mips-optimizer data fetch {year}`)")
        data = entry.read_bytes()
        if sha256_of(data) != sha256:
            raise DataError(f"{label}: SHA-256 differs from the one in {SOURCE_FILE} (changed by hand?); regenerate with `mips-optimizer data bundle {year}`")
        frame = parse_table(name, data, label)
        if len(frame) != rows:
            raise DataError(f"{label}: {len(frame)} rows, {SOURCE_FILE} records {rows}")
        result[name] = frame
    return result


def render_bundle(manifest: Manifest, documents: Mapping[str, Any]) -> dict[str, bytes]:
    """File name → bytes of every file of a year's bundle (the tables and ``source.toml``)."""
    frames = catalog_tables(documents)
    rendered = {name: render_table(name, frames[name].drop(columns=list(DERIVED_COLUMNS.get(name, {})))) for name in TABLE_COLUMNS}
    files = {f"{name}.csv": data for name, data in rendered.items()}
    files[SOURCE_FILE] = render_source(manifest, rendered, {name: len(frames[name]) for name in TABLE_COLUMNS})
    return files


def write_bundle(year: int, *, source: str | None, output_folder: Path) -> list[tuple[Path, str]]:
    """Regenerate ``output_folder/<year>/`` from the checksum-verified upstream files.

    The upstream files are fetched (``source``: None for the pinned tag on GitHub, a base URL, or a
    local copy laid out like the repository) into a temporary folder and verified against the
    manifest exactly as ``data fetch`` does; each bundle file is then written atomically. Returns
    (path, ``written`` or ``unchanged``) per file.
    """
    from optimizer.catalog.fetch import fetch_year
    from optimizer.catalog.locations import cached_path
    from optimizer.catalog.manifest import read_manifest
    from optimizer.output import write_atomically

    manifest = read_manifest(year)
    with tempfile.TemporaryDirectory(prefix="mips-optimizer-bundle-") as scratch:
        fetch_year(year, source=source, data_dir=scratch)
        documents = {item.role: json.loads(cached_path(manifest, item.path, scratch).read_bytes()) for item in manifest.files}
    try:
        files = render_bundle(manifest, documents)
    except ValueError as error:
        raise DataError(f"performance year {year}: {error}") from None
    folder = output_folder / str(year)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"{folder}: cannot create the bundle folder ({error.strerror})") from None
    actions = []
    for name, data in files.items():
        target = folder / name
        if target.is_file() and target.read_bytes() == data:
            actions.append((target, "unchanged"))
            continue
        write_atomically(target, data)
        actions.append((target, "written"))
    return actions


def default_output_folder() -> Path:
    """The project's own ``benchmarks_data`` folder (in a clone with an editable install, the repository's)."""
    return Path(str(resources.files(MANIFEST_PACKAGE)))
