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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.collection_types import ADMIN_CLAIMS, CAHPS, COLLECTION_TYPES, MEDICARE_CQM, QCDR
from optimizer.errors import InputError

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
RATE_ONLY_COLLECTION_TYPES: tuple[str, ...] = (CAHPS, ADMIN_CLAIMS)
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

    def whole_number(self, column: str, default: int | None = None, minimum: int = 0) -> int:
        value = self.values.get(column)
        if _blank(value):
            if default is None:
                raise self.error(column, "is empty; expected a whole number")
            return default
        number = _number(value)
        if number is None or not float(number).is_integer():
            raise self.error(column, f"expected a whole number, got {str(value).strip()!r}")
        if number < minimum:
            raise self.error(column, f"expected a whole number of at least {minimum}, got {str(value).strip()}")
        return int(number)

    def number(self, column: str, default: float | None = None, check: Callable[[float], str | None] | None = None) -> float:
        value = self.values.get(column)
        if _blank(value):
            if default is None:
                raise self.error(column, "is empty; expected a number")
            return default
        number = _number(value)
        if number is None or not math.isfinite(number):
            raise self.error(column, f"expected a number, got {str(value).strip()!r}")
        problem = check(number) if check else None
        if problem:
            raise self.error(column, f"{problem}, got {str(value).strip()}")
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
        raise self.error(column, f"expected yes or no, got {str(value).strip()!r}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _read_raw(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError("the table does not exist (expected a CSV or Excel file in the baseline format)", file=str(path))
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=object, engine="openpyxl")
    except (ValueError, OSError, pd.errors.ParserError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"cannot be read as a {suffix[1:].upper()} table ({reason})", file=str(path)) from None
    except Exception as error:  # openpyxl raises its own types for damaged workbooks
        raise InputError(f"cannot be read as an Excel workbook ({type(error).__name__})", file=str(path)) from None
    raise InputError(f"unsupported baseline format {suffix or '(none)'}; expected .csv or .xlsx", file=str(path))


def read_baseline(path: str | Path) -> pd.DataFrame:
    """Read and check a baseline table's shape and values (not yet against CMS's measures).

    Returns
    -------
    pandas.DataFrame
        One row per measure × collection type with :data:`OUTPUT_COLUMNS`.

    Raises
    ------
    InputError
        The first problem found, naming the file, the spreadsheet row and the column.
    """
    path = Path(path)
    raw = _read_raw(path)
    file = str(path)
    raw.columns = [str(column).strip().lower() for column in raw.columns]
    unknown = [column for column in raw.columns if column not in KNOWN_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; expected columns: {', '.join(KNOWN_COLUMNS)}", file=file, field=unknown[0]
        )
    for required in ("measure_id", "collection_type"):
        if required not in raw.columns:
            raise InputError(f"missing column {required!r}", file=file, field=required)
    if raw.empty:
        raise InputError("the baseline table has no rows", file=file)
    return read_baseline_records(raw.to_dict(orient="records"), file)


def read_baseline_records(rows: list[dict[str, Any]], file: str) -> pd.DataFrame:
    """Check baseline rows given as mappings (a table's rows, or an importer's) exactly as a table's.

    Row ``i`` (from 0) is reported as spreadsheet row ``i + 2``; the columns are those of the table.
    """
    records = []
    seen: dict[tuple[str, str], int] = {}
    for position, values in enumerate(rows):
        reader = _RowReader(file, position + 2, values)
        record = _read_row(reader)
        key = (record["measure_id"], record["collection_type"])
        if key in seen:
            raise reader.error("measure_id", f"measure {key[0]} ({key[1]}) already appears in row {seen[key]}")
        seen[key] = reader.row
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(OUTPUT_COLUMNS))
    return frame.astype({"measure_id": str, "collection_type": str})


def _read_row(reader: _RowReader) -> dict[str, Any]:
    if not reader.given("measure_id"):
        raise reader.error("measure_id", "is empty; expected a measure id such as 236")
    measure_id = normalise_measure_id(reader.values["measure_id"])
    collection_type = str(reader.values.get("collection_type") or "").strip().lower()
    if collection_type not in COLLECTION_TYPES:
        raise reader.error("collection_type", f"expected one of {', '.join(COLLECTION_TYPES)}, got {collection_type!r}")
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
        "effort_hours": reader.number("effort_hours", default=0.0, check=lambda x: "expected 0 or more hours" if x < 0 else None),
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
    rate = reader.number("performance_rate", check=lambda x: "expected 0 or more" if x < 0 else None)
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
