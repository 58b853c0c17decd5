"""The integer program's optimum equals exhaustive enumeration scored by the rules.

Each instance is a small practice or a large group with a synthetic baseline
(:func:`optimizer.synthetic.synthetic_baseline`: rates placed inside the real 2026 benchmarks,
case counts from a handful to thousands) restricted to 8–12 candidates. ``plan_pathway`` solves
it (and already refuses a model value that differs from the rules' re-score); the test then
enumerates every selection the pathway allows (:func:`optimizer.selection.brute_force.feasible_selections`),
scores each on every draw with :func:`optimizer.planning.plan.outlook_of` (i.e. ``score_selection``, the
rules) and the best activities, and requires

* the model's optimal value = the best enumerated value, to 1e-6 relative (``max(1, |value|)``),
  which is also ``plan.CONSISTENCY_TOLERANCE``;
* the same selection whenever the enumerated optimum is unique by more than the model's
  tie-break weights can move (``TIE_BREAK_ROOM``);
* the runner-up (next solve with the optimum excluded) = the best enumerated value among the
  other selections.

Every exact method is checked on every instance: the one the solver picks (outer approximation
when the chain is concave; enumeration of the pool with NumPy when it is small; else branch and
bound) and each of the others forced (the full model with segment links and per-draw counting
always; outer approximation where it applies; enumeration; branch and bound), runner-up included.
The instances span the three objectives, deterministic and sampled forecasts, hedging with 7 or
8 measures (best six per draw), the improvement score, traditional MIPS with 479 and MVP M0005
with its population-health measures (479, 484), a pool without outcome or high-priority
measures (best five plus a zero slot, docs/rules-2026.md §2.10), and effort budgets that fit six measures
or only fewer (missing measures score 0 and, without full participation, no improvement score:
the enumeration then covers every size from one up), required measures, and candidates short of data completeness
with a prior year (a selection holding one has no full participation, so no improvement score:
the pathway's problem is then solved in parts, and the enumeration covers every part).

Two library bugs were found here (fixed in optimizer.selection.model.build_model and
optimizer.selection.problem): under the threshold objective the expected final
score's weight per draw (1e-5 / K) fell below HiGHS's reduced-cost tolerance, so the model
undervalued selections near the threshold and ``plan`` raised ConsistencyError
(large-479-hedge7-threshold-12); and the tie-breaks (1e-5 a measure) outweighed up to a point of
expected final score, so the model skipped a hedge worth 0.64 points (large-479-hedge7-threshold-11)
and picked a worse runner-up (small-deterministic-threshold-hedge7-12, -13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from optimizer.forecast import forecast_candidates
from optimizer.forecast.candidates import build_candidates
from optimizer.planning.plan import outlook_of, plan_pathway, proxy_benchmarks, with_runner_up
from optimizer.planning.resolve import resolve
from optimizer.scoring.pathways import read_pathway
from optimizer.scoring.selection_score import fixed_categories
from optimizer.selection.brute_force import best_activities, feasible_selections
from optimizer.selection.model import outer_approximation_applies
from optimizer.selection.problem import FULL_PARTICIPATION, SHORT_OF_DATA_COMPLETENESS, pathway_candidates, selection_parts
from optimizer.selection.solve import BRANCH_AND_BOUND, ENUMERATION, FULL_MODEL, OUTER_APPROXIMATION, SelectionSolver
from optimizer.synthetic import synthetic_baseline

from scenario_builder import admin_claims

RELATIVE = 1e-6
TIE_BREAK_ROOM = 2e-4
"""Largest objective difference the model's tie-breaks (1e-5 a measure, 1e-7 an effort hour,
1e-6 an activity; optimizer.selection.model.SelectionProblem) could trade for fewer measures or less effort."""

SMALL_TRADITIONAL = (
    ("001", "ecqm"), ("001", "medicare_part_b_claims"), ("236", "ecqm"), ("236", "mips_cqm"),
    ("134", "ecqm"), ("134", "mips_cqm"), ("226", "medicare_part_b_claims"), ("438", "ecqm"),
    ("475", "ecqm"), ("317", "ecqm"), ("047", "medicare_part_b_claims"), ("493", "mips_cqm"),
)  # 12 candidates of 10 measures; 134/226/047 capped benchmarks, 493 without a benchmark
SMALL_HEDGE = (
    ("001", "ecqm"), ("236", "ecqm"), ("236", "medicare_part_b_claims"), ("134", "ecqm"),
    ("226", "ecqm"), ("438", "ecqm"), ("475", "ecqm"), ("317", "ecqm"), ("047", "medicare_part_b_claims"),
)  # 9 candidates of 8 measures (choosing 6–8 of them stays quick)
LARGE_TRADITIONAL = (
    ("001", "ecqm"), ("001", "mips_cqm"), ("236", "ecqm"), ("236", "mips_cqm"), ("134", "ecqm"),
    ("134", "medicare_part_b_claims"), ("226", "ecqm"), ("226", "mips_cqm"), ("438", "ecqm"),
    ("475", "ecqm"), ("317", "mips_cqm"), ("130", "ecqm"), ("493", "mips_cqm"),
)  # 12 reportable candidates (the claims row is out: the group is not small)
MVP_M0005 = (
    ("001", "ecqm"), ("001", "mips_cqm"), ("236", "ecqm"), ("047", "mips_cqm"), ("134", "ecqm"),
    ("134", "mips_cqm"), ("438", "ecqm"), ("475", "ecqm"), ("305", "ecqm"), ("497", "mips_cqm"),
    ("483", "mips_cqm"), ("493", "mips_cqm"),
)  # 12 candidates of 10 M0005 measures; 483 (patient-reported outcome) and 493 without benchmarks
NO_PRIORITY = (
    ("134", "ecqm"), ("134", "mips_cqm"), ("226", "ecqm"), ("438", "ecqm"), ("475", "ecqm"),
    ("317", "ecqm"), ("309", "ecqm"), ("039", "mips_cqm"), ("048", "mips_cqm"),
)  # 9 candidates of 8 process measures, none outcome or high priority


@dataclass(frozen=True)
class Case:
    name: str
    pathway: str
    pairs: tuple[tuple[str, str], ...]
    clinicians: int
    max_quality_measures: int
    draws: int
    objective: str
    prior: float | None = None
    admin_claims: tuple[str, ...] = ()
    runner_up: bool = True
    effort_budget: float | None = None
    short: tuple[tuple[str, str], ...] = ()
    """Candidates reported for 60% of the eligible population: below data completeness, so a
    selection holding one has no full participation and no improvement score."""
    require: tuple[str, ...] = ()
    """Measures every selection must hold (``[optimize] require``)."""


CASES = (
    Case("small-deterministic-score", "traditional", SMALL_TRADITIONAL, 8, 6, 0, "expected_score"),
    Case("small-deterministic-payment-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 0, "expected_payment", prior=55.0),
    Case("small-deterministic-threshold-hedge7", "traditional", SMALL_HEDGE, 8, 7, 0, "threshold_probability", prior=62.0),
    Case("small-draws-payment", "traditional", SMALL_TRADITIONAL, 8, 6, 200, "expected_payment"),
    Case("small-draws-score-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 200, "expected_score", prior=55.0),
    Case("small-draws-threshold", "traditional", SMALL_TRADITIONAL, 8, 6, 60, "threshold_probability", runner_up=False),
    Case("small-hedge7-score-improvement", "traditional", SMALL_HEDGE, 8, 7, 200, "expected_score", prior=55.0),
    Case("small-hedge8-payment", "traditional", SMALL_HEDGE, 8, 8, 200, "expected_payment"),
    Case("large-479-deterministic-score-improvement", "traditional", LARGE_TRADITIONAL, 40, 6, 0, "expected_score", 60.0, ("479",)),
    Case("large-479-draws-payment", "traditional", LARGE_TRADITIONAL, 40, 6, 200, "expected_payment", None, ("479",)),
    Case("large-479-hedge7-threshold", "traditional", LARGE_TRADITIONAL, 40, 7, 40, "threshold_probability", 60.0, ("479",), False),
    Case("mvp-small-draws-payment-improvement", "M0005", MVP_M0005, 8, 6, 200, "expected_payment", 50.0, ("479", "484")),
    Case("mvp-large-hedge-score", "M0005", MVP_M0005, 40, 7, 200, "expected_score", None, ("479", "484")),
    Case("mvp-deterministic-threshold", "M0005", MVP_M0005, 8, 6, 0, "threshold_probability", None, ("484",)),
    Case("no-priority-draws-score", "traditional", NO_PRIORITY, 8, 6, 200, "expected_score"),
    Case("no-priority-hedge7-payment", "traditional", NO_PRIORITY, 40, 7, 100, "expected_payment", 45.0),
    # effort budgets (eCQM 3 h, MIPS CQM 6 h, claims 8 h): six measures or fewer, whichever is worth more
    Case("small-budget20-payment-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 200, "expected_payment", 55.0, effort_budget=20.0),
    Case("small-budget12-deterministic-score", "traditional", SMALL_TRADITIONAL, 8, 6, 0, "expected_score", 55.0, effort_budget=12.0),
    Case("mvp-budget9-threshold", "M0005", MVP_M0005, 8, 6, 100, "threshold_probability", None, ("484",), effort_budget=9.0),
    # candidates short of data completeness with a prior year: the improvement score only for
    # selections without them (42 CFR 414.1380(b)(1)(vi)(C)(5): full participation)
    Case("small-short-draws-payment-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 200, "expected_payment", 55.0,
         short=(("236", "ecqm"), ("134", "ecqm"))),
    Case("mvp-short-deterministic-score-improvement", "M0005", MVP_M0005, 8, 6, 0, "expected_score", 50.0, ("484",),
         short=(("001", "ecqm"),)),
    Case("small-short-budget20-threshold-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 60, "threshold_probability", 55.0,
         runner_up=False, effort_budget=20.0, short=(("236", "ecqm"),)),
    # required measures (branch and bound visits the smallest required group's candidates first)
    Case("small-require-draws-payment-improvement", "traditional", SMALL_TRADITIONAL, 8, 6, 200, "expected_payment", 55.0,
         require=("317",)),
    Case("small-short-require2-hedge7-score-improvement", "traditional", SMALL_HEDGE, 8, 7, 100, "expected_score", 55.0,
         short=(("236", "ecqm"),), require=("317", "047")),
)
SEEDS = (11, 12, 13)


def _baseline(catalog: Any, case: Case, seed: int) -> list[dict[str, Any]]:
    """Synthetic rows for the case's candidates, plus admin-claims results drawn from the seed."""
    measure_ids = list(dict.fromkeys(measure_id for measure_id, _ in case.pairs))
    frame = synthetic_baseline(catalog, measure_ids, seed=seed, include_cahps=False)
    wanted = set(case.pairs)
    rows = [row for row in frame.to_dict(orient="records") if (row["measure_id"], row["collection_type"]) in wanted]
    assert {(row["measure_id"], row["collection_type"]) for row in rows} == wanted
    for row in rows:
        if (row["measure_id"], row["collection_type"]) in case.short:
            reported = row["performance_met"] + row["performance_not_met"] + row["exclusions"] + row["exceptions"]
            row["eligible_population"] = int(reported / 0.6) + 1
    rng = np.random.default_rng(seed + 1000)
    for measure_id in case.admin_claims:
        if measure_id == "479":  # inverse, case minimum 200 (docs/rules-2026.md §2.7): sometimes unscored
            rows.append(admin_claims("479", round(float(rng.uniform(0.13, 0.19)), 4), int(rng.integers(120, 900))))
        else:  # 484, inverse, case minimum 18
            rows.append(admin_claims(measure_id, round(float(rng.uniform(20, 66)), 2), int(rng.integers(10, 200))))
    return rows


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= RELATIVE * max(1.0, abs(a), abs(b))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_model_optimum_equals_enumeration(case: Case, seed: int, scenario_from, catalog_2026) -> None:
    scenario = scenario_from(
        _baseline(catalog_2026, case, seed),
        clinicians=case.clinicians,
        prior_year_achievement_percent=case.prior,
        optimize={
            "pathways": [case.pathway],
            "objective": case.objective,
            "draws": case.draws,
            "seed": seed,
            "max_quality_measures": case.max_quality_measures,
            **({} if case.effort_budget is None else {"effort_budget_hours": case.effort_budget}),
            **({"require": list(case.require)} if case.require else {}),
        },
    )
    # plan_scenario's steps for one pathway (without its runner-up solve, done below where cheap)
    resolved = resolve(scenario)
    practice, policy = resolved.practice, resolved.policy
    candidates = build_candidates(catalog_2026, resolved.baseline, policy)
    forecast = forecast_candidates(
        candidates,
        small_practice=practice.small_practice,
        policy=policy,
        settings=resolved.forecast,
        proxies=proxy_benchmarks(candidates, catalog_2026),
    )
    pathway = read_pathway(catalog_2026, case.pathway, policy)
    plan = plan_pathway(resolved, pathway, candidates, forecast, catalog_2026)
    assert plan.feasible, plan.infeasible_reason
    assert plan.solve is not None and plan.solve.proven_optimal

    # the enumeration's own copy of the problem, from the public builders: its parts together hold
    # every selection the pathway allows (optimizer.selection.problem.selection_parts)
    split = pathway_candidates(forecast.candidates, pathway, catalog_2026, practice=practice, policy=policy, options=resolved.options)
    fixed = fixed_categories(resolved.cost, resolved.interoperability, pathway, cehrt=practice.cehrt, policy=policy, catalog=catalog_2026)
    parts = selection_parts(
        pathway, split, forecast, fixed, catalog_2026, practice=practice, policy=policy, scaling=resolved.scaling, options=resolved.options
    )
    problem = parts[0].problem
    assert len(split.eligible) <= 14
    if case.short and not case.require:  # both ways of scoring are searched: with and without the improvement score
        assert {FULL_PARTICIPATION, SHORT_OF_DATA_COMPLETENESS} <= {part.kind for part in parts}
    activities = best_activities(problem)

    def value_of(columns: tuple[int, ...]) -> float:
        return outlook_of(columns, activities, split.eligible, split, forecast, fixed, resolved, pathway).objective_value

    values = {}
    for part in parts:
        for columns in feasible_selections(part.problem):
            selection = part.eligible_positions(columns)
            assert frozenset(selection) not in values, "two parts hold the same selection"
            values[frozenset(selection)] = value_of(selection)
    ranked = sorted(values.items(), key=lambda item: -item[1])
    best_value = ranked[0][1]

    chosen = frozenset(plan.solve.reported)
    assert _close(plan.solve.objective, best_value), (plan.solve.objective, best_value)
    assert _close(plan.outlook.objective_value, best_value)
    assert chosen in values, "the model's selection is not one the enumeration allows"
    assert plan.outlook.score.activities_percent == pytest.approx(_activities_percent(problem, activities))
    # the rules count the best six (four in an MVP; one fewer without a priority measure) in every draw
    counted = np.asarray(plan.outlook.score.quality.counted).reshape(forecast.draw_count, -1).sum(axis=1)
    assert (counted == min(problem.counted_limit, len(chosen))).all()
    if len(ranked) > 1 and best_value - ranked[1][1] > TIE_BREAK_ROOM + RELATIVE * max(1.0, abs(best_value)):
        assert chosen == ranked[0][0], (
            [split.eligible[j].label for j in sorted(chosen)],
            [split.eligible[j].label for j in sorted(ranked[0][0])],
        )

    # every exact method each part allows finds the same optimum (the automatic choice is above)
    for part in parts:
        own = {frozenset(columns): values[frozenset(part.eligible_positions(columns))] for columns in feasible_selections(part.problem)}
        if not own:
            continue
        own_best = max(own.values())
        methods = [FULL_MODEL] + ([OUTER_APPROXIMATION] if outer_approximation_applies(part.problem) else [])
        for method in methods + [ENUMERATION, BRANCH_AND_BOUND]:
            if part is parts[0] and method == plan.solve.method:
                continue
            solver = SelectionSolver(part.problem, method=method)
            forced = solver.best()
            assert forced.proven_optimal, method
            assert _close(forced.objective, own_best), (method, forced.objective, own_best)
            assert _close(own[frozenset(forced.reported)], own_best), method
            if case.runner_up and len(own) > 1:
                solver.exclude(forced.reported)
                others = max(value for columns, value in own.items() if columns != frozenset(forced.reported))
                assert _close(solver.best().objective, others), method

    if case.runner_up and len(values) > 1:
        second = with_runner_up(plan, forecast, resolved)
        assert second.runner_up is not None
        runner_up_best = max(value for columns, value in values.items() if columns != chosen)
        assert _close(second.runner_up.objective_value, runner_up_best), (second.runner_up.objective_value, runner_up_best)


def _activities_percent(problem, activities: tuple[str, ...]) -> float:
    """The activities percent of the enumeration's activities (credits from the problem)."""
    credits = dict(zip(problem.activity_ids, problem.activity_credits))
    return min(problem.activities_maximum, float(sum(credits[activity] for activity in activities)))
