"""Each ``[forecast]`` key changes the draws as README.md ("The forecast") documents.

Every test plans nothing: it reads a small scenario as ``plan`` does and draws its forecast with
settings that switch one assumption on at a time (the others off: ``CALM``), then compares the draws
with numbers worked out by hand in the comments. Benchmarks are the real 2026 ones.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.testing import assert_allclose
from scipy.stats import norm, spearmanr

from optimizer.forecast import ForecastSettings, pessimistic
from optimizer.planning.plan import prepare_forecast
from optimizer.planning.resolve import resolve

from scenario_builder import counts

DRAWS = 20_000
CALM = ForecastSettings(
    draws=DRAWS, seed=7, persistence=1.0, position_drift=0.0, shared_change=0.0, bad_year_probability=0.0,
    volume_spread=0.0, completeness_spread=0.0, rate_drift=0.0,
)
"""Only the counts' own uncertainty: this year's rate given its counts, Poisson cases, binomial met."""


def test_persistence_pulls_a_rate_toward_the_national_median(scenario_from, catalog_2026) -> None:
    # 236 eCQM at 40% on 100,000 cases sits at F(40) = 0.01 + 0.09 × (40 − 4.76) / (45.28 − 4.76) = 0.08827
    # of the national distribution (between p1 4.76 and p10 45.28), normal score −1.3513. Persistence 0.5
    # keeps half of it: −0.6756, level 0.2497, i.e. 55.56 + 0.497 × (61.54 − 55.56) = 58.53% (between p20
    # and p30). Persistence 1 keeps 40%.
    scenario = scenario_from([counts("236", "ecqm", 40_000, 100_000)], clinicians=40)
    kept = prepare_forecast(resolve(scenario), catalog_2026, settings=CALM)[1]
    pulled = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, persistence=0.5))[1]
    assert_allclose(kept.rates[:, 0].mean(), 40.0, atol=0.02)
    assert_allclose(pulled.rates[:, 0].mean(), 58.53, atol=0.05)


def test_position_drift_spreads_the_rate_by_the_national_distribution(scenario_from, catalog_2026) -> None:
    # Same row, drift 0.5: next year's normal score is N(−1.3513, 0.5²); its 90th percentile
    # −1.3513 + 0.5 × 1.2816 = −0.7105 is level 0.2387, rate 55.56 + 0.387 × 5.98 = 57.87%; the median stays 40%.
    scenario = scenario_from([counts("236", "ecqm", 40_000, 100_000)], clinicians=40)
    drifted = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, position_drift=0.5))[1]
    assert_allclose(np.percentile(drifted.rates[:, 0], 50), 40.0, atol=0.3)
    assert_allclose(np.percentile(drifted.rates[:, 0], 90), 57.87, atol=0.4)


def test_shared_change_correlates_a_practices_measures(scenario_from, catalog_2026) -> None:
    # Two rows of 100,000 cases, drift 0.5: their normal-score changes are correlated by shared_change, so
    # the rank correlation of their rates is (6 / π) arcsin(0.6 / 2) = 0.5803 at 0.6, and 0 at 0.
    rows = [counts("236", "ecqm", 40_000, 100_000), counts("134", "ecqm", 40_000, 100_000)]
    scenario = scenario_from(rows, clinicians=40)
    for shared, expected in ((0.6, 6 / np.pi * np.arcsin(0.3)), (0.0, 0.0)):
        draws = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, position_drift=0.5, shared_change=shared))[1]
        assert_allclose(spearmanr(draws.rates[:, 0], draws.rates[:, 1])[0], expected, atol=0.03)


def test_bad_years_cost_a_share_of_the_rate(scenario_from, catalog_2026) -> None:
    # 236 eCQM at 80% and 001 eCQM (inverse) at 20%, 100,000 cases each. Bad years with probability 0.2
    # and mean loss 0.25 (a loss U(0, 0.5) of the rate read as 'better is larger'): the mean rate becomes
    # 80 × (1 − 0.2 × 0.25) = 76%, and 100 − 80 × 0.95 = 24% for the inverse measure; a share
    # 0.2 × (1 − 0.0125 / 0.5) = 0.195 of the draws of 236 fall below 79% (a loss above 1.25%).
    rows = [counts("236", "ecqm", 80_000, 100_000), counts("001", "ecqm", 20_000, 100_000)]
    scenario = scenario_from(rows, clinicians=40)
    calm = prepare_forecast(resolve(scenario), catalog_2026, settings=CALM)[1]
    bad = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, bad_year_probability=0.2, bad_year_loss=0.25))[1]
    assert np.mean(calm.rates[:, 0] < 79) == 0
    assert_allclose(bad.rates[:, 0].mean(), 76.0, atol=0.15)
    assert_allclose(bad.rates[:, 1].mean(), 24.0, atol=0.15)
    assert_allclose(np.mean(bad.rates[:, 0] < 79), 0.195, atol=0.01)


def test_volume_spread_widens_next_years_cases(scenario_from, catalog_2026) -> None:
    # 1,000 cases a year; a lognormal volume factor with log sd 0.3 and mean 1 keeps the mean at 1,000 and
    # gives the Poisson mixture variance 1000 + 1000² (e^0.09 − 1) = 95,174: sd 308.5 (31.6 without).
    # The factor is the practice's: a second row's cases move with it (correlation 94,174 / 95,174 = 0.99).
    rows = [counts("236", "ecqm", 700, 1000), counts("134", "ecqm", 700, 1000)]
    scenario = scenario_from(rows, clinicians=40)
    calm = prepare_forecast(resolve(scenario), catalog_2026, settings=CALM)[1]
    spread = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, volume_spread=0.3))[1]
    assert_allclose(calm.cases[:, 0].std(), np.sqrt(1000), rtol=0.03)
    assert_allclose(spread.cases[:, 0].mean(), 1000, rtol=0.01)
    assert_allclose(spread.cases[:, 0].std(), 308.5, rtol=0.04)
    assert_allclose(np.corrcoef(spread.cases[:, 0], spread.cases[:, 1])[0, 1], 0.99, atol=0.005)


def test_completeness_spread_can_fail_data_completeness(scenario_from, catalog_2026) -> None:
    # Completeness 80% (800 of 1,000 eligible reported) with logit spread 0.25: P(next year < 75%) =
    # Φ((logit 0.75 − logit 0.8) / 0.25) = Φ(−1.1507) = 0.1249, and the measure is then not scored. At
    # 99% (990 of 1,000) it is Φ((1.0986 − 4.5951) / 0.25) ≈ 0.
    rows = [counts("236", "ecqm", 560, 800, eligible=1000), counts("134", "ecqm", 693, 990, eligible=1000)]
    scenario = scenario_from(rows, clinicians=40)
    calm = prepare_forecast(resolve(scenario), catalog_2026, settings=CALM)[1]
    risky = prepare_forecast(resolve(scenario), catalog_2026, settings=replace(CALM, completeness_spread=0.25))[1]
    expected = norm.cdf((np.log(3) - np.log(4)) / 0.25)
    assert_allclose(expected, 0.1249, atol=5e-5)
    assert calm.scored.all()
    assert_allclose(np.mean(risky.completeness[:, 0] < 75), expected, atol=0.008)
    assert_allclose(1 - risky.scored[:, 0].mean(), expected, atol=0.008)
    assert risky.scored[:, 1].all()


def test_the_pessimistic_variant() -> None:
    # README: 1.5 × the regression (1 − persistence), the drifts and the spreads; bad years twice as likely
    # and 1.5 × as deep (at most 0.5); a benchmark for a measure without one half as likely.
    base = ForecastSettings()
    worse = pessimistic(base)
    assert_allclose(1 - worse.persistence, 1.5 * (1 - base.persistence))
    assert_allclose(worse.position_drift, 1.5 * base.position_drift)
    assert_allclose(worse.volume_spread, 1.5 * base.volume_spread)
    assert_allclose(worse.completeness_spread, 1.5 * base.completeness_spread)
    assert_allclose(worse.bad_year_probability, 2 * base.bad_year_probability)
    assert_allclose(worse.bad_year_loss, min(0.5, 1.5 * base.bad_year_loss))
    assert_allclose(worse.benchmark_probability, base.benchmark_probability / 2)
    assert pessimistic(CALM).persistence == 1.0 and pessimistic(CALM).bad_year_probability == 0.0


def test_counts_seen_this_year_update_the_forecast(scenario_from, catalog_2026) -> None:
    # Two ways to the same distribution: with nothing seen yet (0 of 0 after 0 months) the year-to-date
    # path (a grid posterior) must draw the rates the ordinary path draws (Monte Carlo through the step).
    # Then counts that contradict last year win: 236 eCQM was 80% on 10,000 cases, this year 2,000 of
    # 4,000 after six months; with 50% this year the year-end rate is 50% (± the binomial noise of the
    # other 4,000 cases, sd 0.4 points over 8,000).
    scenario = scenario_from([counts("236", "ecqm", 8_000, 10_000)], clinicians=40)
    settings = replace(ForecastSettings(draws=DRAWS, seed=3), volume_spread=0.0)
    ordinary = prepare_forecast(resolve(scenario), catalog_2026, settings=settings)[1].rates[:, 0]
    nothing_seen = prepare_forecast(resolve(scenario), catalog_2026, {("236", "ecqm"): (0.0, 0.0, 0.0)}, settings=settings)[1].rates[:, 0]
    assert_allclose(nothing_seen.mean(), ordinary.mean(), atol=0.3)
    assert_allclose(np.percentile(nothing_seen, [10, 50, 90]), np.percentile(ordinary, [10, 50, 90]), atol=0.6)
    seen = prepare_forecast(resolve(scenario), catalog_2026, {("236", "ecqm"): (2_000.0, 4_000.0, 6.0)}, settings=settings)[1]
    assert_allclose(seen.rates[:, 0].mean(), 50.0, atol=0.3)
    assert_allclose(seen.cases[:, 0].mean(), 8_000, rtol=0.01)
