"""The payment adjustment two years after the performance year, from the final score.

References
----------
42 CFR 414.1405(b)(2): a linear sliding scale from −9% at a score of 0 to 0% at the performance
threshold, and −9% for scores at or below a quarter of the threshold; (b)(3): positive factors
scaled for budget neutrality by a factor of at most 3. docs/rules-2026.md §7.2–7.3 (published maxima
+2.15% for PY2023, +1.05% for PY2024, i.e. scaling factors 0.239 and 0.117).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.rules.parameters import Policy
from optimizer.rules.piecewise import LinearPiece, evaluate


@dataclass(frozen=True)
class ScalingFactors:
    """The budget-neutrality scaling factor as a range: it is only known after the year."""

    low: float
    default: float
    high: float

    def as_dict(self) -> dict[str, float]:
        """``{"low": …, "default": …, "high": …}``."""
        return {"low": self.low, "default": self.default, "high": self.high}


def scaling_factors(
    policy: Policy, low: float | None = None, default: float | None = None, high: float | None = None
) -> ScalingFactors:
    """The scaling-factor range, defaults from the policy; each value must lie in (0, 3]."""
    values = ScalingFactors(
        low=policy.scaling_factor_low if low is None else float(low),
        default=policy.scaling_factor_default if default is None else float(default),
        high=policy.scaling_factor_high if high is None else float(high),
    )
    for name, value in values.as_dict().items():
        if not 0 < value <= policy.scaling_factor_maximum:
            raise ValueError(f"scaling factor {name} must be above 0 and at most {policy.scaling_factor_maximum}")
    if not values.low <= values.default <= values.high:
        raise ValueError("scaling factors must satisfy low <= default <= high")
    return values


def payment_adjustment_pieces(scaling_factor: float, policy: Policy) -> tuple[LinearPiece, ...]:
    """The adjustment as linear pieces over final scores 0–100 [percent per score point].

    Notes
    -----
    ``[0, PT/4]``: −A; ``(PT/4, PT)``: −A × (PT − s)/PT; ``[PT, 100]``: A × SF × (s − PT)/(100 − PT),
    with A the applicable percent (9) and PT the performance threshold (75). The optimizer takes
    these pieces as its coefficients; :func:`payment_adjustment_percent` evaluates them.
    """
    threshold = policy.performance_threshold
    applicable = policy.applicable_percent
    floor_score = policy.negative_floor_fraction_of_threshold * threshold
    top = policy.final_score_maximum
    positive_slope = applicable * scaling_factor / (top - threshold)
    return (
        LinearPiece(0.0, floor_score, True, True, 0.0, -applicable),
        LinearPiece(floor_score, threshold, False, False, applicable / threshold, -applicable),
        LinearPiece(threshold, top, True, True, positive_slope, -positive_slope * threshold),
    )


def payment_adjustment_percent(final_score: npt.ArrayLike, scaling_factor: float, policy: Policy) -> np.ndarray:
    """The payment adjustment [percent of Medicare Part B payments] for final scores [points].

    Examples
    --------
    Healthmonix's PY2024 table (docs/rules-2026.md §8, E5) with scaling factor 0.117/0.9 × 0.9 (max +1.05%):

    >>> from optimizer.rules.parameters import Policy
    >>> [round(float(x), 2) for x in payment_adjustment_percent([100, 90, 80, 75, 18.75],
    ...                                                         1.05 / 9, Policy())]
    [1.05, 0.63, 0.21, 0.0, -9.0]
    """
    score = np.asarray(final_score, dtype=float)
    try:
        return evaluate(payment_adjustment_pieces(scaling_factor, policy), score)
    except ValueError:
        raise ValueError("final scores must lie between 0 and 100") from None


def payment_adjustment_dollars(percent: npt.ArrayLike, medicare_part_b_allowed: float) -> np.ndarray:
    """The adjustment in dollars a year on the practice's Medicare Part B allowed charges [$]."""
    return np.asarray(percent, dtype=float) / 100.0 * float(medicare_part_b_allowed)
