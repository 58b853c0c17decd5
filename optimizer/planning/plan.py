"""Plan a performance year: forecast, solve every pathway, re-score each plan by the rules, compare.

``plan_scenario`` is the public entry point. It resolves the scenario once
(:func:`optimizer.planning.resolve.resolve`) and passes each stage only the values it takes: every
other function here takes the :class:`~optimizer.planning.resolve.Resolved` values, not the
scenario. Every selection the model returns is scored again on
every draw with :func:`optimizer.scoring.selection_score.score_selection`; a difference from the model's objective
beyond solver rounding raises :class:`ConsistencyError`, because it would mean the model and the
rules disagree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.errors import ConsistencyError, InfeasibleError, InputError
from optimizer.forecast import Forecast, ForecastSettings, forecast_candidates, pessimistic
from optimizer.forecast.candidates import Candidate, benchmark_from_row, build_candidates
from optimizer.inputs.scenario import Scenario
from optimizer.planning.resolve import Resolved, resolve
from optimizer.planning.specialties import OtherSpecialtyMvp, other_specialty_mvp
from optimizer.rules.measure_points import Benchmark
from optimizer.rules.parameters import TRADITIONAL
from optimizer.scoring.pathways import Pathway, read_pathway
from optimizer.scoring.selection_score import FixedCategories, SelectionScore, fixed_categories, score_reported
from optimizer.selection.model import SelectionProblem
from optimizer.selection.problem import (
    PathwayCandidates,
    ProblemPart,
    extra_points,
    objective_values,
    pathway_candidates,
    selection_parts,
)
from optimizer.selection.solve import SelectionSolver, SolveResult, quick_to_repeat

CONSISTENCY_TOLERANCE = 1e-6
"""Largest accepted gap between the model's objective and the rules' re-score [objective units,
relative to max(1, |objective|)]: solver feasibility tolerances, nothing more."""


@dataclass(frozen=True)
class MeasureOutlook:
    """A selected measure's forecast: expected points, their 10th/90th percentiles, chance of counting."""

    candidate: Candidate
    expected_points: float
    points_p10: float
    points_p90: float
    probability_counted: float
    probability_scored: float


@dataclass(frozen=True)
class Outlook:
    """A selection's re-scored forecast over the draws."""

    selected: tuple[Candidate, ...]
    activities: tuple[str, ...]
    score: SelectionScore
    objective_value: float
    measures: tuple[MeasureOutlook, ...]
    points: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((1, 0)))
    """Achievement points per draw of each selected measure (draws × selected)."""

    @property
    def final_scores(self) -> np.ndarray:
        """Final score per draw."""
        return np.atleast_1d(np.asarray(self.score.final.score, dtype=float))

    @property
    def expected_final_score(self) -> float:
        """Mean final score."""
        return float(self.final_scores.mean())

    def final_score_interval(self, coverage: float = 0.8) -> tuple[float, float]:
        """Central interval of the final score (80% by default)."""
        tail = (1 - coverage) / 2 * 100
        low, high = np.percentile(self.final_scores, [tail, 100 - tail])
        return float(low), float(high)

    def probability_at_or_above(self, threshold: float) -> float:
        """Share of draws whose final score reaches ``threshold``."""
        return float((self.final_scores >= threshold).mean())

    def expected_payment_percent(self, case: str = "default") -> float:
        """Mean adjustment [percent] at the low/default/high scaling factor."""
        return float(np.mean(self.score.payment_percent[case]))

    def expected_payment_dollars(self, case: str = "default") -> float:
        """Mean adjustment [$ a year] at the low/default/high scaling factor."""
        return float(np.mean(self.score.payment_dollars[case]))


@dataclass(frozen=True)
class _Part:
    """One of a pathway's problem parts (:func:`optimizer.selection.problem.selection_parts`), its solver and
    its best selection (in the part's own columns)."""

    part: ProblemPart
    solver: SelectionSolver
    result: SolveResult

    @property
    def problem(self) -> SelectionProblem:
        """The part's integer program."""
        return self.part.problem


@dataclass(frozen=True)
class _Session:
    """What a pathway's solve keeps for a second solve (the runner-up): its parts, the winner first."""

    parts: tuple[_Part, ...]
    fixed: FixedCategories


@dataclass(frozen=True)
class PathwayPlan:
    """The best selection of one pathway (or why there is none), re-scored, with its runner-up."""

    pathway: Pathway
    candidates: PathwayCandidates
    outlook: Outlook | None
    solve: SolveResult | None
    model_statistics: dict[str, int]
    infeasible_reason: str | None = None
    runner_up: Outlook | None = None
    build_seconds: float = 0.0
    session: _Session | None = field(default=None, repr=False, compare=False)

    @property
    def feasible(self) -> bool:
        """A selection exists."""
        return self.outlook is not None


@dataclass(frozen=True)
class PessimisticCheck:
    """The recommendation on the draws of the pessimistic forecast (:func:`optimizer.forecast.pessimistic`).

    ``recommended`` and ``runner_up`` are the plan's recommendation and runner-up re-scored on those
    draws; ``better`` is the best selection there when it is another one: the recommended pathway
    planned again on them (``replanned``), the runner-up, or another pathway's plan re-scored (None when
    the recommendation stays best).
    """

    settings: ForecastSettings
    recommended: Outlook
    runner_up: Outlook | None
    better: Outlook | None
    better_pathway: str | None
    replanned: bool = True

    @property
    def stays_best(self) -> bool:
        """No other selection is worth more under the pessimistic forecast."""
        return self.better is None

    @property
    def runner_up_margin(self) -> float | None:
        """How much the recommendation leads (> 0) or trails (< 0) the runner-up [objective units]."""
        return None if self.runner_up is None else self.recommended.objective_value - self.runner_up.objective_value


@dataclass(frozen=True)
class Plan:
    """A planning run: the recommended pathway and selection, and every pathway planned."""

    scenario: Scenario
    objective: str
    forecast: Forecast
    pathways: tuple[PathwayPlan, ...]
    recommended: PathwayPlan
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    pessimistic_check: PessimisticCheck | None = None
    other_specialties: tuple[OtherSpecialtyMvp, ...] = ()
    """MVPs not planned because CMS lists them for other specialties than the practice's."""


def proxy_benchmarks(candidates: Sequence[Candidate], catalog: object) -> dict[tuple[str, str], Benchmark]:
    """For candidates without a benchmark, the same measure's benchmark in another collection type."""
    proxies = {}
    preference = ("ecqm", "mips_cqm", "medicare_part_b_claims", "qcdr")
    for candidate in candidates:
        if candidate.benchmark is not None or candidate.collection_type == ADMIN_CLAIMS or candidate.is_cahps:
            continue
        for collection_type in preference:
            row = catalog.benchmark(candidate.measure_id, collection_type)  # type: ignore[attr-defined]
            if row is not None:
                proxies[candidate.key] = benchmark_from_row(row)
                break
    return proxies


def outlook_of(
    selected: Sequence[int],
    attested: Sequence[str],
    eligible: Sequence[Candidate],
    split: PathwayCandidates,
    forecast: Forecast,
    fixed: FixedCategories,
    resolved: Resolved,
    pathway: Pathway,
) -> Outlook:
    """Score a selection on every draw with the rules, and value it by the objective."""
    chosen = tuple(eligible[j] for j in selected)
    columns = [forecast.column(candidate.key) for candidate in chosen]
    points = forecast.points[:, columns]
    extra = extra_points(forecast, split.extra, pathway)
    score = score_reported(
        points, chosen, extra if extra.shape[1] else None, attested, fixed, pathway,
        practice=resolved.practice, policy=resolved.policy, scaling=resolved.scaling,
    )
    counted = np.asarray(score.quality.counted, dtype=bool).reshape(points.shape)
    scored = forecast.scored[:, columns]
    low, high = np.percentile(points, [10, 90], axis=0) if chosen else (np.zeros(0), np.zeros(0))
    measures = tuple(
        MeasureOutlook(
            candidate=candidate,
            expected_points=float(points[:, i].mean()),
            points_p10=float(low[i]),
            points_p90=float(high[i]),
            probability_counted=float(counted[:, i].mean()),
            probability_scored=float(scored[:, i].mean()),
        )
        for i, candidate in enumerate(chosen)
    )
    final_scores = np.atleast_1d(np.asarray(score.final.score, dtype=float))
    value = float(np.mean(objective_values(final_scores, resolved.options, resolved.scaling, resolved.policy)))
    return Outlook(chosen, tuple(attested), score, value, measures, points)


def _check_consistency(model_value: float, outlook: Outlook, pathway: Pathway) -> None:
    difference = abs(model_value - outlook.objective_value)
    if difference > CONSISTENCY_TOLERANCE * max(1.0, abs(outlook.objective_value)):
        labels = ", ".join(candidate.label for candidate in outlook.selected)
        raise ConsistencyError(
            f"{pathway.pathway_id}: the model valued [{labels}] at {model_value:.9g} but the rules score it "
            f"{outlook.objective_value:.9g}; this is a bug, please report it"
        )


def pathway_split(resolved: Resolved, candidates: Sequence[Candidate], pathway: Pathway, catalog: object) -> PathwayCandidates:
    """The candidates a pathway allows, and why the others are out (:func:`optimizer.selection.problem.pathway_candidates`)."""
    return pathway_candidates(candidates, pathway, catalog, practice=resolved.practice, policy=resolved.policy, options=resolved.options)


def pathway_fixed_categories(resolved: Resolved, catalog: object, pathway: Pathway) -> FixedCategories:
    """Cost and PI in a pathway (:func:`optimizer.scoring.selection_score.fixed_categories`)."""
    return fixed_categories(
        resolved.cost, resolved.interoperability, pathway, cehrt=resolved.practice.cehrt, policy=resolved.policy, catalog=catalog
    )


def pathway_parts(
    resolved: Resolved, pathway: Pathway, split: PathwayCandidates, forecast: Forecast, fixed: FixedCategories, catalog: object
) -> tuple[ProblemPart, ...]:
    """A pathway's integer program in parts (:func:`optimizer.selection.problem.selection_parts`).

    Raises
    ------
    InputError
        When no selection can be built (no candidate left, a required measure not allowed).
    """
    return selection_parts(
        pathway, split, forecast, fixed, catalog,
        practice=resolved.practice, policy=resolved.policy, scaling=resolved.scaling, options=resolved.options,
    )


def plan_pathway(
    resolved: Resolved,
    pathway: Pathway,
    candidates: Sequence[Candidate],
    forecast: Forecast,
    catalog: object,
) -> PathwayPlan:
    """Solve one pathway's integer program and re-score its answer (and runner-up) with the rules."""
    started = time.perf_counter()
    split = pathway_split(resolved, candidates, pathway, catalog)
    fixed = pathway_fixed_categories(resolved, catalog, pathway)
    try:
        parts = pathway_parts(resolved, pathway, split, forecast, fixed, catalog)
    except InputError as error:
        return PathwayPlan(pathway, split, None, None, {}, infeasible_reason=error.reason)
    options = resolved.options
    solvers = [SelectionSolver(part.problem, options.solver, options.time_limit_seconds) for part in parts]
    build_seconds = time.perf_counter() - started
    results = [solver.best() for solver in solvers]
    solved = [_Part(part, solver, result) for part, solver, result in zip(parts, solvers, results) if result.status != "infeasible"]
    if not solved:
        return PathwayPlan(
            pathway, split, None, results[0], solvers[0].statistics, infeasible_reason=_why_infeasible(parts[0].problem, split),
            build_seconds=build_seconds,
        )
    solved.sort(key=lambda part: -part.result.objective)  # stable: the first part wins a tie
    winner = solved[0]
    outlook = _rescored(winner.result, winner.part, split, forecast, fixed, resolved, pathway)
    session = _Session(tuple(solved), fixed)
    solve = replace(winner.result, reported=winner.part.eligible_positions(winner.result.reported))
    return PathwayPlan(pathway, split, outlook, solve, winner.solver.statistics, build_seconds=build_seconds, session=session)


def _rescored(
    result: SolveResult, part: ProblemPart, split: PathwayCandidates, forecast: Forecast, fixed: FixedCategories,
    resolved: Resolved, pathway: Pathway,
) -> Outlook:
    """The solver's selection scored by the rules, refusing any difference from the model's value."""
    attested = [part.problem.activity_ids[a] for a in result.attested]
    selected = part.eligible_positions(result.reported)
    outlook = outlook_of(selected, attested, split.eligible, split, forecast, fixed, resolved, pathway)
    _check_consistency(result.objective, outlook, pathway)
    return outlook


def with_runner_up(plan: PathwayPlan, forecast: Forecast, resolved: Resolved) -> PathwayPlan:
    """The plan with its runner-up: the best selection of other measures or collection types (the
    winning part's second best, or another part's best)."""
    if plan.session is None or plan.solve is None:
        return plan
    winner, others = plan.session.parts[0], plan.session.parts[1:]
    winner.solver.exclude(winner.result.reported)
    contenders = [(winner.solver.best(), winner.part)] + [(part.result, part.part) for part in others]
    contenders = [(result, part) for result, part in contenders if result.status != "infeasible"]
    if not contenders:
        return plan
    second, part = max(contenders, key=lambda contender: contender[0].objective)
    runner_up = _rescored(second, part, plan.candidates, forecast, plan.session.fixed, resolved, plan.pathway)
    return replace(plan, runner_up=runner_up)


def _why_infeasible(problem: SelectionProblem, split: PathwayCandidates) -> str:
    rule_flags = {"outcome": problem.is_outcome, "high_priority": problem.is_high_priority}.get(problem.reporting_rule)
    if rule_flags is not None and not rule_flags.any():
        kind = "an outcome" if problem.reporting_rule == "outcome" else "a high-priority"
        return f"{kind} measure applies to the practice but none is left after [optimize] exclude / collection_types"
    if problem.required_groups and problem.effort_budget_hours is not None:
        return "the required measures do not fit the effort budget or the reporting rules"
    if problem.effort_budget_hours is not None:
        needed = {"outcome": "outcome measure", "high_priority": "high-priority measure"}.get(problem.reporting_rule, "measure")
        return f"no {needed} fits the effort budget of {problem.effort_budget_hours:g} hours"
    return "the constraints leave no feasible selection"


def _pathways_with_data(resolved: Resolved, candidates: Sequence[Candidate], catalog: object) -> list[Pathway]:
    """Traditional MIPS and every MVP with at least one candidate measure (or the scenario's list)."""
    policy = resolved.policy
    if resolved.pathways is not None:
        return [read_pathway(catalog, pathway_id, policy) for pathway_id in resolved.pathways]
    measure_ids = {candidate.measure_id for candidate in candidates}
    pathways = [read_pathway(catalog, TRADITIONAL, policy)]
    for mvp_id in catalog.mvps["mvp_id"]:  # type: ignore[attr-defined]
        pathway = read_pathway(catalog, str(mvp_id), policy)
        if measure_ids & ((pathway.quality_measure_ids or frozenset()) | pathway.admin_claims_measure_ids):
            pathways.append(pathway)
    return pathways


def split_pathways(
    resolved: Resolved, candidates: Sequence[Candidate], catalog: object
) -> tuple[list[Pathway], tuple[OtherSpecialtyMvp, ...]]:
    """The pathways to plan (traditional MIPS and every MVP with a candidate measure, or the scenario's
    list) and, apart, the MVPs among them CMS lists for other specialties than the practice's
    (:func:`optimizer.planning.specialties.for_other_specialties`)."""
    planned, apart = [], []
    for pathway in _pathways_with_data(resolved, candidates, catalog):
        other = other_specialty_mvp(catalog, pathway.pathway_id, resolved.specialties)
        if other is None:
            planned.append(pathway)
        else:
            apart.append(other)
    return planned, tuple(apart)


def planned_pathways(resolved: Resolved, candidates: Sequence[Candidate], catalog: object) -> list[Pathway]:
    """The pathways to plan (:func:`split_pathways`)."""
    return split_pathways(resolved, candidates, catalog)[0]


def prepare_forecast(
    resolved: Resolved,
    catalog: object,
    year_to_date: dict[tuple[str, str], tuple[float, float, float]] | None = None,
    settings: ForecastSettings | None = None,
    candidates: Sequence[Candidate] | None = None,
) -> tuple[list[Candidate], Forecast]:
    """The baseline's candidates and their forecast draws (optionally from year-to-date counts, other
    settings than the scenario's, or candidates already built)."""
    candidates = list(candidates) if candidates is not None else build_candidates(catalog, resolved.baseline, resolved.policy)
    forecast = forecast_candidates(
        candidates,
        small_practice=resolved.practice.small_practice,
        policy=resolved.policy,
        settings=settings or resolved.forecast,
        proxies=proxy_benchmarks(candidates, catalog),
        year_to_date=year_to_date,
    )
    return candidates, forecast


def evaluate_selection(
    resolved: Resolved,
    catalog: object,
    pathway_id: str,
    keys: Sequence[tuple[str, str]],
    activities: Sequence[str],
    candidates: Sequence[Candidate],
    forecast: Forecast,
) -> PathwayPlan:
    """Re-score a fixed selection (no optimisation) in a pathway; infeasible when a measure is not allowed."""
    pathway = read_pathway(catalog, pathway_id, resolved.policy)
    split = pathway_split(resolved, candidates, pathway, catalog)
    positions = {candidate.key: position for position, candidate in enumerate(split.pool)}
    missing = [key for key in keys if key not in positions]
    if missing:
        reasons = {candidate.key: reason for candidate, reason in split.excluded}
        detail = "; ".join(f"{measure_id} ({kind}): {reasons.get((measure_id, kind), 'no baseline row')}" for measure_id, kind in missing)
        return PathwayPlan(pathway, split, None, None, {}, infeasible_reason=f"cannot report {detail}")
    pool = split.pool
    selected = [positions[key] for key in keys]
    fixed = pathway_fixed_categories(resolved, catalog, pathway)
    allowed = [activity for activity in activities if pathway.activity_ids is None or activity in pathway.activity_ids]
    outlook = outlook_of(selected, allowed, pool, split, forecast, fixed, resolved, pathway)
    return PathwayPlan(pathway, split, outlook, None, {})


def rescored_on(outlook: Outlook, plan: PathwayPlan, forecast: Forecast, resolved: Resolved, catalog: object) -> Outlook:
    """A pathway's selection scored by the rules on other draws."""
    positions = {candidate.key: position for position, candidate in enumerate(plan.candidates.eligible)}
    fixed = plan.session.fixed if plan.session is not None else pathway_fixed_categories(resolved, catalog, plan.pathway)
    selected = [positions[candidate.key] for candidate in outlook.selected]
    return outlook_of(selected, outlook.activities, plan.candidates.eligible, plan.candidates, forecast, fixed, resolved, plan.pathway)


def _same_selection(first: Outlook, second: Outlook) -> bool:
    return {c.key for c in first.selected} == {c.key for c in second.selected} and set(first.activities) == set(second.activities)


def check_pessimistic(
    resolved: Resolved,
    catalog: object,
    candidates: Sequence[Candidate],
    plans: Sequence[PathwayPlan],
    recommended: PathwayPlan,
    forecast: Forecast,
    year_to_date: dict[tuple[str, str], tuple[float, float, float]] | None = None,
) -> PessimisticCheck | None:
    """Whether the recommendation stays best when the forecast is made more pessimistic: its pathway is
    planned again on pessimistic draws when its solve was quick (:func:`optimizer.selection.solve.quick_to_repeat`:
    a long branch and bound can take seconds), and the runner-up and every other pathway's plan are
    re-scored on them."""
    if recommended.outlook is None or forecast.settings.draws == 0:
        return None
    settings = pessimistic(forecast.settings)
    _, draws = prepare_forecast(resolved, catalog, year_to_date, settings=settings, candidates=candidates)
    mine = rescored_on(recommended.outlook, recommended, draws, resolved, catalog)
    runner_up = None if recommended.runner_up is None else rescored_on(recommended.runner_up, recommended, draws, resolved, catalog)
    contenders = [] if runner_up is None else [(runner_up, recommended.pathway.pathway_id)]
    replanned = recommended.solve is not None and quick_to_repeat(recommended.solve)
    if replanned:
        again = plan_pathway(resolved, recommended.pathway, candidates, draws, catalog)
        if again.outlook is not None and not _same_selection(again.outlook, mine):
            contenders.append((again.outlook, recommended.pathway.pathway_id))
    for plan in plans:
        if plan.outlook is not None and plan.pathway.pathway_id != recommended.pathway.pathway_id:
            contenders.append((rescored_on(plan.outlook, plan, draws, resolved, catalog), plan.pathway.pathway_id))
    better, better_pathway = max(contenders, key=lambda contender: contender[0].objective_value, default=(None, None))
    if better is not None and better.objective_value <= mine.objective_value:
        better, better_pathway = None, None
    return PessimisticCheck(settings, mine, runner_up, better, better_pathway, replanned)


def plan_scenario(
    scenario: Scenario,
    catalog: object,
    progress: Callable[[str], None] | None = None,
    year_to_date: dict[tuple[str, str], tuple[float, float, float]] | None = None,
) -> Plan:
    """Plan every pathway of the scenario and recommend the best by its objective.

    The scenario is resolved here, once, into the values the stages below take.

    Raises
    ------
    InfeasibleError
        When no pathway has a feasible selection.
    """
    started = time.perf_counter()
    resolved = resolve(scenario)
    candidates, forecast = prepare_forecast(resolved, catalog, year_to_date)
    pathways, other_specialties = split_pathways(resolved, candidates, catalog)
    plans = []
    for position, pathway in enumerate(pathways):
        if progress is not None:
            progress(f"planning {pathway.pathway_id} ({position + 1}/{len(pathways)})")
        plans.append(plan_pathway(resolved, pathway, candidates, forecast, catalog))
    feasible = [plan for plan in plans if plan.feasible]
    if not feasible:
        reasons = "; ".join(
            [f"{plan.pathway.pathway_id}: {plan.infeasible_reason}" for plan in plans]
            + [f"{other.pathway_id}: {other.reason}" for other in other_specialties]
        )
        raise InfeasibleError(f"no pathway has a feasible selection ({reasons})")
    best = max(feasible, key=lambda plan: (plan.outlook.objective_value, plan.pathway.pathway_id == TRADITIONAL))  # type: ignore[union-attr]
    best_with_runner_up = with_runner_up(best, forecast, resolved)
    plans = [best_with_runner_up if plan is best else plan for plan in plans]
    if progress is not None:
        progress("checking the recommendation under a pessimistic forecast")
    check = check_pessimistic(resolved, catalog, candidates, plans, best_with_runner_up, forecast, year_to_date)
    return Plan(
        scenario=scenario,
        objective=resolved.options.objective,
        forecast=forecast,
        pathways=tuple(plans),
        recommended=best_with_runner_up,
        seconds=time.perf_counter() - started,
        pessimistic_check=check,
        other_specialties=other_specialties,
    )
