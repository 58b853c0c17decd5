"""The forecast's prior is the national distribution of the benchmark it comes from (empirical Bayes).

The benchmark rows are the real 2026 ones (benchmarks/2026.json through the catalog); the expected
numbers are read off their percentiles or worked out by hand below.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from optimizer.forecast.next_year import next_positions
from optimizer.forecast.prior import FALLBACK_CONCENTRATION, RATE_METRICS, draw_positions, national_prior

KEYS = ("p1", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "p99")
LEVELS = np.array([0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99])
DRAWS = 200_000


def _positions(prior, met: float, cases: float, seed: int = 1) -> np.ndarray:
    return draw_positions(prior, met, cases, np.random.default_rng(seed).random((2, DRAWS)))


@pytest.mark.parametrize(
    "measure_id, collection_type",
    [("236", "ecqm"), ("001", "ecqm"), ("006", "mips_cqm"), ("238", "mips_cqm"), ("024", "medicare_part_b_claims")],
)
def test_a_practice_without_counts_gets_the_national_distribution_back(catalog_2026, measure_id, collection_type) -> None:
    # No counts: the posterior is the prior, so the share of draws at or below each percentile value is
    # its level (1%, 10%, … 99%), except inside a point mass (where the share jumps past the level).
    # 236 eCQM spreads from p1 4.76 to p99 98.18; 001 eCQM is inverse; 006 MIPS CQM has p50 … p99 = 100
    # (a mass of 0.5 at 100%); 238 MIPS CQM (inverse) has p1 … p80 = 0 (0.8 at 0%); 024 claims is 100 throughout.
    row = catalog_2026.benchmark(measure_id, collection_type)
    prior = national_prior(row)
    rates = 100 * prior.rate_at(_positions(prior, 0, 0))
    values = np.array([row[key] for key in KEYS], dtype=float)
    for level, value in zip(LEVELS, values, strict=True):
        below, at_most = np.mean(rates < value - 1e-9), np.mean(rates <= value + 1e-9)
        assert below - 0.005 <= level <= at_most + 0.005, (level, value, below, at_most)
    top = LEVELS[values >= 100.0]
    if len(top):  # a mass at 100%: one minus the first level whose percentile is 100
        assert_allclose(np.mean(rates == 100.0), 1 - top[0] if top[0] > 0.01 else 1 - 0.01, atol=0.005)
    zero = LEVELS[values <= 0.0]
    if len(zero):  # a mass at 0%: the last level whose percentile is 0
        assert_allclose(np.mean(rates == 0.0), zero[-1], atol=0.005)


def test_many_counts_dominate_the_prior(catalog_2026) -> None:
    # 236 eCQM, 4,000 of 5,000 (80%): the prior is flat between p80 78.7 and p90 84.04, so the
    # posterior is the likelihood's, Beta(4001, 1001): mean 79.99%, sd sqrt(.8 × .2 / 5000) = 0.566 points
    # (the prior's higher density below p80, 2.3 sd away, lowers the mean by about 0.01).
    prior = national_prior(catalog_2026.benchmark("236", "ecqm"))
    rates = 100 * prior.rate_at(_positions(prior, 4000, 5000))
    assert_allclose(rates.mean(), 79.99, atol=0.03)
    assert_allclose(rates.std(), 0.566, rtol=0.03)
    # With 20 of 25 (also 80%) the prior pulls toward the national median 68.98: the posterior mean is lower.
    few = 100 * prior.rate_at(_positions(prior, 20, 25))
    assert 68.98 < few.mean() < 79.0


def test_a_perfect_row_on_a_flat_at_100_benchmark_stays_perfect_as_the_percentiles_imply(catalog_2026) -> None:
    """006 MIPS CQM: p40 = 99.38, p50 … p99 = 100, so half the reporters are at exactly 100% (mass 0.5) and
    0.1 is spread evenly over [99.38, 100) (density 0.1 / 0.0062 = 16.13 per unit of rate).

    This year, 5,000 of 5,000 met: P(true rate = 100%) = 0.5 / (0.5 + 16.13 × ∫ θ^5000 over [0.9938, 1))
    = 0.5 / (0.5 + 16.13 × (1 − 0.9938^5001) / 5001) = 0.5 / (0.5 + 0.003225) = 0.99359 (lower ranges add
    nothing).

    Next year, persistence ρ = 0.9 and drift τ = 0.35 on the normal-score scale: a practice in the mass
    has a normal score z > 0 (the mass is the top half) and stays there when ρ·z + τ·e > 0. For (z, ρz + τe)
    bivariate normal with correlation r = ρ / √(ρ² + τ²) = 0.93199, P(both > 0) / P(z > 0) =
    1/2 + arcsin(r) / π = 0.5 + 1.20009 / π = 0.88200. Practices just below 100% this year (probability
    0.00641) move into the mass about as often as not (≤ 0.00641 more). So P(perfect next year) =
    0.99359 × 0.88200 + [0, 0.00641] ∈ [0.8763, 0.8827]; with bad years (probability 0.15, which always
    cost some of the rate) × 0.85: [0.7449, 0.7503].
    """
    prior = national_prior(catalog_2026.benchmark("006", "mips_cqm"))
    assert_allclose(prior.mass_at(1.0), 0.5)
    positions = _positions(prior, 5000, 5000)
    assert_allclose(np.mean(prior.rate_at(positions) == 1.0), 0.99359, atol=0.001)
    stream = np.random.default_rng(2)
    moved = next_positions(positions, 0.9, 0.35, stream.standard_normal(DRAWS), stream.standard_normal(DRAWS), 0.3)
    staying = np.mean(prior.rate_at(moved) == 1.0)
    assert 0.8763 - 0.003 <= staying <= 0.8827 + 0.003


def test_rows_whose_percentiles_are_set_by_policy_use_their_national_average(catalog_2026) -> None:
    # 236 MIPS CQM has the flat benchmark 1, 10, …, 99 (docs/rules-2026.md §2.6): its prior is a Beta with the
    # row's national average 68.71% and concentration 2.2, so its mean is 68.71%.
    row = catalog_2026.benchmark("236", "mips_cqm")
    assert bool(row["is_flat"])
    prior = national_prior(row)
    assert "national average 68.7%" in prior.source
    assert_allclose(100 * prior.rate_at(_positions(prior, 0, 0)).mean(), 68.71, atol=0.2)
    assert national_prior(None) is None  # no benchmark row: the Jeffreys fallback


def test_fallback_concentration_is_the_median_of_the_2026_distributions(catalog_2026) -> None:
    # Independent of the prior's code: the mean and variance of a distribution spread evenly between the
    # knots (0%, 0), (1%, p1), …, (99%, p99), (100%, 100) are sums over its segments of
    # w·(a + b)/2 and w·(a² + ab + b²)/3; concentration = mean (1 − mean) / variance − 1.
    rows = catalog_2026.benchmarks
    rows = rows[rows["collection_type"].isin(["ecqm", "mips_cqm", "medicare_part_b_claims", "qcdr"]) & rows["metric_type"].isin(RATE_METRICS)]
    rows = rows[~rows["is_flat"] & ~rows["is_defined_topped_out"]]
    levels = np.diff(np.concatenate([[0.0], LEVELS, [1.0]]))
    concentrations = []
    for _, row in rows.iterrows():
        knots = np.concatenate([[0.0], row[list(KEYS)].to_numpy(dtype=float), [100.0]]) / 100
        low, high = knots[:-1], knots[1:]
        mean = np.sum(levels * (low + high) / 2)
        variance = np.sum(levels * (low**2 + low * high + high**2) / 3) - mean**2
        concentrations.append(mean * (1 - mean) / variance - 1)
    assert len(concentrations) == 210
    assert_allclose(np.median(concentrations), FALLBACK_CONCENTRATION, atol=0.05)


@pytest.mark.parametrize(("a", "b"), [(0.5, 0.5), (2.2 * 0.83, 2.2 * 0.17), (0.0022, 2.1978), (40.0, 3.5), (1200.5, 30.5)])
def test_beta_priors_are_scipy_stats_beta_quantiles(a, b) -> None:
    # prior_from_beta reads the quantiles through scipy.special (scipy.stats is not imported at
    # start-up): they must be scipy.stats.beta's own, to the last bit, at every tabulated level.
    from scipy.stats import beta

    from optimizer.forecast.prior import BETA_LEVELS, prior_from_beta

    expected = np.maximum.accumulate(np.clip(beta.ppf(BETA_LEVELS, a, b), 0.0, 1.0))
    np.testing.assert_array_equal(prior_from_beta(a, b, "test").rates, expected)
