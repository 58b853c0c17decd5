"""Score what a scenario reports, as CMS would: each measure, the categories, the final score, the payment.

``score_scenario`` resolves the scenario once (:func:`optimizer.planning.resolve.resolve`) and scores
``[quality] reported`` and ``[improvement_activities] attested`` on the baseline's observed rates
through :func:`optimizer.scoring.selection_score.score_selection`, the path every plan is re-scored
by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.errors import InputError
from optimizer.forecast.candidates import Candidate, build_candidates
from optimizer.inputs.scenario import Scenario
from optimizer.planning.resolve import resolve
from optimizer.rules import Outcome, activities_required, scored_submissions
from optimizer.rules.parameters import Policy
from optimizer.scoring.pathways import Pathway, candidate_exclusion, extra_scored_measures, read_pathway
from optimizer.scoring.selection_score import (
    FixedCategories,
    SelectionScore,
    counted_activities,
    fixed_categories,
    observed_points,
    score_reported,
)


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


def explain(candidate: Candidate, points: float, outcome: str, *, small_practice: bool, policy: Policy) -> str:
    """Plain-language reason for a measure's points (capped, floor, not scoreable and why)."""
    row = candidate.baseline
    unscoreable = "3 points (small practice)" if small_practice else "0 points"
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
    file = str(scenario.file)
    if scenario.reported is None:
        raise InputError("score needs the measures the practice reports", file=file, field="quality.reported")
    resolved = resolve(scenario)
    practice, policy = resolved.practice, resolved.policy
    small = practice.small_practice
    pathway = read_pathway(catalog, scenario.pathway, policy)
    candidates = {candidate.key: candidate for candidate in build_candidates(catalog, resolved.baseline, policy)}
    reported = []
    for key in scenario.reported:
        candidate = candidates.get(key)
        if candidate is None:
            raise InputError(f"{key[0]} ({key[1]}) has no baseline row", file=file, field="quality.reported")
        reason = candidate_exclusion(candidate, pathway, catalog, practice)
        if reason:
            raise InputError(f"{candidate.label} cannot be reported in {pathway.title}: {reason}", file=file, field="quality.reported")
        reported.append(candidate)
    observed = [observed_points(candidate, small_practice=small, policy=policy) for candidate in reported]
    extra = extra_scored_measures(candidates.values(), pathway, practice, policy)
    extra_observed = [observed_points(candidate, small_practice=small, policy=policy) for candidate in extra]
    extra_points = np.array(
        [points if outcome not in (Outcome.BELOW_CASE_MINIMUM, Outcome.NO_BENCHMARK, Outcome.BELOW_DATA_COMPLETENESS) else np.nan
         for points, outcome in extra_observed]
    )
    fixed = fixed_categories(resolved.cost, resolved.interoperability, pathway, cehrt=practice.cehrt, policy=policy, catalog=catalog)
    activities = tuple(counted_activities(scenario.improvement_activities.attested, pathway))
    notes = [
        f"{activity} is not in MVP {pathway.pathway_id}'s activity list and does not count"
        for activity in scenario.improvement_activities.attested
        if activity not in activities
    ]
    selection = score_reported(
        np.array([points for points, _ in observed]), reported, extra_points if extra else None, activities, fixed, pathway,
        practice=practice, policy=policy, scaling=resolved.scaling,
    )
    counted = np.asarray(selection.quality.counted)
    scored = scored_submissions([points for points, _ in observed], [candidate.measure_id for candidate in reported])

    def measure_score(candidate: Candidate, points: float, outcome: str, counted: bool) -> MeasureScore:
        return _measure_score(candidate, points, outcome, counted, explain(candidate, points, outcome, small_practice=small, policy=policy))

    measures = tuple(
        measure_score(candidate, points, outcome, bool(counted[position]))
        if scored[position]
        else replace(
            measure_score(candidate, points, outcome, False),
            note=_second_submission_note(candidate, reported, scored),
        )
        for position, (candidate, (points, outcome)) in enumerate(zip(reported, observed, strict=True))
    )
    best_extra = np.nanargmax(extra_points) if extra and np.isfinite(extra_points).any() else None
    extra_scores = tuple(
        measure_score(
            candidate,
            points,
            outcome,
            bool(np.isfinite(extra_points[position]) and (not pathway.is_mvp or position == best_extra)),
        )
        for position, (candidate, (points, outcome)) in enumerate(zip(extra, extra_observed, strict=True))
    )
    required = activities_required(special_status=practice.special_status, mvp=pathway.is_mvp, policy=policy)
    return ScoreResult(scenario, pathway, measures, extra_scores, selection, fixed, activities, required, tuple(notes))


def _second_submission_note(candidate: Candidate, reported: Sequence[Candidate], scored: np.ndarray) -> str:
    """Why a measure's other submission does not count: CMS scores only its best one."""
    better = next(other for other, kept in zip(reported, scored, strict=True) if kept and other.measure_id == candidate.measure_id)
    return (
        f"not counted: {candidate.measure_id} is also submitted as {better.collection_type} with more points, "
        "and CMS scores a measure only on its best submission (42 CFR 414.1380(b)(1)(i))"
    )


def _measure_score(candidate: Candidate, points: float, outcome: str, counted: bool, note: str) -> MeasureScore:
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
        note=note,
        is_priority=candidate.is_priority,
    )
