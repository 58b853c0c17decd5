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


@pytest.mark.parametrize(
    ("reweighted", "small", "expected"),
    [
        ({C}, False, (55, 0, 15, 30)),
        ({Q}, False, (0, 55, 15, 30)),
        ({IA}, False, (45, 30, 0, 25)),
        ({C, PI}, False, (85, 0, 15, 0)),
        ({C, PI}, True, (50, 0, 50, 0)),
        ({PI, Q}, True, (0, 50, 50, 0)),
        ({PI, IA}, True, (50, 50, 0, 0)),
        ({C}, True, (55, 0, 15, 30)),  # small practice with PI scored uses the standard rows
    ],
)
def test_redistribution_rows(reweighted, small, expected) -> None:
    # Rules file §1.2 tables (CY2022 PFS final rule; partly UNCONFIRMED).
    weights = category_weights(reweighted, small_practice=small, policy=POLICY)
    assert tuple(weights[c] for c in CATEGORIES) == expected
    assert sum(weights.values()) == 100


def test_one_scored_category_sets_the_threshold() -> None:
    # §1.2 (UNCONFIRMED): with three categories reweighted the final score is the performance threshold.
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
