"""Final score, weights and redistribution (optimizer.rules.final_score)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.rules import Policy, category_weights, final_score
from optimizer.rules.parameters import CATEGORIES

POLICY = Policy()
Q, C, IA, PI = CATEGORIES


def scores(quality=80.0, cost=50.0, activities=100.0, interoperability=90.0):
    return {Q: quality, C: cost, IA: activities, PI: interoperability}


def test_default_weights_and_bonus() -> None:
    # 42 CFR 414.1330(b)(5) weights 30/30/15/25, by hand: 24 + 15 + 15 + 22.5 + 2 = 78.5.
    result = final_score(scores(), small_practice=False, complex_patient_bonus=2.0, policy=POLICY)
    assert float(result.score) == pytest.approx(78.5)
    assert result.weights == {Q: 0.30, C: 0.30, IA: 0.15, PI: 0.25}


def test_pi_reweighted_standard_and_small_practice() -> None:
    # §1.2: standard 55/30/15/0 ⇒ 44 + 15 + 15 = 74; small practice 40/30/30/0 ⇒ 32 + 15 + 30 = 77.
    assert float(final_score(scores(interoperability=None), small_practice=False, complex_patient_bonus=0, policy=POLICY).score) == pytest.approx(74.0)
    assert float(final_score(scores(interoperability=None), small_practice=True, complex_patient_bonus=0, policy=POLICY).score) == pytest.approx(77.0)


STANDARD_ROWS = [  # 42 CFR 414.1380(c)(2)(ii)(F), the table as the regulation prints it (Quality/Cost/IA/PI)
    (set(), (30, 30, 15, 25)),
    ({C}, (55, 0, 15, 30)),
    ({PI}, (55, 30, 15, 0)),
    ({Q}, (0, 30, 15, 55)),
    ({IA}, (45, 30, 0, 25)),
    ({C, PI}, (85, 0, 15, 0)),
    ({C, Q}, (0, 0, 15, 85)),
    ({C, IA}, (70, 0, 0, 30)),
    ({PI, Q}, (0, 50, 50, 0)),
    ({PI, IA}, (70, 30, 0, 0)),
    ({Q, IA}, (0, 30, 0, 70)),
]
SMALL_PRACTICE_ROWS = {  # 42 CFR 414.1380(c)(2)(ii)(G): only these two rows differ from (F)
    frozenset({PI}): (40, 30, 30, 0),
    frozenset({C, PI}): (50, 0, 50, 0),
}


@pytest.mark.parametrize(("reweighted", "expected"), STANDARD_ROWS, ids=lambda value: "-".join(sorted(value)) if isinstance(value, set) else None)
@pytest.mark.parametrize("small", [False, True])
def test_redistribution_rows(reweighted, expected, small) -> None:
    # docs/rules-2026.md §1.2: the four corrected standard rows are {Q} 0/30/15/55,
    # {C, Q} 0/0/15/85, {PI, Q} 0/50/50/0, {Q, IA} 0/30/0/70; the small-practice {PI, IA} row is 70/30/0/0
    # (was 50/50/0/0), and a small practice follows the standard table everywhere but {PI} and {C, PI}.
    weights = category_weights(reweighted, small_practice=small, policy=POLICY)
    assert tuple(weights[c] for c in CATEGORIES) == (SMALL_PRACTICE_ROWS.get(frozenset(reweighted), expected) if small else expected)
    assert sum(weights.values()) == 100


def test_quality_reweighted_final_score_by_hand() -> None:
    # Quality reweighted (no scoreable measure), cost 50, IA 100, PI 90, no bonus: 0/30/15/55 ⇒
    # 0.30 × 50 + 0.15 × 100 + 0.55 × 90 = 15 + 15 + 49.5 = 79.5 (the old 0/55/15/30 row gave 69.5).
    result = final_score(scores(quality=None), small_practice=False, complex_patient_bonus=0.0, policy=POLICY)
    assert float(result.score) == pytest.approx(79.5)


def test_one_scored_category_sets_the_threshold() -> None:
    # 42 CFR 414.1380(c) (docs/rules-2026.md §1.2): "scored on fewer than 2 performance categories ...
    # a final score equal to the performance threshold": three categories reweighted ⇒ 75.
    result = final_score(scores(cost=None, activities=None, interoperability=None), small_practice=False,
                         complex_patient_bonus=5.0, policy=POLICY)
    assert result.set_to_threshold and float(result.score) == 75.0


def test_cap_at_100_and_arrays() -> None:
    result = final_score(scores(np.array([100.0, 0.0]), 100, 100, 100), small_practice=False,
                         complex_patient_bonus=10, policy=POLICY)
    assert result.score.tolist() == [100.0, 80.0]  # 110 capped; 70 + 10


def test_complex_patient_bonus_range() -> None:
    with pytest.raises(ValueError):
        final_score(scores(), small_practice=False, complex_patient_bonus=11, policy=POLICY)
