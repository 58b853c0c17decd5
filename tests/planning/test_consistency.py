"""The example scenario's plans agree with the rules; the forecast is reproducible; draws = 0 is observed.

The scenario is ``scenarios/riverside-family-medicine.toml`` (every pathway, expected payment),
with its 1000 draws cut to 100 to keep the test quick. ``plan_scenario`` already refuses a model
value that differs from the rules' re-score (``ConsistencyError``); these tests score each plan a
second time from the forecast with :func:`optimizer.scoring.selection_score.score_selection`, without the
planner's own helpers (``outlook_of``, ``objective_values``), and compare with the report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from optimizer.forecast import NOT_SCORED, forecast_candidates
from optimizer.forecast.candidates import build_candidates
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import Plan, PathwayPlan, plan_scenario, prepare_forecast, proxy_benchmarks
from optimizer.planning.resolve import forecast_settings, resolve
from optimizer.report.formatting import number
from optimizer.report.plan_report import plan_to_dict, render_plan_markdown
from optimizer.scoring.pathways import extra_scored_measures
from optimizer.scoring.selection_score import SelectionScore, activities_percent, fixed_categories, observed_points, score_selection
from optimizer.selection.problem import PAYMENT_UNIT

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "riverside-family-medicine.toml"
RELATIVE = 1e-6  # plan.CONSISTENCY_TOLERANCE: solver rounding, nothing more


@pytest.fixture(scope="module")
def example(data_dir: Path):
    """The example scenario (100 draws) and the 2026 catalog."""
    scenario, catalog = load_scenario(EXAMPLE, data_dir)
    return with_optimize_overrides(scenario, {"draws": 100}), catalog


@pytest.fixture(scope="module")
def example_plan(example) -> Plan:
    scenario, catalog = example
    return plan_scenario(scenario, catalog)


def _rescore(run: Plan, plan: PathwayPlan, catalog) -> SelectionScore:
    """The plan's selection scored on every draw by the rules, from the forecast's points."""
    resolved, forecast, pathway = resolve(run.scenario), run.forecast, plan.pathway
    practice, policy = resolved.practice, resolved.policy
    chosen = plan.outlook.selected
    points = forecast.points[:, [forecast.column(candidate.key) for candidate in chosen]]
    extra_columns = [forecast.column(candidate.key) for candidate in extra_scored_measures(forecast.candidates, pathway, practice, policy)]
    extra = np.where(forecast.scored[:, extra_columns], forecast.points[:, extra_columns], np.nan) if extra_columns else None
    return score_selection(
        points,
        [candidate.is_priority for candidate in chosen],
        extra,
        activities_percent(plan.outlook.activities, pathway, special_status=practice.special_status, policy=policy),
        fixed_categories(resolved.cost, resolved.interoperability, pathway, cehrt=practice.cehrt, policy=policy, catalog=catalog),
        pathway,
        practice=practice,
        policy=policy,
        scaling=resolved.scaling,
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= RELATIVE * max(1.0, abs(a), abs(b))


def test_every_pathway_plan_is_rescored_to_the_model_objective(example, example_plan) -> None:
    # Objective expected_payment: the mean adjustment at the default scaling factor, in basis
    # points inside the model (optimizer.selection.problem.PAYMENT_UNIT = 100 per percent).
    _, catalog = example
    assert example_plan.objective == "expected_payment" and example_plan.forecast.draw_count == 100
    assert len(example_plan.pathways) > 1
    for plan in example_plan.pathways:
        assert plan.feasible, f"{plan.pathway.pathway_id}: {plan.infeasible_reason}"
        score = _rescore(example_plan, plan, catalog)
        value = PAYMENT_UNIT * float(np.mean(score.payment_percent["default"]))
        assert _close(value, plan.solve.objective), (plan.pathway.pathway_id, value, plan.solve.objective)
        assert _close(value, plan.outlook.objective_value)
        assert plan.solve.proven_optimal
        assert len(plan.outlook.selected) <= plan.pathway.required_measures  # max_quality_measures = 6 (4 in an MVP)


def test_recommended_plan_is_the_best_pathway(example_plan) -> None:
    values = {plan.pathway.pathway_id: plan.outlook.objective_value for plan in example_plan.pathways}
    best = max(values.values())
    assert example_plan.recommended.outlook.objective_value == best
    assert example_plan.recommended.runner_up is not None
    assert example_plan.recommended.runner_up.objective_value <= best


def test_report_numbers_are_the_rules_numbers(example, example_plan) -> None:
    # The expected final score of the recommended selection, scored again by the rules, is the
    # number the report prints (JSON unrounded, Markdown to two decimals), and so are the chance
    # of reaching 75 and the expected adjustment in dollars.
    _, catalog = example
    recommended = example_plan.recommended
    score = _rescore(example_plan, recommended, catalog)
    final_scores = np.atleast_1d(np.asarray(score.final.score, dtype=float))
    expected = float(final_scores.mean())
    document = plan_to_dict(example_plan)
    entry = document["recommended"]
    assert entry["pathway"] == recommended.pathway.pathway_id
    assert_allclose(entry["expected_final_score"], expected, rtol=1e-12)
    assert_allclose(entry["probability_at_or_above_threshold"], float(np.mean(final_scores >= 75.0)), rtol=1e-12)
    assert_allclose(entry["expected_payment_adjustment_dollars"], float(np.mean(score.payment_dollars["default"])), rtol=1e-12)
    assert f"expected final score **{number(expected)}**" in render_plan_markdown(document)


def test_same_seed_same_forecast_other_seed_other_forecast(example) -> None:
    scenario, catalog = example
    candidates = build_candidates(catalog, scenario.baseline, scenario.policy)

    def forecast(seed: int, chosen=None):
        settings = forecast_settings(with_optimize_overrides(scenario, {"seed": seed}))
        return forecast_candidates(
            chosen or candidates,
            small_practice=resolve(scenario).practice.small_practice,
            policy=scenario.policy,
            settings=settings,
            proxies=proxy_benchmarks(candidates, catalog),
        )

    first, again, other = forecast(1), forecast(1), forecast(2)
    for name in ("points", "rates", "cases", "scored"):
        assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.rates, other.rates) and not np.array_equal(first.points, other.points)
    # each candidate has its own stream: its draws do not depend on the other candidates
    subset = forecast(1, candidates[::3])
    for position, candidate in enumerate(subset.candidates):
        assert_array_equal(subset.points[:, position], first.points[:, first.column(candidate.key)])


def test_same_seed_same_plan(example, example_plan) -> None:
    scenario, catalog = example
    again = plan_scenario(scenario, catalog)
    def selections(run: Plan) -> list[tuple[str, ...]]:
        return [tuple(candidate.label for candidate in plan.outlook.selected) + plan.outlook.activities for plan in run.pathways]

    assert selections(again) == selections(example_plan)
    assert [plan.outlook.objective_value for plan in again.pathways] == [plan.outlook.objective_value for plan in example_plan.pathways]


def test_deterministic_mode_is_one_draw_of_the_observed_points(example) -> None:
    # draws = 0: rates as observed (the example has no planned change and 12-month counts), so
    # every candidate's single draw is its score on the baseline's own counts.
    scenario, catalog = example
    deterministic = with_optimize_overrides(scenario, {"draws": 0})
    resolved = resolve(deterministic)
    candidates, forecast = prepare_forecast(resolved, catalog)
    assert forecast.draw_count == 1 and forecast.points.shape == (1, len(candidates))
    for position, candidate in enumerate(candidates):
        points, outcome = observed_points(candidate, small_practice=resolved.practice.small_practice, policy=resolved.policy)
        assert_allclose(forecast.points[0, position], points, err_msg=candidate.label)
        assert forecast.scored[0, position] == (outcome not in NOT_SCORED)
    run = plan_scenario(deterministic, catalog)
    assert run.forecast.draw_count == 1
    assert_array_equal(run.forecast.points, forecast.points)
