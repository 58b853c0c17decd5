"""QPP submission JSON on documents the tests build: round trips from baseline tables, shapes, strata, QCDR, refusals.

Expected numbers: the baseline tables in ``scenarios/`` (a submission built from one imports back to
the same rows) and small counts worked out in each test's comment. Measures with a given
``overallAlgorithm`` are picked from the bundled 2025 measures data.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from optimizer.catalog import read_catalog
from optimizer.inputs.baseline import read_baseline
from optimizer.inputs.importers import import_files
from submission_builder import submission_from_baseline

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
BASELINES = sorted(SCENARIOS.glob("*-2025.csv"))


def write(folder: Path, document: Any, name: str = "submission.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def counts_of(table) -> list[tuple]:
    return [
        (row.measure_id, row.collection_type, int(row.eligible_population), int(row.performance_met), int(row.performance_not_met),
         int(row.exclusions), int(row.exceptions), int(row.period_months))
        for row in table.itertuples()
    ]


def imported(result) -> list[tuple]:
    return [(row.measure_id, row.collection_type, *row.counts.as_tuple(), row.period_months) for row in result.rows]


@pytest.mark.parametrize("baseline", BASELINES, ids=[path.stem for path in BASELINES])
def test_a_submission_built_from_a_baseline_imports_back_to_the_same_rows(baseline: Path, tmp_path: Path) -> None:
    table = read_baseline(baseline)
    submitted = table[table["collection_type"].isin(["ecqm", "mips_cqm", "qcdr", "medicare_part_b_claims"])]
    path = write(tmp_path, submission_from_baseline(submitted, 2025, "2025-01-01", "2025-12-31"))
    result = import_files([path])
    assert result.problems == []
    key = lambda row: row[:2]  # noqa: E731 - sort both sides by measure and collection type
    assert sorted(imported(result), key=key) == sorted(counts_of(submitted), key=key)
    assert any("ia set skipped" in note for note in result.notes)


def test_four_shapes_give_the_same_rows(tmp_path: Path) -> None:
    table = read_baseline(SCENARIOS / "riverside-family-medicine-2025.csv")
    submission = submission_from_baseline(table[table["collection_type"] == "ecqm"], 2025, "2025-01-01", "2025-12-31")
    quality = submission["measurementSets"][0]
    header = {key: value for key, value in submission.items() if key != "measurementSets"}
    shapes = {
        "bare": submission,
        "envelope": {"data": {"submission": submission}},
        "measurement-set-response": {"data": {"measurementSet": {**quality, "submission": header}}},
        "measurement-set": {**quality, "submission": header},
    }
    results = {name: imported(import_files([write(tmp_path, document, f"{name}.json")])) for name, document in shapes.items()}
    assert results["bare"] and all(rows == results["bare"] for rows in results.values())


def _pick(year: int, algorithm: str, collection_type: str) -> tuple[str, list[str]]:
    catalog = read_catalog(year)
    measures = catalog.quality_measures
    chosen = measures[(measures["overall_algorithm"] == algorithm) & measures["collection_types"].apply(lambda kinds: collection_type in kinds)]
    measure_id = str(chosen.iloc[0]["measure_id"])
    strata = catalog.quality_strata
    return measure_id, list(strata[strata["measure_id"] == measure_id]["name"])


def _strata_submission(measure_id: str, method: str, strata: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "performanceYear": 2025,
        "measurementSets": [{"category": "quality", "submissionMethod": method, "measurements": [
            {"measureId": measure_id, "value": {"isEndToEndReported": False, "strata": strata}}
        ]}],
    }


def _stratum(name: str, eligible: int, met: int, not_met: int, exclusions: int = 0, exceptions: int = 0) -> dict[str, Any]:
    return {"stratum": name, "eligiblePopulation": eligible, "performanceMet": met, "performanceNotMet": not_met,
            "eligiblePopulationExclusion": exclusions, "eligiblePopulationException": exceptions}


def test_weighted_average_sums_the_strata(tmp_path: Path) -> None:
    measure_id, names = _pick(2025, "weightedAverage", "mips_cqm")
    # Strata (eligible, met, not met) = (60, 47, 13) and (147, 121, 26): summed 207, 168, 39 (rate 81.16%).
    strata = [_stratum(names[0].upper(), 60, 47, 13), _stratum(names[1], 147, 121, 26)]
    result = import_files([write(tmp_path, _strata_submission(measure_id, "registry", strata))])
    assert result.problems == []
    assert imported(result) == [(measure_id, "mips_cqm", 207, 168, 39, 0, 0, 12)]
    assert any(f"stratum {names[0].upper()!r} read as CMS's {names[0]!r}" in note for note in result.notes)


@pytest.mark.parametrize(("algorithm", "scored"), [("overallStratumOnly", "overall"), ("split", "performance")])
def test_one_stratum_is_scored(tmp_path: Path, algorithm: str, scored: str) -> None:
    measure_id, names = _pick(2025, algorithm, "mips_cqm")
    assert scored in names
    strata = [_stratum(name, 100 + position, 50 + position, 50) for position, name in enumerate(names)]
    position = names.index(scored)
    result = import_files([write(tmp_path, _strata_submission(measure_id, "registry", strata))])
    assert result.problems == []
    assert imported(result) == [(measure_id, "mips_cqm", 100 + position, 50 + position, 50, 0, 0, 12)]


def test_simple_average_is_refused_with_the_rate_cms_scores(tmp_path: Path) -> None:
    measure_id, names = _pick(2025, "simpleAverage", "ecqm")
    # Rates 47/60 = 78.33% and 121/147 = 82.31%: CMS scores their mean 80.32%, case count 147 (the largest).
    strata = [_stratum(names[0], 60, 47, 13), _stratum(names[1], 147, 121, 26)]
    result = import_files([write(tmp_path, _strata_submission(measure_id, "electronicHealthRecord", strata))])
    assert result.rows == []
    assert len(result.problems) == 1
    assert "simpleAverage: CMS scores the mean of the strata's rates (80.32%, case count 147)" in result.problems[0]
    assert f"measure {measure_id} (ecqm" in result.problems[0] and "value.strata" in result.problems[0]


def test_an_unknown_stratum_is_refused(tmp_path: Path) -> None:
    measure_id, names = _pick(2025, "weightedAverage", "mips_cqm")
    result = import_files([write(tmp_path, _strata_submission(measure_id, "registry", [_stratum("teenagers", 10, 5, 5)]))])
    assert result.rows == [] and len(result.problems) == 1
    assert "value.strata[0].stratum: 'teenagers' is not one of CMS's strata" in result.problems[0]


def test_a_qcdr_row_keeps_the_registrys_rate(tmp_path: Path) -> None:
    measures = read_catalog(2025).quality_measures
    qcdr = measures[(measures["metric_type"] == "registrySinglePerformanceRate") & measures["collection_types"].apply(lambda kinds: "qcdr" in kinds)]
    measure_id = str(qcdr.iloc[0]["measure_id"])
    # Counts give 80/100 = 80%; the registry states 82.5, the rate CMS takes for a QCDR measure.
    document = {"performanceYear": 2025, "measurementSets": [{"category": "quality", "submissionMethod": "registry", "measurements": [
        {"measureId": measure_id, "value": {"isEndToEndReported": False, "eligiblePopulation": 110, "performanceMet": 80,
                                            "performanceNotMet": 20, "eligiblePopulationExclusion": 10, "performanceRate": 82.5}}
    ]}]}
    result = import_files([write(tmp_path, document)])
    assert result.problems == []
    assert [(row.measure_id, row.collection_type, *row.counts.as_tuple(), row.performance_rate) for row in result.rows] == [
        (measure_id, "qcdr", 110, 80, 20, 10, 0, 82.5)
    ]
    assert any("the registry states performanceRate 82.5, the counts give 80.00; the registry's rate is kept" in note for note in result.notes)
    # The written baseline carries the rate, and the baseline reader keeps it for the QCDR row.
    baseline = tmp_path / "baseline.csv"
    baseline.write_text(result.render_csv(), encoding="utf-8")
    assert baseline.read_text(encoding="utf-8").splitlines()[0].endswith(",period_months,performance_rate")
    table = read_baseline(baseline)
    assert table.iloc[0]["performance_rate"] == 82.5 and table.iloc[0]["case_count"] == 100


def test_the_same_measure_in_two_sets(tmp_path: Path) -> None:
    table = read_baseline(SCENARIOS / "riverside-family-medicine-2025.csv")
    submission = submission_from_baseline(table[table["collection_type"] == "ecqm"], 2025, "2025-01-01", "2025-12-31")
    mvp = copy.deepcopy(submission["measurementSets"][0])
    mvp["programName"] = "M0005"
    submission["measurementSets"].append(mvp)
    same = import_files([write(tmp_path, submission, "same.json")])
    assert same.problems == [] and len(same.rows) == len(submission["measurementSets"][0]["measurements"])
    assert sum("same counts as in" in note for note in same.notes) == len(same.rows)

    mvp["measurements"][0]["value"]["performanceMet"] -= 1
    mvp["measurements"][0]["value"]["performanceNotMet"] += 1
    different = import_files([write(tmp_path, submission, "different.json")])
    first = mvp["measurements"][0]["measureId"]
    assert len(different.problems) == 1
    assert f"measure {first} (ecqm), counts:" in different.problems[0] and "a baseline has one row per measure and collection type" in different.problems[0]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("performanceMet", 12.5, "value.performanceMet: 12.5 is not a whole number"),
        ("performanceNotMet", -1, "value.performanceNotMet: -1 is negative"),
        ("eligiblePopulation", None, "value.eligiblePopulation: is missing; expected a whole number"),
        ("performanceMet", True, "value.performanceMet: true is not a whole number"),
        ("eligiblePopulationException", 500, "value.eligiblePopulation: met + not met + exclusions + exceptions (606) exceeds the eligible population (412)"),
    ],
)
def test_bad_counts_name_the_file_measure_and_field(tmp_path: Path, field: str, value: Any, expected: str) -> None:
    document = {"performanceYear": 2025, "measurementSets": [{"category": "quality", "submissionMethod": "electronicHealthRecord", "measurements": [
        {"measureId": "001", "value": {"eligiblePopulation": 412, "performanceMet": 61, "performanceNotMet": 33, "eligiblePopulationExclusion": 12}}
    ]}]}
    document["measurementSets"][0]["measurements"][0]["value"][field] = value
    path = write(tmp_path, document)
    result = import_files([path])
    assert result.rows == []
    assert result.problems == [f"{path}: measure 001 (ecqm, measurementSets[0] (quality, electronicHealthRecord) measurements[0]), {expected}"]


def test_not_json_and_not_a_submission(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert "broken.json: not a JSON document (" in import_files([broken]).problems[0]
    other = write(tmp_path, {"hello": "world"}, "other.json")
    assert import_files([other]).problems == [
        f"{other}: not a QPP submission: expected measurementSets (a submission), measurements (a measurement set), or data.submission"
    ]
