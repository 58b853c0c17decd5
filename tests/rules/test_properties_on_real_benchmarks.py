"""Properties of the rules on every real 2026 benchmark row (CMS's benchmarks/2026.json via the catalog).

Expected bounds come from docs/rules-2026.md: a benchmarked measure earns 1–10 points (§2.2, §2.3), at most
7 when topped out by program (§2.4), more for a better rate (§2.2: direct measures higher is better,
inverse lower); the final score lies in [0, 100] (§7.1) and the adjustment in [−9%, 9% × scaling] (§7.2).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.forecast.candidates import benchmark_from_row
from optimizer.rules.final_score import final_score
from optimizer.rules.measure_points import benchmark_points
from optimizer.rules.parameters import CATEGORIES, Policy
from optimizer.rules.payment import payment_adjustment_percent

POLICY = Policy()


def _rate_grid(row) -> np.ndarray:
    low, high = float(row["p1"]), float(row["p99"])
    span = max(high - low, 1.0)
    return np.linspace(min(0.0, low - 0.1 * span), max(100.0, high + 0.1 * span), 2001)


def test_points_are_bounded_monotone_and_capped_on_every_2026_row(catalog_2026) -> None:
    rows = catalog_2026.benchmarks
    assert len(rows) == 293
    for _, row in rows.iterrows():
        benchmark = benchmark_from_row(row)
        rates = _rate_grid(row)
        points = np.asarray(benchmark_points(rates, benchmark, POLICY), dtype=float)
        label = f"{row['measure_id']} {row['collection_type']}"
        assert np.all(points >= 1.0 - 1e-12) and np.all(points <= 10.0 + 1e-12), label
        ordered = points[::-1] if benchmark.is_inverse else points
        assert np.all(np.diff(ordered) >= -1e-9), f"{label}: points fall as the rate improves"
        if benchmark.seven_point_cap:
            assert points.max() <= 7.0 + 1e-12, label
        else:
            best = rates[0] if benchmark.is_inverse else rates[-1]
            assert float(benchmark_points(best, benchmark, POLICY)) == pytest.approx(10.0), f"{label}: the best rate earns 10"


def test_final_score_and_adjustment_stay_within_their_bounds() -> None:
    generator = np.random.default_rng(2026)
    for _ in range(500):
        percents = {category: float(generator.uniform(0, 100)) for category in CATEGORIES}
        for category in CATEGORIES:
            if generator.random() < 0.15:
                percents[category] = None
        if sum(value is not None for value in percents.values()) == 0:
            continue
        score = float(np.asarray(final_score(percents, small_practice=bool(generator.random() < 0.5),
                                             complex_patient_bonus=float(generator.uniform(0, 10)), policy=POLICY).score))
        assert 0.0 <= score <= 100.0
        scaling = float(generator.uniform(0.05, 3.0))
        adjustment = float(payment_adjustment_percent(score, scaling, POLICY))
        assert -9.0 - 1e-12 <= adjustment <= 9.0 * scaling + 1e-12
