"""Decisions a consultant would check, each on a small made-up practice with the answer worked by hand.

Points come from the 2026 benchmarks (benchmarks/2026.json through the catalog) and the decile
rule of the docs/rules-2026.md §2.2: a rate in decile k scores ``k + (rate − D_k) / (D_{k+1} − D_k)`` with
D_1 = p1, D_2 = p10, …, D_10 = p90 (mirrored for inverse measures), 10 at or beyond p90 (p10 for
inverse measures), capped at 7 where the benchmark is topped out by program (§2.4). Benchmark values are quoted where used. Unless a test says otherwise the practice
plans traditional MIPS only, deterministically (``draws = 0``), for the expected final score.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import poisson

from optimizer.errors import InfeasibleError
from optimizer.planning.plan import PathwayPlan, pathway_fixed_categories, plan_scenario
from optimizer.planning.resolve import resolve
from optimizer.scoring.selection_score import observed_points, score_selection
from optimizer.selection.problem import reporting_rule

from scenario_builder import counts

COUNTS_ONLY = {"persistence": 1.0, "position_drift": 0.0, "bad_year_probability": 0.0, "volume_spread": 0.0, "completeness_spread": 0.0}
"""A forecast that keeps only the uncertainty of the counts themselves (this year's rate given its counts,
Poisson cases, binomial met): no year-to-year change, bad year, volume or completeness change. The
tests with draws use it so that their hand-worked premises (sure tens, a case-minimum risk) hold."""

# Measures that score a sure 10 for any draw of a COUNTS_ONLY forecast (large samples well past p90/p10):
SURE_TEN = (
    counts("236", "ecqm", 900, 1000),  # outcome; 90% ≥ p90 84.04
    counts("001", "ecqm", 80, 1000),  # outcome, inverse; 8% ≤ p10 12.5
    counts("134", "ecqm", 970, 1000),  # 97% ≥ p90 93.44
    counts("317", "ecqm", 600, 1000),  # 60% ≥ p90 45.84
    counts("475", "ecqm", 600, 1000),  # 60% ≥ p90 47.715
)


def _plan(scenario, catalog) -> PathwayPlan:
    plan = plan_scenario(scenario, catalog)
    assert len(plan.pathways) == 1 and plan.recommended.feasible
    return plan.recommended


def _labels(plan: PathwayPlan) -> set[str]:
    return {candidate.label for candidate in plan.outlook.selected}


def _points(plan: PathwayPlan) -> dict[str, float]:
    return {measure.candidate.label: measure.expected_points for measure in plan.outlook.measures}


def _quality_percent(plan: PathwayPlan) -> float:
    return float(np.mean(plan.outlook.score.quality.percent))



# --- (a) eCQM over a MIPS CQM capped at 7 ---------------------------------------------------


@pytest.mark.parametrize("draws", [0, 100])
def test_ecqm_beats_the_seven_point_capped_mips_cqm(draws, scenario_from, catalog_2026) -> None:
    # 134 mips_cqm (2026) is topped out by program: even 100% (decile 10) is capped at 7 (§2.4).
    # 134 ecqm is not capped: 85% lies in decile 9 (p80 80.72 ≤ 85 < p90 93.44), so
    # 9 + (85 − 80.72) / (93.44 − 80.72) = 9.33648 points. Six measures in all, so the only
    # decision is 134's collection type: eCQM, although its rate is lower. A group of 40 (no
    # small-practice bonus, which would cap both choices at 100%): quality (5 × 10 + 9.33648) / 60
    # = 98.8941% (vs 57 / 60 = 95% with the MIPS CQM).
    rows = [row for row in SURE_TEN if row["measure_id"] != "134"]
    rows += [counts("438", "ecqm", 900, 1000),  # 90% ≥ p90 89.01
             counts("134", "mips_cqm", 1000, 1000), counts("134", "ecqm", 850, 1000)]
    objective = "expected_payment" if draws else "expected_score"
    scenario = scenario_from(rows, clinicians=40, optimize={"draws": draws, "objective": objective})
    plan = _plan(scenario, catalog_2026)
    assert "134 (ecqm)" in _labels(plan) and "134 (mips_cqm)" not in _labels(plan)
    if draws == 0:
        assert_allclose(_points(plan)["134 (ecqm)"], 9 + (85 - 80.72) / (93.44 - 80.72))
        assert_allclose(_quality_percent(plan), 100 * (50 + 9 + 4.28 / 12.72) / 60)
    # the MIPS CQM was eligible, and lost on points alone: 100% capped at 7
    mips_cqm = next(candidate for candidate in plan.candidates.eligible if candidate.label == "134 (mips_cqm)")
    assert mips_cqm.benchmark.seven_point_cap
    assert observed_points(mips_cqm, small_practice=False, policy=scenario.policy) == (7.0, "capped")


# --- (b) a measure with 22 cases under uncertainty -------------------------------------------


def _small_sample_rows() -> list[dict]:
    return [
        *SURE_TEN,
        # A: 438 ecqm, 20 of 22 = 90.9% ≥ p90 89.01 ⇒ 10 points on the observed rate.
        counts("438", "ecqm", 20, 22),
        # B: 226 ecqm, 990 of 1000 = 99%, decile 9 (p80 98.82 ≤ 99 < p90 100):
        # 9 + (99 − 98.82) / (100 − 98.82) = 9.1525 points.
        counts("226", "ecqm", 990, 1000),
    ]


def test_small_sample_measure_wins_on_observed_rates_and_loses_under_uncertainty(scenario_from, catalog_2026) -> None:
    # Seven measures, six reported: the five sure 10s and the better of A and B.
    # Deterministic: A (10) beats B (9.1525).
    # With draws: next year's cases ~ Poisson(22), P(N ≤ 19) = 0.306 (scipy), and a group of 40
    # scores 0 below the case minimum of 20 (§2.3); so E[A] ≤ 10 × 0.694 = 6.94 even before the
    # rate's uncertainty (20 of 22 under the national prior of 438 eCQM), while B's 1000 cases keep it near
    # 9.15 (forecast COUNTS_ONLY, so no year-to-year change). B wins.
    assert_allclose(poisson.cdf(19, 22), 0.30603, atol=5e-5)
    deterministic = _plan(scenario_from(_small_sample_rows(), clinicians=40), catalog_2026)
    assert "438 (ecqm)" in _labels(deterministic) and "226 (ecqm)" not in _labels(deterministic)
    assert_allclose(_points(deterministic)["438 (ecqm)"], 10.0)

    run = plan_scenario(scenario_from(_small_sample_rows(), clinicians=40, optimize={"draws": 400, "seed": 3}, forecast=COUNTS_ONLY), catalog_2026)
    uncertain = run.recommended
    assert "226 (ecqm)" in _labels(uncertain) and "438 (ecqm)" not in _labels(uncertain)
    b = _points(uncertain)["226 (ecqm)"]
    assert 8.9 < b < 9.3  # B's expected points stay close to 9.1525 (9.227 with this seed)
    assert uncertain.outlook.expected_final_score < deterministic.outlook.expected_final_score
    # A's own forecast: below the bound on average (5.29 with this seed), 0 in about 30% of draws
    a = run.forecast.points[:, run.forecast.column(("438", "ecqm"))]
    assert a.mean() < 10 * (1 - poisson.cdf(19, 22)) < b
    assert 0.22 < np.mean(a == 0) < 0.40


# --- (c) a seventh measure as a hedge ----------------------------------------------------------


def _hedge_rows() -> list[dict]:
    return [
        *SURE_TEN,
        counts("438", "ecqm", 20, 22),  # U: 10 points when scored, 0 in ~31% of draws (see (b))
        # H: 226 ecqm 90% in decile 7 (p60 87.41 ≤ 90 < p70 94.74): 7 + 2.59 / 7.33 = 7.3533, steady.
        counts("226", "ecqm", 900, 1000),
    ]


def test_seventh_measure_is_reported_as_a_hedge(scenario_from, catalog_2026) -> None:
    # With at most six, one of U and H is reported: 50 + max(E[U], E[H]) points. With seven,
    # both are, and each draw counts the better one (best six, §2.10, §12): 50 + E[max(U, H)],
    # strictly more because U < H in some draws (below the case minimum) and U > H in others.
    # With this seed (forecast COUNTS_ONLY) E[U] = 5.16 < E[H] = 7.35, so six measures take H; seven take
    # both, U counting in 44% of draws and H in the other 56%, and the expected final score rises by 0.46.
    settings = {"draws": 300, "seed": 5}
    six = _plan(scenario_from(_hedge_rows(), clinicians=40, optimize={**settings, "max_quality_measures": 6}, forecast=COUNTS_ONLY), catalog_2026)
    seven = _plan(scenario_from(_hedge_rows(), clinicians=40, optimize={**settings, "max_quality_measures": 7}, forecast=COUNTS_ONLY), catalog_2026)
    assert len(six.outlook.selected) == 6
    assert len(seven.outlook.selected) == 7 and {"438 (ecqm)", "226 (ecqm)"} <= _labels(seven)
    assert seven.outlook.objective_value > six.outlook.objective_value + 0.1
    counted = {measure.candidate.label: measure.probability_counted for measure in seven.outlook.measures}
    assert 0 < counted["438 (ecqm)"] < 1 and 0 < counted["226 (ecqm)"] < 1
    assert_allclose(counted["438 (ecqm)"] + counted["226 (ecqm)"], 1.0)  # exactly one of them counts
    per_draw = np.asarray(seven.outlook.score.quality.counted).sum(axis=-1)
    assert (per_draw == 6).all()


# --- (d) the reporting rule ------------------------------------------------------------------


def test_an_outcome_measure_is_reported_even_when_it_scores_lower(scenario_from, catalog_2026) -> None:
    # §2.10 reporting rule: the pool holds an outcome measure (236), so the reported set must hold
    # one, although the scoring rule alone is met by the high-priority 318. Six 10-point measures
    # (318 ecqm 100% ≥ p90 99.86; 226 ecqm 100% ≥ p90 100; 134, 317, 475, 438 as above) would
    # score 60 / 60 = 100%; 236 ecqm at 40% is in decile 1 (p1 4.76 ≤ 40 < p10 45.28):
    # 1 + 35.24 / 40.52 = 1.86969, so the plan scores (50 + 1.86969) / 60 = 86.449%.
    rows = [
        counts("236", "ecqm", 400, 1000),
        counts("318", "ecqm", 1000, 1000),
        counts("226", "ecqm", 1000, 1000),
        counts("134", "ecqm", 970, 1000),
        counts("317", "ecqm", 600, 1000),
        counts("475", "ecqm", 600, 1000),
        counts("438", "ecqm", 900, 1000),
    ]
    scenario = scenario_from(rows, clinicians=40)  # no small-practice bonus: quality below 100%
    plan = _plan(scenario, catalog_2026)
    assert reporting_rule(plan.candidates.pool) == "outcome"
    assert "236 (ecqm)" in _labels(plan) and len(plan.outlook.selected) == 6
    assert_allclose(_points(plan)["236 (ecqm)"], 1 + 35.24 / 40.52)
    assert_allclose(_quality_percent(plan), 100 * (50 + 1 + 35.24 / 40.52) / 60)
    # The six 10-point measures, scored by the rules (318 satisfies the scoring rule): 100%.
    resolved = resolve(scenario)
    fixed = pathway_fixed_categories(resolved, catalog_2026, plan.pathway)
    without = score_selection(
        np.full(6, 10.0), [True] + [False] * 5, None, plan.outlook.score.activities_percent, fixed, plan.pathway,
        practice=resolved.practice, policy=resolved.policy, scaling=resolved.scaling,
    )
    assert_allclose(without.quality.percent, 100.0)
    assert float(without.final.score) > plan.outlook.expected_final_score


# --- (e) require, exclude, effort budget ---------------------------------------------------------

CONSTRAINED_ROWS = (
    counts("236", "ecqm", 900, 1000, effort=2),  # 10 (outcome)
    counts("001", "ecqm", 80, 1000, effort=2),  # 10 (outcome)
    counts("134", "ecqm", 970, 1000, effort=2),  # 10
    counts("475", "ecqm", 600, 1000, effort=2),  # 10
    counts("317", "ecqm", 600, 1000, effort=6),  # 10
    counts("438", "ecqm", 900, 1000, effort=6),  # 10
    counts("226", "ecqm", 900, 1000, effort=1),  # decile 7: 7 + (90 − 87.41) / (94.74 − 87.41) = 7.3533
    # 001 claims, flat inverse benchmark (p1…p99 = 1…99): 15% in decile 9 (10, 20]: 9 + (20 − 15) / 10 = 9.5
    counts("001", "medicare_part_b_claims", 150, 1000, effort=8),
)
H226 = 7 + (90 - 87.41) / (94.74 - 87.41)


def test_unconstrained_plan_takes_the_six_tens(scenario_from, catalog_2026) -> None:
    # A group of 40 (no bonus, no claims): the six 10s, 60 / 60.
    plan = _plan(scenario_from(CONSTRAINED_ROWS, clinicians=40), catalog_2026)
    assert _labels(plan) == {"236 (ecqm)", "001 (ecqm)", "134 (ecqm)", "475 (ecqm)", "317 (ecqm)", "438 (ecqm)"}
    assert_allclose(_quality_percent(plan), 100.0)


def test_required_measure_is_reported(scenario_from, catalog_2026) -> None:
    # 226 replaces a 10: (50 + 7.3533) / 60 = 95.589%; the one dropped is a 6-hour measure (tie-break).
    plan = _plan(scenario_from(CONSTRAINED_ROWS, clinicians=40, optimize={"require": ["226"]}), catalog_2026)
    assert "226 (ecqm)" in _labels(plan) and len(plan.outlook.selected) == 6
    assert len(_labels(plan) & {"317 (ecqm)", "438 (ecqm)"}) == 1
    assert_allclose(_quality_percent(plan), 100 * (50 + H226) / 60)


def test_required_collection_type_is_reported(scenario_from, catalog_2026) -> None:
    # Claims need a small practice (8 clinicians): 001 as claims (9.5 points) instead of eCQM (10).
    # With the small-practice bonus (+6) the category is capped at 100% either way.
    plan = _plan(scenario_from(CONSTRAINED_ROWS, optimize={"require": [["001", "medicare_part_b_claims"]]}), catalog_2026)
    assert "001 (medicare_part_b_claims)" in _labels(plan) and "001 (ecqm)" not in _labels(plan)
    assert_allclose(_points(plan)["001 (medicare_part_b_claims)"], 9.5)
    assert_allclose(_quality_percent(plan), 100.0)


def test_excluded_measures_are_not_reported(scenario_from, catalog_2026) -> None:
    # Without 134 and 438 five measures remain (236, 001, 475, 317, 226): all reported,
    # (4 × 10 + 7.3533) / 60 = 78.922%.
    plan = _plan(scenario_from(CONSTRAINED_ROWS, clinicians=40, optimize={"exclude": ["134", ["438", "ecqm"]]}), catalog_2026)
    assert _labels(plan) == {"236 (ecqm)", "001 (ecqm)", "475 (ecqm)", "317 (ecqm)", "226 (ecqm)"}
    reasons = {candidate.label: reason for candidate, reason in plan.candidates.excluded}
    assert reasons["134 (ecqm)"] == reasons["438 (ecqm)"] == "excluded in [optimize] exclude"
    assert_allclose(_quality_percent(plan), 100 * (40 + H226) / 60)


def test_effort_budget_is_respected(scenario_from, catalog_2026) -> None:
    # The six 10s take 2 + 2 + 2 + 2 + 6 + 6 = 20 hours. Within 15 hours six measures must include
    # 226 (1 hour): 226 + the four 2-hour 10s + one 6-hour 10 = 15 hours, (50 + 7.3533) / 60.
    plan = _plan(scenario_from(CONSTRAINED_ROWS, clinicians=40, optimize={"effort_budget_hours": 15}), catalog_2026)
    assert sum(candidate.effort_hours for candidate in plan.outlook.selected) <= 15
    assert {"226 (ecqm)", "236 (ecqm)", "001 (ecqm)", "134 (ecqm)", "475 (ecqm)"} <= _labels(plan)
    assert_allclose(_quality_percent(plan), 100 * (50 + H226) / 60)


def test_a_budget_too_small_for_six_reports_fewer(scenario_from, catalog_2026) -> None:
    # The cheapest six take 1 + 2 + 2 + 2 + 2 + 6 = 15 hours. Within 5 hours the best is 236 and 001
    # (2 hours each, both outcome, 10 points) and 226 (1 hour, 7.3533): three measures, the three
    # missing ones score 0 in a denominator of 60 (docs/rules-2026.md §2.10), and without full participation
    # there is no improvement score although last year's achievement (20%) is far below this year's.
    scenario = scenario_from(CONSTRAINED_ROWS, clinicians=40, prior_year_achievement_percent=20.0, optimize={"effort_budget_hours": 5})
    plan = _plan(scenario, catalog_2026)
    assert _labels(plan) == {"236 (ecqm)", "001 (ecqm)", "226 (ecqm)"}
    assert_allclose(_quality_percent(plan), 100 * (20 + H226) / 60)
    assert plan.outlook.score.quality.improvement_percent == pytest.approx(0.0)
    # the runner-up also stays within 5 hours: another three, or two of them
    runner_up = plan_scenario(scenario, catalog_2026).recommended.runner_up
    assert runner_up is not None and sum(candidate.effort_hours for candidate in runner_up.selected) <= 5


# --- (f) infeasible cases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "clinicians", "expected"),
    [
        # Both outcome measures excluded while the pool holds them: the §2.10 reporting rule
        # applies to what the practice could report, not to what the user leaves in.
        (
            {"exclude": ["236", "001"]},
            8,
            "no pathway has a feasible selection (traditional: an outcome measure applies to the practice "
            "but none is left after [optimize] exclude / collection_types)",
        ),
        # Fewer than six measures may be reported under a budget, but an outcome measure is needed
        # (§2.10) and the cheapest, 236 and 001 eCQMs, take 2 hours each.
        (
            {"effort_budget_hours": 1.5},
            8,
            "no pathway has a feasible selection (traditional: no outcome measure fits the effort budget of 1.5 hours)",
        ),
        # Claims measures are for small practices only (§12); a group of 40 cannot report them.
        (
            {"require": [["001", "medicare_part_b_claims"]]},
            40,
            "no pathway has a feasible selection (traditional: 001 (medicare_part_b_claims) cannot be reported in Traditional MIPS)",
        ),
    ],
    ids=["outcome-measures-excluded", "effort-budget-too-small", "required-claims-for-a-large-group"],
)
def test_infeasible_plans_raise_one_line(settings, clinicians, expected, scenario_from, catalog_2026) -> None:
    scenario = scenario_from(CONSTRAINED_ROWS, clinicians=clinicians, optimize=settings)
    with pytest.raises(InfeasibleError) as raised:
        plan_scenario(scenario, catalog_2026)
    message = str(raised.value)
    assert "\n" not in message
    assert message == expected


# --- (g) claims for small practices, eCQMs with CEHRT -------------------------------------------

COLLECTION_TYPE_ROWS = (
    counts("236", "medicare_part_b_claims", 95, 100),  # flat benchmark: 95% ≥ 90 ⇒ 10
    counts("236", "ecqm", 780, 1000),  # decile 8 (p70 75 ≤ 78 < p80 78.7): 8 + 3 / 3.7 = 8.8108
    counts("236", "mips_cqm", 550, 1000),  # flat: 6 + (55 − 50) / 10 = 6.5
    counts("001", "ecqm", 80, 1000),  # 10
    counts("001", "mips_cqm", 150, 1000),  # flat inverse: 9.5
    counts("134", "ecqm", 970, 1000),  # 10
    counts("134", "mips_cqm", 1000, 1000),  # capped at 7
    counts("317", "ecqm", 600, 1000),  # 10
    counts("317", "mips_cqm", 600, 1000),  # decile 4 (p30 54.275 ≤ 60 < p40 82.65): 4.2018
    counts("438", "ecqm", 900, 1000),  # 10
    counts("438", "mips_cqm", 900, 1000),  # decile 8 (p70 89.27 ≤ 90 < p80 99.775): 8.0695
    counts("047", "mips_cqm", 500, 1000),  # the only type given; decile 2 (p10 30.94 ≤ 50 < p20 68.45): 2 + 19.06 / 37.51 = 2.5081
)  # the best six stay below a full quality score (≤ 52.51 points + 6 small-practice bonus < 60), so no two choices tie
CLAIMS_REASON = "Medicare Part B claims measures are for small practices only"
ECQM_REASON = "eCQMs need certified EHR technology"


@pytest.mark.parametrize(
    ("clinicians", "cehrt", "type_236", "other_types"),
    [
        (8, True, "medicare_part_b_claims", "ecqm"),  # claims 10 > eCQM 8.81
        (40, True, "ecqm", "ecqm"),  # no claims for a group of 40: eCQM 8.81 > MIPS CQM 6.5
        (8, False, "medicare_part_b_claims", "mips_cqm"),  # no eCQMs without CEHRT
        (40, False, "mips_cqm", "mips_cqm"),  # neither: MIPS CQMs only
    ],
    ids=["small-cehrt", "large-cehrt", "small-no-cehrt", "large-no-cehrt"],
)
def test_claims_need_a_small_practice_and_ecqms_need_cehrt(clinicians, cehrt, type_236, other_types, scenario_from, catalog_2026) -> None:
    plan = _plan(scenario_from(COLLECTION_TYPE_ROWS, clinicians=clinicians, cehrt=cehrt), catalog_2026)
    chosen = {candidate.measure_id: candidate.collection_type for candidate in plan.outlook.selected}
    assert chosen == {"236": type_236, "001": other_types, "134": other_types, "317": other_types, "438": other_types, "047": "mips_cqm"}
    reasons = {candidate.label: reason for candidate, reason in plan.candidates.excluded}
    for candidate in plan.candidates.pool + tuple(candidate for candidate, _ in plan.candidates.excluded):
        if candidate.collection_type == "medicare_part_b_claims":
            assert (candidate.label in reasons) == (clinicians > 15)
            if clinicians > 15:
                assert reasons[candidate.label] == CLAIMS_REASON
        if candidate.collection_type == "ecqm":
            assert (candidate.label in reasons) == (not cehrt)
            if not cehrt:
                assert reasons[candidate.label] == ECQM_REASON


# --- (h) ties: fewer measures, less effort, fewer activities -------------------------------------


def test_ties_go_to_fewer_measures_and_less_effort(scenario_from, catalog_2026) -> None:
    # Eight certain 10-point measures, at most seven, deterministic: any six including an outcome
    # measure score 60 / 60; a seventh never counts (best six). So the plan reports six, the six
    # cheapest: 001 (1 h, outcome), 134 (2), 236 (3, outcome), 317 (4), 475 (5), 438 (6) = 21 hours.
    # The practice (8 clinicians) is small, so one activity earns the full 100% (§4): one of the four.
    rows = [
        counts("001", "ecqm", 80, 1000, effort=1),
        counts("134", "ecqm", 970, 1000, effort=2),
        counts("236", "ecqm", 900, 1000, effort=3),
        counts("317", "ecqm", 600, 1000, effort=4),
        counts("475", "ecqm", 600, 1000, effort=5),
        counts("438", "ecqm", 900, 1000, effort=6),
        counts("226", "ecqm", 1000, 1000, effort=7),  # 100% ≥ p90 100
        counts("309", "ecqm", 800, 1000, effort=8),  # 80% ≥ p90 73.55
    ]
    plan = _plan(scenario_from(rows, optimize={"max_quality_measures": 7}), catalog_2026)
    assert _labels(plan) == {"001 (ecqm)", "134 (ecqm)", "236 (ecqm)", "317 (ecqm)", "475 (ecqm)", "438 (ecqm)"}
    assert_allclose(_quality_percent(plan), 100.0)
    assert len(plan.outlook.activities) == 1 and plan.outlook.score.activities_percent == 100.0


# --- (h) the threshold objective's tie-break --------------------------------------------------


@pytest.mark.parametrize("draws", [0, 1, 200, 1000, 4000, 100_000])
def test_expected_score_never_outweighs_one_more_draw_at_the_threshold(draws) -> None:
    # Under threshold_probability the objective is P(final ≥ 75) + weight × E[final]; a whole
    # 0–100 range of expected score must weigh no more than one draw (1 / draws) reaching 75.
    from optimizer.selection.problem import threshold_secondary_weight

    weight = threshold_secondary_weight(draws)
    assert 0 < 100 * weight <= 1 / max(1, draws)
