"""The practice's baseline table (CSV or Excel): one row per measure × collection type.

Columns use QPP's submission vocabulary:

================  ==========================================================================
measure_id        quality measure id (``236``; ``1`` is read as ``001``; QCDR ids as written)
collection_type   ecqm, mips_cqm, medicare_part_b_claims, qcdr, cahps, admin_claims
eligible_population  patients/encounters in the measure's eligible population
performance_met   numerator (performance met)
performance_not_met  performance not met
exclusions        denominator exclusions (optional, default 0)
exceptions        denominator exceptions (optional, default 0)
numerator, denominator  instead of the five counts: met = numerator, not met = denominator −
                  numerator, complete data
performance_rate  for cahps and admin_claims rows (no counts): the score in the
                  benchmark's unit; ``eligible_population`` is then the case count. For qcdr
                  rows (optional, with the counts): the registry's stated rate [percent], which
                  CMS scores instead of met / (met + not met)
period_months     months the counts cover (optional, default 12; a year-to-date table has fewer)
expected_change   planned change of the performance rate next year [percentage points; for an
                  inverse measure a negative change is an improvement] (optional, default 0)
effort_hours      reporting effort of the measure [hours] (optional, used by plan's budget)
codes_on_claims   for a Medicare Part B claims measure added mid-year: the quality codes are
                  already on this year's claims (optional, default false)
================  ==========================================================================

Derived columns: ``performance_rate`` = met / (met + not met) [percent], ``data_completeness`` =
(met + not met + exclusions + exceptions) / eligible population [percent], ``case_count`` = met +
not met, and ``row`` (the spreadsheet row number, header = row 1).

Other columns (a real export's ``notes``) are ignored, with one warning; a column that looks like
a misspelt known one is refused with a "did you mean". The table is read row by row and checked
as it comes, so the first bad row ends the read, and the work is bounded whatever the file holds:
at most :data:`MAX_ROWS` rows, :data:`MAX_COLUMNS` columns, :data:`MAX_CELL_CHARACTERS` characters
a cell, counts of at most :data:`MAX_COUNT`, and a workbook that unpacks to at most
:data:`MAX_WORKBOOK_BYTES` (checked in the zip's directory before anything is unpacked).
"""

from __future__ import annotations

import csv
import difflib
import math
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.collection_types import ADMIN_CLAIMS, CAHPS, COLLECTION_TYPES, MEDICARE_CQM, QCDR
from optimizer.errors import InputError, InputWarning, quoted

COUNT_COLUMNS: tuple[str, ...] = (
    "eligible_population",
    "performance_met",
    "performance_not_met",
    "exclusions",
    "exceptions",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "numerator",
    "denominator",
    "performance_rate",
    "period_months",
    "expected_change",
    "effort_hours",
    "codes_on_claims",
)
KNOWN_COLUMNS: tuple[str, ...] = ("measure_id", "collection_type") + COUNT_COLUMNS + OPTIONAL_COLUMNS
REQUIRED_COLUMNS: tuple[str, ...] = ("measure_id", "collection_type")
RATE_ONLY_COLLECTION_TYPES: tuple[str, ...] = (CAHPS, ADMIN_CLAIMS)
MAX_ROWS = 10_000
"""Rows a baseline may have: CMS has a few thousand measure × collection type pairs at most."""
MAX_COLUMNS = 500
"""Columns a baseline may have (14 are known; the rest of a real export is ignored)."""
MAX_CELL_CHARACTERS = 32_767
"""Characters a cell may hold (Excel's own limit)."""
MAX_LINE_CHARACTERS = 1 << 20
"""Characters one line of a CSV file may hold."""
MAX_COUNT = 1_000_000_000
"""Largest count (patients or encounters) a row may give: far above any practice's year."""
MAX_EFFORT_HOURS = 100_000.0
MAX_ADMIN_CLAIMS_RATE = 1_000_000.0
"""Largest administrative-claims result accepted (CMS's units: 479 ≈ 0.15, 484 ≈ 50)."""
MAX_WORKBOOK_BYTES = 64 * 1024 * 1024
"""Bytes an Excel baseline may unpack to (a real one unpacks to well under a megabyte)."""
MAX_MEASURE_ID_CHARACTERS = 40
"""Characters of a measure id (CMS's longest, QCDR ids included, are about a dozen)."""
MISSPELLING_SIMILARITY = 0.8
"""How close (difflib ratio) an unknown column must be to a known one to be taken for a misspelling."""
OUTPUT_COLUMNS: tuple[str, ...] = (
    "measure_id",
    "collection_type",
    "eligible_population",
    "performance_met",
    "performance_not_met",
    "exclusions",
    "exceptions",
    "period_months",
    "expected_change",
    "effort_hours",
    "codes_on_claims",
    "performance_rate",
    "data_completeness",
    "case_count",
    "row",
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def normalise_measure_id(value: Any) -> str:
    """A measure id as CMS writes it: numeric ids zero-padded to three digits (``1`` ⇒ ``001``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(3) if text.isdigit() else text


class _RowReader:
    """Typed access to one raw row, raising :class:`InputError` naming the file, row and column."""

    def __init__(self, file: str, row: int, values: dict[str, Any]) -> None:
        self.file, self.row, self.values = file, row, values

    def error(self, column: str, message: str) -> InputError:
        return InputError(message, file=self.file, row=self.row, field=column)

    def given(self, column: str) -> bool:
        return not _blank(self.values.get(column))

    def whole_number(self, column: str, default: int | None = None, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
        value = self.values.get(column)
        if _blank(value):
            if default is None:
                raise self.error(column, "is empty; expected a whole number")
            return default
        number = _number(value)
        if number is None or not math.isfinite(number) or not float(number).is_integer():
            raise self.error(column, f"expected a whole number, got {quoted(str(value).strip())}")
        if not minimum <= number <= maximum:
            raise self.error(column, f"expected a whole number from {minimum:,} to {maximum:,}, got {quoted(str(value).strip())}")
        return int(number)

    def number(self, column: str, default: float | None = None, check: Callable[[float], str | None] | None = None) -> float:
        value = self.values.get(column)
        if _blank(value):
            if default is None:
                raise self.error(column, "is empty; expected a number")
            return default
        number = _number(value)
        if number is None or not math.isfinite(number):
            raise self.error(column, f"expected a number, got {quoted(str(value).strip())}")
        problem = check(number) if check else None
        if problem:
            raise self.error(column, f"{problem}, got {quoted(str(value).strip())}")
        return float(number)

    def boolean(self, column: str) -> bool:
        value = self.values.get(column)
        if _blank(value):
            return False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "y", "1", "1.0"):
            return True
        if text in ("false", "no", "n", "0", "0.0"):
            return False
        raise self.error(column, f"expected yes or no, got {quoted(str(value).strip())}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _csv_lines(path: Path, file: str) -> Iterator[str]:
    """The lines of a CSV file, refusing a line longer than :data:`MAX_LINE_CHARACTERS`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            number = 0
            while True:
                line = stream.readline(MAX_LINE_CHARACTERS + 1)
                if not line:
                    return
                number += 1
                if len(line) > MAX_LINE_CHARACTERS:
                    what = "the header" if number == 1 else f"line {number}"
                    raise InputError(
                        f"{what} is longer than {MAX_LINE_CHARACTERS:,} characters (more than a baseline table holds: "
                        f"at most {MAX_COLUMNS} columns of at most {MAX_CELL_CHARACTERS:,} characters)",
                        file=file,
                    )
                yield line
    except UnicodeDecodeError as error:
        raise InputError(f"is not UTF-8 text (a byte at position {error.start} of a line); save it as CSV UTF-8", file=file) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or type(error).__name__})", file=file) from None


def _csv_records(path: Path, file: str) -> Iterator[list[Any]]:
    """A CSV file's records, the header first, read as they are needed."""
    reader = csv.reader(_csv_lines(path, file), skipinitialspace=True, strict=True)
    row = 0
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(f"cannot be read as CSV ({error})", file=file, row=row) from None
        yield record


def _check_workbook_size(path: Path, file: str) -> None:
    """Refuse a workbook whose zip directory says it unpacks to more than :data:`MAX_WORKBOOK_BYTES`.

    The directory's sizes bound what unpacking can produce: Python's zip reader stops at the
    recorded size and refuses a member whose data does not match it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"cannot be read as an Excel workbook ({error})", file=file) from None
    if unpacked > MAX_WORKBOOK_BYTES:
        raise InputError(
            f"the workbook unpacks to {unpacked:,} bytes; a baseline workbook may unpack to at most {MAX_WORKBOOK_BYTES:,}",
            file=file,
        )


def _workbook_records(path: Path, file: str) -> Iterator[list[Any]]:
    """The first sheet's rows, the header first, read as they are needed (openpyxl's streaming mode)."""
    from openpyxl import load_workbook

    _check_workbook_size(path, file)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises its own types for damaged workbooks
        raise InputError(f"cannot be read as an Excel workbook ({type(error).__name__})", file=file) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        while True:
            try:
                record = next(rows)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - as above, while streaming the sheet
                raise InputError(f"cannot be read as an Excel workbook ({type(error).__name__})", file=file) from None
            yield list(record)
    finally:
        workbook.close()


def _records(path: Path) -> Iterator[list[Any]]:
    """The table's records (the header first), read lazily from a CSV file or an Excel workbook."""
    file = str(path)
    if not path.exists():
        raise InputError("the table does not exist (expected a CSV or Excel file in the baseline format)", file=file)
    if not path.is_file():
        raise InputError("is not a regular file (expected a CSV or Excel file in the baseline format)", file=file)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path, file)
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_records(path, file)
    raise InputError(f"unsupported baseline format {quoted(suffix) if suffix else '(none)'}; expected .csv or .xlsx", file=file)


def _read_header(record: list[Any], file: str) -> list[str]:
    """The header's column names (trimmed, lower case), checked: the required ones present, known
    ones not twice, unknown ones either a misspelling (refused) or ignored with one warning."""
    while record and _blank(record[-1]):
        record = record[:-1]
    if len(record) > MAX_COLUMNS:
        raise InputError(
            f"the header has more than {MAX_COLUMNS} columns; a baseline table has {len(KNOWN_COLUMNS)} known ones",
            file=file,
            row=1,
        )
    columns = ["" if value is None else str(value).strip().lower() for value in record]
    for position, column in enumerate(columns):
        if column in KNOWN_COLUMNS and column in columns[:position]:
            raise InputError(f"column {column!r} appears twice", file=file, row=1, field=column)
    absent = [column for column in KNOWN_COLUMNS if column not in columns]
    unknown = [column for column in columns if column not in KNOWN_COLUMNS]
    for column in unknown:
        close = difflib.get_close_matches(column, absent, n=1, cutoff=MISSPELLING_SIMILARITY)
        if close:
            raise InputError(f"unknown column {quoted(column)} (did you mean {close[0]!r}?)", file=file, row=1)
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            raise InputError(f"missing column {required!r}; expected columns: {', '.join(KNOWN_COLUMNS)}", file=file, field=required)
    if unknown:
        names = ", ".join(
            quoted(column, 40) if column else f"column {position + 1} (no name)"
            for position, column in enumerate(columns)
            if column not in KNOWN_COLUMNS
        )
        warnings.warn(InputWarning(f"{file}: ignoring columns the baseline format does not have: {names}"), stacklevel=3)
    return columns


def _row_values(record: list[Any], columns: list[str], file: str, row: int) -> dict[str, Any] | None:
    """One data row as {known column: value}, or None for an empty row."""
    if all(_blank(value) for value in record):
        return None
    if len(record) > len(columns) and not all(_blank(value) for value in record[len(columns):]):
        raise InputError(f"has {len(record)} cells but the header names {len(columns)} columns", file=file, row=row)
    values = {}
    for column, value in zip(columns, record):
        if column in KNOWN_COLUMNS:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
                raise InputError(
                    f"the cell holds {len(value):,} characters; expected at most {MAX_CELL_CHARACTERS:,}", file=file, row=row, field=column
                )
            values[column] = value
    return values


def read_baseline(path: str | Path) -> pd.DataFrame:
    """Read and check a baseline table's shape and values (not yet against CMS's measures).

    Returns
    -------
    pandas.DataFrame
        One row per measure × collection type with :data:`OUTPUT_COLUMNS`.

    Raises
    ------
    InputError
        The first problem found, naming the file, the spreadsheet row and the column; the rows
        after it are not read.

    Warns
    -----
    InputWarning
        Once, naming the columns the format does not have (they are ignored).
    """
    path = Path(path)
    file = str(path)
    records = _records(path)
    header = next(records, None)
    if header is None:
        raise InputError("the baseline table is empty; expected a header row naming the columns", file=file)
    columns = _read_header(header, file)
    frame = _check_rows(_numbered_rows(records, columns, file), file)
    if frame.empty:
        raise InputError("the baseline table has no rows", file=file)
    return frame


def _numbered_rows(records: Iterator[list[Any]], columns: list[str], file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The table's data rows as (spreadsheet row, {known column: value}), blank rows skipped, at most :data:`MAX_ROWS`."""
    for row, record in enumerate(records, start=2):
        if row > MAX_ROWS + 1:
            raise InputError(
                f"more than {MAX_ROWS:,} rows; a baseline has one row per measure and collection type (a few thousand at most)",
                file=file,
            )
        values = _row_values(record, columns, file, row)
        if values is not None:
            yield row, values


def read_baseline_records(rows: Iterable[dict[str, Any]], file: str) -> pd.DataFrame:
    """Check baseline rows given as mappings (a table's rows, or an importer's) exactly as a table's.

    Row ``i`` (from 0) is reported as spreadsheet row ``i + 2``; the columns are those of the table.
    """
    return _check_rows(((position + 2, values) for position, values in enumerate(rows)), file)


def _check_rows(rows: Iterable[tuple[int, dict[str, Any]]], file: str) -> pd.DataFrame:
    """Check each row as it comes (the first problem ends the reading); no measure × collection type twice."""
    records = []
    seen: dict[tuple[str, str], int] = {}
    for row, values in rows:
        reader = _RowReader(file, row, values)
        record = _read_row(reader)
        key = (record["measure_id"], record["collection_type"])
        if key in seen:
            raise reader.error("measure_id", f"measure {key[0]} ({key[1]}) already appears in row {seen[key]}")
        seen[key] = row
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(OUTPUT_COLUMNS))
    return frame.astype({"measure_id": str, "collection_type": str})


def _read_row(reader: _RowReader) -> dict[str, Any]:
    if not reader.given("measure_id"):
        raise reader.error("measure_id", "is empty; expected a measure id such as 236")
    measure_id = normalise_measure_id(reader.values["measure_id"])
    if len(measure_id) > MAX_MEASURE_ID_CHARACTERS:
        raise reader.error("measure_id", f"expected a measure id such as 236, got {quoted(measure_id)}")
    collection_type = str(reader.values.get("collection_type") or "").strip().lower()
    if collection_type not in COLLECTION_TYPES:
        raise reader.error("collection_type", f"expected one of {', '.join(COLLECTION_TYPES)}, got {quoted(collection_type)}")
    if collection_type == MEDICARE_CQM:
        raise reader.error("collection_type", "Medicare CQMs are reported only by ACOs in the APM Performance Pathway")
    period = reader.whole_number("period_months", default=12, minimum=1)
    if period > 12:
        raise reader.error("period_months", f"expected 1 to 12 months, got {period}")
    record: dict[str, Any] = {
        "measure_id": measure_id,
        "collection_type": collection_type,
        "period_months": period,
        "expected_change": reader.number("expected_change", default=0.0, check=_change_check),
        "effort_hours": reader.number("effort_hours", default=0.0, check=_effort_check),
        "codes_on_claims": reader.boolean("codes_on_claims"),
        "row": reader.row,
    }
    if collection_type in RATE_ONLY_COLLECTION_TYPES:
        record.update(_read_rate_row(reader, collection_type))
    elif reader.given("numerator") or reader.given("denominator"):
        record.update(_read_numerator_denominator(reader))
    else:
        record.update(_read_counts(reader))
        if collection_type == QCDR and reader.given("performance_rate"):
            # A QCDR's registry states the rate CMS scores (QPP: performanceRate is required for QCDR measures).
            record["performance_rate"] = reader.number("performance_rate", check=_rate_check)
    return record


def _effort_check(value: float) -> str | None:
    return f"expected 0 to {MAX_EFFORT_HOURS:,.0f} hours" if not 0 <= value <= MAX_EFFORT_HOURS else None


def _rate_check(value: float) -> str | None:
    return "expected a rate between 0 and 100 percent" if not 0 <= value <= 100 else None


def _change_check(value: float) -> str | None:
    return "expected a change between -100 and 100 percentage points" if not -100 <= value <= 100 else None


def _read_counts(reader: _RowReader) -> dict[str, Any]:
    for column in ("eligible_population", "performance_met", "performance_not_met"):
        if not reader.given(column):
            raise reader.error(column, "is empty; give the five counts or numerator and denominator")
    eligible = reader.whole_number("eligible_population")
    met = reader.whole_number("performance_met")
    not_met = reader.whole_number("performance_not_met")
    exclusions = reader.whole_number("exclusions", default=0)
    exceptions = reader.whole_number("exceptions", default=0)
    if met + not_met > eligible:
        raise reader.error(
            "performance_not_met",
            f"performance met + not met ({met} + {not_met}) exceeds the eligible population ({eligible})",
        )
    if met + not_met + exclusions + exceptions > eligible:
        raise reader.error(
            "exceptions" if exceptions else "exclusions",
            f"met + not met + exclusions + exceptions ({met + not_met + exclusions + exceptions}) "
            f"exceeds the eligible population ({eligible})",
        )
    cases = met + not_met
    return {
        "eligible_population": eligible,
        "performance_met": met,
        "performance_not_met": not_met,
        "exclusions": exclusions,
        "exceptions": exceptions,
        "performance_rate": 100.0 * met / cases if cases else float("nan"),
        "data_completeness": 100.0 * (cases + exclusions + exceptions) / eligible if eligible else 0.0,
        "case_count": cases,
    }


def _read_numerator_denominator(reader: _RowReader) -> dict[str, Any]:
    for column in COUNT_COLUMNS:
        if reader.given(column):
            raise reader.error(column, "give either numerator and denominator or the five counts, not both")
    numerator = reader.whole_number("numerator")
    denominator = reader.whole_number("denominator")
    if numerator > denominator:
        raise reader.error("numerator", f"numerator ({numerator}) exceeds the denominator ({denominator})")
    return {
        "eligible_population": denominator,
        "performance_met": numerator,
        "performance_not_met": denominator - numerator,
        "exclusions": 0,
        "exceptions": 0,
        "performance_rate": 100.0 * numerator / denominator if denominator else float("nan"),
        "data_completeness": 100.0,
        "case_count": denominator,
    }


def _read_rate_row(reader: _RowReader, collection_type: str) -> dict[str, Any]:
    if not reader.given("performance_rate"):
        raise reader.error("performance_rate", f"{collection_type} rows need a performance_rate (the score CMS computes)")
    highest = 100.0 if collection_type == CAHPS else MAX_ADMIN_CLAIMS_RATE
    unit = "percent" if collection_type == CAHPS else "in the benchmark's unit"
    rate = reader.number("performance_rate", check=lambda x: f"expected 0 to {highest:,g} ({unit})" if not 0 <= x <= highest else None)
    cases = reader.whole_number("eligible_population")
    return {
        "eligible_population": cases,
        "performance_met": 0,
        "performance_not_met": 0,
        "exclusions": 0,
        "exceptions": 0,
        "performance_rate": rate,
        "data_completeness": 100.0,
        "case_count": cases,
    }
