"""The payment adjustment (optimizer.rules.payment)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from optimizer.rules import Policy, payment_adjustment_dollars, payment_adjustment_percent, payment_adjustment_pieces, scaling_factors

POLICY = Policy()


def test_healthmonix_py2024_positive_side_e5() -> None:
    # docs/rules-2026.md §8 E5: PY2024 → 2026, maximum +1.05% (scaling factor 1.05/9): 90 ⇒ +0.63%, 80 ⇒ +0.21%.
    assert_allclose(payment_adjustment_percent([100, 90, 80, 75], 1.05 / 9, POLICY), [1.05, 0.63, 0.21, 0.0], atol=1e-9)


def test_statutory_negative_side() -> None:
    # 42 CFR 414.1405(b)(2): −9% × (75 − s)/75 above 18.75; −9% at or below 18.75 (a step), by hand.
    assert float(payment_adjustment_percent(60, 0.2, POLICY)) == pytest.approx(-1.8)
    assert float(payment_adjustment_percent(18.76, 0.2, POLICY)) == pytest.approx(-9 * (75 - 18.76) / 75)
    assert float(payment_adjustment_percent(18.75, 0.2, POLICY)) == -9.0
    assert float(payment_adjustment_percent(0, 0.2, POLICY)) == -9.0
    assert float(payment_adjustment_percent(74.99, 0.2, POLICY)) < 0 < float(payment_adjustment_percent(75.01, 0.2, POLICY))


def test_published_scaling_factor_range() -> None:
    # docs/rules-2026.md §7.3: +2.15% (PY2023) and +1.05% (PY2024) at a score of 100.
    factors = scaling_factors(POLICY)
    assert float(payment_adjustment_percent(100, factors.high, POLICY)) == pytest.approx(2.151, abs=1e-3)
    assert float(payment_adjustment_percent(100, factors.low, POLICY)) == pytest.approx(1.053, abs=1e-3)
    assert factors.default == pytest.approx((factors.low + factors.high) / 2)
    with pytest.raises(ValueError):
        scaling_factors(POLICY, default=3.5)
    with pytest.raises(ValueError):
        scaling_factors(POLICY, low=0.3, default=0.2)


def test_dollars_on_part_b_allowed_charges() -> None:
    # −1.8% of $1,450,000 = −$26,100 (by hand).
    assert float(payment_adjustment_dollars(-1.8, 1_450_000)) == pytest.approx(-26_100)


def test_pieces_reproduce_the_function_and_bounds() -> None:
    # Property on a fine grid: the pieces the optimizer uses give the same values, within [−9%, 9% × SF].
    scores = np.linspace(0, 100, 10_001)
    for factor in (0.117, 0.178, 0.239, 1.0):
        values = payment_adjustment_percent(scores, factor, POLICY)
        assert values.min() >= -9.0 and values.max() <= 9.0 * factor + 1e-12
        assert np.all(np.diff(values) >= -1e-12)  # never decreasing in the score
        pieces = payment_adjustment_pieces(factor, POLICY)
        for score, value in zip(scores[::97], values[::97]):
            piece = next(p for p in pieces if (p.lower < score or (p.lower_included and p.lower == score))
                         and (score < p.upper or (p.upper_included and p.upper == score)))
            assert piece.value(score) == pytest.approx(value)


def test_out_of_range_scores_are_refused() -> None:
    with pytest.raises(ValueError):
        payment_adjustment_percent(100.5, 0.2, POLICY)
