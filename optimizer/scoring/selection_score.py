"""Score a selection exactly as CMS would: measures, categories, final score, payment.

:func:`score_selection` is the one place a selection of quality measures and activities becomes
a final score and a payment adjustment; ``score`` calls it once on observed rates
(:mod:`optimizer.planning.score`), the optimizer calls it on every forecast draw to re-score its
plans, and the brute-force checks call it on every feasible selection. It takes the practice's
facts, the policy and the scaling factors a scenario resolves into, never the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.forecast.candidates import Candidate, benchmark_from_row
from optimizer.rules import (
    COST,
    IMPROVEMENT_ACTIVITIES,
    PROMOTING_INTEROPERABILITY,
    QUALITY,
    FinalScore,
    InteroperabilityScore,
    Outcome,
    QualityScore,
    activity_credit,
    activities_required,
    cost_case_minimum,
    cost_category_score,
    cost_measure_points,
    final_score,
    payment_adjustment_dollars,
    payment_adjustment_percent,
    population_health_points,
    promoting_interoperability_score,
    quality_category_score,
)
from optimizer.rules.improvement_activities import IMPROVEMENT_ACTIVITIES_MAXIMUM
from optimizer.rules.parameters import Policy
from optimizer.rules.payment import ScalingFactors
from optimizer.scoring.facts import CostSettings, InteroperabilitySettings, PracticeFacts
from optimizer.scoring.pathways import Pathway

SCALING_CASES: tuple[str, ...] = ("low", "default", "high")


@dataclass(frozen=True)
class FixedCategories:
    """The categories a pathway's quality selection does not change: cost and PI [percent or None]."""

    cost_percent: float | None
    cost_points: Mapping[str, float | None]
    interoperability_percent: float | None
    interoperability: InteroperabilityScore | None


def fixed_categories(
    cost: CostSettings, interoperability: InteroperabilitySettings, pathway: Pathway, *, cehrt: bool, policy: Policy, catalog: object
) -> FixedCategories:
    """Cost (only the MVP's cost measures in an MVP) and PI, from the settings the scenario gives."""
    cost_points: dict[str, float | None] = {}
    if cost.reweighted:
        cost_percent = None
    elif cost.score is not None:
        cost_percent = cost.score
    else:
        for measure in cost.measures:
            if pathway.cost_measure_ids is not None and measure.measure_id not in pathway.cost_measure_ids:
                continue
            if measure.cases < cost_case_minimum(measure.measure_id, policy):
                cost_points[measure.measure_id] = None
                continue
            benchmark = benchmark_from_row(catalog.benchmark(measure.measure_id, ADMIN_CLAIMS))  # type: ignore[attr-defined]
            cost_points[measure.measure_id] = float(cost_measure_points(measure.expected_value, benchmark, policy))
        scored = [points for points in cost_points.values() if points is not None]
        cost_percent = cost_category_score(scored, policy, cost.prior_score)
    pi_score = None
    if interoperability.reweighted:
        pi_percent = None
    elif interoperability.score is not None:
        pi_percent = interoperability.score
    else:
        pi_score = promoting_interoperability_score(interoperability.measures, cehrt=cehrt, policy=policy)
        pi_percent = pi_score.percent
    return FixedCategories(cost_percent, cost_points, pi_percent, pi_score)


def counted_activities(activity_ids: Iterable[str], pathway: Pathway) -> list[str]:
    """The attested activities that count in the pathway (an MVP counts only its own list)."""
    return [a for a in dict.fromkeys(activity_ids) if pathway.activity_ids is None or a in pathway.activity_ids]


def activities_percent(activity_ids: Iterable[str], pathway: Pathway, *, special_status: bool, policy: Policy) -> float:
    """The improvement activities score [percent] of attested activities in a pathway."""
    required = activities_required(special_status=special_status, mvp=pathway.is_mvp, policy=policy)
    credit = sum(activity_credit(activity_id, required, policy) for activity_id in counted_activities(activity_ids, pathway))
    return min(IMPROVEMENT_ACTIVITIES_MAXIMUM, credit)


@dataclass(frozen=True)
class SelectionScore:
    """A selection's scores, element-wise over draws when given arrays."""

    quality: QualityScore
    activities_percent: float
    final: FinalScore
    payment_percent: Mapping[str, np.ndarray]
    payment_dollars: Mapping[str, np.ndarray]


def score_selection(
    points: npt.ArrayLike,
    is_priority: Sequence[bool],
    extra_points: npt.ArrayLike | None,
    activity_percent: float,
    fixed: FixedCategories,
    pathway: Pathway,
    *,
    practice: PracticeFacts,
    policy: Policy,
    scaling: ScalingFactors,
    measure_ids: Sequence[str] | None = None,
    meets_data_completeness: Sequence[bool] | None = None,
) -> SelectionScore:
    """Final score and payment of reported measures' points (last axis = measures; leading axes = draws).

    ``extra_points`` holds the scored extra measures (479 in traditional MIPS; an MVP's
    population-health measures, of which the best scoreable one counts), NaN where not scored.
    ``measure_ids`` (a measure submitted through two collection types counts once, its better
    submission) and ``meets_data_completeness`` (full participation for the improvement score) are
    per reported measure, as :func:`optimizer.rules.quality_category_score` takes them.
    """
    extra = None
    if extra_points is not None:
        extra = np.asarray(extra_points, dtype=float)
        if pathway.is_mvp:
            extra = population_health_points(extra)
    quality = quality_category_score(
        points,
        np.asarray(is_priority, dtype=bool),
        required=pathway.required_measures,
        small_practice=practice.small_practice,
        policy=policy,
        additional_points=extra,
        prior_achievement_percent=practice.prior_year_achievement_percent,
        measure_ids=measure_ids,
        meets_data_completeness=meets_data_completeness,
    )
    final = final_score(
        {
            QUALITY: quality.percent,
            COST: fixed.cost_percent,
            IMPROVEMENT_ACTIVITIES: activity_percent,
            PROMOTING_INTEROPERABILITY: fixed.interoperability_percent,
        },
        small_practice=practice.small_practice,
        complex_patient_bonus=practice.complex_patient_bonus,
        policy=policy,
    )
    factors = scaling.as_dict()
    percents = {case: payment_adjustment_percent(final.score, factors[case], policy) for case in SCALING_CASES}
    dollars = {
        case: payment_adjustment_dollars(percents[case], practice.medicare_part_b_allowed) for case in SCALING_CASES
    }
    return SelectionScore(quality, activity_percent, final, percents, dollars)


def score_reported(
    points: npt.ArrayLike,
    reported: Sequence[Candidate],
    extra_points: npt.ArrayLike | None,
    activities: Iterable[str],
    fixed: FixedCategories,
    pathway: Pathway,
    *,
    practice: PracticeFacts,
    policy: Policy,
    scaling: ScalingFactors,
) -> SelectionScore:
    """:func:`score_selection` of reported candidates and attested activities: each candidate's
    priority, id and data completeness, and the activities' percent, read from them."""
    return score_selection(
        points,
        [candidate.is_priority for candidate in reported],
        extra_points,
        activities_percent(activities, pathway, special_status=practice.special_status, policy=policy),
        fixed,
        pathway,
        practice=practice,
        policy=policy,
        scaling=scaling,
        measure_ids=[candidate.measure_id for candidate in reported],
        meets_data_completeness=[candidate.meets_data_completeness(policy) for candidate in reported],
    )


def observed_points(candidate: Candidate, *, small_practice: bool, policy: Policy) -> tuple[float, str]:
    """A candidate's points and outcome from its baseline (observed) counts."""
    if candidate.is_cahps:
        scores = [float(row["performance_rate"]) for _, _, row in candidate.components]
        points = float(candidate.cahps_points(scores, small_practice=small_practice, policy=policy))
        return points, str(Outcome.BENCHMARK)
    row = candidate.baseline
    points, outcome = candidate.points(
        row["performance_rate"], row["case_count"], row["data_completeness"], small_practice=small_practice, policy=policy
    )
    return float(points), str(outcome[()] if hasattr(outcome, "shape") else outcome)
