"""CMS's JSON files → tidy pandas tables with snake_case columns and the project's collection types.

Column reference (one row per …):

``quality_measures`` (quality measure)
    measure_id, title, measure_type (snake_case: outcome, intermediate_outcome,
    patient_reported_outcome, process, patient_engagement_experience, efficiency, …), is_outcome
    (outcome, intermediate outcome or patient-reported outcome; docs/rules-2026.md §2.10), is_high_priority,
    is_inverse, metric_type, collection_types (tuple), first_performance_year (Int64),
    last_performance_year (Int64), is_traditional_mips (``mips`` in allowedPrograms), mvp_ids (tuple),
    measure_sets (tuple), seven_point_cap_removed (tuple of collection types with the defined
    topped-out benchmark, §2.5), emeasure_id (``CMS122v13``, eCQMs only), emeasure_uuid (the
    version-specific eCQM UUID a QRDA III file names, lower case; empty where CMS's data has none),
    overall_algorithm (multi-rate measures: ``weightedAverage``, ``overallStratumOnly``,
    ``simpleAverage``, ``split``; else empty).
``quality_strata`` (quality measure × performance stratum or population criteria, in CMS's order)
    measure_id, position (1-based), name (the QPP stratum name, empty for the criteria of a
    single-rate measure), initial_population_uuid, denominator_uuid, numerator_uuid,
    denominator_exclusion_uuid, denominator_exception_uuid (the eCQM population UUIDs, upper case,
    empty where CMS gives none), stratifier_uuids (tuple: the reporting stratifiers QPP ignores).
``cost_measures``, ``improvement_activities``, ``pi_measures`` (measure)
    measure_id, title, first_performance_year, last_performance_year, is_traditional_mips, plus:
    activities have weight and subcategory; PI measures have is_required, is_bonus, objective,
    reporting_category, metric_type.
``benchmarks`` (measure × collection type)
    measure_id, collection_type, submission_method, benchmark_year, performance_year, p1, p10 … p90,
    p99 (ascending in raw rate), is_inverse, is_topped_out, is_topped_out_by_program,
    seven_point_cap (= is_topped_out_by_program, docs/rules-2026.md §2.4), is_defined_topped_out (§2.5),
    is_flat (percentiles 1, 10, …, 90, 99; §2.6), metric_type, average_performance_rate, source_format
    (``percentiles`` or the legacy ``deciles``).
``benchmark_exclusions`` (measure × collection type without a benchmark)
    measure_id, collection_type, reason_codes (tuple), reason (the project's own wording of the
    codes, :data:`EXCLUSION_REASONS`; CMS's descriptions are not copied).
``mvps`` (MVP)
    mvp_id, title, clinical_topic, has_cahps, has_outcome_admin_claims, specialties (tuple).
``mvp_members`` (MVP × member)
    mvp_id, member_id, role (quality, activity, cost, foundation, admin_claims), member_category
    (quality, ia, cost, pi).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from optimizer.collection_types import collection_type
from optimizer.rules.measure_points import PERCENTILE_KEYS

OUTCOME_MEASURE_TYPES = frozenset({"outcome", "intermediate_outcome", "patient_reported_outcome"})
"""``measureType`` values that are outcome measures for §2.10 (docs/rules-2026.md §2.10, reporting rule)."""

FLAT_PERCENTILES = (1.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 99.0)
"""The percentile values CMS stores for a flat benchmark (docs/rules-2026.md §2.6)."""


def snake_case(name: str) -> str:
    """``intermediateOutcome`` → ``intermediate_outcome``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _year(value: Any) -> Any:
    return pd.NA if value is None else int(value)


def collection_types_of(methods: Iterable[str], measure_id: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(collection_type(method, measure_id) for method in methods))


def quality_measure_table(records: list[dict[str, Any]], mvp_quality: dict[str, list[str]]) -> pd.DataFrame:
    """The quality measures of measures-data.json, with the MVPs each belongs to."""
    rows = []
    for record in records:
        if record.get("category") != "quality":
            continue
        measure_id = str(record["measureId"])
        measure_type = snake_case(str(record.get("measureType") or ""))
        rows.append(
            {
                "measure_id": measure_id,
                "title": record.get("title") or "",
                "measure_type": measure_type,
                "is_outcome": measure_type in OUTCOME_MEASURE_TYPES,
                "is_high_priority": bool(record.get("isHighPriority", False)),
                "is_inverse": bool(record.get("isInverse", False)),
                "metric_type": record.get("metricType") or "",
                "collection_types": collection_types_of(record.get("submissionMethods", []), measure_id),
                "first_performance_year": _year(record.get("firstPerformanceYear")),
                "last_performance_year": _year(record.get("lastPerformanceYear")),
                "is_traditional_mips": "mips" in record.get("allowedPrograms", []),
                "mvp_ids": tuple(mvp_quality.get(measure_id, [])),
                "measure_sets": tuple(record.get("measureSets", [])),
                "seven_point_cap_removed": collection_types_of(record.get("sevenPointCapRemoved", []) or [], measure_id),
                "emeasure_id": record.get("eMeasureId") or "",
                "emeasure_uuid": str(record.get("eMeasureUuid") or "").lower(),
                "overall_algorithm": record.get("overallAlgorithm") or "",
            }
        )
    table = pd.DataFrame(rows)
    for column in ("first_performance_year", "last_performance_year"):
        table[column] = table[column].astype("Int64")
    return table


_STRATUM_UUIDS = (
    ("initial_population_uuid", "initialPopulationUuid"),
    ("denominator_uuid", "denominatorUuid"),
    ("numerator_uuid", "numeratorUuid"),
    ("denominator_exclusion_uuid", "denominatorExclusionUuid"),
    ("denominator_exception_uuid", "denominatorExceptionUuid"),
)
QUALITY_STRATA_COLUMNS: tuple[str, ...] = ("measure_id", "position", "name", *(column for column, _ in _STRATUM_UUIDS), "stratifier_uuids")


def quality_strata_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The performance strata (multi-rate measures) and population criteria (eCQMs) of measures-data.json."""
    rows = []
    for record in records:
        if record.get("category") != "quality":
            continue
        for position, stratum in enumerate(record.get("strata") or [], start=1):
            uuids = stratum.get("eMeasureUuids") or {}
            row: dict[str, Any] = {"measure_id": str(record["measureId"]), "position": position, "name": stratum.get("name") or ""}
            row.update({column: str(uuids.get(key) or "").upper() for column, key in _STRATUM_UUIDS})
            row["stratifier_uuids"] = tuple(str(uuid).upper() for uuid in uuids.get("strata") or [])
            rows.append(row)
    return pd.DataFrame(rows, columns=list(QUALITY_STRATA_COLUMNS))


def other_measure_table(records: list[dict[str, Any]], category: str) -> pd.DataFrame:
    """Cost measures (``cost``), improvement activities (``ia``) or PI measures (``pi``)."""
    rows = []
    for record in records:
        if record.get("category") != category:
            continue
        row = {
            "measure_id": str(record["measureId"]),
            "title": record.get("title") or "",
            "first_performance_year": _year(record.get("firstPerformanceYear")),
            "last_performance_year": _year(record.get("lastPerformanceYear")),
            "is_traditional_mips": "mips" in record.get("allowedPrograms", ["mips"]),
        }
        if category == "ia":
            row["weight"] = record.get("weight") or ""
            row["subcategory"] = snake_case(str(record.get("subcategoryName") or ""))
        if category == "pi":
            row.update(
                is_required=bool(record.get("isRequired", False)),
                is_bonus=bool(record.get("isBonus", False)),
                objective=snake_case(str(record.get("objective") or "")),
                reporting_category=record.get("reportingCategory") or "",
                metric_type=record.get("metricType") or "",
            )
        rows.append(row)
    columns = ["measure_id", "title", "first_performance_year", "last_performance_year", "is_traditional_mips"]
    columns += {"ia": ["weight", "subcategory"], "pi": ["is_required", "is_bonus", "objective", "reporting_category", "metric_type"]}.get(category, [])
    table = pd.DataFrame(rows, columns=columns)
    for column in ("first_performance_year", "last_performance_year"):
        table[column] = table[column].astype("Int64")
    return table


def percentiles_of(record: dict[str, Any]) -> tuple[tuple[float, ...], str]:
    """The eleven percentile values of a benchmark row in either format CMS has used.

    ``percentiles`` (2024 on): a map ``{"1": …, "10": …, …, "99": …}``. Legacy ``deciles`` (before
    2024): nine inclusive lower bounds of deciles 2–10 (docs/rules-2026.md §2.1), read as p10 … p90 in
    ascending raw rate; the legacy format has no p1/p99, which stay NaN (decile 1 then runs down to
    any rate; measure_points treats NaN edges as open).
    """
    if "percentiles" in record:
        values = record["percentiles"]
        return tuple(float(values[key[1:]]) for key in PERCENTILE_KEYS), "percentiles"
    if "deciles" in record:
        deciles = sorted(float(value) for value in record["deciles"])
        if len(deciles) != 9:
            raise ValueError(f"legacy deciles need 9 values, got {len(deciles)}")
        return (float("nan"), *deciles, float("nan")), "deciles"
    raise ValueError("neither 'percentiles' nor 'deciles'")


def benchmark_table(records: list[dict[str, Any]], cap_removed: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """One row per measure × collection type of benchmarks/<year>.json."""
    rows = []
    for position, record in enumerate(records):
        measure_id = str(record["measureId"])
        try:
            values, source_format = percentiles_of(record)
        except ValueError as error:
            raise ValueError(f"row {position + 1} (measure {measure_id}): {error}") from None
        kind = collection_type(record["submissionMethod"], measure_id)
        row: dict[str, Any] = {
            "measure_id": measure_id,
            "collection_type": kind,
            "submission_method": record["submissionMethod"],
            "benchmark_year": int(record.get("benchmarkYear", 0)),
            "performance_year": int(record.get("performanceYear", 0)),
        }
        row.update(zip(PERCENTILE_KEYS, values, strict=True))
        topped_out_by_program = bool(record.get("isToppedOutByProgram", False))
        row.update(
            is_inverse=bool(record.get("isInverse", False)),
            is_topped_out=bool(record.get("isToppedOut", False)),
            is_topped_out_by_program=topped_out_by_program,
            seven_point_cap=topped_out_by_program,
            is_defined_topped_out=kind in cap_removed.get(measure_id, ()),
            is_flat=bool(np.allclose(values, FLAT_PERCENTILES, equal_nan=False)),
            metric_type=record.get("metricType") or "",
            average_performance_rate=float(record["averagePerformanceRate"])
            if record.get("averagePerformanceRate") is not None
            else float("nan"),
            source_format=source_format,
        )
        rows.append(row)
    return pd.DataFrame(rows)


EXCLUSION_REASONS: dict[str, str] = {
    "BR-009": "too few submissions met the case and data completeness minimums to build a benchmark",
    "BR-015": "CMS's measures data marks the historical benchmark as removed",
    "BR-016": "the measure's clinical guidelines changed in the benchmark year",
    "BR-018": "the historical benchmark was removed in an earlier year's measures data",
    "BR-019": "CMS judged the measure not comparable with its historical data",
}
"""CMS's benchmark exclusion codes (benchmark-exclusion-reasons.json), in the project's words."""


def exclusion_reason(codes: Iterable[str]) -> str:
    """The project's wording of CMS benchmark exclusion codes (unknown codes are named as such)."""
    return "; ".join(EXCLUSION_REASONS.get(code, f"CMS exclusion code {code}") + f" ({code})" for code in codes)


def benchmark_exclusion_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Why measure × collection types have no benchmark (benchmark-exclusion-reasons.json)."""
    rows = [
        {
            "measure_id": str(record["measureId"]),
            "collection_type": collection_type(record["submissionMethod"], str(record["measureId"])),
            "reason_codes": tuple(record.get("reasonCodes", [])),
            "reason": exclusion_reason(record.get("reasonCodes", [])),
        }
        for record in records
    ]
    return pd.DataFrame(rows, columns=["measure_id", "collection_type", "reason_codes", "reason"])


_MVP_ROLES = (
    ("qualityMeasureIds", "quality", "quality"),
    ("iaMeasureIds", "activity", "ia"),
    ("costMeasureIds", "cost", "cost"),
    ("foundationQualityMeasureIds", "foundation", "quality"),
    ("foundationPiMeasureIds", "foundation", "pi"),
    ("administrativeClaimsMeasureIds", "admin_claims", "quality"),
)


def mvp_tables(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(mvps, mvp_members)`` from mvp/<year>/mvp.json."""
    mvps = pd.DataFrame(
        [
            {
                "mvp_id": record["mvpId"],
                "title": record.get("title") or "",
                "clinical_topic": record.get("clinicalTopic") or "",
                "has_cahps": bool(record.get("hasCahps", False)),
                "has_outcome_admin_claims": bool(record.get("hasOutcomeAdminClaims", False)),
                "specialties": tuple(record.get("specialtiesMostApplicableTo", [])),
            }
            for record in records
        ],
        columns=["mvp_id", "title", "clinical_topic", "has_cahps", "has_outcome_admin_claims", "specialties"],
    )
    members = pd.DataFrame(
        [
            {"mvp_id": record["mvpId"], "member_id": str(member), "role": role, "member_category": category}
            for record in records
            for key, role, category in _MVP_ROLES
            for member in record.get(key, [])
        ],
        columns=["mvp_id", "member_id", "role", "member_category"],
    )
    return mvps, members


def mvp_quality_index(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """measure id → the MVPs listing it as a quality or admin-claims measure."""
    index: dict[str, list[str]] = {}
    for record in records:
        for key in ("qualityMeasureIds", "administrativeClaimsMeasureIds"):
            for member in record.get(key, []):
                index.setdefault(str(member), []).append(record["mvpId"])
    return index
