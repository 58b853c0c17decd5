"""Score a practice's submission exactly as CMS would: measures, categories, final score, payment.

:func:`score_selection` is the one place a selection of quality measures and activities becomes
a final score and a payment adjustment; ``score`` calls it once on observed rates, the optimizer
calls it on every forecast draw to re-score its plans, and the brute-force checks call it on every
feasible selection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from optimizer.forecast.candidates import Candidate, build_candidates, benchmark_from_row
from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.errors import InputError
from optimizer.scoring.pathways import Pathway, candidate_exclusion, extra_scored_measures, read_pathway
from optimizer.rules.improvement_activities import IMPROVEMENT_ACTIVITIES_MAXIMUM
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
    scored_submissions,
)
from optimizer.inputs.scenario import Scenario

SCALING_CASES: tuple[str, ...] = ("low", "default", "high")


@dataclass(frozen=True)
class FixedCategories:
    """The categories a pathway's quality selection does not change: cost and PI [percent or None]."""

    cost_percent: float | None
    cost_points: Mapping[str, float | None]
    interoperability_percent: float | None
    interoperability: InteroperabilityScore | None


def fixed_categories(scenario: Scenario, catalog: object, pathway: Pathway) -> FixedCategories:
    """Cost (only the MVP's cost measures in an MVP) and PI, from the scenario's settings."""
    policy = scenario.policy
    cost = scenario.cost
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
    interoperability = scenario.promoting_interoperability
    pi_score = None
    if interoperability.reweighted:
        pi_percent = None
    elif interoperability.score is not None:
        pi_percent = interoperability.score
    else:
        pi_score = promoting_interoperability_score(interoperability.measures, cehrt=scenario.practice.cehrt, policy=policy)
        pi_percent = pi_score.percent
    return FixedCategories(cost_percent, cost_points, pi_percent, pi_score)


def counted_activities(activity_ids: Iterable[str], pathway: Pathway) -> list[str]:
    """The attested activities that count in the pathway (an MVP counts only its own list)."""
    return [a for a in dict.fromkeys(activity_ids) if pathway.activity_ids is None or a in pathway.activity_ids]


def activities_percent(activity_ids: Iterable[str], scenario: Scenario, pathway: Pathway) -> float:
    """The improvement activities score [percent] of attested activities in a pathway."""
    policy = scenario.policy
    required = activities_required(
        special_status=scenario.practice.has_special_status(policy), mvp=pathway.is_mvp, policy=policy
    )
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
    scenario: Scenario,
    pathway: Pathway,
    *,
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
    policy = scenario.policy
    extra = None
    if extra_points is not None:
        extra = np.asarray(extra_points, dtype=float)
        if pathway.is_mvp:
            extra = population_health_points(extra)
    quality = quality_category_score(
        points,
        np.asarray(is_priority, dtype=bool),
        required=pathway.required_measures,
        small_practice=scenario.small_practice,
        policy=policy,
        additional_points=extra,
        prior_achievement_percent=scenario.prior_year_achievement_percent,
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
        small_practice=scenario.small_practice,
        complex_patient_bonus=scenario.practice.complex_patient_bonus,
        policy=policy,
    )
    factors = scenario.scaling.as_dict()
    percents = {case: payment_adjustment_percent(final.score, factors[case], policy) for case in SCALING_CASES}
    dollars = {
        case: payment_adjustment_dollars(percents[case], scenario.practice.medicare_part_b_allowed) for case in SCALING_CASES
    }
    return SelectionScore(quality, activity_percent, final, percents, dollars)


def observed_points(candidate: Candidate, scenario: Scenario) -> tuple[float, str]:
    """A candidate's points and outcome from its baseline (observed) counts."""
    policy = scenario.policy
    if candidate.is_cahps:
        scores = [float(row["performance_rate"]) for _, _, row in candidate.components]
        points = float(candidate.cahps_points(scores, small_practice=scenario.small_practice, policy=policy))
        return points, str(Outcome.BENCHMARK)
    row = candidate.baseline
    points, outcome = candidate.points(
        row["performance_rate"], row["case_count"], row["data_completeness"], small_practice=scenario.small_practice, policy=policy
    )
    return float(points), str(outcome[()] if hasattr(outcome, "shape") else outcome)


@dataclass(frozen=True)
class MeasureScore:
    """One reported (or CMS-calculated) measure in a score report."""

    measure_id: str
    collection_type: str
    title: str
    performance_rate: float
    case_count: int
    data_completeness: float
    decile: int | None
    points: float
    outcome: str
    counted: bool
    note: str
    is_priority: bool


@dataclass(frozen=True)
class ScoreResult:
    """Everything ``score`` reports for a scenario."""

    scenario: Scenario
    pathway: Pathway
    measures: tuple[MeasureScore, ...]
    extra_measures: tuple[MeasureScore, ...]
    selection: SelectionScore
    fixed: FixedCategories
    activities: tuple[str, ...]
    activities_required: int
    notes: tuple[str, ...] = field(default_factory=tuple)


def explain(candidate: Candidate, points: float, outcome: str, scenario: Scenario) -> str:
    """Plain-language reason for a measure's points (capped, floor, not scoreable and why)."""
    policy = scenario.policy
    row = candidate.baseline
    small = scenario.small_practice
    unscoreable = "3 points (small practice)" if small else "0 points"
    if outcome == Outcome.BELOW_DATA_COMPLETENESS:
        return (
            f"data completeness {row['data_completeness']:.1f}% is below {policy.data_completeness_threshold:.0f}%: {unscoreable}"
        )
    if outcome == Outcome.BELOW_CASE_MINIMUM:
        return f"{int(row['case_count'])} cases, below the case minimum of {candidate.case_minimum}: {unscoreable}"
    if outcome == Outcome.NO_BENCHMARK:
        return f"{candidate.benchmark_note}: {unscoreable}"
    if outcome == Outcome.NEW_MEASURE_FLOOR:
        year = "first" if candidate.floor == policy.new_measure_first_year_floor else "second"
        return f"new measure in its {year} year: floor of {candidate.floor:g} points"
    if outcome == Outcome.CAPPED:
        return f"benchmark topped out by program: capped at {policy.seven_point_cap:g} points"
    if candidate.is_cahps:
        return "mean of the CAHPS summary survey measures' points"
    return ""


def score_scenario(scenario: Scenario, catalog: object) -> ScoreResult:
    """Score what the scenario reports (``[quality] reported``, ``[improvement_activities] attested``).

    Rates are the baseline table's as they are (``expected_change`` is for planning, not scoring).
    """
    policy = scenario.policy
    file = str(scenario.file)
    if scenario.reported is None:
        raise InputError("score needs the measures the practice reports", file=file, field="quality.reported")
    pathway = read_pathway(catalog, scenario.pathway, policy)
    candidates = {candidate.key: candidate for candidate in build_candidates(catalog, scenario.baseline, policy)}
    reported = []
    for key in scenario.reported:
        candidate = candidates.get(key)
        if candidate is None:
            raise InputError(f"{key[0]} ({key[1]}) has no baseline row", file=file, field="quality.reported")
        reason = candidate_exclusion(candidate, pathway, catalog, scenario.practice, policy)
        if reason:
            raise InputError(f"{candidate.label} cannot be reported in {pathway.title}: {reason}", file=file, field="quality.reported")
        reported.append(candidate)
    observed = [observed_points(candidate, scenario) for candidate in reported]
    extra = extra_scored_measures(candidates.values(), pathway, scenario.practice, policy)
    extra_observed = [observed_points(candidate, scenario) for candidate in extra]
    extra_points = np.array(
        [points if outcome not in (Outcome.BELOW_CASE_MINIMUM, Outcome.NO_BENCHMARK, Outcome.BELOW_DATA_COMPLETENESS) else np.nan
         for points, outcome in extra_observed]
    )
    fixed = fixed_categories(scenario, catalog, pathway)
    activities = tuple(counted_activities(scenario.improvement_activities.attested, pathway))
    notes = [
        f"{activity} is not in MVP {pathway.pathway_id}'s activity list and does not count"
        for activity in scenario.improvement_activities.attested
        if activity not in activities
    ]
    selection = score_selection(
        np.array([points for points, _ in observed]),
        [candidate.is_priority for candidate in reported],
        extra_points if extra else None,
        activities_percent(activities, scenario, pathway),
        fixed,
        scenario,
        pathway,
        measure_ids=[candidate.measure_id for candidate in reported],
        meets_data_completeness=[candidate.meets_data_completeness(policy) for candidate in reported],
    )
    counted = np.asarray(selection.quality.counted)
    scored = scored_submissions([points for points, _ in observed], [candidate.measure_id for candidate in reported])
    measures = tuple(
        _measure_score(candidate, points, outcome, bool(counted[position]), scenario)
        if scored[position]
        else replace(
            _measure_score(candidate, points, outcome, False, scenario),
            note=_second_submission_note(candidate, reported, scored),
        )
        for position, (candidate, (points, outcome)) in enumerate(zip(reported, observed, strict=True))
    )
    best_extra = np.nanargmax(extra_points) if extra and np.isfinite(extra_points).any() else None
    extra_scores = tuple(
        _measure_score(
            candidate,
            points,
            outcome,
            bool(np.isfinite(extra_points[position]) and (not pathway.is_mvp or position == best_extra)),
            scenario,
        )
        for position, (candidate, (points, outcome)) in enumerate(zip(extra, extra_observed, strict=True))
    )
    required = activities_required(
        special_status=scenario.practice.has_special_status(policy), mvp=pathway.is_mvp, policy=policy
    )
    return ScoreResult(scenario, pathway, measures, extra_scores, selection, fixed, activities, required, tuple(notes))


def _second_submission_note(candidate: Candidate, reported: Sequence[Candidate], scored: np.ndarray) -> str:
    """Why a measure's other submission does not count: CMS scores only its best one."""
    better = next(other for other, kept in zip(reported, scored, strict=True) if kept and other.measure_id == candidate.measure_id)
    return (
        f"not counted: {candidate.measure_id} is also submitted as {better.collection_type} with more points, "
        "and CMS scores a measure only on its best submission (42 CFR 414.1380(b)(1)(i))"
    )


def _measure_score(candidate: Candidate, points: float, outcome: str, counted: bool, scenario: Scenario) -> MeasureScore:
    row = candidate.baseline
    rate = float(row["performance_rate"])
    return MeasureScore(
        measure_id=candidate.measure_id,
        collection_type=candidate.collection_type,
        title=candidate.title,
        performance_rate=rate,
        case_count=int(row["case_count"]),
        data_completeness=float(row["data_completeness"]),
        decile=None if candidate.is_cahps else candidate.decile(rate),
        points=points,
        outcome=outcome,
        counted=counted,
        note=explain(candidate, points, outcome, scenario),
        is_priority=candidate.is_priority,
    )
