"""Quality measure achievement points: benchmark deciles, caps, floors and the not-scoreable outcomes.

Every function works on scalars and on NumPy arrays alike (the optimizer evaluates thousands of
draws at once with the same functions ``score`` uses).

References
----------
docs/rules-2026.md §2.2 (deciles and interpolation), §2.3 (0, 3, new-measure floors),
§2.4 (7-point cap), §2.5 (defined topped-out benchmarks), §2.6 (flat benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from optimizer.rules.parameters import Policy

PERCENTILE_KEYS: tuple[str, ...] = ("p1", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "p99")
"""Benchmark columns in the catalog, ascending in raw performance rate for direct and inverse measures."""

ArrayLike = npt.ArrayLike


class Outcome(StrEnum):
    """Why a measure got the points it got."""

    BENCHMARK = "benchmark"
    CAPPED = "capped"
    NEW_MEASURE_FLOOR = "new_measure_floor"
    NO_BENCHMARK = "no_benchmark"
    BELOW_CASE_MINIMUM = "below_case_minimum"
    BELOW_DATA_COMPLETENESS = "below_data_completeness"


@dataclass(frozen=True)
class Benchmark:
    """One benchmark row: eleven percentile values and how to read them.

    Parameters
    ----------
    percentiles
        p1, p10, p20, …, p90, p99 [percent, or the measure's own unit for cost and admin-claims
        measures], ascending in raw rate for both direct and inverse measures. p1/p99 may be NaN
        for CMS's legacy decile format.
    is_inverse
        Lower rates are better.
    seven_point_cap
        CMS's ``isToppedOutByProgram``: points are capped at 7.
    """

    percentiles: tuple[float, ...]
    is_inverse: bool
    seven_point_cap: bool = False

    def __post_init__(self) -> None:
        if len(self.percentiles) != len(PERCENTILE_KEYS):
            raise ValueError(f"a benchmark has {len(PERCENTILE_KEYS)} percentile values, got {len(self.percentiles)}")
        inner = np.asarray(self.percentiles[1:10], dtype=float)
        if np.any(np.diff(inner) < 0):
            raise ValueError("benchmark percentiles must be ascending in raw performance rate")


def _decile_bounds(benchmark: Benchmark) -> np.ndarray:
    """Lower bounds of deciles 1..10 on the 'better is larger' axis (rates negated for inverse measures).

    Direct: D1 = p1, D2 = p10, …, D10 = p90. Inverse, worst edge first: p99, p90, …, p10,
    negated so that the same ``>=`` test puts a boundary value in the better decile.
    """
    values = np.asarray(benchmark.percentiles, dtype=float)
    if benchmark.is_inverse:
        return -values[::-1][:10]
    return values[:10]


def decile(rate: ArrayLike, benchmark: Benchmark) -> np.ndarray:
    """The benchmark decile (1–10) a performance rate falls in; 0 below decile 1.

    A value on a boundary belongs to the better decile (≥ for direct, ≤ for inverse
    measures); an empty decile (equal consecutive bounds) is skipped. docs/rules-2026.md §2.2.

    Examples
    --------
    >>> flat = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)
    >>> int(decile(70.0, flat)), int(decile(69.99, flat))
    (8, 7)
    """
    bounds = _decile_bounds(benchmark)
    axis = -np.asarray(rate, dtype=float) if benchmark.is_inverse else np.asarray(rate, dtype=float)
    lowest_known = np.nan_to_num(bounds, nan=-np.inf)
    return np.searchsorted(lowest_known, axis, side="right").astype(int)


def decile_points(rate: ArrayLike, benchmark: Benchmark, policy: Policy) -> np.ndarray:
    """Achievement points from the benchmark deciles, before caps and floors [points, 1–10].

    Parameters
    ----------
    rate
        Performance rate [percent 0–100; the measure's own unit for cost/admin-claims measures].
    benchmark
        The measure's benchmark for the collection type.
    policy
        Supplies the 1-point value outside p1/p99 and the flat 10 of decile 10.

    Returns
    -------
    numpy.ndarray
        ``k + (rate − D_k) / (D_{k+1} − D_k)`` inside decile k (1–9), the flat 10 in decile 10,
        and the floor below decile 1.

    Notes
    -----
    Direct: decile k runs from D_k = p(10(k−1)) (D1 = p1) up to but excluding D_{k+1}; inverse
    measures mirror it with worst edges p99, p90, …, p10. Interpolation as in CMS's scoring-engine
    example (110 registry, 82.31% ⇒ 8.9585).

    References
    ----------
    CMSgov/qpp-submissions-docs ``scoring-example-output-quality.json``; CMS-1848-P Tables
    B-G3/B-G4 (flat benchmark deciles); docs/rules-2026.md §2.2.

    Examples
    --------
    >>> flat = Benchmark((1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99), is_inverse=False)
    >>> round(float(decile_points(79.99, flat, Policy())), 3)
    8.999
    """
    bounds = _decile_bounds(benchmark)
    rate_array = np.asarray(rate, dtype=float)
    axis = -rate_array if benchmark.is_inverse else rate_array
    known = np.nan_to_num(bounds, nan=-np.inf)
    index = np.searchsorted(known, axis, side="right")  # number of bounds ≤ value: the decile
    points = np.full(axis.shape, policy.points_outside_lowest_percentile, dtype=float)
    points = np.where(index >= 10, policy.top_decile_points, points)
    inside = (index >= 1) & (index <= 9)
    if np.any(inside):
        lower_position = np.clip(index - 1, 0, 9)
        upper_position = np.clip(index, 0, 9)
        lower = known[lower_position]
        upper = known[upper_position]
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(np.isfinite(lower), (axis - lower) / (upper - lower), 0.0)
        points = np.where(inside, index + fraction, points)
    return points if points.ndim else points[()]


def capped_points(points: ArrayLike, benchmark: Benchmark, policy: Policy) -> np.ndarray:
    """Apply the 7-point cap of a benchmark topped out by program (docs/rules-2026.md §2.4)."""
    points_array = np.asarray(points, dtype=float)
    if benchmark.seven_point_cap:
        return np.minimum(points_array, policy.seven_point_cap)
    return points_array


def benchmark_points(rate: ArrayLike, benchmark: Benchmark, policy: Policy) -> np.ndarray:
    """Decile points with the 7-point cap applied: what a scoreable measure earns [points]."""
    return capped_points(decile_points(rate, benchmark, policy), benchmark, policy)


def new_measure_floor(first_performance_year: int | None, performance_year: int, policy: Policy) -> float:
    """The new-measure floor: 7 in a measure's first year, 5 in its second, else 0 [points].

    References
    ----------
    42 CFR 414.1380(b)(1)(i)(A)(3), (C) (docs/rules-2026.md §2.3);
    ``firstPerformanceYear`` in measures-data.
    """
    if first_performance_year is None:
        return 0.0
    age = performance_year - int(first_performance_year)
    if age == 0:
        return policy.new_measure_first_year_floor
    if age == 1:
        return policy.new_measure_second_year_floor
    return 0.0


def not_scoreable_points(small_practice: bool, policy: Policy) -> float:
    """Points of a submitted measure that cannot be scored: 0, or 3 for a small practice (§2.3)."""
    return policy.small_practice_not_scoreable_points if small_practice else policy.not_scoreable_points


def achievement_points(
    rate: ArrayLike,
    case_count: ArrayLike,
    data_completeness: ArrayLike,
    benchmark: Benchmark | None,
    *,
    small_practice: bool,
    floor: float,
    case_minimum: int,
    policy: Policy,
    administrative_claims: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A submitted measure's achievement points and the reason, element-wise [points].

    Parameters
    ----------
    rate
        Performance rate [percent, or the measure's unit].
    case_count
        Cases in the performance denominator (met + not met).
    data_completeness
        Reported share of the eligible population [percent 0–100].
    benchmark
        The benchmark for this collection type, or None when there is none.
    small_practice
        15 or fewer clinicians: unscoreable measures earn 3 instead of 0.
    floor
        New-measure floor from :func:`new_measure_floor` (0 when none).
    case_minimum
        The measure's case minimum (20 for most measures).
    administrative_claims
        An outcome measure CMS calculates from administrative claims that an MVP participant
        selected (480, 492): without a benchmark or below its case minimum it scores 0 (never 3,
        no new-measure floor) and stays among the counted measures. 42 CFR 414.1365(d)(3)(i)(B);
        docs/rules-2026.md §6. (A population-health measure, scored as an extra
        measure, drops out of the denominator instead: the caller leaves it unscored.)

    Returns
    -------
    points, outcome
        Arrays of the points and of :class:`Outcome` values.

    Notes
    -----
    Below data completeness: 0 (3 small), no floor. Otherwise, without a benchmark or below the
    case minimum: the new-measure floor if any, else 0 (3 small). Otherwise the benchmark points,
    capped at 7 where the benchmark is topped out by program, lifted to the floor.
    docs/rules-2026.md §2.3; 42 CFR 414.1380(b)(1)(i); 88 FR 79123.
    """
    rate_array = np.asarray(rate, dtype=float)
    cases = np.asarray(case_count, dtype=float)
    completeness = np.asarray(data_completeness, dtype=float)
    shape = np.broadcast_shapes(rate_array.shape, cases.shape, completeness.shape)
    unscoreable = policy.not_scoreable_points if administrative_claims else not_scoreable_points(small_practice, policy)
    floor = 0.0 if administrative_claims and benchmark is None else floor
    meets_completeness = np.broadcast_to(completeness >= policy.data_completeness_threshold, shape)
    meets_case_minimum = np.broadcast_to((cases >= case_minimum) & np.isfinite(rate_array), shape)
    fallback = max(floor, unscoreable)
    if benchmark is None:
        earned = np.full(shape, fallback)
        reason = np.full(shape, Outcome.NEW_MEASURE_FLOOR if floor > unscoreable else Outcome.NO_BENCHMARK, dtype=object)
    else:
        raw = np.broadcast_to(decile_points(rate_array, benchmark, policy), shape)
        capped = capped_points(raw, benchmark, policy)
        lifted = np.maximum(capped, floor) if policy.new_measure_floor_lifts_benchmarked_scores else capped
        below_minimum_value = unscoreable if administrative_claims else fallback
        earned = np.where(meets_case_minimum, lifted, below_minimum_value)
        reason = np.where(
            meets_case_minimum,
            np.where(
                lifted > capped,
                Outcome.NEW_MEASURE_FLOOR,
                np.where(capped < raw, Outcome.CAPPED, Outcome.BENCHMARK),
            ),
            Outcome.NEW_MEASURE_FLOOR if floor > unscoreable and not administrative_claims else Outcome.BELOW_CASE_MINIMUM,
        ).astype(object)
    earned = np.where(meets_completeness, earned, unscoreable)
    reason = np.where(meets_completeness, reason, Outcome.BELOW_DATA_COMPLETENESS).astype(object)
    return earned, reason
