"""QPP submission JSON (registries, EHR vendors, the QPP Submissions API) → baseline rows.

Shapes accepted (QPP Submissions API docs, CMSgov/qpp-submissions-docs; ``shared/docs/import-formats.md`` §2):
a bare submission ``{performanceYear, measurementSets: […]}``; ``{"data": {"submission": …}}``;
``{"data": {"measurementSet": …}}``; a bare measurement set with a nested ``submission``. An API
error response ``{"error": …}`` is refused as such.

Quality sets only (``ia``, ``pi`` and the old ``aci`` sets are skipped with a note), collection type
by ``submissionMethod``: ``electronicHealthRecord`` → ecqm, ``registry`` → mips_cqm or qcdr by the
measure id, ``claims`` → medicare_part_b_claims (CMS-calculated CAHPS and administrative-claims sets
are skipped with a note). Counts: ``eligiblePopulation``, ``performanceMet``, ``performanceNotMet``,
``eligiblePopulationExclusion``, ``eligiblePopulationException`` (null or absent optional counts are
0). A stated ``performanceRate`` is recomputed by CMS and ignored (with a note when it contradicts
the counts), except on QCDR measures, where the registry's rate is the one CMS takes and is kept.
Multi-rate measures (``strata``) are matched to CMS's stratum names (case-insensitively) and
scored by their ``overallAlgorithm`` (:mod:`scored_counts`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from optimizer.catalog.manifest import known_years
from optimizer.collection_types import MEDICARE_CQM, QCDR, collection_type
from optimizer.inputs.importers.measure_lookup import DataFolder, MeasureFacts, MeasureLookup, lookup_for_year
from optimizer.inputs.importers.problems import Counts, FileImport, ImportedRow
from optimizer.inputs.importers.reporting_period import parse_iso_date, period_months
from optimizer.inputs.importers.scored_counts import scored_counts

QUALITY = "quality"
SKIPPED_CATEGORIES = ("ia", "pi", "aci")
IMPORTED_METHODS = ("electronicHealthRecord", "registry", "claims")
CMS_CALCULATED_METHODS = ("certifiedSurveyVendor", "administrativeClaims", "cmsWebInterface")
COUNT_FIELDS = (
    ("eligiblePopulation", True),
    ("performanceMet", True),
    ("performanceNotMet", False),
    ("eligiblePopulationExclusion", False),
    ("eligiblePopulationException", False),
)
RATE_TOLERANCE = 0.005
"""Percentage points a stated rate may differ from the counts' rate before a note says it was ignored (rounding)."""


def read_qpp_json(file: str, data: bytes, *, year: int | None, data_dir: DataFolder = None) -> FileImport:
    """Read one QPP submission JSON document into baseline rows, notes and problems."""
    result = FileImport(file)
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        result.problem("", f"not a JSON document ({error})")
        return result
    found = _submission_and_sets(document, result)
    if found is None:
        return result
    submission, sets = found
    lookup = _lookup(result, submission, year, data_dir)
    if lookup is None:
        return result
    for position, measurement_set in enumerate(sets):
        _read_set(result, measurement_set, f"measurementSets[{position}]", lookup, year is not None)
    return result


def _submission_and_sets(document: Any, result: FileImport) -> tuple[Mapping[str, Any], list[Any]] | None:
    if isinstance(document, Mapping) and "error" in document:
        error = document["error"] if isinstance(document["error"], Mapping) else {}
        details = [item for item in error.get("details") or [] if isinstance(item, Mapping)]
        described = "; ".join(
            f"{item.get('message', '')}".split(",")[0] + (f" {item['value']}" if item.get("value") is not None else "")
            + (f" at {item['location']['path']}" if isinstance(item.get("location"), Mapping) and item["location"].get("path") else "")
            for item in details
        )
        result.problem(
            "",
            f"not a submission: a QPP Submissions API error response ({error.get('type', 'error')}: {described or error.get('message', '')})",
        )
        return None
    data = document.get("data") if isinstance(document, Mapping) else None
    if isinstance(data, Mapping) and isinstance(data.get("submission"), Mapping):
        document = data["submission"]
    elif isinstance(data, Mapping) and isinstance(data.get("measurementSet"), Mapping):
        measurement_set = data["measurementSet"]
        return (measurement_set.get("submission") or {}), [measurement_set]
    if isinstance(document, Mapping) and isinstance(document.get("measurementSets"), list):
        return document, document["measurementSets"]
    if isinstance(document, Mapping) and isinstance(document.get("measurements"), list):
        submission = document.get("submission")
        return (submission if isinstance(submission, Mapping) else {}), [document]
    result.problem("", "not a QPP submission: expected measurementSets (a submission), measurements (a measurement set), or data.submission")
    return None


def _lookup(result: FileImport, submission: Mapping[str, Any], year: int | None, data_dir: DataFolder) -> MeasureLookup | None:
    stated = submission.get("performanceYear")
    file_year = stated if isinstance(stated, int) and not isinstance(stated, bool) else None
    if isinstance(stated, str) and stated.strip().isdigit():
        file_year = int(stated.strip())
    if year is not None:
        if file_year != year:
            result.note("performanceYear", f"the file says {stated!r}; read as {year} as --year asks")
        result.performance_year = year
        return lookup_for_year(year, data_dir=data_dir)
    if file_year is None:
        result.problem("performanceYear", f"{stated!r} is not a year; give --year YEAR")
        return None
    result.performance_year = file_year
    if file_year not in known_years():
        supported = ", ".join(str(item) for item in known_years())
        result.problem("performanceYear", f"performance year {file_year} has no CMS measures data in the project ({supported}); give --year YEAR to read it with that year's measures data")
        return None
    return lookup_for_year(file_year, data_dir=data_dir)


def _months(result: FileImport, measurement_set: Mapping[str, Any], where: str, year_given: bool) -> int | None:
    start, end = measurement_set.get("performanceStart"), measurement_set.get("performanceEnd")
    if start is None and end is None:
        return 12
    first, last = parse_iso_date(start), parse_iso_date(end)
    if first is None or last is None or last < first:
        if year_given:
            result.note(where, f"performanceStart/End {start!r} … {end!r} are not dates; the period is taken as the whole year")
            return 12
        result.problem(f"{where}, performanceStart/performanceEnd", f"{start!r} … {end!r} is not a period of dates like 2025-01-01")
        return None
    result.period = (first.isoformat(), last.isoformat())
    return period_months(first, last)


def _read_set(result: FileImport, measurement_set: Any, where: str, lookup: MeasureLookup, year_given: bool) -> None:
    if not isinstance(measurement_set, Mapping):
        result.problem(where, "is not an object")
        return
    category = str(measurement_set.get("category", ""))
    method = str(measurement_set.get("submissionMethod", ""))
    where = f"{where} ({category or 'no category'}, {method or 'no submissionMethod'})"
    if category in SKIPPED_CATEGORIES:
        result.note(where, f"{category} set skipped (the baseline holds quality measures)")
        return
    if category != QUALITY:
        result.problem(f"{where}, category", f"{category!r} is not a measurement set category (quality, ia, pi)")
        return
    if method in CMS_CALCULATED_METHODS:
        result.note(where, f"{method} set skipped: CMS calculates it; enter its results in the baseline by hand")
        return
    if method not in IMPORTED_METHODS:
        result.problem(f"{where}, submissionMethod", f"{method!r} is not one of {', '.join(IMPORTED_METHODS + CMS_CALCULATED_METHODS)}")
        return
    months = _months(result, measurement_set, where, year_given)
    if months is None:
        return
    if measurement_set.get("programName"):
        result.note(where, f"program {measurement_set['programName']}")
    measurements = measurement_set.get("measurements")
    if not isinstance(measurements, list):
        result.problem(f"{where}, measurements", "expected a list of measurements")
        return
    seen: set[str] = set()
    for position, measurement in enumerate(measurements):
        _read_measurement(result, measurement, f"{where} measurements[{position}]", method, lookup, months, seen)


def _read_measurement(
    result: FileImport, measurement: Any, where: str, method: str, lookup: MeasureLookup, months: int, seen: set[str]
) -> None:
    if not isinstance(measurement, Mapping) or not isinstance(measurement.get("measureId"), (str, int)):
        result.problem(f"{where}, measureId", "expected a measurement with a measureId")
        return
    measure_id = str(measurement["measureId"]).strip()
    kind = collection_type(method, measure_id)
    where = f"measure {measure_id} ({kind}, {where})"
    if measure_id in seen:
        result.problem(f"{where}, measureId", "the measure appears twice in one measurement set")
        return
    seen.add(measure_id)
    measure = lookup.by_id(measure_id)
    if measure is None:
        result.problem(f"{where}, measureId", f"{measure_id} is not a {lookup.year} quality measure")
        return
    if kind == MEDICARE_CQM:
        result.problem(f"{where}, measureId", "Medicare CQMs are reported only by ACOs in the APM Performance Pathway")
        return
    if kind not in measure.collection_types:
        result.problem(
            f"{where}, submissionMethod",
            f"measure {measure_id} is not offered as {kind} ({method}) in {lookup.year}; it allows {', '.join(measure.collection_types)}",
        )
        return
    value = measurement.get("value")
    if not isinstance(value, Mapping):
        result.problem(f"{where}, value", f"expected the measure's counts, got {json.dumps(value)[:40]}")
        return
    if "strata" in value:
        counts = _strata_counts(result, value["strata"], where, measure)
    elif "observationInstances" in value or "numerator" in value:
        result.problem(f"{where}, value", f"a {measure.metric_type or 'nonProportion'} measure (numerator/denominator/observationInstances) cannot be expressed as the baseline's counts")
        return
    else:
        counts = _counts(result, value, f"{where}, value")
    if counts is None:
        return
    rate = _stated_rate(result, value, where, kind, counts)
    if rate is False:
        return
    if counts.exclusions and kind == "mips_cqm":
        result.note(where, "eligiblePopulationExclusion should be 0 for a MIPS CQM (registries remove excluded patients from the eligible population); read as given")
    result.rows.append(ImportedRow(result.file, measure.measure_id, kind, counts, months, rate if isinstance(rate, float) else None, detail=where))


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _counts(result: FileImport, value: Mapping[str, Any], where: str) -> Counts | None:
    numbers: dict[str, int] = {}
    for name, required in COUNT_FIELDS:
        raw = value.get(name)
        if raw is None:
            if required:
                result.problem(f"{where}.{name}", "is missing; expected a whole number")
                return None
            if name == "performanceNotMet":
                result.note(where, "performanceNotMet is absent; read as 0 (QPP would then score a rate of 100% with lower completeness)")
            numbers[name] = 0
            continue
        number = _whole(raw)
        if number is None:
            result.problem(f"{where}.{name}", f"{json.dumps(raw)} is not a whole number")
            return None
        if number < 0:
            result.problem(f"{where}.{name}", f"{number} is negative")
            return None
        numbers[name] = number
    eligible, met, not_met, exclusions, exceptions = (numbers[name] for name, _ in COUNT_FIELDS)
    if met + not_met + exclusions + exceptions > eligible:
        result.problem(
            f"{where}.eligiblePopulation",
            f"met + not met + exclusions + exceptions ({met + not_met + exclusions + exceptions}) exceeds the eligible population ({eligible})",
        )
        return None
    return Counts(eligible, met, not_met, exclusions, exceptions)


def _strata_counts(result: FileImport, strata: Any, where: str, measure: MeasureFacts) -> Counts | None:
    names = {stratum.name.lower(): stratum.name for stratum in measure.strata if stratum.name}
    if not measure.is_multi_rate or not names:
        result.problem(f"{where}, value.strata", f"measure {measure.measure_id} has no performance strata in CMS's measures data, so it takes no strata")
        return None
    if not isinstance(strata, list) or not strata:
        result.problem(f"{where}, value.strata", "expected a list of strata")
        return None
    found: dict[str, Counts] = {}
    for position, stratum in enumerate(strata):
        label = stratum.get("stratum") if isinstance(stratum, Mapping) else None
        if not isinstance(label, str) or label.lower() not in names:
            result.problem(f"{where}, value.strata[{position}].stratum", f"{label!r} is not one of CMS's strata ({', '.join(names.values())})")
            return None
        name = names[label.lower()]
        if name != label:
            result.note(where, f"stratum {label!r} read as CMS's {name!r}")
        if name in found:
            result.problem(f"{where}, value.strata[{position}].stratum", f"stratum {name!r} appears twice")
            return None
        counts = _counts(result, stratum, f"{where}, value.strata[{position}]")
        if counts is None:
            return None
        found[name] = counts
    counts, why = scored_counts(measure.overall_algorithm, found)
    if counts is None:
        result.problem(f"{where}, value.strata", why)
    return counts


def _stated_rate(result: FileImport, value: Mapping[str, Any], where: str, kind: str, counts: Counts) -> float | bool | None:
    """The QCDR row's stated rate (kept), None (no rate kept), or False (refused)."""
    stated = value.get("performanceRate")
    if stated is None:
        if kind == QCDR:
            result.note(where, "no performanceRate for a QCDR measure; its rate is computed from the counts")
        return None
    if isinstance(stated, bool) or not isinstance(stated, (int, float)) or not math.isfinite(stated):
        result.problem(f"{where}, value.performanceRate", f"{json.dumps(stated)} is not a number")
        return False
    computed = counts.rate
    differs = not math.isnan(computed) and abs(float(stated) - computed) > RATE_TOLERANCE
    if kind == QCDR:
        if not 0 <= stated <= 100:
            result.problem(f"{where}, value.performanceRate", f"{stated} is not a rate between 0 and 100")
            return False
        if differs:
            result.note(where, f"the registry states performanceRate {stated:g}, the counts give {computed:.2f}; the registry's rate is kept (CMS scores it)")
        return float(stated)
    if differs:
        result.note(where, f"stated performanceRate {stated:g} contradicts the counts ({computed:.2f}); ignored, CMS computes the rate from the counts")
    return None
