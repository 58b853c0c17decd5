"""HiGHS and CBC give the same proven plans on the example practice.

PuLP reads CBC's solution values from a file rounded to 8 significant digits, so the outer
approximation's master bound (e.g. -155.89989 for a value of -155.8998917) stayed above the
proposed selection's value by more than the convergence tolerance: CBC proposed the same selection
again and again until the 2,000-cut limit, about a minute per pathway, and reported "time_limit"
for 7 of riverside's 21 pathways. A selection proposed twice is now recognised as optimal (its
cut is tight there). Expected values: HiGHS's, which converged before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import plan_scenario
from optimizer.selection.solve import available_solvers

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "riverside-family-medicine.toml"


def test_cbc_proves_the_same_plans_as_highs(data_dir: Path) -> None:
    if "cbc" not in available_solvers():
        pytest.skip("PuLP's CBC is not available on this platform")
    scenario, catalog = load_scenario(EXAMPLE, data_dir)
    runs = {
        solver: plan_scenario(with_optimize_overrides(scenario, {"draws": 20, "solver": solver, "time_limit": 5.0}), catalog)
        for solver in ("highs", "cbc")
    }
    highs = {plan.pathway.pathway_id: plan for plan in runs["highs"].pathways}
    methods = set()
    for plan in runs["cbc"].pathways:
        expected = highs[plan.pathway.pathway_id]
        assert plan.solve is not None and plan.solve.proven_optimal, (plan.pathway.pathway_id, plan.solve)
        if plan.solve.method == "outer approximation":  # master solves (the others need no MILP solver)
            assert plan.solve.iterations <= 10, (plan.pathway.pathway_id, plan.solve.iterations)
        assert plan.solve.objective == pytest.approx(expected.solve.objective, rel=1e-6, abs=1e-6)
        methods.add(plan.solve.method)
    assert "outer approximation" in methods
