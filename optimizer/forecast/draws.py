"""Draws of next year for every candidate: rate, case count, data completeness and achievement points.

Per candidate (measure × collection type) with counts, in each of K joint draws:

1. this year's true rate from the national distribution of its benchmark row (the prior,
   :mod:`optimizer.forecast.prior`) and the practice's counts (binomial likelihood), as a position in
   that distribution;
2. next year's position: persistence toward the national distribution, the change partly shared by
   the practice's measures (:func:`optimizer.forecast.next_year.next_positions`); its rate, shifted by
   the planned ``expected_change`` [percentage points];
3. a bad year with a small probability (the rate loses a share of itself);
4. next year's cases ``Poisson(baseline cases × 12 / period_months × volume factor)``, the factor
   lognormal and shared by the practice's measures; reported rate ``Binomial(cases, rate) / cases``;
5. next year's data completeness around this year's.

Without a benchmark row (no national distribution) step 1–2 is the fallback: a Jeffreys Beta posterior
on the counts (``prior_met``, ``prior_not_met``) moved by a normal drift ``rate_drift`` on the logit
scale. A measure without a historical benchmark gets a performance-period benchmark with probability
``benchmark_probability``: it is then scored against the same measure's benchmark for another
collection type where one exists, otherwise at a uniformly random position, and otherwise scores as
unscoreable (0, 3 small, or the new-measure floor). CAHPS and administrative-claims results
(computed by CMS, no counts) are taken as given.

With year-to-date counts (mid-year swaps) the year being forecast is the current one: this year's rate
is drawn from its posterior given last year's counts and the counts seen so far
(:mod:`optimizer.forecast.year_to_date`), and only the remaining months are drawn.

Points come from the scoring rules through :meth:`Candidate.points`, the code ``score`` uses. The
deterministic mode (``draws = 0``) takes rates as observed plus the planned change, and case counts
scaled to twelve months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.forecast.next_year import drifted_rates, next_completeness, next_positions, volume_multipliers, with_bad_years
from optimizer.forecast.prior import draw_positions, prior_from_beta
from optimizer.forecast.settings import ForecastSettings
from optimizer.forecast.year_to_date import draw_this_year
from optimizer.rules.measure_points import Benchmark, Outcome
from optimizer.rules.parameters import Policy

if TYPE_CHECKING:
    from optimizer.forecast.candidates import Candidate

UNKNOWN_BENCHMARK = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)
"""Stand-in for a performance-period benchmark nobody can know yet: a flat benchmark scored at a
uniformly random position, i.e. points spread evenly over the deciles."""

NOT_SCORED = (Outcome.BELOW_CASE_MINIMUM, Outcome.BELOW_DATA_COMPLETENESS, Outcome.NO_BENCHMARK)

LOGIT_PER_NORMAL_SCORE = 1.7
"""A logit is about 1.7 normal scores (the logistic and normal distributions matched near their centre)."""

SHARED_STREAM = 0
"""The random stream of what a practice's measures share in a draw: ``[seed, 0]`` (a candidate's own
stream is ``[seed, measure, collection type]``)."""


@dataclass(frozen=True)
class Forecast:
    """Draws of every candidate: ``points``, ``rates`` [percent], ``cases`` and ``completeness`` [percent],
    shaped (draws, candidates).

    ``scored`` is False where a measure would not be scored (case minimum, data completeness, no
    benchmark); CMS-calculated extra measures are then left out of the quality denominator.
    """

    candidates: tuple[Candidate, ...]
    points: np.ndarray
    rates: np.ndarray
    cases: np.ndarray
    scored: np.ndarray
    settings: ForecastSettings
    completeness: np.ndarray | None = None

    @property
    def draw_count(self) -> int:
        """Rows of the arrays (1 in deterministic mode)."""
        return int(self.points.shape[0])

    def column(self, key: tuple[str, str]) -> int:
        """The column of a candidate."""
        for position, candidate in enumerate(self.candidates):
            if candidate.key == key:
                return position
        raise KeyError(key)


@dataclass(frozen=True)
class _Shared:
    """What a practice's measures share in each draw: the common part of the change, the volume factor."""

    change: np.ndarray
    volume: np.ndarray

    @classmethod
    def draw(cls, settings: ForecastSettings, size: int) -> _Shared:
        stream = np.random.default_rng([settings.seed, SHARED_STREAM])
        return cls(stream.standard_normal(size), volume_multipliers(stream.standard_normal(size), settings.volume_spread))


def _true_rates(candidate: Candidate, settings: ForecastSettings, stream: np.random.Generator, shared: _Shared) -> np.ndarray:
    """Next year's true rate [0–1] per draw: this year's posterior moved one year, planned change, bad years."""
    row = candidate.baseline
    met, not_met = float(row["performance_met"]), float(row["performance_not_met"])
    size = shared.change.shape[0]
    prior = candidate.national
    if prior is not None:
        positions = draw_positions(prior, met, met + not_met, stream.random((2, size)))
        moved = next_positions(positions, settings.persistence, settings.position_drift, shared.change, stream.standard_normal(size), settings.shared_change)
        rates = prior.rate_at(moved)
    else:
        rates = stream.beta(met + settings.prior_met, not_met + settings.prior_not_met, size)
        rates = drifted_rates(rates, settings.rate_drift, shared.change, stream.standard_normal(size), settings.shared_change)
    rates = np.clip(rates + float(row["expected_change"]) / 100.0, 0.0, 1.0)
    return with_bad_years(rates, candidate.is_inverse, stream.random((2, size)), settings.bad_year_probability, settings.bad_year_loss)


def _this_year(candidate: Candidate, settings: ForecastSettings, stream: np.random.Generator, seen: tuple[float, float], size: int) -> np.ndarray:
    """This year's true rate [0–1] given last year's counts and this year's so far (year-to-date mode).

    Without a national distribution the fallback's Beta prior stands in for it, kept in place
    (persistence 1) and moved by the fallback's logit drift expressed on the normal-score scale."""
    row = candidate.baseline
    met, not_met = float(row["performance_met"]), float(row["performance_not_met"])
    if candidate.national is not None:
        prior, step = candidate.national, (settings.persistence, settings.position_drift)
    else:
        prior = prior_from_beta(settings.prior_met, settings.prior_not_met, "fallback")
        step = (1.0, settings.rate_drift / LOGIT_PER_NORMAL_SCORE)
    change = float(row["expected_change"]) / 100.0
    return draw_this_year(prior, (met, met + not_met), seen, step, settings, change, candidate.is_inverse, stream, size)


def _reported(
    candidate: Candidate, settings: ForecastSettings, stream: np.random.Generator, shared: _Shared, ytd: tuple[float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Next year's reported rate [percent] and cases per draw."""
    row = candidate.baseline
    monthly_cases = float(row["case_count"]) / float(row["period_months"])
    size = shared.change.shape[0]
    if ytd is None:
        rates = _true_rates(candidate, settings, stream, shared)
        cases = stream.poisson(monthly_cases * 12 * shared.volume).astype(float)
        reported_met = stream.binomial(cases.astype(np.int64), rates).astype(float)
    else:
        observed_met, observed_cases, months_elapsed = ytd
        rates = _this_year(candidate, settings, stream, (observed_met, observed_cases), size)
        if months_elapsed > 0 and observed_cases > 0:
            monthly_cases = observed_cases / months_elapsed
        future_cases = stream.poisson(monthly_cases * max(0.0, 12 - months_elapsed) * shared.volume).astype(float)
        cases = observed_cases + future_cases
        reported_met = observed_met + stream.binomial(future_cases.astype(np.int64), rates).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cases > 0, 100.0 * reported_met / cases, np.nan), cases


def _given(candidate: Candidate, size: int, ytd: tuple[float, float, float] | None) -> tuple[np.ndarray, np.ndarray]:
    """Rate and cases taken as given (deterministic mode, CMS-calculated and survey measures)."""
    row = candidate.baseline
    if candidate.collection_type == ADMIN_CLAIMS or candidate.is_cahps:
        scale = 12 / float(row["period_months"])
        return np.full(size, float(row["performance_rate"])), np.full(size, float(row["case_count"]) * scale)
    met, cases = float(row["performance_met"]), float(row["case_count"])
    monthly = cases / float(row["period_months"])
    if ytd is not None:
        observed_met, observed_cases, months_elapsed = ytd
        if months_elapsed > 0 and observed_cases > 0:
            monthly = observed_cases / months_elapsed
        future = monthly * max(0.0, 12 - months_elapsed)
        rate_now = observed_met / observed_cases if observed_cases else (met / cases if cases else np.nan)
        total = observed_cases + future
        rate = 100 * (observed_met + rate_now * future) / total if total else np.nan
        return np.full(size, np.clip(rate + float(row["expected_change"]), 0, 100)), np.full(size, total)
    rate = float(row["performance_rate"]) + float(row["expected_change"])
    return np.full(size, np.clip(rate, 0.0, 100.0)), np.full(size, monthly * 12)


def forecast_candidates(
    candidates: Sequence[Candidate],
    *,
    small_practice: bool,
    policy: Policy,
    settings: ForecastSettings,
    proxies: dict[tuple[str, str], Benchmark] | None = None,
    year_to_date: dict[tuple[str, str], tuple[float, float, float]] | None = None,
) -> Forecast:
    """Draw every candidate's next-year rate, cases, completeness and points (same seed ⇒ same draws).

    Parameters
    ----------
    candidates
        What could be reported; the draws of one candidate do not depend on which others are present
        (each gets its own random stream from the seed and its key, and what the practice's measures
        share comes from a stream of the seed alone), so every pathway sees the same draws of a measure.
    proxies
        For candidates without a benchmark: another collection type's benchmark of the same measure.
    year_to_date
        Per candidate key: (met, cases, months elapsed) already observed this year.
    """
    proxies = proxies or {}
    year_to_date = year_to_date or {}
    size = max(1, settings.draws)
    shared = _Shared.draw(settings, size)
    columns = []
    for candidate in candidates:
        stream = np.random.default_rng([settings.seed, *_key_numbers(candidate.key)])
        ytd = year_to_date.get(candidate.key)
        given = settings.draws == 0 or candidate.collection_type == ADMIN_CLAIMS or candidate.is_cahps
        if given:
            rates, cases = _given(candidate, size, ytd)
        else:
            rates, cases = _reported(candidate, settings, stream, shared, ytd)
        baseline_completeness = float(candidate.baseline["data_completeness"])
        completeness = np.full(size, baseline_completeness)
        if not given:
            completeness = next_completeness(baseline_completeness, stream.standard_normal(size), settings.completeness_spread)
        if candidate.is_cahps:
            component_scores = [np.full(size, float(row["performance_rate"])) for _, _, row in candidate.components]
            points = np.asarray(candidate.cahps_points(component_scores, small_practice=small_practice, policy=policy)) * np.ones(size)
            scored = np.ones(size, dtype=bool)
        else:
            points, outcome = candidate.points(rates, cases, completeness, small_practice=small_practice, policy=policy)
            scored = ~np.isin(outcome, NOT_SCORED)
            if candidate.benchmark is None and settings.draws > 0 and settings.benchmark_probability > 0:
                points, scored = _with_possible_benchmark(
                    candidate, rates, cases, completeness, points, scored, proxies.get(candidate.key), stream,
                    small_practice=small_practice, policy=policy, probability=settings.benchmark_probability,
                )
        columns.append((np.broadcast_to(points, (size,)), rates, cases, np.broadcast_to(scored, (size,)), completeness))
    if not columns:
        empty = np.zeros((size, 0))
        return Forecast(tuple(candidates), empty, empty, empty, empty.astype(bool), settings, empty)
    points, rates, cases, scored, completeness = (np.column_stack([column[i] for column in columns]) for i in range(5))
    return Forecast(tuple(candidates), points.astype(float), rates, cases, scored.astype(bool), settings, completeness)


def _with_possible_benchmark(
    candidate: Candidate,
    rates: np.ndarray,
    cases: np.ndarray,
    completeness: np.ndarray,
    points: np.ndarray,
    scored: np.ndarray,
    proxy: Benchmark | None,
    stream: np.random.Generator,
    *,
    small_practice: bool,
    policy: Policy,
    probability: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points when CMS may build a performance-period benchmark after the year (docs/rules-2026.md §2.3, §12)."""
    size = rates.shape[0]
    appears = stream.random(size) < probability
    if proxy is not None:
        benchmark, position = proxy, rates
    else:
        benchmark, position = UNKNOWN_BENCHMARK, stream.uniform(1.0, 100.0, size)
    stand_in = replace(candidate, benchmark=benchmark)
    benchmarked, outcome = stand_in.points(position, cases, completeness, small_practice=small_practice, policy=policy)
    with_benchmark_scored = ~np.isin(outcome, NOT_SCORED)
    return np.where(appears, benchmarked, points), np.where(appears, with_benchmark_scored, scored)


def _key_numbers(key: tuple[str, str]) -> list[int]:
    """A stable integer seed sequence for a candidate key (not Python's salted ``hash``)."""
    return [int.from_bytes(part.encode("utf-8")[:16].ljust(16, b"\0"), "little") for part in key]
