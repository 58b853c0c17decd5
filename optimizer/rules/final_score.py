"""The final score: category weights, their redistribution, the complex patient bonus and the cap.

References
----------
42 CFR 414.1330(b)(5) (weights 30/30/15/25; docs/rules-2026.md §1.1); 42 CFR 414.1380(c)(2)(ii)(F),
(G) (redistribution tables) and 414.1380(c) (fewer than two scored categories: the performance
threshold; docs/rules-2026.md §1.2); docs/rules-2026.md §7.1 (complex patient bonus up to 10, final
score capped at 100, compared with the threshold unrounded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from optimizer.rules.parameters import CATEGORIES, Policy
from optimizer.rules.piecewise import LinearPiece, capped, evaluate


def category_weights(reweighted: Iterable[str], *, small_practice: bool, policy: Policy) -> Mapping[str, float] | None:
    """Category weights [percent] given the categories reweighted to 0%.

    Returns None when fewer than two categories are scored (or no table row exists): the final
    score is then set to the performance threshold (42 CFR 414.1380(c); docs/rules-2026.md §1.2).

    Examples
    --------
    >>> dict(category_weights({"promoting_interoperability"}, small_practice=True, policy=Policy()))
    {'quality': 40, 'cost': 30, 'improvement_activities': 30, 'promoting_interoperability': 0}
    """
    reweighted_set = frozenset(reweighted)
    unknown = reweighted_set - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories: {', '.join(sorted(unknown))}")
    if len(CATEGORIES) - len(reweighted_set) < policy.minimum_scored_categories:
        return None
    return policy.redistribution_row(reweighted_set, small_practice)


def final_score_pieces(policy: Policy) -> tuple[LinearPiece, ...]:
    """The final score as a function of the weighted category sum plus bonus: capped at 100 (§7.1)."""
    return capped((LinearPiece(0.0, np.inf, True, False, 1.0, 0.0),), policy.final_score_maximum)


@dataclass(frozen=True)
class FinalScore:
    """A final score with its parts; arrays when the category scores are arrays.

    ``weights`` are fractions (0.30 for 30%); ``contributions`` are final-score points per category;
    ``percents`` the category scores combined [percent], None for a reweighted category;
    ``set_to_threshold`` is True when too few categories were scored.
    """

    weights: Mapping[str, float]
    contributions: Mapping[str, np.ndarray]
    complex_patient_bonus: float
    score: np.ndarray
    set_to_threshold: bool
    percents: Mapping[str, np.ndarray | None] = field(default_factory=dict)


def final_score(
    category_percents: Mapping[str, npt.ArrayLike | None],
    *,
    small_practice: bool,
    complex_patient_bonus: float,
    policy: Policy,
) -> FinalScore:
    """Combine the category scores into the final score [points, 0–100].

    Parameters
    ----------
    category_percents
        Score per category [percent, 0–100]; None for a category reweighted to 0%.
    small_practice
        Selects the small-practice redistribution rows when PI is reweighted.
    complex_patient_bonus
        Points added to the final score [0–10].

    Notes
    -----
    ``final = min(100, Σ weight_c × score_c + complex patient bonus)``; when fewer than two
    categories are scored the final score equals the performance threshold.

    Examples
    --------
    >>> s = final_score({"quality": 80, "cost": 50, "improvement_activities": 100,
    ...                  "promoting_interoperability": 90}, small_practice=False,
    ...                 complex_patient_bonus=2.0, policy=Policy())
    >>> round(float(s.score), 2)
    78.5
    """
    missing = [category for category in CATEGORIES if category not in category_percents]
    if missing:
        raise ValueError(f"missing category scores: {', '.join(missing)}")
    if not 0 <= complex_patient_bonus <= policy.complex_patient_bonus_maximum:
        raise ValueError(f"the complex patient bonus must lie between 0 and {policy.complex_patient_bonus_maximum}")
    reweighted = {category for category, percent in category_percents.items() if percent is None}
    weights = category_weights(reweighted, small_practice=small_practice, policy=policy)
    shape = np.broadcast_shapes(
        *(np.shape(percent) for percent in category_percents.values() if percent is not None)
    ) if len(reweighted) < len(CATEGORIES) else ()
    if weights is None:
        zero = np.zeros(shape)
        return FinalScore(
            weights={category: 0.0 for category in CATEGORIES},
            contributions={category: zero for category in CATEGORIES},
            complex_patient_bonus=0.0,
            score=np.full(shape, policy.performance_threshold),
            set_to_threshold=True,
            percents=_percents(category_percents, shape),
        )
    fractions = {category: weights[category] / 100.0 for category in CATEGORIES}
    contributions = {
        category: np.zeros(shape)
        if category_percents[category] is None
        else np.broadcast_to(np.asarray(category_percents[category], dtype=float) * fractions[category], shape)
        for category in CATEGORIES
    }
    total = sum(contributions.values()) + complex_patient_bonus
    score = evaluate(final_score_pieces(policy), total)
    return FinalScore(
        weights=fractions,
        contributions=contributions,
        complex_patient_bonus=complex_patient_bonus,
        score=score,
        set_to_threshold=False,
        percents=_percents(category_percents, shape),
    )


def _percents(category_percents: Mapping[str, npt.ArrayLike | None], shape: tuple[int, ...]) -> dict[str, np.ndarray | None]:
    return {
        category: None if category_percents[category] is None else np.broadcast_to(np.asarray(category_percents[category], dtype=float), shape)
        for category in CATEGORIES
    }
