"""Branch and bound on pools too deep for the brute-force tests, checked against enumeration.

test_against_brute_force.py checks every method, branch and bound included, on pools of at most
14 candidates against the rules' own scoring, and enumeration with it. Here the pools are the 18
family-medicine candidates with the highest expected points (optimizer.synthetic, real 2026
benchmarks; up to 7,805 feasible selections): deep enough that branch and bound prunes whole
subtrees by its per-draw bounds and by the concave-envelope bound, which is what could go wrong.
The expected optimum and runner-up are enumeration's (every feasible selection valued with NumPy).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.errors import SolverError
from optimizer.planning.plan import pathway_fixed_categories, pathway_parts, pathway_split, prepare_forecast
from optimizer.planning.resolve import resolve
from optimizer.rules.parameters import TRADITIONAL
from optimizer.scoring.pathways import read_pathway
from optimizer.selection.solve import BRANCH_AND_BOUND, ENUMERATION, SelectionSolver, choose_method
from optimizer.synthetic import family_medicine_measures, synthetic_baseline

from scenario_builder import admin_claims

POOL = 18
DRAWS = 300


def _problem(scenario_from, catalog, *, seed: int, objective: str, prior: float | None, maximum: int = 6, clinicians: int = 10):
    rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=seed, include_cahps=False)
    everything = resolve(scenario_from(rows, clinicians=clinicians, optimize={"draws": DRAWS, "seed": seed}))
    candidates, forecast = prepare_forecast(everything, catalog)
    pathway = read_pathway(catalog, TRADITIONAL, everything.policy)
    eligible = pathway_split(everything, candidates, pathway, catalog).eligible
    best = sorted(eligible, key=lambda candidate: -forecast.points[:, forecast.column(candidate.key)].mean())[:POOL]
    keys = {candidate.key for candidate in best}
    kept = [row for row in rows.to_dict(orient="records") if (row["measure_id"], row["collection_type"]) in keys]
    kept.append(admin_claims("479", 0.16, 400))  # scored in most draws: extra points and two quality groups
    resolved = resolve(scenario_from(
        kept,
        clinicians=clinicians,
        prior_year_achievement_percent=prior,
        optimize={"draws": DRAWS, "seed": seed, "objective": objective, "max_quality_measures": maximum},
    ))
    candidates, forecast = prepare_forecast(resolved, catalog)
    split = pathway_split(resolved, candidates, pathway, catalog)
    fixed = pathway_fixed_categories(resolved, catalog, pathway)
    return pathway_parts(resolved, pathway, split, forecast, fixed, catalog)[0].problem


def _best_two(problem, method):
    solver = SelectionSolver(problem, method=method)
    first = solver.best()
    solver.exclude(first.reported)
    return first, solver.best()


@pytest.mark.parametrize(
    ("seed", "objective", "prior", "maximum", "clinicians"),
    [
        (3, "expected_payment", 60.0, 6, 10),
        (7, "expected_payment", 70.0, 6, 40),
        (4, "expected_score", 55.0, 6, 10),
        (8, "expected_score", 65.0, 6, 40),
        (5, "threshold_probability", 60.0, 6, 10),
        (6, "expected_payment", None, 7, 10),
    ],
    ids=["payment-improvement", "payment-improvement-large", "score-improvement", "score-improvement-large", "threshold-improvement", "payment-hedge7"],
)
def test_branch_and_bound_equals_enumeration(seed, objective, prior, maximum, clinicians, scenario_from, catalog_2026) -> None:
    problem = _problem(scenario_from, catalog_2026, seed=seed, objective=objective, prior=prior, maximum=maximum, clinicians=clinicians)
    assert problem.candidate_count == POOL
    searched, searched_second = _best_two(problem, BRANCH_AND_BOUND)
    enumerated, enumerated_second = _best_two(problem, ENUMERATION)
    assert searched.proven_optimal and searched_second.proven_optimal
    assert searched.objective == pytest.approx(enumerated.objective, rel=1e-9, abs=1e-9)
    assert searched_second.objective == pytest.approx(enumerated_second.objective, rel=1e-9, abs=1e-9)
    assert searched.reported != searched_second.reported


def test_a_deep_pool_with_a_prior_year_is_searched_not_enumerated(scenario_from, catalog_2026) -> None:
    # 86 family-medicine candidates and the improvement score's kink: neither concave nor small
    rows = synthetic_baseline(catalog_2026, family_medicine_measures(catalog_2026), seed=2026, include_cahps=False)
    resolved = resolve(scenario_from(rows, clinicians=10, prior_year_achievement_percent=60.0, optimize={"draws": 50, "seed": 1}))
    candidates, forecast = prepare_forecast(resolved, catalog_2026)
    pathway = read_pathway(catalog_2026, TRADITIONAL, resolved.policy)
    split = pathway_split(resolved, candidates, pathway, catalog_2026)
    problem = pathway_parts(resolved, pathway, split, forecast, pathway_fixed_categories(resolved, catalog_2026, pathway), catalog_2026)[0].problem
    assert choose_method(problem) == BRANCH_AND_BOUND
    # a time limit that ends the search before its first selection is a one-line error, not a guess
    with pytest.raises(SolverError, match=r"^the time limit of 1e-09 s ended before the branch and bound found a selection"):
        SelectionSolver(problem, time_limit=1e-9).best()
    # without the limit it proves an optimum no enumeration could reach (4 × 10^8 selections)
    found = SelectionSolver(problem).best()
    assert found.proven_optimal and found.method == BRANCH_AND_BOUND and np.isfinite(found.objective)
