"""Quality measure achievement points (optimizer.rules.measure_points).

Golden cases live in data/measure_points_golden.csv, one per published or hand-worked example,
each with its source; edge cases and the not-scoreable outcomes are below.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from optimizer.rules import Benchmark, Outcome, Policy, achievement_points, decile, decile_points, new_measure_floor
from optimizer.rules.measure_points import PERCENTILE_KEYS, benchmark_points

GOLDEN = Path(__file__).parent / "data" / "measure_points_golden.csv"
POLICY = Policy()
FLAT = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)
FLAT_INVERSE = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=True)


def _golden_rows() -> list[dict[str, str]]:
    with GOLDEN.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _benchmark(row: dict[str, str]) -> Benchmark:
    return Benchmark(
        tuple(float(row[key]) if row[key] else math.nan for key in PERCENTILE_KEYS),
        is_inverse=row["is_inverse"] == "True",
        seven_point_cap=row["seven_point_cap"] == "True",
    )


@pytest.mark.parametrize("row", _golden_rows(), ids=lambda row: row["source"][:90])
def test_golden_points(row: dict[str, str]) -> None:
    points = benchmark_points(float(row["rate"]), _benchmark(row), POLICY)
    assert_allclose(points, float(row["expected_points"]), atol=5e-5)


def test_engine_example_partial_decile_parts() -> None:
    # E1: decile 8, partialPoints 9.23, partialDecileScore 0.9585 (CMS engine output).
    benchmark = Benchmark((math.nan, 0, 26.89, 40.49, 50, 57.07, 64.79, 73.08, 82.71, 96.44, math.nan), False)
    assert int(decile(82.31, benchmark)) == 8
    assert_allclose(decile_points(82.31, benchmark, POLICY) - 8, 9.23 / (82.71 - 73.08))


def test_boundary_value_belongs_to_the_better_decile() -> None:
    # docs/rules-2026.md §2.2 reading 2: a rate exactly at a decile's bound belongs to the better decile.
    assert int(decile(80.0, FLAT)) == 9 and int(decile(79.999, FLAT)) == 8
    assert int(decile(20.0, FLAT_INVERSE)) == 9 and int(decile(20.001, FLAT_INVERSE)) == 8


def test_rates_beyond_p1_and_p99_get_the_floor_point() -> None:
    # docs/rules-2026.md §2.2 reading 4 (42 CFR 414.1380(b)(1)(i): at least 1 point), overridable by name.
    assert decile_points(0.5, FLAT, POLICY) == 1.0
    assert decile_points(99.5, FLAT_INVERSE, POLICY) == 1.0
    assert decile_points(0.5, FLAT, POLICY.with_overrides({"points_outside_lowest_percentile": 0.0})) == 0.0


def test_vectorised_equals_scalar() -> None:
    rates = np.linspace(0, 100, 101)
    vector = decile_points(rates, FLAT_INVERSE, POLICY)
    assert vector.shape == rates.shape
    assert_allclose(vector, [decile_points(rate, FLAT_INVERSE, POLICY) for rate in rates])


@pytest.mark.parametrize(
    ("data_completeness", "cases", "small", "expected", "outcome"),
    [
        (100.0, 40, False, 8.0, Outcome.BENCHMARK),  # 70% on the flat benchmark: decile 8 exactly
        (74.9, 40, False, 0.0, Outcome.BELOW_DATA_COMPLETENESS),  # §2.3: fails 75% data completeness
        (74.9, 40, True, 3.0, Outcome.BELOW_DATA_COMPLETENESS),  # §2.3: small practice gets 3
        (75.0, 19, False, 0.0, Outcome.BELOW_CASE_MINIMUM),  # §2.3: 19 < 20 cases
        (75.0, 19, True, 3.0, Outcome.BELOW_CASE_MINIMUM),
        (75.0, 20, False, 8.0, Outcome.BENCHMARK),  # exactly 20 cases and 75% are enough
    ],
)
def test_not_scoreable_outcomes(data_completeness, cases, small, expected, outcome) -> None:
    points, reason = achievement_points(
        70.0, cases, data_completeness, FLAT, small_practice=small, floor=0.0, case_minimum=20, policy=POLICY
    )
    assert float(points) == expected
    assert reason[()] == outcome


def test_no_benchmark_scores_zero_or_three() -> None:
    # 88 FR 79123: "will receive zero achievement points (or 3 points for small practices)".
    for small, expected in ((False, 0.0), (True, 3.0)):
        points, reason = achievement_points(
            90.0, 100, 100.0, None, small_practice=small, floor=0.0, case_minimum=20, policy=POLICY
        )
        assert float(points) == expected and reason[()] == Outcome.NO_BENCHMARK


def test_new_measure_floors() -> None:
    # §2.3: 7 in the first year, 5 in the second, only when data completeness is met.
    assert new_measure_floor(2026, 2026, POLICY) == 7.0
    assert new_measure_floor(2025, 2026, POLICY) == 5.0
    assert new_measure_floor(2024, 2026, POLICY) == 0.0
    points, reason = achievement_points(50.0, 5, 100.0, None, small_practice=False, floor=7.0, case_minimum=20, policy=POLICY)
    assert float(points) == 7.0 and reason[()] == Outcome.NEW_MEASURE_FLOOR
    # a benchmarked new measure scoring 3.0 (20% opens decile 3 of the flat benchmark) is lifted to 5
    points, reason = achievement_points(20.0, 50, 100.0, FLAT, small_practice=False, floor=5.0, case_minimum=20, policy=POLICY)
    assert float(points) == 5.0 and reason[()] == Outcome.NEW_MEASURE_FLOOR
    # ... but not when data completeness fails
    points, _ = achievement_points(20.0, 50, 60.0, FLAT, small_practice=False, floor=5.0, case_minimum=20, policy=POLICY)
    assert float(points) == 0.0
    # and the lift can be switched off by name
    unlifted = POLICY.with_overrides({"new_measure_floor_lifts_benchmarked_scores": False})
    points, _ = achievement_points(20.0, 50, 100.0, FLAT, small_practice=False, floor=5.0, case_minimum=20, policy=unlifted)
    assert float(points) == 3.0


def test_capped_outcome_is_reported() -> None:
    capped = Benchmark(FLAT.percentiles, is_inverse=False, seven_point_cap=True)
    points, reason = achievement_points(95.0, 50, 100.0, capped, small_practice=False, floor=0.0, case_minimum=20, policy=POLICY)
    assert float(points) == 7.0 and reason[()] == Outcome.CAPPED


def test_a_descending_benchmark_is_refused() -> None:
    with pytest.raises(ValueError, match="ascending"):
        Benchmark((1, 20, 10, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)


def test_selected_admin_claims_outcome_measure_scores_zero_when_not_scoreable() -> None:
    # 42 CFR 414.1365(d)(3)(i)(B) (docs/rules-2026.md §6): an outcome measure CMS
    # calculates from administrative claims (480, 492) that an MVP participant selects scores 0 when
    # it has no benchmark or misses its case minimum, and stays among the four (it is not dropped
    # like a population-health measure). By hand: a small practice, 15 cases against a case minimum
    # of 21 ⇒ 0, not the 3 points a reported measure would get; without a benchmark ⇒ 0, not the floor.
    common = dict(small_practice=True, floor=0.0, case_minimum=21, policy=POLICY)
    claims, reason = achievement_points(0.12, 15, 100.0, FLAT_INVERSE, administrative_claims=True, **common)
    assert float(claims) == 0.0 and reason[()] == Outcome.BELOW_CASE_MINIMUM
    reported, _ = achievement_points(0.12, 15, 100.0, FLAT_INVERSE, **common)
    assert float(reported) == 3.0
    no_benchmark, reason = achievement_points(0.12, 40, 100.0, None, administrative_claims=True,
                                              small_practice=True, floor=7.0, case_minimum=21, policy=POLICY)
    assert float(no_benchmark) == 0.0 and reason[()] == Outcome.NO_BENCHMARK
    # scoreable: the benchmark's points as for any measure. Inverse flat benchmark, rate 35: decile 7
    # runs from 40 down to 30, so 7 + (40 − 35) / (40 − 30) = 7.5.
    scoreable, _ = achievement_points(35.0, 40, 100.0, FLAT_INVERSE, administrative_claims=True, **common)
    assert float(scoreable) == pytest.approx(7.5)
