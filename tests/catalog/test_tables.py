"""The catalog's tables checked against CMS's files.

Two sources of expected values, kept apart on purpose:

* **published facts** — fixed numbers for qpp-measures-data v11.1.0 (the counts CMS's files hold at
  that tag, the 2026 benchmark values of measures 236/134/143, docs/rules-2026.md §2.2's legacy-decile
  example). They are written out literally so that a change of data or of parsing shows up.
* **independent counts** — the same facts recomputed in the test by reading the JSON files from
  the local copy with :mod:`json`, without going through ``optimizer.catalog``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optimizer.catalog import tables
from optimizer.catalog.read import Catalog, read_catalog
from optimizer.rules.measure_points import PERCENTILE_KEYS, Benchmark, decile, decile_points
from optimizer.rules.parameters import Policy

YEARS = (2024, 2025, 2026)


# ----------------------------------------------------------------------------- the files, read directly


@cache
def _raw(root: str, relative: str) -> Any:
    return json.loads((Path(root) / relative).read_text(encoding="utf-8"))


def raw(cms_source: Path, relative: str) -> Any:
    """A CMS JSON file read straight from the local copy with ``json`` (no optimizer code)."""
    return _raw(str(cms_source), relative)


def raw_categories(cms_source: Path, year: int) -> Counter[str]:
    return Counter(record["category"] for record in raw(cms_source, f"measures/{year}/measures-data.json"))


def raw_submission_methods(cms_source: Path, year: int) -> Counter[str]:
    return Counter(record["submissionMethod"] for record in raw(cms_source, f"benchmarks/{year}.json"))


@pytest.fixture(scope="module")
def catalogs(data_dir: Path) -> dict[int, Catalog]:
    return {year: read_catalog(year, data_dir=data_dir) for year in YEARS}


def row(catalog: Catalog, measure_id: str, collection_type: str):
    benchmark = catalog.benchmark(measure_id, collection_type)
    assert benchmark is not None, f"{measure_id} × {collection_type}: no benchmark row"
    return benchmark


# ----------------------------------------------------------------------------- counts


def test_2026_counts(catalog_2026: Catalog, cms_source: Path) -> None:
    categories = raw_categories(cms_source, 2026)
    methods = raw_submission_methods(cms_source, 2026)
    mvps = raw(cms_source, "mvp/2026/mvp.json")

    # Published facts for 2026 (v11.1.0) ...
    assert len(catalog_2026.quality_measures) == 405
    assert len(catalog_2026.cost_measures) == 35
    assert len(catalog_2026.improvement_activities) == 95
    assert len(catalog_2026.pi_measures) == 39
    assert len(catalog_2026.benchmarks) == 293
    assert len(catalog_2026.mvps) == 27
    # ... and the same counts read independently from measures-data.json / 2026.json / mvp.json.
    assert len(catalog_2026.quality_measures) == categories["quality"]
    assert len(catalog_2026.cost_measures) == categories["cost"]
    assert len(catalog_2026.improvement_activities) == categories["ia"]
    assert len(catalog_2026.pi_measures) == categories["pi"]
    assert len(catalog_2026.benchmarks) == sum(methods.values())
    assert len(catalog_2026.mvps) == len(mvps)


def test_2026_benchmark_rows_per_collection_type(catalog_2026: Catalog, cms_source: Path) -> None:
    counts = catalog_2026.benchmarks["collection_type"].value_counts().to_dict()
    methods = raw_submission_methods(cms_source, 2026)

    # CMS files MIPS CQMs, QCDR measures and Medicare CQMs together under `registry`: 191 rows.
    registry = counts["mips_cqm"] + counts["qcdr"] + counts["medicare_cqm"]
    assert registry == 191 == methods["registry"]
    assert counts["admin_claims"] == 39 == methods["administrativeClaims"]
    assert counts["ecqm"] == 36 == methods["electronicHealthRecord"]
    assert counts["medicare_part_b_claims"] == 18 == methods["claims"]
    assert counts["cahps"] == 9 == methods["certifiedSurveyVendor"]
    assert set(counts) == {"mips_cqm", "qcdr", "medicare_cqm", "admin_claims", "ecqm", "medicare_part_b_claims", "cahps"}


def test_2025_counts(catalogs: dict[int, Catalog], cms_source: Path) -> None:
    catalog = catalogs[2025]
    measures = len(catalog.quality_measures) + len(catalog.cost_measures) + len(catalog.improvement_activities) + len(catalog.pi_measures)
    # Published: 612 records in 2025's measures-data.json, 380 rows in benchmarks/2025.json.
    assert measures == 612 == len(raw(cms_source, "measures/2025/measures-data.json"))
    assert len(catalog.benchmarks) == 380 == len(raw(cms_source, "benchmarks/2025.json"))
    assert len(catalog.mvps) == len(raw(cms_source, "mvp/2025/mvp.json"))


def test_2024_counts_include_the_web_interface(catalogs: dict[int, Catalog], cms_source: Path) -> None:
    catalog = catalogs[2024]
    measures = len(catalog.quality_measures) + len(catalog.cost_measures) + len(catalog.improvement_activities) + len(catalog.pi_measures)
    # Published: 586 records in 2024's measures-data.json, 358 benchmark rows, 8 of them
    # `cmsWebInterface` (the collection type retired after 2024).
    assert measures == 586 == len(raw(cms_source, "measures/2024/measures-data.json"))
    assert len(catalog.benchmarks) == 358 == len(raw(cms_source, "benchmarks/2024.json"))
    web_interface = int((catalog.benchmarks["collection_type"] == "cms_web_interface").sum())
    assert web_interface == 8 == raw_submission_methods(cms_source, 2024)["cmsWebInterface"]
    # 2024's manifest has no mvp.json nor exclusion reasons: the tables are empty, with their columns.
    assert catalog.mvps.empty and list(catalog.mvp_members.columns) == ["mvp_id", "member_id", "role", "member_category"]
    assert catalog.benchmark_exclusions.empty


# ----------------------------------------------------------------------------- benchmark values and flags


def test_236(catalog_2026: Catalog) -> None:
    # Published (benchmarks/2026.json): 236 electronicHealthRecord p10 = 45.28; registry is the flat benchmark.
    ecqm = row(catalog_2026, "236", "ecqm")
    assert ecqm["p10"] == 45.28
    assert not ecqm["is_flat"]
    mips_cqm = row(catalog_2026, "236", "mips_cqm")
    assert mips_cqm["is_flat"]
    assert [mips_cqm[key] for key in PERCENTILE_KEYS] == list(tables.FLAT_PERCENTILES)
    assert row(catalog_2026, "236", "medicare_part_b_claims")["is_flat"]
    assert mips_cqm["source_format"] == "percentiles"

    measure = catalog_2026.quality_measure("236")
    assert measure["measure_type"] == "intermediate_outcome"  # measureType "intermediateOutcome"
    assert measure["is_outcome"]
    assert measure["is_high_priority"]
    assert set(measure["collection_types"]) == {"medicare_part_b_claims", "ecqm", "mips_cqm"}


def test_134_seven_point_cap(catalog_2026: Catalog, cms_source: Path) -> None:
    # Published: 134 isToppedOutByProgram on claims and registry, not on electronicHealthRecord.
    assert row(catalog_2026, "134", "medicare_part_b_claims")["seven_point_cap"]
    assert row(catalog_2026, "134", "mips_cqm")["seven_point_cap"]
    assert not row(catalog_2026, "134", "ecqm")["seven_point_cap"]
    # Every row's cap is exactly the file's isToppedOutByProgram.
    expected = {
        (str(record["measureId"]), record["submissionMethod"]): bool(record.get("isToppedOutByProgram", False))
        for record in raw(cms_source, "benchmarks/2026.json")
    }
    actual = dict(zip(zip(catalog_2026.benchmarks["measure_id"], catalog_2026.benchmarks["submission_method"]), catalog_2026.benchmarks["seven_point_cap"]))
    assert actual == expected


def test_143_defined_topped_out(catalog_2026: Catalog, cms_source: Path) -> None:
    # Published: 143's sevenPointCapRemoved lists registry and electronicHealthRecord.
    for collection_type in ("mips_cqm", "ecqm"):
        benchmark = row(catalog_2026, "143", collection_type)
        assert benchmark["is_defined_topped_out"]
        assert not benchmark["seven_point_cap"]
    assert set(catalog_2026.quality_measure("143")["seven_point_cap_removed"]) == {"mips_cqm", "ecqm"}
    # Independently: every benchmark row flagged is one whose measure lists its submission method.
    removed = {
        str(record["measureId"]): set(record.get("sevenPointCapRemoved") or [])
        for record in raw(cms_source, "measures/2026/measures-data.json")
        if record["category"] == "quality"
    }
    flagged = catalog_2026.benchmarks[catalog_2026.benchmarks["is_defined_topped_out"]]
    assert not flagged.empty
    for measure_id, method in zip(flagged["measure_id"], flagged["submission_method"], strict=True):
        assert method in removed[measure_id]


def test_collection_type_mapping(catalog_2026: Catalog, cms_source: Path) -> None:
    # 236SSP (registry) is a Medicare CQM.
    assert row(catalog_2026, "236SSP", "medicare_cqm")["submission_method"] == "registry"
    assert catalog_2026.benchmark("236SSP", "mips_cqm") is None
    # A non-numeric registry id (taken from the file, e.g. AAD12) is a QCDR measure.
    registry_ids = [str(record["measureId"]) for record in raw(cms_source, "benchmarks/2026.json") if record["submissionMethod"] == "registry"]
    qcdr_id = next(measure_id for measure_id in registry_ids if not measure_id.isdigit() and not measure_id.endswith("SSP"))
    assert row(catalog_2026, qcdr_id, "qcdr")["submission_method"] == "registry"
    # Every registry row, by the rule of collection_types.py.
    mapped = catalog_2026.benchmarks[catalog_2026.benchmarks["submission_method"] == "registry"]
    for measure_id, kind in zip(mapped["measure_id"], mapped["collection_type"], strict=True):
        assert kind == ("medicare_cqm" if measure_id.endswith("SSP") else "mips_cqm" if measure_id.isdigit() else "qcdr")


def test_measure_types_are_snake_case(catalogs: dict[int, Catalog]) -> None:
    for catalog in catalogs.values():
        types = set(catalog.quality_measures["measure_type"])
        assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", value) for value in types), types
        outcome = catalog.quality_measures["measure_type"].isin(["outcome", "intermediate_outcome", "patient_reported_outcome"])
        assert (catalog.quality_measures["is_outcome"] == outcome).all()
    assert {"process", "outcome", "intermediate_outcome"} <= set(catalogs[2026].quality_measures["measure_type"])


def test_benchmark_exclusion_reason(catalog_2026: Catalog, cms_source: Path) -> None:
    # benchmark-exclusion-reasons.json: 102 registry has no benchmark, and says why.
    records = [
        record for record in raw(cms_source, "benchmarks/2026/benchmark-exclusion-reasons.json")
        if str(record["measureId"]) == "102" and record["submissionMethod"] == "registry"
    ]
    assert len(records) == 1
    assert catalog_2026.benchmark("102", "mips_cqm") is None
    # The code CMS gives (BR-009), in the project's words (CMS's descriptions are not copied).
    assert records[0]["reasonCodes"] == ["BR-009"]
    assert catalog_2026.benchmark_exclusion("102", "mips_cqm") == tables.exclusion_reason(["BR-009"])
    assert catalog_2026.benchmark_exclusion("102", "mips_cqm") == (
        "too few submissions met the case and data completeness minimums to build a benchmark (BR-009)"
    )
    assert tables.exclusion_reason(["BR-099"]) == "CMS exclusion code BR-099 (BR-099)"
    assert catalog_2026.benchmark_exclusion("236", "mips_cqm") is None  # it has a benchmark


# ----------------------------------------------------------------------------- MVPs


def test_mvp_members_match_mvp_json(catalog_2026: Catalog, cms_source: Path) -> None:
    record = next(item for item in raw(cms_source, "mvp/2026/mvp.json") if item["mvpId"] == "M0005")
    members = catalog_2026.mvp_members[catalog_2026.mvp_members["mvp_id"] == "M0005"]

    def ids(role: str, category: str | None = None) -> list[str]:
        chosen = members[members["role"] == role]
        if category is not None:
            chosen = chosen[chosen["member_category"] == category]
        return list(chosen["member_id"])

    assert ids("quality") == [str(item) for item in record["qualityMeasureIds"]]
    assert ids("activity") == [str(item) for item in record["iaMeasureIds"]]
    assert ids("cost") == [str(item) for item in record["costMeasureIds"]]
    assert ids("foundation", "quality") == [str(item) for item in record["foundationQualityMeasureIds"]]
    assert ids("foundation", "pi") == [str(item) for item in record["foundationPiMeasureIds"]]
    assert ids("admin_claims") == [str(item) for item in record.get("administrativeClaimsMeasureIds", [])]
    # The published facts: M0005 has 236 as a quality measure, TPCC_1 as a cost measure, 479 as a
    # foundation quality measure.
    assert "236" in ids("quality")
    assert "TPCC_1" in ids("cost")
    assert "479" in ids("foundation", "quality")
    assert "M0005" in catalog_2026.quality_measure("236")["mvp_ids"]
    # Every member row of every MVP comes from the file.
    total = sum(
        len(item.get(key, []))
        for item in raw(cms_source, "mvp/2026/mvp.json")
        for key in ("qualityMeasureIds", "iaMeasureIds", "costMeasureIds", "foundationQualityMeasureIds",
                    "foundationPiMeasureIds", "administrativeClaimsMeasureIds")
    )
    assert len(catalog_2026.mvp_members) == total


def test_mvp_definitions_are_mvp_json(catalog_2026: Catalog, cms_source: Path) -> None:
    # Planning reads each MVP's members as plain values built once per catalog; they must be
    # exactly the file's lists, in its order, for every MVP (an MVP the file does not list has none).
    records = raw(cms_source, "mvp/2026/mvp.json")
    for record in records:
        definition = catalog_2026.mvp_definition(record["mvpId"])
        assert definition is not None and definition.title == (record.get("title") or "")
        assert definition.quality == tuple(str(item) for item in record["qualityMeasureIds"])
        assert definition.admin_claims == tuple(str(item) for item in record.get("administrativeClaimsMeasureIds", []))
        assert definition.activities == tuple(str(item) for item in record["iaMeasureIds"])
        assert definition.cost == tuple(str(item) for item in record["costMeasureIds"])
        assert definition.foundation_quality == tuple(str(item) for item in record["foundationQualityMeasureIds"])
    assert catalog_2026.mvp_definition("M9999") is None
    assert len(records) == len(catalog_2026.mvp_ids())


def test_mvp_specialties_are_mvp_json(catalog_2026: Catalog, cms_source: Path) -> None:
    # The bundle's specialties (read by the tests through the bundle, catalog_2026) are CMS's
    # specialtiesMostApplicableTo lists of mvp/2026/mvp.json, read here with json, for every MVP, in
    # the file's order; the published facts: G0053's list as the issue quotes it, M1503's.
    records = raw(cms_source, "mvp/2026/mvp.json")
    for record in records:
        definition = catalog_2026.mvp_definition(record["mvpId"])
        assert definition is not None and definition.specialties == tuple(record["specialtiesMostApplicableTo"]), record["mvpId"]
    assert catalog_2026.mvp_definition("G0053").specialties[:3] == ("Rheumatology", "Nonphysician Practitioners", "Nurse Practitioner")
    assert catalog_2026.mvp_definition("M1503").specialties == (
        "Vascular Surgery", "Nonphysician Practitioners", "Nurse Practitioners", "Physician Assistants"
    )
    names = {name for record in records for name in record["specialtiesMostApplicableTo"]}
    assert catalog_2026.mvp_specialties() == sorted(names) and "Family Medicine" in names


def test_a_year_without_mvps_has_no_specialties(catalogs: dict[int, Catalog]) -> None:
    # CMS's data at the pinned tag has no mvp/2024/mvp.json (benchmarks_data/2024.toml says so).
    assert list(catalogs[2024].mvps.columns)[-1] == "specialties" and catalogs[2024].mvp_specialties() == []


# ----------------------------------------------------------------------------- percentiles


@pytest.mark.parametrize("year", YEARS)
def test_percentiles_ascending_in_every_row(catalogs: dict[int, Catalog], year: int) -> None:
    benchmarks = catalogs[year].benchmarks
    inner = benchmarks[list(PERCENTILE_KEYS[1:10])].to_numpy(dtype=float)
    assert not np.isnan(inner).any()
    descending = np.diff(inner, axis=1) < 0
    assert not descending.any(), benchmarks.loc[descending.any(axis=1), ["measure_id", "collection_type"]].to_string()
    assert ((benchmarks["p1"] <= benchmarks["p10"]) | benchmarks["p1"].isna()).all()
    assert ((benchmarks["p90"] <= benchmarks["p99"]) | benchmarks["p99"].isna()).all()
    assert set(benchmarks["source_format"]) == {"percentiles"}
    # And every row can be scored: Benchmark refuses non-ascending percentiles.
    for values, inverse in zip(benchmarks[list(PERCENTILE_KEYS)].to_numpy(dtype=float), benchmarks["is_inverse"], strict=True):
        Benchmark(tuple(values), is_inverse=bool(inverse))


# ----------------------------------------------------------------------------- the legacy deciles format

# docs/rules-2026.md §2.2, reading 1 (CMS's scoring-engine example output, measure 110, registry):
# legacy deciles [0, 26.89, 40.49, 50, 57.07, 64.79, 73.08, 82.71, 96.44], performanceRate 82.31 →
# decile 8, partialPoints 9.23 (= 82.31 − 73.08), partialDecileScore 0.9585 (= 9.23 / 9.63),
# decileScore 8.9585. The nine values are the lower bounds of deciles 2–10, so decile 8 is
# [73.08, 82.71).
LEGACY_110 = [0, 26.89, 40.49, 50, 57.07, 64.79, 73.08, 82.71, 96.44]


def test_percentiles_of_legacy_deciles() -> None:
    values, source_format = tables.percentiles_of({"deciles": LEGACY_110})
    assert source_format == "deciles"
    assert math.isnan(values[0]) and math.isnan(values[-1])  # no p1 / p99 in the legacy format
    assert list(values[1:10]) == [float(value) for value in LEGACY_110]  # p10 … p90
    # Order in the file does not matter (they are bounds).
    shuffled, _ = tables.percentiles_of({"deciles": list(reversed(LEGACY_110))})
    assert shuffled[1:10] == values[1:10]
    with pytest.raises(ValueError, match="9 values"):
        tables.percentiles_of({"deciles": LEGACY_110[:8]})


def test_legacy_deciles_score_like_the_cms_engine_example() -> None:
    record = {
        "measureId": "110",
        "submissionMethod": "registry",
        "benchmarkYear": 2017,
        "performanceYear": 2019,
        "isInverse": False,
        "deciles": LEGACY_110,
    }
    legacy = tables.benchmark_table([record], {}).iloc[0]
    assert legacy["collection_type"] == "mips_cqm"
    assert legacy["source_format"] == "deciles"
    assert not legacy["is_flat"]
    benchmark = Benchmark(tuple(float(legacy[key]) for key in PERCENTILE_KEYS), is_inverse=False)

    assert int(decile(82.31, benchmark)) == 8
    points = float(decile_points(82.31, benchmark, Policy()))
    assert points == pytest.approx(8 + (82.31 - 73.08) / (82.71 - 73.08))
    assert 8 + 9.23 / 9.63 == pytest.approx(points)
    assert round(points, 4) == 8.9585
    # Edges: the lower bound of decile 8 is in decile 8; p90 and above earn the flat 10; with no
    # p1, any rate below p10 (= 0 here, so only negatives) is in decile 1 and earns 1 point.
    assert float(decile_points(73.08, benchmark, Policy())) == pytest.approx(8.0)
    assert float(decile_points(96.44, benchmark, Policy())) == 10.0
    assert float(decile_points(-1.0, benchmark, Policy())) == pytest.approx(1.0)
