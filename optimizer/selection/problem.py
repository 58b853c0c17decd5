"""Turn a pathway, its candidates' forecast and the resolved options into the numbers of its integer program.

Everything the model needs comes from the rules here: eligibility (docs/rules-2026.md §12), the reporting rule
(§2.10), the quality pieces per draw (denominator, bonus, improvement), category weights,
activity credits, the final-score cap and the objective's scale (payment pieces, threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.errors import InputError
from optimizer.forecast import Forecast
from optimizer.forecast.candidates import Candidate
from optimizer.rules import (
    COST,
    IMPROVEMENT_ACTIVITIES,
    PROMOTING_INTEROPERABILITY,
    QUALITY,
    activities_required,
    activity_credit,
    category_weights,
    final_score_pieces,
    fully_participates,
    payment_adjustment_pieces,
    population_health_points,
    quality_denominator,
    quality_percent_pieces,
    small_practice_bonus,
)
from optimizer.rules.improvement_activities import IMPROVEMENT_ACTIVITIES_MAXIMUM
from optimizer.rules.parameters import Policy
from optimizer.rules.payment import ScalingFactors
from optimizer.rules.piecewise import LinearPiece, evaluate
from optimizer.scoring.facts import PracticeFacts
from optimizer.scoring.pathways import Pathway, candidate_exclusion, extra_scored_measures
from optimizer.scoring.selection_score import FixedCategories
from optimizer.selection.model import SelectionProblem
from optimizer.selection.options import SelectionOptions

PAYMENT_UNIT = 100.0
"""The payment objective is in basis points of Part B payments (percent × 100) inside the model."""

THRESHOLD_SECONDARY_WEIGHT = 1e-5
"""Under the threshold objective, the expected final score breaks ties: 1e-5 a point up to 1,000
draws, less beyond (:func:`threshold_secondary_weight`), so that 100 points never outweigh one draw."""


def threshold_secondary_weight(draws: int) -> float:
    """The expected final score's weight under the threshold objective: at most one draw's weight
    (1 / draws) for the whole 0–100 range, so reaching 75 in one more draw always wins."""
    return THRESHOLD_SECONDARY_WEIGHT * min(1.0, 1000.0 / max(1, draws))


@dataclass(frozen=True)
class PathwayCandidates:
    """A pathway's candidates: the ones it may report, the pool the reporting rule reads, and why others are out."""

    eligible: tuple[Candidate, ...]
    pool: tuple[Candidate, ...]
    excluded: tuple[tuple[Candidate, str], ...]
    extra: tuple[Candidate, ...]


def pathway_candidates(
    candidates: Sequence[Candidate],
    pathway: Pathway,
    catalog: object,
    *,
    practice: PracticeFacts,
    policy: Policy,
    options: SelectionOptions,
) -> PathwayCandidates:
    """Split the candidates for a pathway: CMS eligibility first (the pool), then the user's limits."""
    pool, excluded = [], []
    for candidate in candidates:
        reason = candidate_exclusion(candidate, pathway, catalog, practice)
        if reason is None:
            pool.append(candidate)
        elif candidate.collection_type != "admin_claims" or candidate.measure_id in pathway.admin_claims_measure_ids:
            excluded.append((candidate, reason))
    eligible = []
    for candidate in pool:
        if _matches(candidate, options.exclude):
            excluded.append((candidate, "excluded in [optimize] exclude"))
        elif options.collection_types is not None and candidate.collection_type not in options.collection_types:
            excluded.append((candidate, f"{candidate.collection_type} is not in [optimize] collection_types"))
        else:
            eligible.append(candidate)
    extra = extra_scored_measures(candidates, pathway, practice, policy)
    return PathwayCandidates(tuple(eligible), tuple(pool), tuple(excluded), tuple(extra))


def _matches(candidate: Candidate, pairs: Sequence[tuple[str, str | None]]) -> bool:
    return any(candidate.measure_id == measure_id and collection_type in (None, candidate.collection_type) for measure_id, collection_type in pairs)


def reporting_rule(pool: Sequence[Candidate]) -> str:
    """§2.10 reporting rule: ``outcome`` if the pool holds an outcome measure, else ``high_priority``
    if it holds one, else ``none``."""
    if any(candidate.is_outcome for candidate in pool):
        return "outcome"
    if any(candidate.is_high_priority for candidate in pool):
        return "high_priority"
    return "none"


def extra_points(forecast: Forecast, extra: Sequence[Candidate], pathway: Pathway) -> np.ndarray:
    """Per draw and extra measure, its points where scored and NaN where not (draws × extras)."""
    if not extra:
        return np.full((forecast.draw_count, 0), np.nan)
    columns = [forecast.column(candidate.key) for candidate in extra]
    return np.where(forecast.scored[:, columns], forecast.points[:, columns], np.nan)


def combined_extra(extra: np.ndarray, pathway: Pathway) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: the extra measures' points that enter the numerator, and how many are scored (§2.9, §6)."""
    if pathway.is_mvp:
        best = population_health_points(extra)
        return np.nan_to_num(best, nan=0.0), np.isfinite(best).astype(int)
    return np.nansum(extra, axis=1) if extra.shape[1] else np.zeros(extra.shape[0]), np.isfinite(extra).sum(axis=1)


def available_activities(available: Sequence[str], pathway: Pathway, catalog: object) -> tuple[str, ...]:
    """Activities the plan may attest in the pathway: the ``available`` ones the pathway allows."""
    traditional = catalog.traditional_activity_ids()  # type: ignore[attr-defined]
    allowed = []
    for activity_id in available:
        if pathway.activity_ids is not None:
            if activity_id in pathway.activity_ids:
                allowed.append(activity_id)
        elif activity_id in traditional:
            allowed.append(activity_id)
    return tuple(allowed)


def objective_pieces(options: SelectionOptions, scaling: ScalingFactors, policy: Policy) -> tuple[tuple[LinearPiece, ...], float]:
    """The value of a final score in the objective's unit, and the weight of the expected score as a tie-break."""
    objective = options.objective
    if objective == "expected_payment":
        pieces = payment_adjustment_pieces(scaling.default, policy)
        scaled = tuple(
            LinearPiece(p.lower, p.upper, p.lower_included, p.upper_included, p.slope * PAYMENT_UNIT, p.intercept * PAYMENT_UNIT)
            for p in pieces
        )
        return scaled, 0.0
    top = policy.final_score_maximum
    if objective == "expected_score":
        return (LinearPiece(0.0, top, True, True, 1.0, 0.0),), 0.0
    threshold = policy.performance_threshold
    return (
        LinearPiece(0.0, threshold, True, False, 0.0, 0.0),
        LinearPiece(threshold, top, True, True, 0.0, 1.0),
    ), threshold_secondary_weight(options.draws)


def objective_values(final_scores: np.ndarray, options: SelectionOptions, scaling: ScalingFactors, policy: Policy) -> np.ndarray:
    """Per draw, the objective's value of re-scored final scores (the model's objective, from the rules)."""
    pieces, secondary = objective_pieces(options, scaling, policy)
    return evaluate(pieces, final_scores) + secondary * final_scores


ALL_REQUIRED = "all required measures"
FULL_PARTICIPATION = "full participation"
SHORT_OF_DATA_COMPLETENESS = "a measure short of data completeness"
FEWER_THAN_REQUIRED = "fewer than the required measures"


@dataclass(frozen=True)
class ProblemPart:
    """One part of a pathway's integer program: selections scored one way (with or without the
    improvement score), over some of the eligible candidates.

    ``columns`` gives, for each of the problem's candidates, its position in
    :attr:`PathwayCandidates.eligible`.
    """

    kind: str
    problem: SelectionProblem
    columns: tuple[int, ...]

    def eligible_positions(self, selection: Sequence[int]) -> tuple[int, ...]:
        """A selection of the part's candidates as positions in ``eligible``."""
        return tuple(self.columns[j] for j in selection)


def no_candidate_reason(split: PathwayCandidates, options: SelectionOptions) -> str:
    """Why a pathway has no candidate measure left: CMS's eligibility, or which ``[optimize]`` filter."""
    if not split.pool:
        return "no candidate measure: none of the baseline's measures can be reported in this pathway"
    if all(_matches(candidate, options.exclude) for candidate in split.pool):
        return "no candidate measure after [optimize] exclude"
    kinds = ", ".join(options.collection_types or ())
    return f"no candidate measure after the collection-type filter ([optimize] collection_types = {kinds})"


def selection_parts(
    pathway: Pathway,
    split: PathwayCandidates,
    forecast: Forecast,
    fixed: FixedCategories,
    catalog: object,
    *,
    practice: PracticeFacts,
    policy: Policy,
    scaling: ScalingFactors,
    options: SelectionOptions,
) -> tuple[ProblemPart, ...]:
    """A pathway's integer program as parts whose feasible selections, together, are every selection
    the pathway allows, each part valued exactly as the rules score its selections.

    With a prior-year achievement score the improvement score needs full participation (every
    required measure, an outcome or high-priority one among them, each meeting data completeness:
    :func:`optimizer.rules.quality_category.fully_participates`): one part holds the selections of
    complete-data candidates only (improvement scored), another those with at least one candidate
    short of data completeness (no improvement). Under an effort budget a third part reports 1 to
    required − 1 measures (the missing ones score 0, no improvement). Otherwise one part. Whether a
    part's selections earn the improvement score is the rules' answer for the part's smallest
    selection; the parts are split where that answer turns on data completeness.

    Raises
    ------
    InputError
        When no candidate is left (:func:`no_candidate_reason`) or no part can be built (a required
        measure cannot be reported in the pathway).
    """
    eligible = split.eligible
    if not eligible:
        raise InputError(no_candidate_reason(split, options))
    required = pathway.required_measures
    hedge = max(0, options.max_quality_measures - policy.traditional_required_measures)
    user_maximum = options.max_quality_measures if not pathway.is_mvp else required + hedge

    def sizes(columns: Sequence[int]) -> tuple[int, int]:
        maximum = min(user_maximum, len({eligible[j].measure_id for j in columns}))
        return min(required, maximum), maximum

    everything = tuple(range(len(eligible)))
    minimum, maximum = sizes(everything)
    prior = practice.prior_year_achievement_percent
    priority = reporting_rule(split.pool) != "none"  # every selection then holds an outcome / high-priority measure

    def improvement(measures: int, complete: bool) -> float | None:
        """The prior score where the rules give every selection of a part the improvement score."""
        return prior if fully_participates(measures, required, priority, complete, policy) else None

    specifications: list[tuple[str, tuple[int, ...], int, int, float | None, tuple[int, ...]]] = []
    if prior is not None and improvement(minimum, True) != improvement(minimum, False):
        # data completeness decides: selections of complete-data candidates only, and the others
        complete = tuple(j for j in everything if eligible[j].meets_data_completeness(policy))
        short = tuple(j for j in everything if j not in complete)
        if complete and sizes(complete)[1] >= required:
            specifications.append((FULL_PARTICIPATION, complete, *sizes(complete), improvement(required, True), ()))
        if short:
            specifications.append((SHORT_OF_DATA_COMPLETENESS, everything, minimum, maximum, improvement(minimum, False), short))
    else:
        specifications.append((ALL_REQUIRED, everything, minimum, maximum, improvement(minimum, True), ()))
    if options.effort_budget_hours is not None and minimum >= 2:
        # a budget may not fit every required measure: CMS scores the missing ones 0
        fewer = min(required - 1, len({candidate.measure_id for candidate in eligible}))
        specifications.append((FEWER_THAN_REQUIRED, everything, 1, fewer, improvement(fewer, True), ()))
    parts, errors = [], []
    for kind, columns, low, high, part_prior, must_include in specifications:
        try:
            problem = _selection_problem(
                pathway, split, forecast, fixed, catalog, columns, low, high, part_prior, must_include,
                practice=practice, policy=policy, scaling=scaling, options=options,
            )
        except InputError as error:
            errors.append(error)
            continue
        parts.append(ProblemPart(kind, problem, columns))
    if not parts:
        raise errors[0]
    return tuple(parts)


def _selection_problem(
    pathway: Pathway,
    split: PathwayCandidates,
    forecast: Forecast,
    fixed: FixedCategories,
    catalog: object,
    columns: Sequence[int],
    minimum: int,
    maximum: int,
    prior: float | None,
    must_include: Sequence[int],
    *,
    practice: PracticeFacts,
    policy: Policy,
    scaling: ScalingFactors,
    options: SelectionOptions,
) -> SelectionProblem:
    """The integer program's numbers for the eligible candidates at ``columns``, reporting
    ``minimum`` to ``maximum`` measures (at least one of ``must_include``), scored with ``prior``
    as the prior-year achievement (None: no improvement score)."""
    eligible = [split.eligible[j] for j in columns]
    forecast_columns = [forecast.column(candidate.key) for candidate in eligible]
    points = forecast.points[:, forecast_columns]
    extra, scored = combined_extra(extra_points(forecast, split.extra, pathway), pathway)
    required_groups = []
    for measure_id, collection_type in options.require:
        group = tuple(
            j for j, c in enumerate(eligible) if c.measure_id == measure_id and collection_type in (None, c.collection_type)
        )
        if not group:
            label = measure_id if collection_type is None else f"{measure_id} ({collection_type})"
            raise InputError(f"{label} cannot be reported in {pathway.title}", field="optimize.require")
        required_groups.append(group)
    if must_include:
        required_groups.append(tuple(list(columns).index(j) for j in must_include))
    if minimum < 1:
        raise ValueError("every selection reports at least one measure")
    small = practice.small_practice
    # every selection reports at least ``minimum`` ≥ 1 measures, so the rules' bonus condition holds for all
    bonus = small_practice_bonus(small, minimum, policy)
    counts = sorted({int(count) for count in scored})
    quality_pieces = tuple(
        quality_percent_pieces(float(quality_denominator(pathway.required_measures, count, policy)), bonus, prior, policy)
        for count in counts
    )
    quality_group = np.searchsorted(np.array(counts), scored.astype(int))
    activities = available_activities(options.available_activities, pathway, catalog)
    required_activities = activities_required(special_status=practice.special_status, mvp=pathway.is_mvp, policy=policy)
    credits = np.array([activity_credit(activity, required_activities, policy) for activity in activities])
    reweighted = {category for category, value in ((COST, fixed.cost_percent), (PROMOTING_INTEROPERABILITY, fixed.interoperability_percent)) if value is None}
    weights = category_weights(reweighted, small_practice=small, policy=policy)
    if weights is None:
        quality_weight = activities_weight = 0.0
        constant = policy.performance_threshold
    else:
        quality_weight = weights[QUALITY] / 100.0
        activities_weight = weights[IMPROVEMENT_ACTIVITIES] / 100.0
        constant = practice.complex_patient_bonus + sum(
            weights[category] / 100.0 * value
            for category, value in ((COST, fixed.cost_percent), (PROMOTING_INTEROPERABILITY, fixed.interoperability_percent))
            if value is not None
        )
    value_pieces, secondary = objective_pieces(options, scaling, policy)
    # The tie-breaks must stay far below one point of expected final score in the objective's unit;
    # under the threshold objective that point is worth only ``secondary``, so they shrink with it.
    tie_scale = secondary if secondary else 1.0
    return SelectionProblem(
        candidate_labels=tuple(candidate.label for candidate in eligible),
        measure_ids=tuple(candidate.measure_id for candidate in eligible),
        points=np.ascontiguousarray(points, dtype=float),
        extra_points=extra,
        is_priority=np.array([candidate.is_priority for candidate in eligible], dtype=bool),
        is_outcome=np.array([candidate.is_outcome for candidate in eligible], dtype=bool),
        is_high_priority=np.array([candidate.is_high_priority for candidate in eligible], dtype=bool),
        effort_hours=np.array([candidate.effort_hours for candidate in eligible], dtype=float),
        required_measures=pathway.required_measures,
        minimum_measures=minimum,
        maximum_measures=maximum,
        reporting_rule=reporting_rule(split.pool),
        required_groups=tuple(required_groups),
        effort_budget_hours=options.effort_budget_hours,
        activity_ids=activities,
        activity_credits=credits,
        activities_maximum=IMPROVEMENT_ACTIVITIES_MAXIMUM,
        quality_pieces=quality_pieces,
        quality_group=quality_group,
        quality_weight=quality_weight,
        activities_weight=activities_weight,
        constant=constant,
        final_pieces=final_score_pieces(policy),
        objective_pieces=value_pieces,
        secondary_weight=secondary,
        tie_break_measure=SelectionProblem.tie_break_measure * tie_scale,
        tie_break_effort=SelectionProblem.tie_break_effort * tie_scale,
        tie_break_activity=SelectionProblem.tie_break_activity * tie_scale,
    )
