"""The composed chain (one piecewise-linear function of achieved points per draw group, read by
branch and bound's bounds) equals the chain evaluated link by link (its fast right limits too, off
the kinks, and never less at them), and its concave envelope lies above it: checked at every kink,
at points just beside each kink, and at random points, for the payment objective (improvement kink,
caps) and the threshold objective (a jump at 75)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.planning.plan import pathway_fixed_categories, pathway_parts, pathway_split, prepare_forecast
from optimizer.planning.resolve import resolve
from optimizer.rules.parameters import TRADITIONAL
from optimizer.scoring.pathways import read_pathway
from optimizer.selection.model import _chain_of_group, compose_chain

from scenario_builder import admin_claims, counts

ROWS = (
    counts("001", "ecqm", 120, 900),
    counts("236", "ecqm", 600, 900),
    counts("134", "ecqm", 700, 900),
    counts("317", "ecqm", 500, 900),
    counts("438", "ecqm", 800, 900),
    counts("130", "ecqm", 850, 900),
    counts("226", "ecqm", 20, 25),
    admin_claims("479", 0.16, 260),  # scored (case minimum 200): extra points in every draw
)


@pytest.mark.parametrize("objective", ["expected_payment", "threshold_probability", "expected_score"])
def test_composed_chain_equals_the_links(objective, scenario_from, catalog_2026) -> None:
    resolved = resolve(scenario_from(ROWS, clinicians=30, prior_year_achievement_percent=58.0, optimize={"draws": 200, "objective": objective}))
    candidates, forecast = prepare_forecast(resolved, catalog_2026)
    pathway = read_pathway(catalog_2026, TRADITIONAL, resolved.policy)
    split = pathway_split(resolved, candidates, pathway, catalog_2026)
    problem = pathway_parts(resolved, pathway, split, forecast, pathway_fixed_categories(resolved, catalog_2026, pathway), catalog_2026)[0].problem
    activities = 100.0
    composed = compose_chain(problem, activities)
    rng = np.random.default_rng(0)
    for group, function in enumerate(composed.groups):
        kinks = function.kinks
        assert len(kinks) > 3  # the caps and the improvement score's kink at least
        beside = np.concatenate([kinks[1:] - 1e-6, kinks[:-1] + 1e-6])
        points = np.concatenate([kinks, beside, rng.uniform(composed.lower, composed.upper, 500)])
        exact = _chain_of_group(problem, group, points, activities)
        np.testing.assert_allclose(function(points), exact, rtol=1e-12, atol=1e-9)
        # the fast right limits branch and bound's bounds read: the chain off the kinks, at least it at them
        right = function.right_limit(points)
        off = ~np.isin(points, kinks)
        np.testing.assert_allclose(right[off], exact[off], rtol=1e-12, atol=1e-9)
        assert np.all(right >= exact - 1e-9)
        np.testing.assert_allclose(function.right_limit(kinks[:-1]), function.after_kinks[:-1], rtol=1e-12, atol=1e-9)
        envelope_kinks, envelope_values = composed.envelopes[group]
        assert np.all(np.interp(points, envelope_kinks, envelope_values) >= exact - 1e-9)
        slopes = np.diff(envelope_values) / np.diff(envelope_kinks)
        assert np.all(slopes >= -1e-12) and np.all(np.diff(slopes) <= 1e-9)  # non-decreasing, concave
    if objective == "threshold_probability":  # the step at 75 lies inside the reachable range
        for function in composed.groups:  # 0 just left of the score-75 kink, 1 at it
            left = function.after_kinks[:-1] + np.diff(function.kinks) * function.slopes[:-1]
            assert np.max(function.at_kinks[1:] - left) > 0.99
