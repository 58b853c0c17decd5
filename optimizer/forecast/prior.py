"""The national distribution of a measure's rate (empirical Bayes) and a practice's place in it.

A benchmark row's percentiles p1, p10 … p90, p99 say how reporters' performance rates were spread
(CMS: "the percentile values at the point corresponding to the key", benchmarks-schema.yaml; rules
file §2.1; ascending in raw rate for direct and inverse measures alike, so key k is the k% quantile of
the raw rate). :class:`NationalPrior` reads them as a quantile function: linear between the knots
(0%, 0), (1%, p1), (10%, p10) … (99%, p99), (100%, 100), i.e. reporters spread evenly between two
percentiles. Equal knots are point masses: p50 … p99 = 100 with p40 < 100 puts a mass of 0.5 at exactly
100% (the least the percentiles allow: the 50th percentile is 100, so at least half the reporters are
at 100%); p1 = p10 = 0 puts 0.1 at 0%.

Rows whose percentiles are not a distribution of rates — flat benchmarks (1, 10, …, 99 by policy,
docs/rules-2026.md §2.6), defined topped-out benchmarks (84 … 100, §2.5), non-proportion QCDR measures — use
a Beta distribution with the row's national average rate and the concentration
:data:`FALLBACK_CONCENTRATION`. A candidate without any benchmark row keeps the Jeffreys fallback of
:mod:`optimizer.forecast.draws`.

:func:`draw_positions` combines the prior with the practice's counts (binomial likelihood of met out
of met + not met) on a grid of rates: the posterior of this year's TRUE rate, returned as positions
(quantile levels, 0–1) in the national distribution, ready for the year-to-year step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaincinv, xlogy

PERCENTILE_LEVELS = np.array([0.0, 0.01, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90, 0.99, 1.0])
"""Quantile levels of the knots: 0, then CMS's p1, p10 … p90, p99, then 1."""

FALLBACK_CONCENTRATION = 2.2
"""Concentration a + b of the Beta prior of rows whose percentiles are not a distribution: the median
over the 2026 benchmark rows that are one (210 eCQM, MIPS CQM, claims and QCDR rate rows) of
mean × (1 − mean) / variance − 1 of the distribution their percentiles describe (2.2; quartiles 1.2
and 4.7: practices' rates are spread widely, often U-shaped). ``tests/forecast/test_prior.py``
recomputes it from the catalog."""

BETA_LEVELS = np.linspace(0.0, 1.0, 201)
"""Quantile levels at which a Beta prior is tabulated (every half percent)."""

RATE_METRICS = ("singlePerformanceRate", "multiPerformanceRate", "registrySinglePerformanceRate", "registryMultiPerformanceRate")
"""CMS metric types whose benchmarks are rates in percent (not cost, CAHPS or non-proportion measures)."""

GRID_CELLS = 200
"""Cells of the uniform part of the posterior grid over [0, 1] (half a percentage point each)."""

LOCAL_CELLS = 64
"""Extra cells around the practice's own rate, 16 Beta standard deviations wide, so that a row of
thousands of cases is resolved finely."""


@dataclass(frozen=True, eq=False)
class NationalPrior:
    """A national distribution of rates [0–1] as a quantile function with point masses.

    ``levels`` strictly increase from 0 to 1; ``rates`` do not decrease; two equal consecutive rates
    are a point mass of the levels between them. ``source`` says where it comes from, for reports.
    """

    levels: np.ndarray
    rates: np.ndarray
    source: str

    def rate_at(self, position: np.ndarray) -> np.ndarray:
        """The rate at quantile levels ``position`` (the quantile function)."""
        return np.interp(position, self.levels, self.rates)

    def mass_at(self, rate: float) -> float:
        """The point mass at ``rate`` (0 where the distribution is continuous)."""
        at = self.rates == rate
        return float(np.ptp(self.levels[at])) if at.sum() > 1 else 0.0


def prior_from_percentiles(percentiles: tuple[float, ...] | np.ndarray, source: str) -> NationalPrior:
    """The prior a benchmark row's eleven percentiles [percent] describe (missing p1/p99 are skipped)."""
    values = np.concatenate([[0.0], np.asarray(percentiles, dtype=float), [100.0]]) / 100
    known = np.isfinite(values)
    return NationalPrior(PERCENTILE_LEVELS[known], np.clip(np.maximum.accumulate(values[known]), 0.0, 1.0), source)


def prior_from_beta(a: float, b: float, source: str) -> NationalPrior:
    """A Beta(a, b) distribution of rates, tabulated at :data:`BETA_LEVELS`."""
    # the Beta quantile function (scipy.stats.beta.ppf computes the same with the same Boost
    # routine, but importing scipy.stats costs about 0.6 s of every command's start-up)
    rates = betaincinv(a, b, BETA_LEVELS)
    return NationalPrior(BETA_LEVELS, np.maximum.accumulate(np.clip(rates, 0.0, 1.0)), source)


def prior_from_average(average_percent: float, source: str, concentration: float = FALLBACK_CONCENTRATION) -> NationalPrior:
    """A Beta prior with the given national average rate [percent] and concentration a + b."""
    mean = float(np.clip(average_percent / 100, 1e-4, 1 - 1e-4))
    return prior_from_beta(concentration * mean, concentration * (1 - mean), source)


def national_prior(row: pd.Series | None) -> NationalPrior | None:
    """The prior of a catalog benchmark row (None without a row, or without a usable average)."""
    if row is None or str(row["metric_type"]) not in RATE_METRICS:
        return None
    label = f"{row['collection_type']} benchmark {int(row['benchmark_year'])}"
    values = np.array([row[key] for key in ("p1", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "p99")], dtype=float)
    in_range = np.all((values[np.isfinite(values)] >= 0) & (values[np.isfinite(values)] <= 100))
    if not (bool(row["is_flat"]) or bool(row["is_defined_topped_out"])) and in_range:
        return prior_from_percentiles(values, f"percentiles of the {label}")
    average = row.get("average_performance_rate")
    if average is None or pd.isna(average):
        return None
    return prior_from_average(float(average), f"national average {float(average):.1f}% of the {label} (its percentiles are set by policy)")


def _cells(prior: NationalPrior, met: float, cases: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid of the posterior: per cell or point mass, (rate, prior mass, lowest and highest level)."""
    x, q = prior.rates, prior.levels
    start, end = x[:-1], x[1:]
    mass = np.diff(q)
    atoms = (end == start) & (mass > 0)
    continuous = end > start
    # the practice's own region: a Jeffreys mean ± 8 standard deviations
    a, b = met + 0.5, cases - met + 0.5
    centre, spread = a / (a + b), np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    local = np.clip(centre + spread * np.linspace(-8, 8, LOCAL_CELLS + 1), 0.0, 1.0)
    edges = np.unique(np.concatenate([np.linspace(0.0, 1.0, GRID_CELLS + 1), local, x]))
    low, high = edges[:-1], edges[1:]
    middle = (low + high) / 2
    segment_start, segment_end = start[continuous], end[continuous]
    segment = np.clip(np.searchsorted(segment_start, middle, side="right") - 1, 0, len(segment_start) - 1)
    slope = mass[continuous][segment] / (segment_end[segment] - segment_start[segment])
    level_low = q[:-1][continuous][segment] + (low - segment_start[segment]) * slope
    level_high = level_low + (high - low) * slope
    rates = np.concatenate([middle, start[atoms]])
    return rates, np.concatenate([level_high - level_low, mass[atoms]]), np.concatenate([level_low, q[:-1][atoms]]), np.concatenate([level_high, q[1:][atoms]])


def posterior_grid(prior: NationalPrior, met: float, cases: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This year's true rate given ``met`` of ``cases``: per grid cell or point mass, (rate, posterior
    probability, lowest and highest quantile level)."""
    rates, mass, level_low, level_high = _cells(prior, met, cases)
    with np.errstate(divide="ignore"):
        log_weight = np.log(mass) + xlogy(met, rates) + xlogy(cases - met, 1 - rates)
    weight = np.exp(log_weight - np.max(log_weight))
    return rates, weight / weight.sum(), level_low, level_high


def draw_positions(prior: NationalPrior, met: float, cases: float, uniforms: np.ndarray) -> np.ndarray:
    """Positions (quantile levels) of this year's true rate, one per pair of uniforms ``(2, size)``:
    the first picks a grid cell or point mass by its posterior probability, the second a level inside it
    (inside a cell the prior density is flat and the likelihood nearly so)."""
    _, probability, level_low, level_high = posterior_grid(prior, met, cases)
    cumulative = np.cumsum(probability)
    chosen = np.minimum(np.searchsorted(cumulative, uniforms[0] * cumulative[-1], side="right"), len(cumulative) - 1)
    return level_low[chosen] + uniforms[1] * (level_high[chosen] - level_low[chosen])
