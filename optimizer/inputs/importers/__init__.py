"""Import a practice's own quality data (QRDA III from an EHR, QPP submission JSON) as baseline rows.

``import_files`` reads any number of files into one set of baseline rows (or refuses with one line
per problem); ``read_baseline_files`` is the scenario's and ``swap --ytd``'s entry: CSV and Excel
tables go to :func:`optimizer.inputs.baseline.read_baseline`, ``.xml``, ``.xml.gz`` and ``.json`` files
through the importers, and several files become one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from optimizer.inputs.baseline import COUNT_COLUMNS, read_baseline, read_baseline_records
from optimizer.inputs.importers.problems import FileImport, ImportedRow, ImportRefused
from optimizer.inputs.importers.safe_reading import UnreadableFile, read_capped
from optimizer.report.formatting import render_rows_csv

if TYPE_CHECKING:
    from optimizer.inputs.importers.measure_lookup import DataFolder

QRDA3_SUFFIXES = (".xml", ".xml.gz")
JSON_SUFFIXES = (".json",)
IMPORTED_SUFFIXES = QRDA3_SUFFIXES + JSON_SUFFIXES
CSV_COLUMNS = ("measure_id", "collection_type", *COUNT_COLUMNS, "period_months")

__all__ = [
    "IMPORTED_SUFFIXES",
    "ImportRefused",
    "ImportResult",
    "import_files",
    "is_imported",
    "read_baseline_files",
]


def is_imported(path: str | Path) -> bool:
    """Whether a baseline file goes through the importers (QRDA III or QPP JSON) rather than the table reader."""
    return str(path).lower().endswith(IMPORTED_SUFFIXES)


@dataclass
class ImportResult:
    """The rows of every file, merged; the notes; and the problems (any problem means no output)."""

    files: list[FileImport] = field(default_factory=list)
    rows: list[ImportedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, object]]:
        """The rows in the baseline table's columns."""
        return [row.record() for row in self.rows]

    def render_csv(self) -> str:
        """The rows as a baseline CSV (``performance_rate`` only when a QCDR row states one,
        ``codes_on_claims`` only when there are Medicare Part B claims rows)."""
        records = self.records()
        columns = list(CSV_COLUMNS)
        columns += [column for column in ("performance_rate", "codes_on_claims") if any(column in record for record in records)]
        rows = []
        for record in records:
            cells = dict(record)
            if "performance_rate" in cells:
                cells["performance_rate"] = repr(float(cells["performance_rate"]))
            if "codes_on_claims" in columns:
                cells["codes_on_claims"] = "true" if cells.get("codes_on_claims") else "false"
            rows.append(cells)
        return render_rows_csv(rows, columns)


def _read_file(path: Path, year: int | None, measure_map: dict[str, str] | None, data_dir: DataFolder) -> FileImport:
    file = str(path)
    if not path.is_file():
        result = FileImport(file)
        result.problem("", "the file does not exist")
        return result
    try:
        data = read_capped(path)
    except UnreadableFile as error:
        result = FileImport(file)
        result.problem("", str(error))
        return result
    # the readers (and the XML parser) are imported when a file needs them, not by every command
    if file.lower().endswith(QRDA3_SUFFIXES):
        from optimizer.inputs.importers.qrda3 import read_qrda3

        return read_qrda3(file, data, year=year, measure_map=measure_map, data_dir=data_dir)
    from optimizer.inputs.importers.qpp_json import read_qpp_json

    return read_qpp_json(file, data, year=year, data_dir=data_dir)


def import_files(
    paths: Sequence[str | Path], *, year: int | None = None, measure_map: str | Path | None = None, data_dir: DataFolder = None
) -> ImportResult:
    """Read QRDA III and QPP JSON files into one set of baseline rows.

    Parameters
    ----------
    paths
        ``.xml`` / ``.xml.gz`` (QRDA III) and ``.json`` (QPP submission) files.
    year
        Read every file with this performance year's measures data (for files whose year the
        project has no data for, or that carry a placeholder).
    measure_map
        A CSV ``emeasure_uuid,measure_id`` naming eCQM UUIDs the year's data lacks.
    data_dir
        The data folder the measures data is read from (the run's ``--data-dir``; None: the default).

    The same measure × collection type from two measurement sets or files becomes one row when the
    counts agree (a note) and a problem when they differ.
    """
    from optimizer.inputs.importers.measure_lookup import read_measure_map

    mapping = read_measure_map(measure_map) if measure_map is not None else None
    result = ImportResult()
    where: dict[tuple[str, str], ImportedRow] = {}
    for path in paths:
        path = Path(path)
        if not is_imported(path):
            file_import = FileImport(str(path))
            file_import.problem("", f"unsupported file type; expected {', '.join(IMPORTED_SUFFIXES)}")
        else:
            file_import = _read_file(path, year, mapping, data_dir)
        result.files.append(file_import)
        result.notes.extend(file_import.notes)
        result.problems.extend(file_import.problems)
        for row in file_import.rows:
            key = (row.measure_id, row.collection_type)
            earlier = where.get(key)
            if earlier is None:
                where[key] = row
                result.rows.append(row)
            elif (earlier.counts, earlier.period_months, earlier.performance_rate) == (row.counts, row.period_months, row.performance_rate):
                result.notes.append(f"{row.file}: measure {row.measure_id} ({row.collection_type}): same counts as in {earlier.detail or earlier.file}; one row")
            else:
                result.problems.append(
                    f"{row.file}: measure {row.measure_id} ({row.collection_type}), counts: {row.counts.as_tuple()} here but "
                    f"{earlier.counts.as_tuple()} in {earlier.file} ({earlier.detail}); a baseline has one row per measure and collection type"
                )
    if not result.rows and not result.problems:
        result.problems.append(f"{', '.join(str(path) for path in paths)}: no quality measure counts to import")
    return result


def read_baseline_files(paths: Sequence[str | Path], data_dir: DataFolder = None) -> tuple[pd.DataFrame, str]:
    """The baseline table of one or more files, and the name errors should give it.

    CSV and Excel files are read by :func:`optimizer.inputs.baseline.read_baseline`; QRDA III and QPP JSON
    files are imported (each with its own year's measures data, read from ``data_dir``) and checked as
    baseline rows. Rows of
    several files are concatenated; a measure × collection type may appear once.
    """
    paths = [Path(path) for path in paths]
    label = ", ".join(str(path) for path in paths)
    imported = [path for path in paths if is_imported(path)]
    frames = [read_baseline(path) for path in paths if not is_imported(path)]
    if imported:
        result = import_files(imported, data_dir=data_dir)
        if result.problems:
            raise ImportRefused(result.problems)
        frames.append(read_baseline_records(result.records(), ", ".join(str(path) for path in imported)))
    if len(frames) == 1:
        return frames[0], label
    table = pd.concat(frames, ignore_index=True)
    keys = list(zip(table["measure_id"], table["collection_type"], strict=True))
    for key in keys:
        if keys.count(key) > 1:
            raise ImportRefused([f"{label}: measure {key[0]} ({key[1]}) appears in more than one of the baseline files"])
    table["row"] = range(2, len(table) + 2)
    return table, label
