"""The quality category (optimizer.rules.quality_category): counted measures, denominator, bonus, improvement."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from optimizer.rules import (
    Policy,
    counted_measures,
    improvement_percent,
    population_health_points,
    quality_category_score,
    scored_submissions,
)

POLICY = Policy()


def score(points, priority, required=6, small=False, extra=None, prior=None):
    return quality_category_score(
        points, priority, required=required, small_practice=small, policy=POLICY, additional_points=extra,
        prior_achievement_percent=prior,
    )


def test_cms_engine_example_e1() -> None:
    # docs/rules-2026.md §8 E1 (CMS engine output): 3 + 8.9585 + 3 + small-practice bonus 6 over 60 = 34.9308%.
    result = score([3, 8.9585, 3], [False, False, False], small=True)
    assert_allclose(result.measure_points, 14.9585)
    assert result.bonus == 6 and result.denominator == 60
    assert_allclose(result.percent, 34.9308, atol=5e-5)
    assert_allclose(result.percent * 0.30, 10.4792, atol=5e-5)  # E1's 2026 analogue at a 30% weight


def test_hcms_six_measure_example_e3() -> None:
    # docs/rules-2026.md §8 E3 (HCMS guide): 3 × 10 + 3 × 5 = 45 of 60 = 75%.
    assert_allclose(score([10, 10, 10, 5, 5, 5], [True] + [False] * 5).percent, 75.0)


def test_best_six_must_include_a_priority_measure() -> None:
    # §2.10 scoring rule, by hand: the top six (9..4) hold no priority measure, so 4 gives way to 3.
    result = score([9, 8, 7, 6, 5, 4, 3], [False] * 6 + [True])
    assert result.counted.tolist() == [True] * 5 + [False, True]
    assert_allclose(result.percent, 100 * 38 / 60)


def test_no_priority_measure_reported_leaves_a_zero_slot() -> None:
    # §2.10: "the counted measures are the best five plus a 0": (9+8+7+6+5)/60.
    result = score([9, 8, 7, 6, 5, 4], [False] * 6)
    assert result.counted.tolist() == [True] * 5 + [False]
    assert_allclose(result.percent, 100 * 35 / 60)


def test_fewer_than_six_keep_the_denominator() -> None:
    # §2.10: missing slots score 0, denominator stays 60.
    assert_allclose(score([10, 10, 10], [True, False, False]).percent, 50.0)
    assert_allclose(score([], []).percent, 0.0)


def test_admin_claims_measure_adds_ten_to_the_denominator() -> None:
    # §2.9: 479 scored for a group of 16+ ⇒ denominator 70; (45 + 6) / 70.
    points = [10, 10, 10, 5, 5, 5]
    result = score(points, [True] + [False] * 5, extra=[6.0])
    assert result.denominator == 70
    assert_allclose(result.percent, 100 * 51 / 70)
    unscored = score(points, [True] + [False] * 5, extra=[np.nan])
    assert unscored.denominator == 60 and unscored.percent == pytest.approx(75.0)


def test_mvp_four_measures_and_population_health() -> None:
    # §6 / §11: four measures over 40, plus the best scoreable population-health measure over 10 more.
    with_health = score([8, 7, 6, 5], [True, False, False, False], required=4, extra=population_health_points([6.0, 4.0]))
    assert with_health.denominator == 50
    assert_allclose(with_health.percent, 100 * 32 / 50)
    without = score([8, 7, 6, 5], [True, False, False, False], required=4, extra=population_health_points([np.nan, np.nan]))
    assert without.denominator == 40
    assert_allclose(without.percent, 100 * 26 / 40)


def test_improvement_score() -> None:
    # §2.12: prior 50%, current 60% ⇒ 10 × 10/50 = 2.0; prior 20% is compared with 30% ⇒ 10 × 30/30, capped 10.
    assert float(improvement_percent(60.0, 50.0, POLICY)) == pytest.approx(2.0)
    assert float(improvement_percent(60.0, 20.0, POLICY)) == pytest.approx(10.0)
    assert float(improvement_percent(40.0, 50.0, POLICY)) == 0.0
    six = [6, 6, 6, 6, 6, 6]  # 36 / 60 = 60% achievement
    assert_allclose(score(six, [True] + [False] * 5, prior=50.0).percent, 62.0)
    # full participation required: five measures earn no improvement (UNCONFIRMED rule, on by default)
    assert_allclose(score([6, 6, 6, 6, 6], [True] * 5, prior=10.0).improvement_percent, 0.0)


def test_category_is_capped_at_100() -> None:
    # 60/60 plus the 6-point small-practice bonus would be 110%.
    assert score([10] * 6, [True] * 6, small=True).percent == 100.0


def test_vectorised_over_draws_equals_one_by_one() -> None:
    rng = np.random.default_rng(7)
    draws = rng.uniform(0, 10, size=(200, 8))
    priority = [False, False, True, False, False, False, False, True]
    extra = rng.uniform(0, 10, size=(200, 1))
    together = score(draws, priority, extra=extra, prior=40.0)
    for k in range(0, 200, 37):
        alone = score(draws[k], priority, extra=extra[k], prior=40.0)
        assert_allclose(alone.percent, together.percent[k])
        assert alone.counted.tolist() == together.counted[k].tolist()


def test_counted_measures_is_the_best_constrained_subset() -> None:
    # Property: the counted set's total equals the best of all subsets of size min(n, 6) holding a priority measure.
    from itertools import combinations

    rng = np.random.default_rng(11)
    for _ in range(50):
        n = int(rng.integers(1, 9))
        points = rng.uniform(0, 10, n).round(1)
        priority = rng.random(n) < 0.3
        mask = counted_measures(points, priority, 6)
        if priority.any():
            size = min(n, 6)
            best = max(
                points[list(subset)].sum() for subset in combinations(range(n), size) if priority[list(subset)].any()
            )
        else:
            best = np.sort(points)[::-1][: min(n, 5)].sum()
        assert points[mask].sum() == pytest.approx(best)


def test_counted_measures_one_beyond_six() -> None:
    # Seven reported, six count (docs/rules-2026.md §2.10). A lone priority measure (last) that is not the
    # lowest counts and the later-listed of the two 5s is dropped (ties go to the measure listed first).
    assert counted_measures([5, 5, 7, 8, 9, 10, 6], [False] * 6 + [True], 6).tolist() == [True, False, True, True, True, True, True]
    # The lone priority measure is the lowest (4): it still counts, in place of the lowest other (5).
    assert counted_measures([5, 6, 7, 8, 9, 10, 4], [False] * 6 + [True], 6).tolist() == [False, True, True, True, True, True, True]
    # Two priority measures, one of them lowest: the lowest is dropped, the other priority measure counts.
    assert counted_measures([4, 6, 7, 8, 9, 10, 5], [True] + [False] * 5 + [True], 6).tolist() == [False, True, True, True, True, True, True]


def test_counted_measures_per_selection_priority() -> None:
    # Property: with a priority pattern per row (one selection per row), every row's counted total
    # equals the best subset of size min(n, 6) holding a priority measure (or the best five without one).
    from itertools import combinations

    rng = np.random.default_rng(12)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        points = rng.integers(0, 11, size=(30, n)).astype(float)  # integers: many ties
        priority = rng.random((30, n)) < 0.3
        mask = counted_measures(points, priority, 6)
        for row in range(30):
            if priority[row].any():
                size = min(n, 6)
                best = max(points[row, list(subset)].sum() for subset in combinations(range(n), size) if priority[row, list(subset)].any())
                assert (mask[row] & priority[row]).any()
            else:
                best = np.sort(points[row])[::-1][: min(n, 5)].sum()
            assert points[row, mask[row]].sum() == pytest.approx(best)
            assert mask[row].sum() == (min(n, 6) if priority[row].any() else min(n, 5))


def test_small_practice_bonus_needs_one_submitted_measure() -> None:
    # 42 CFR 414.1380(b)(1)(v)(C): 6 points "provided that [the practice] submits data on at least 1
    # quality measure". By hand: nothing submitted ⇒ 0%; one measure of 5 points ⇒ (5 + 6) / 60 = 18.333%.
    assert score([], [], small=True).percent == pytest.approx(0.0)
    assert score([], [], small=True).bonus == 0.0
    assert score([5.0], [True], small=True).percent == pytest.approx(100 * 11 / 60)


def test_improvement_needs_full_participation_with_data_completeness() -> None:
    # 42 CFR 414.1380(b)(1)(vi)(C)(5), (F) (docs/rules-2026.md §2.12): full participation
    # is every required measure submitted, an outcome or high-priority one among them, each meeting
    # data completeness (414.1340). By hand: six measures of 6 points = 36/60 = 60%; prior 50% ⇒
    # improvement 10 × (60 − 50) / 50 = 2.0 ⇒ 62%. One of the six short of data completeness ⇒ 60%.
    six, priority = [6, 6, 6, 6, 6, 6], [True] + [False] * 5
    complete = quality_category_score(six, priority, required=6, small_practice=False, policy=POLICY, prior_achievement_percent=50.0,
                                      meets_data_completeness=[True] * 6)
    assert_allclose(complete.improvement_percent, 2.0)
    assert_allclose(complete.percent, 62.0)
    short = quality_category_score(six, priority, required=6, small_practice=False, policy=POLICY, prior_achievement_percent=50.0,
                                   meets_data_completeness=[True] * 5 + [False])
    assert_allclose(short.improvement_percent, 0.0)
    assert_allclose(short.percent, 60.0)
    # No outcome or high-priority measure: one slot scores 0 (§2.10), so the five best count,
    # 30/60 = 50%, and the requirement is not met ⇒ no improvement (prior 40% would have given 2.5).
    none = score(six, [False] * 6, prior=40.0)
    assert_allclose(none.percent, 50.0)
    assert_allclose(none.improvement_percent, 0.0)
    # The condition is a parameter: lifted, the five-measure submission above earns 10 × (50 − 40) / 40 = 2.5.
    lifted = quality_category_score(six, [False] * 6, required=6, small_practice=False, prior_achievement_percent=40.0,
                                    policy=POLICY.with_overrides({"improvement_requires_full_participation": False}))
    assert_allclose(lifted.percent, 52.5)


def test_prior_floor_of_thirty_percent_in_numerator_and_denominator() -> None:
    # 42 CFR 414.1380(b)(1)(vi)(C)(4) (docs/rules-2026.md §2.12): a prior score at or below 30% is
    # taken as 30% in both places. By hand: 27/60 = 45% now, prior 20% ⇒ 10 × (45 − 30) / 30 = 5.0 ⇒ 50%
    # (with the prior itself in the denominator it would be 10 × (45 − 30) / 20 = 7.5).
    result = score([6, 6, 6, 3, 3, 3], [True] + [False] * 5, prior=20.0)
    assert_allclose(result.improvement_percent, 5.0)
    assert_allclose(result.percent, 50.0)


def test_one_measure_through_two_collection_types_counts_once() -> None:
    # 42 CFR 414.1380(b)(1)(i): a measure submitted through several collection types is scored only on
    # the submission with the most achievement points. By hand: 226 as eCQM 7.2 and as MIPS CQM 8.1,
    # 236 5.0, four others 4.0 each: the best six are 8.1 + 5.0 + 4 × 4.0 = 29.1 of 60 = 48.5%
    # (counting both 226 submissions would give 7.2 + 8.1 + 5.0 + 3 × 4.0 = 32.3).
    points = [7.2, 8.1, 5.0, 4.0, 4.0, 4.0, 4.0]
    ids = ["226", "226", "236", "001", "134", "047", "438"]
    priority = [False, False, True, False, False, False, True]
    result = quality_category_score(points, priority, required=6, small_practice=False, policy=POLICY, measure_ids=ids)
    assert result.counted.tolist() == [False, True, True, True, True, True, True]
    assert_allclose(result.percent, 48.5)
    # per draw: whichever submission has more points that draw is the one scored (ties: the first listed)
    draws = np.array([[7.2, 8.1, 5.0], [9.0, 3.0, 5.0], [6.0, 6.0, 5.0]])
    assert scored_submissions(draws, ["226", "226", "236"]).tolist() == [[False, True, True], [True, False, True], [True, False, True]]


def test_full_participation_counts_a_measure_submitted_twice_once() -> None:
    # Six distinct measures, one of them also submitted a second time short of data completeness:
    # the measure meets data completeness through its other submission, so the improvement score
    # stands. By hand: 36/60 = 60%, prior 50% ⇒ 62%.
    points = [6, 6, 6, 6, 6, 6, 2]
    ids = ["001", "236", "134", "226", "047", "438", "001"]
    result = quality_category_score(points, [True] + [False] * 6, required=6, small_practice=False, policy=POLICY,
                                    prior_achievement_percent=50.0, measure_ids=ids, meets_data_completeness=[True] * 6 + [False])
    assert_allclose(result.percent, 62.0)
