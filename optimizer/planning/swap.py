"""Mid-year swap evaluation: keep the current plan, or swap / add a measure that can still be reported?

Each measure is projected to year end from its year-to-date counts (observed so far, plus the
rest of the year drawn at this year's monthly volume from a posterior on the rate that pools last
year's baseline and this year's counts). Every option is scored by the rules on the *same* draws,
so the gain over keeping the plan and the probability that an option is better are paired
comparisons, not differences of two noisy means.

Feasibility: data completeness is judged on the whole year, so a measure added mid-year must have
the year's earlier data. eCQMs, MIPS CQMs and QCDR measures come from the EHR or registry and can
be collected back to January; Medicare Part B claims measures need the quality codes on the claims
already sent (``codes_on_claims`` in the tables); the CAHPS survey and CMS-calculated measures
cannot be added by the practice mid-year.

Switching pathway is weighed too, while it is still allowed: an MVP until its registration closes
(:mod:`optimizer.rules.mvp_requirements`), traditional MIPS at any time (it needs no registration).
Each other pathway is planned on the same draws with the measures that cannot be added mid-year
left out. The year-to-date table is checked against what is reported and against ``--as-of``: a
reported measure without year-to-date counts, or a table covering another number of months than
the date says, is a warning (on standard error and in the report).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.collection_types import ADMIN_CLAIMS, CAHPS, MEDICARE_PART_B_CLAIMS
from optimizer.errors import InputError, InputWarning
from optimizer.forecast.candidates import Candidate
from optimizer.inputs.importers import read_baseline_files
from optimizer.inputs.scenario import Scenario, check_scenario
from optimizer.planning.plan import PathwayPlan, evaluate_selection, pathway_split, plan_pathway, planned_pathways, prepare_forecast
from optimizer.planning.resolve import Resolved, resolve
from optimizer.rules.mvp_requirements import registration_status, registration_window
from optimizer.rules.parameters import TRADITIONAL
from optimizer.scoring.pathways import read_pathway
from optimizer.selection.problem import objective_values, reporting_rule

SWAP_CONFIDENCE = 0.6
"""Recommend a change only when it beats keeping the plan in at least this share of the draws."""

SWAP_MINIMUM_GAIN_DOLLARS = 250.0
"""…and gains at least this much a year on average [$] (switching has a cost the model does not see)."""

OPTIONS_SHOWN = 12
MONTHS_TOLERANCE = 1.0
"""A year-to-date table may cover up to this many months more or fewer than ``--as-of`` says [months]."""


@dataclass(frozen=True)
class SwapOption:
    """One way to finish the year, scored on the shared draws, with its gain over keeping the plan."""

    name: str
    action: str
    removed: tuple[str, ...]
    added: tuple[str, ...]
    plan: PathwayPlan | None
    infeasible_reason: str | None = None
    gain_objective: np.ndarray | None = None
    gain_dollars: np.ndarray | None = None


@dataclass(frozen=True)
class SwapResult:
    """Every option, the projection of each measure, and the recommendation."""

    scenario: Scenario
    as_of: str | None
    months_elapsed: float
    options: tuple[SwapOption, ...]
    infeasible: tuple[SwapOption, ...]
    projections: tuple[dict[str, Any], ...]
    recommendation: str
    reason: str
    as_of_date: date | None = None
    """The date the evaluation is for: ``--as-of``, else the table's months counted from January 1 (approximate)."""
    warnings: tuple[str, ...] = ()
    """Problems of the year-to-date table the report states (they are also shown on standard error)."""


def midyear_feasibility(candidate: Candidate, codes_on_claims: bool) -> str | None:
    """Why a measure not reported so far cannot be added mid-year (None when it can)."""
    if candidate.collection_type == MEDICARE_PART_B_CLAIMS and not codes_on_claims:
        return "claims measures need the quality codes on the claims since January (set codes_on_claims = true if they are)"
    if candidate.collection_type == CAHPS:
        return "the CAHPS for MIPS survey cannot be started mid-year"
    if candidate.collection_type == ADMIN_CLAIMS:
        return "calculated by CMS, not reported by the practice"
    return None


def read_year_to_date(path: Path, data_dir: Path | None = None) -> tuple[pd.DataFrame, float]:
    """The year-to-date table and the months it covers (every row must cover fewer than 12); an
    imported export is read with the CMS data in ``data_dir``."""
    table, _ = read_baseline_files([path], data_dir)  # a CSV/Excel table, or a year-to-date QRDA III / QPP JSON export
    for row in table.itertuples():
        if row.period_months >= 12:
            raise InputError(
                f"a year-to-date row must cover fewer than 12 months, got {row.period_months:g}",
                file=str(path), row=row.row, field="period_months",
            )
    return table, float(table["period_months"].max())


def _months_from_date(as_of: str, year: int) -> float:
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise InputError(f"--as-of expects a date like {year}-07-01, got {as_of!r}") from None
    if day.year != year:
        raise InputError(f"--as-of {as_of} is not in performance year {year}")
    return (day.month - 1) + (day.day - 1) / 30.0


def year_to_date_warnings(
    ytd: pd.DataFrame, reported: Sequence[tuple[str, str]], as_of: str | None, months: float, file: str
) -> list[str]:
    """What in the year-to-date table does not fit: reported measures it lacks, months that do not match ``--as-of``."""
    problems = []
    covered = set(zip(ytd["measure_id"], ytd["collection_type"], strict=True))
    missing = [f"{m} ({c})" for m, c in reported if (m, c) not in covered and c not in (CAHPS, ADMIN_CLAIMS)]
    if missing:
        problems.append(
            f"{file}: has no year-to-date counts for {', '.join(missing)}, which the practice reports ([quality] reported); "
            "their year is projected from last year's counts alone"
        )
    if as_of is not None:
        off = sorted({float(value) for value in ytd["period_months"] if abs(float(value) - months) > MONTHS_TOLERANCE})
        if off:
            problems.append(
                f"{file}: covers {', '.join(f'{value:g}' for value in off)} months (period_months), but --as-of {as_of} is "
                f"{months:.1f} months into the year; the projection counts {months:.1f} months as observed"
            )
    return problems


def _approximate_date(months: float, year: int) -> date:
    """January 1 plus ``months`` (30.4 days each): the date a table of that many months reaches."""
    return date.fromordinal(date(year, 1, 1).toordinal() + int(round(months * 30.4)))


def _with_year_to_date(scenario: Scenario, ytd: pd.DataFrame) -> Scenario:
    """The baseline plus a no-information row for every year-to-date measure the baseline lacks,
    with each year-to-date row's data completeness (judged on this year's capture)."""
    baseline = scenario.baseline.copy()
    known = set(zip(baseline["measure_id"], baseline["collection_type"], strict=True))
    new_rows = ytd[[key not in known for key in zip(ytd["measure_id"], ytd["collection_type"], strict=True)]].copy()
    if not new_rows.empty:
        new_rows["performance_met"] = 0
        new_rows["performance_not_met"] = 0
        baseline = pd.concat([baseline, new_rows], ignore_index=True)
    completeness = {(r.measure_id, r.collection_type): r.data_completeness for r in ytd.itertuples()}
    claims_codes = {(r.measure_id, r.collection_type): bool(r.codes_on_claims) for r in ytd.itertuples()}
    keys = list(zip(baseline["measure_id"], baseline["collection_type"], strict=True))
    baseline["data_completeness"] = [completeness.get(key, value) for key, value in zip(keys, baseline["data_completeness"], strict=True)]
    baseline["codes_on_claims"] = [claims_codes.get(key, bool(value)) for key, value in zip(keys, baseline["codes_on_claims"], strict=True)]
    return replace(scenario, baseline=baseline)


def evaluate_swaps(scenario: Scenario, catalog: Any, ytd_path: Path, as_of: str | None = None, data_dir: Path | None = None) -> SwapResult:
    """Score keeping the plan against every feasible single swap, every hedge, and the best re-plan
    (``data_dir``: the data folder an imported year-to-date export is read with)."""
    if not scenario.reported:
        raise InputError("swap needs the measures being reported this year in [quality] reported", file=str(scenario.file), field="quality.reported")
    ytd, months = read_year_to_date(ytd_path, data_dir)
    if as_of is not None:
        months = _months_from_date(as_of, scenario.performance_year)
    problems = year_to_date_warnings(ytd, scenario.reported, as_of, months, str(ytd_path))
    for problem in problems:
        warnings.warn(problem, InputWarning, stacklevel=2)
    day = date.fromisoformat(as_of) if as_of is not None else _approximate_date(months, scenario.performance_year)
    scenario = check_scenario(_with_year_to_date(scenario, ytd), catalog)
    resolved = resolve(scenario)
    year_to_date = {
        (r.measure_id, r.collection_type): (float(r.performance_met), float(r.case_count), months if as_of else float(r.period_months))
        for r in ytd.itertuples()
        if r.collection_type not in (CAHPS, ADMIN_CLAIMS)
    }
    candidates, forecast = prepare_forecast(resolved, catalog, year_to_date)
    pathway_id = scenario.pathway
    activities = scenario.improvement_activities.attested
    current = tuple(scenario.reported)
    keep = evaluate_selection(resolved, catalog, pathway_id, current, activities, candidates, forecast)
    if keep.outlook is None:
        raise InputError(f"the current plan cannot be scored: {keep.infeasible_reason}", file=str(scenario.file), field="quality.reported")
    pathway = read_pathway(catalog, pathway_id, resolved.policy)
    split = pathway_split(resolved, candidates, pathway, catalog)
    evaluation = _Evaluation(resolved, catalog, pathway_id, candidates, forecast, current)
    claims_codes = dict(zip(zip(scenario.baseline["measure_id"], scenario.baseline["collection_type"], strict=True), scenario.baseline["codes_on_claims"], strict=True))
    reported_measures = {measure_id for measure_id, _ in current}
    rule = reporting_rule(split.pool)
    options: list[SwapOption] = [SwapOption("keep the current plan", "keep", (), (), keep)]
    infeasible: list[SwapOption] = []
    newcomers = [c for c in split.eligible if c.key not in current]
    for candidate in newcomers:
        problem = midyear_feasibility(candidate, bool(claims_codes.get(candidate.key, False)))
        if problem is not None:
            verb = "switch to" if candidate.measure_id in reported_measures else "add"
            infeasible.append(SwapOption(f"{verb} {candidate.label}", "swap", (), (candidate.label,), None, problem))
            continue
        if candidate.measure_id not in reported_measures:
            options.append(evaluation.option(f"add {candidate.label} as a hedge", "add", (), (candidate,), activities))
        for removed in current:
            if candidate.measure_id in reported_measures and removed[0] != candidate.measure_id:
                continue  # one collection type per measure: a reported measure can only change its own type
            kept = tuple(key for key in current if key != removed)
            chosen = [c for c in candidates if c.key in kept] + [candidate]
            if rule == "outcome" and not any(c.is_outcome for c in chosen):
                infeasible.append(SwapOption(f"swap {removed[0]} ({removed[1]}) for {candidate.label}", "swap", (f"{removed[0]} ({removed[1]})",), (candidate.label,), None, "it drops the only outcome measure"))
                continue
            options.append(evaluation.option(f"swap {removed[0]} ({removed[1]}) for {candidate.label}", "swap", (removed,), (candidate,), activities))
    blocked = [c.key for c in newcomers if midyear_feasibility(c, bool(claims_codes.get(c.key, False))) is not None]
    replan = _replan(resolved, catalog, candidates, forecast, blocked, pathway_id)
    if replan is not None and replan.outlook is not None:
        keys = tuple(c.key for c in replan.outlook.selected)
        if set(keys) != set(current):
            added = tuple(c for c in replan.outlook.selected if c.key not in current)
            removed = tuple(key for key in current if key not in keys)
            name = f"re-plan: swap {', '.join(f'{m} ({c})' for m, c in removed) or 'nothing'} for {', '.join(c.label for c in added)}"
            options.append(evaluation.option(name, "replan", removed, added, replan.outlook.activities))
    switches, closed = _pathway_switches(resolved, scenario.performance_year, evaluation, claims_codes, day)
    options += switches
    infeasible += closed
    scored = [_with_gains(option, keep, resolved) for option in options if option.plan is not None and option.plan.outlook is not None]
    scored.sort(key=lambda option: -option.plan.outlook.objective_value)  # type: ignore[union-attr]
    recommendation, reason = _recommend(scored, resolved.options.objective)
    projections = _projections(forecast, current, split.eligible)
    shown = scored[:OPTIONS_SHOWN] + [option for option in scored[OPTIONS_SHOWN:] if option.action == "keep"]
    return SwapResult(scenario, as_of, months, tuple(shown), tuple(infeasible), projections, recommendation, reason, day, tuple(problems))


def _pathway_switches(
    resolved: Resolved, performance_year: int, evaluation: _Evaluation, claims_codes: dict[tuple[str, str], Any], day: date,
) -> tuple[list[SwapOption], list[SwapOption]]:
    """Switching to another pathway for the rest of the year: each MVP whose registration is still open
    and traditional MIPS (no registration needed), planned on the same draws without the measures that
    cannot be added mid-year; an MVP whose registration has closed is an option that is not feasible."""
    options: list[SwapOption] = []
    closed: list[SwapOption] = []
    status = registration_status(day, performance_year)
    _, closes = registration_window(performance_year)
    catalog, candidates, forecast, current = evaluation.catalog, evaluation.candidates, evaluation.forecast, evaluation.current
    for pathway in planned_pathways(resolved, candidates, catalog):
        if pathway.pathway_id == evaluation.pathway_id:
            continue
        label = "traditional MIPS" if pathway.pathway_id == TRADITIONAL else f"MVP {pathway.pathway_id} ({pathway.title})"
        if pathway.is_mvp and status == "closed":
            closed.append(SwapOption(f"switch to {label}", "switch", (), (), None, f"MVP registration closed on {closes:%B} {closes.day}, {closes.year}"))
            continue
        split = pathway_split(resolved, candidates, pathway, catalog)
        blocked = [c.key for c in split.eligible if c.key not in current and midyear_feasibility(c, bool(claims_codes.get(c.key, False))) is not None]
        constrained = replace(resolved, options=replace(resolved.options, exclude=tuple(resolved.options.exclude) + tuple(blocked)))
        plan = plan_pathway(constrained, pathway, candidates, forecast, catalog)
        if plan.outlook is None:
            continue
        added = tuple(c.label for c in plan.outlook.selected if c.key not in current)
        removed = tuple(f"{m} ({c})" for m, c in current if (m, c) not in {k.key for k in plan.outlook.selected})
        note = "" if not pathway.is_mvp else f" (register by {closes:%B} {closes.day})"
        options.append(SwapOption(f"switch to {label}{note}: report {', '.join(c.label for c in plan.outlook.selected)}", "switch", removed, added, plan))
    return options, closed


@dataclass(frozen=True)
class _Evaluation:
    """What every option of one swap run is scored against: the resolved scenario, the shared draws, the current plan."""

    resolved: Resolved
    catalog: Any
    pathway_id: str
    candidates: Sequence[Candidate]
    forecast: Any
    current: Sequence[tuple[str, str]]

    def option(
        self, name: str, action: str, removed: Sequence[tuple[str, str]], added: Sequence[Candidate], activities: Sequence[str]
    ) -> SwapOption:
        """The current plan with ``removed`` taken out and ``added`` put in, scored on the shared draws."""
        keys = tuple(key for key in self.current if key not in removed) + tuple(c.key for c in added)
        plan = evaluate_selection(self.resolved, self.catalog, self.pathway_id, keys, activities, self.candidates, self.forecast)
        return SwapOption(name, action, tuple(f"{m} ({c})" for m, c in removed), tuple(c.label for c in added), plan, plan.infeasible_reason)


def _replan(resolved: Resolved, catalog: Any, candidates: Sequence[Candidate], forecast: Any, blocked: list[tuple[str, str]], pathway_id: str) -> PathwayPlan | None:
    options = replace(resolved.options, exclude=tuple(resolved.options.exclude) + tuple((m, c) for m, c in blocked))
    constrained = replace(resolved, options=options)
    pathway = read_pathway(catalog, pathway_id, resolved.policy)
    plan = plan_pathway(constrained, pathway, candidates, forecast, catalog)
    return plan if plan.feasible else None


def _per_draw_objective(plan: PathwayPlan, resolved: Resolved) -> np.ndarray:
    return objective_values(plan.outlook.final_scores, resolved.options, resolved.scaling, resolved.policy)  # type: ignore[union-attr]


def _with_gains(option: SwapOption, keep: PathwayPlan, resolved: Resolved) -> SwapOption:
    gain_objective = _per_draw_objective(option.plan, resolved) - _per_draw_objective(keep, resolved)  # type: ignore[arg-type]
    dollars = option.plan.outlook.score.payment_dollars["default"]  # type: ignore[union-attr]
    gain_dollars = np.atleast_1d(dollars - keep.outlook.score.payment_dollars["default"])  # type: ignore[union-attr]
    return replace(option, gain_objective=np.atleast_1d(gain_objective), gain_dollars=gain_dollars)


def _recommend(options: list[SwapOption], objective: str) -> tuple[str, str]:
    best = options[0]
    if best.action == "keep":
        return best.name, "no feasible change raises the expected objective"
    probability = float((best.gain_objective > 0).mean())  # type: ignore[operator]
    gain = float(best.gain_dollars.mean())  # type: ignore[union-attr]
    if probability < SWAP_CONFIDENCE:
        return "keep the current plan", (
            f"the best change ({best.name}) is better in only {probability:.0%} of the forecast draws (below {SWAP_CONFIDENCE:.0%})"
        )
    if gain < SWAP_MINIMUM_GAIN_DOLLARS and objective == "expected_payment":
        return "keep the current plan", (
            f"the best change ({best.name}) gains only ${gain:,.0f} a year on average (below ${SWAP_MINIMUM_GAIN_DOLLARS:,.0f})"
        )
    return best.name, f"better in {probability:.0%} of the forecast draws, ${gain:,.0f} a year more on average"


def _projections(forecast: Any, current: Sequence[tuple[str, str]], eligible: Sequence[Candidate]) -> tuple[dict[str, Any], ...]:
    rows = []
    keys = list(current) + [c.key for c in eligible if c.key not in current]
    for key in keys:
        try:
            column = forecast.column(key)
        except KeyError:
            continue
        rates, cases, points = forecast.rates[:, column], forecast.cases[:, column], forecast.points[:, column]
        rows.append(
            {
                "measure_id": key[0],
                "collection_type": key[1],
                "reported": key in current,
                "projected_rate": float(np.nanmean(rates)) if np.isfinite(rates).any() else None,
                "projected_cases": float(np.mean(cases)),
                "expected_points": float(np.mean(points)),
                "probability_scored": float(forecast.scored[:, column].mean()),
            }
        )
    return tuple(rows)
