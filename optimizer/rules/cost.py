"""The cost category: measure points from cost benchmarks and the category score.

References
----------
docs/rules-2026.md §3: cost measures are scored 1–10 with the inverse branch of §2.2
(42 CFR 414.1380(a)(1)(ii)); category = Σ points / (10 × scored measures) + cost improvement,
capped at 100%; no scoreable measure ⇒ reweighted (42 CFR 414.1380(b)(2)(i)–(v)). The cost
improvement score is category-level since CY2023: max(0, (score − prior score) / prior score) × 1
percentage point, at most 1, and 0 without a prior-year cost score (42 CFR 414.1380(b)(2)(iv)); a
count of significant improvements and declines is the pre-2023 rule. Case minimums: TPCC 20, MSPB 35,
procedural episodes 10, other episodes 20 (third-party, pre-2026).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.rules.measure_points import Benchmark, decile_points
from optimizer.rules.parameters import Policy


def cost_case_minimum(measure_id: str, policy: Policy) -> int:
    """A cost measure's case minimum (TPCC 20 beneficiaries, MSPB 35 episodes, procedural episodes 10, else the default 20)."""
    return int(policy.cost_case_minimums.get(measure_id, policy.cost_default_case_minimum))


def cost_measure_points(value: npt.ArrayLike, benchmark: Benchmark, policy: Policy) -> np.ndarray:
    """Achievement points of a cost measure from its expected cost [points, 1–10].

    The cost benchmark is read like an inverse quality benchmark (lower cost is better) and is
    never capped. docs/rules-2026.md §3 and §2.2 reading 5.

    Examples
    --------
    TPCC_1 2026 (docs/rules-2026.md §2.2 reading 5): the middle of decile 7 scores 7.5.

    >>> tpcc = Benchmark((0, 1142.83, 1315.81, 1488.78, 1834.72, 2007.69, 2180.67,
    ...                   2353.64, 2440.13, 2526.61, 2613.1), is_inverse=True)
    >>> round(float(cost_measure_points(1661.75, tpcc, Policy())), 4)
    7.5
    """
    uncapped = Benchmark(benchmark.percentiles, is_inverse=True, seven_point_cap=False)
    return decile_points(value, uncapped, policy)


def cost_improvement_percent(score_percent: float, prior_score_percent: float | None, policy: Policy) -> float:
    """The cost improvement score [percentage points, 0 to ``cost_improvement_maximum``].

    Parameters
    ----------
    score_percent
        This year's cost category score before improvement [percent].
    prior_score_percent
        Last year's cost category score [percent, above 0], or None when there is none (then 0).

    Notes
    -----
    ``min(1, max(0, (score − prior) / prior) × 1 percentage point)``, at the category level:
    42 CFR 414.1380(b)(2)(iv) (from the 2024 payment year, maximum 1 point from 2025);
    docs/rules-2026.md §3.

    Examples
    --------
    62.5% now against 50% last year: (62.5 − 50) / 50 = 0.25 point; against 25%: 1.5, capped at 1.

    >>> cost_improvement_percent(62.5, 50.0, Policy()), cost_improvement_percent(62.5, 25.0, Policy())
    (0.25, 1.0)
    """
    if prior_score_percent is None:
        return 0.0
    if not prior_score_percent > 0:
        raise ValueError("the prior cost score must be above 0 percent")
    relative = max(0.0, (score_percent - prior_score_percent) / prior_score_percent)
    return min(policy.cost_improvement_maximum, relative * policy.cost_improvement_scale)


def cost_category_score(
    measure_points: Sequence[float], policy: Policy, prior_score_percent: float | None = None
) -> float | None:
    """The cost category score [percent], or None when no measure is scored (reweighted).

    Parameters
    ----------
    measure_points
        Points of the cost measures that met their case minimums.
    prior_score_percent
        Last year's cost category score [percent], for :func:`cost_improvement_percent`; None: no
        improvement score.

    Examples
    --------
    >>> cost_category_score([7.5, 5.0], Policy()), cost_category_score([7.5, 5.0], Policy(), prior_score_percent=50.0)
    (62.5, 62.75)
    """
    if len(measure_points) == 0:
        return None
    achieved = float(np.sum(measure_points)) / (policy.points_per_measure * len(measure_points)) * 100.0
    return min(100.0, achieved + cost_improvement_percent(achieved, prior_score_percent, policy))


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
