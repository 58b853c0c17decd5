"""The cost category: measure points from cost benchmarks and the category score.

References
----------
scoring-rules-2026.md §3: cost measures are scored 1–10 with the inverse branch of §2.2
(42 CFR 414.1380(a)(1)(ii)); category = Σ points / (10 × scored measures) + cost improvement
(max 1 percentage point), capped at 100%; no scoreable measure ⇒ reweighted (UNCONFIRMED formula).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.rules.measure_points import Benchmark, decile_points
from optimizer.rules.parameters import Policy


def cost_case_minimum(measure_id: str, policy: Policy) -> int:
    """A cost measure's case minimum (TPCC 20 beneficiaries, MSPB 35 episodes, else the default)."""
    return int(policy.cost_case_minimums.get(measure_id, policy.cost_default_case_minimum))


def cost_measure_points(value: npt.ArrayLike, benchmark: Benchmark, policy: Policy) -> np.ndarray:
    """Achievement points of a cost measure from its expected cost [points, 1–10].

    The cost benchmark is read like an inverse quality benchmark (lower cost is better) and is
    never capped. Rules file §3 and §2.2 point 5.

    Examples
    --------
    TPCC_1 2026 (rules file §2.2 point 5): the middle of decile 7 scores 7.5.

    >>> tpcc = Benchmark((0, 1142.83, 1315.81, 1488.78, 1834.72, 2007.69, 2180.67,
    ...                   2353.64, 2440.13, 2526.61, 2613.1), is_inverse=True)
    >>> round(float(cost_measure_points(1661.75, tpcc, Policy())), 4)
    7.5
    """
    uncapped = Benchmark(benchmark.percentiles, is_inverse=True, seven_point_cap=False)
    return decile_points(value, uncapped, policy)


def cost_category_score(
    measure_points: Sequence[float], policy: Policy, improvement_percent: float = 0.0
) -> float | None:
    """The cost category score [percent], or None when no measure is scored (reweighted).

    Parameters
    ----------
    measure_points
        Points of the cost measures that met their case minimums.
    improvement_percent
        Cost improvement score [percentage points], at most ``policy.cost_improvement_maximum``.

    Examples
    --------
    >>> cost_category_score([7.5, 5.0], Policy())
    62.5
    """
    if len(measure_points) == 0:
        return None
    if not 0 <= improvement_percent <= policy.cost_improvement_maximum:
        raise ValueError(
            f"cost improvement must be between 0 and {policy.cost_improvement_maximum} percentage points"
        )
    achieved = float(np.sum(measure_points)) / (policy.points_per_measure * len(measure_points)) * 100.0
    return min(100.0, achieved + improvement_percent)


def scored_cost_points(
    values: Mapping[str, float],
    cases: Mapping[str, int],
    benchmarks: Mapping[str, Benchmark],
    policy: Policy,
) -> dict[str, float | None]:
    """Points per cost measure, None where the measure misses its case minimum."""
    points: dict[str, float | None] = {}
    for measure_id, value in values.items():
        if cases[measure_id] < cost_case_minimum(measure_id, policy):
            points[measure_id] = None
        else:
            points[measure_id] = float(cost_measure_points(value, benchmarks[measure_id], policy))
    return points
