"""Forecast next year's results: draws of every candidate's rate, case count and achievement points.

The model, per candidate (measure × collection type), in each of K joint draws:

* the underlying rate ``p ~ Beta(met + ½, not met + ½)`` (Jeffreys prior on the baseline counts),
  moved by a year-to-year drift ``N(0, rate_drift)`` on the logit scale, then shifted by the planned
  ``expected_change`` [percentage points];
* next year's case count ``N ~ Poisson(baseline cases × 12 / period_months)``, so the chance of
  ending below the case minimum is part of the measure's value;
* the reported rate ``Binomial(N, p) / N``;
* a measure without a historical benchmark gets a performance-period benchmark with probability
  ``benchmark_probability``; it is then scored against the same measure's benchmark for another
  collection type where one exists, otherwise at a uniformly random position (unknown), and
  otherwise scores as unscoreable (0, 3 small, or the new-measure floor);
* CAHPS and administrative-claims results (computed by CMS, no counts) are taken as given.

Points come from the scoring rules through :meth:`Candidate.points`, the code ``score`` uses.
The deterministic mode (``draws = 0``) takes rates as observed plus the planned change, and case
counts scaled to twelve months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.candidates import Candidate
from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.rules.measure_points import Benchmark, Outcome
from optimizer.rules.parameters import Policy

UNKNOWN_BENCHMARK = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)
"""Stand-in for a performance-period benchmark nobody can know yet: a flat benchmark scored at a
uniformly random position, i.e. points spread evenly over the deciles."""

NOT_SCORED = (Outcome.BELOW_CASE_MINIMUM, Outcome.BELOW_DATA_COMPLETENESS, Outcome.NO_BENCHMARK)


@dataclass(frozen=True)
class ForecastSettings:
    """Assumptions of the forecast (not CMS rules); set from the scenario's ``[optimize]`` table."""

    draws: int = 1000
    seed: int = 1
    prior_met: float = 0.5
    prior_not_met: float = 0.5
    rate_drift: float = 0.15
    benchmark_probability: float = 0.5


@dataclass(frozen=True)
class YearToDate:
    """Counts already observed this year, for projecting a year in progress (mid-year swaps)."""

    met: np.ndarray
    cases: np.ndarray
    months_elapsed: float


@dataclass(frozen=True)
class Forecast:
    """Draws of every candidate: ``points``, ``rates`` [percent] and ``cases``, shaped (draws, candidates).

    ``scored`` is False where a measure would not be scored (case minimum, data completeness, no
    benchmark); CMS-calculated extra measures are then left out of the quality denominator.
    """

    candidates: tuple[Candidate, ...]
    points: np.ndarray
    rates: np.ndarray
    cases: np.ndarray
    scored: np.ndarray
    settings: ForecastSettings

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


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(clipped / (1 - clipped))


def _draw_rates(
    candidate: Candidate, settings: ForecastSettings, rng: np.random.Generator, size: int, ytd: tuple[float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    row = candidate.baseline
    met, not_met = float(row["performance_met"]), float(row["performance_not_met"])
    monthly_cases = (met + not_met) / float(row["period_months"])
    if ytd is not None:
        met, not_met = met + ytd[0], not_met + ytd[1] - ytd[0]
    underlying = rng.beta(met + settings.prior_met, not_met + settings.prior_not_met, size)
    if settings.rate_drift > 0:
        underlying = 1 / (1 + np.exp(-(_logit(underlying) + rng.normal(0.0, settings.rate_drift, size))))
    underlying = np.clip(underlying + float(row["expected_change"]) / 100.0, 0.0, 1.0)
    if ytd is None:
        cases = rng.poisson(monthly_cases * 12, size).astype(float)
        reported_met = rng.binomial(cases.astype(np.int64), underlying).astype(float)
    else:
        observed_met, observed_cases, months_elapsed = ytd
        if months_elapsed > 0 and observed_cases > 0:
            monthly_cases = observed_cases / months_elapsed
        future_cases = rng.poisson(monthly_cases * max(0.0, 12 - months_elapsed), size).astype(float)
        future_met = rng.binomial(future_cases.astype(np.int64), underlying).astype(float)
        cases = observed_cases + future_cases
        reported_met = observed_met + future_met
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(cases > 0, 100.0 * reported_met / cases, np.nan)
    return rates, cases


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
    """Draw every candidate's next-year rate, cases and points (same seed ⇒ same draws).

    Parameters
    ----------
    candidates
        What could be reported; the draws of one candidate do not depend on which others are present
        (each gets its own random stream from the seed and its key), so every pathway sees the same
        draws of a measure.
    proxies
        For candidates without a benchmark: another collection type's benchmark of the same measure.
    year_to_date
        Per candidate key: (met, cases, months elapsed) already observed this year.
    """
    proxies = proxies or {}
    year_to_date = year_to_date or {}
    size = max(1, settings.draws)
    columns = []
    for candidate in candidates:
        stream = np.random.default_rng([settings.seed, *_key_numbers(candidate.key)])
        ytd = year_to_date.get(candidate.key)
        if settings.draws == 0 or candidate.collection_type == ADMIN_CLAIMS or candidate.is_cahps:
            rates, cases = _given(candidate, size, ytd)
        else:
            rates, cases = _draw_rates(candidate, settings, stream, size, ytd)
        completeness = float(candidate.baseline["data_completeness"])
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
        columns.append((np.broadcast_to(points, (size,)), rates, cases, np.broadcast_to(scored, (size,))))
    if not columns:
        empty = np.zeros((size, 0))
        return Forecast(tuple(candidates), empty, empty, empty, empty.astype(bool), settings)
    points, rates, cases, scored = (np.column_stack([column[i] for column in columns]) for i in range(4))
    return Forecast(tuple(candidates), points.astype(float), rates, cases, scored.astype(bool), settings)


def _with_possible_benchmark(
    candidate: Candidate,
    rates: np.ndarray,
    cases: np.ndarray,
    completeness: float,
    points: np.ndarray,
    scored: np.ndarray,
    proxy: Benchmark | None,
    stream: np.random.Generator,
    *,
    small_practice: bool,
    policy: Policy,
    probability: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points when CMS may build a performance-period benchmark after the year (rules file §2.3, §12)."""
    size = rates.shape[0]
    appears = stream.random(size) < probability
    if proxy is not None:
        benchmark, position = proxy, rates
    else:
        benchmark, position = UNKNOWN_BENCHMARK, stream.uniform(1.0, 100.0, size)
    benchmarked, outcome = _score_against(candidate, benchmark, position, cases, completeness, small_practice, policy)
    with_benchmark_scored = ~np.isin(outcome, NOT_SCORED)
    return np.where(appears, benchmarked, points), np.where(appears, with_benchmark_scored, scored)


def _score_against(
    candidate: Candidate, benchmark: Benchmark, rates: np.ndarray, cases: np.ndarray, completeness: float,
    small_practice: bool, policy: Policy,
) -> tuple[np.ndarray, np.ndarray]:
    from dataclasses import replace

    stand_in = replace(candidate, benchmark=benchmark)
    return stand_in.points(rates, cases, completeness, small_practice=small_practice, policy=policy)


def _key_numbers(key: tuple[str, str]) -> list[int]:
    """A stable integer seed sequence for a candidate key (not Python's salted ``hash``)."""
    return [int.from_bytes(part.encode("utf-8")[:16].ljust(16, b"\0"), "little") for part in key]
