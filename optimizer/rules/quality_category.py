"""The quality category score: which measures count, the denominator, the bonus and improvement.

Functions take measure points as arrays whose last axis is the reported measures, so the same
code scores one submission or thousands of forecast draws.

References
----------
docs/rules-2026.md §2.8 (one measure through two collection types, 42 CFR 414.1380(b)(1)(i)),
§2.9 (denominator), §2.10 (six measures and the outcome requirement), §2.11 (small-practice bonus,
414.1380(b)(1)(v)(C)), §2.12 (improvement, 414.1380(b)(1)(vi)), §6 (MVP: four measures,
population-health measures); docs/rules-2026.md §2.12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.rules.parameters import Policy
from optimizer.rules.piecewise import LinearPiece, capped, evaluate


def counted_measures(points: npt.ArrayLike, is_priority: npt.ArrayLike, required: int) -> np.ndarray:
    """Which reported measures count toward the quality score (a boolean mask like ``points``).

    Parameters
    ----------
    points
        Achievement points, last axis = reported measures [points].
    is_priority
        An outcome or high-priority measure: per measure (last axis), or broadcastable to
        ``points`` (one selection of measures per row).
    required
        Measures that count: 6 in traditional MIPS, 4 in an MVP.

    Notes
    -----
    The best ``required`` measures, at least one of them an outcome or high-priority measure
    when any was reported; when none was, one required slot scores 0, so only the best
    ``required − 1`` count. Ties go to the measure listed first. docs/rules-2026.md §2.10 (scoring rule);
    CMS engine output "At least 1 high or outcome or patient experience measure available".

    Examples
    --------
    >>> counted_measures([9, 8, 7, 6, 5, 4, 3], [False] * 6 + [True], 6).tolist()
    [True, True, True, True, True, False, True]
    >>> counted_measures([[9, 8, 7, 6, 5, 4, 3]], [[False] * 7], 6).tolist()
    [[True, True, True, True, True, False, False]]
    """
    points_array = np.asarray(points, dtype=float)
    reported = points_array.shape[-1]
    if reported == 0:
        return np.zeros(points_array.shape, dtype=bool)
    flags = np.asarray(is_priority, dtype=bool)  # as given: per measure, or per selection
    every_row_has_one = bool(flags.any(axis=-1).all())
    if reported <= required - 1 or (reported == required and every_row_has_one):
        return np.ones(points_array.shape, dtype=bool)
    if reported == required + 1 and every_row_has_one:
        # one does not count: the last-listed lowest, or, when a lone priority measure is the
        # lowest, the last-listed lowest of the others (what the general rule below gives)
        kept = (flags.sum(axis=-1) == 1)[..., None] & flags
        reversed_others = np.where(kept, np.inf, points_array)[..., ::-1]
        dropped = reported - 1 - np.argmin(reversed_others, axis=-1)
        return np.arange(reported) != dropped[..., None]
    table = points_array.reshape(-1, reported)
    priority = np.broadcast_to(flags, points_array.shape).reshape(-1, reported)
    any_priority = priority.any(axis=-1)
    rows = np.arange(table.shape[0])
    mask = np.zeros(table.shape, dtype=bool)
    order = np.argsort(-table, axis=-1, kind="stable")
    take = min(reported, required)
    mask[rows[:, None], order[:, :take]] = True
    without = ~any_priority
    if without.any() and reported >= required:  # no priority measure: the best required − 1
        mask[rows[without], order[without, required - 1]] = False
    lacking = any_priority & ~(mask & priority).any(axis=-1)
    if lacking.any():
        # the best six without a priority measure: drop the weakest counted, add the best priority one
        best_priority = np.argmax(np.where(priority, table, -np.inf), axis=-1)
        mask[rows[lacking], order[lacking, take - 1]] = False
        mask[rows[lacking], best_priority[lacking]] = True
    return mask.reshape(points_array.shape)


def scored_submissions(points: npt.ArrayLike, measure_ids: Sequence[str]) -> np.ndarray:
    """Which submissions CMS scores when a measure is submitted more than once (a mask like ``points``).

    Parameters
    ----------
    points
        Achievement points, last axis = submissions [points].
    measure_ids
        The measure of each submission (last axis); a measure may appear under several collection types.

    Notes
    -----
    A measure submitted through several collection types is scored only on the submission with the
    greatest number of measure achievement points; ties go to the one listed first. 42 CFR
    414.1380(b)(1)(i) (from PY2019; confirmed in docs/rules-2026.md §2.8).

    Examples
    --------
    >>> scored_submissions([7.2, 8.1, 5.0], ["226", "226", "236"]).tolist()
    [False, True, True]
    """
    points_array = np.asarray(points, dtype=float)
    if len(measure_ids) != points_array.shape[-1]:
        raise ValueError("one measure id per submission is needed")
    scored = np.ones(points_array.shape, dtype=bool)
    positions: dict[str, list[int]] = {}
    for position, measure_id in enumerate(measure_ids):
        positions.setdefault(str(measure_id), []).append(position)
    for columns in positions.values():
        if len(columns) < 2:
            continue
        best = np.asarray(columns)[np.argmax(points_array[..., columns], axis=-1)]  # first of the highest
        for column in columns:
            scored[..., column] = best == column
    return scored


def small_practice_bonus(small_practice: bool, measures_submitted: int, policy: Policy) -> float:
    """The small-practice bonus [measure achievement points]: 6 when at least one quality measure is submitted.

    42 CFR 414.1380(b)(1)(v)(C): the bonus is added "provided that the [clinician, group, virtual
    group or APM entity] submits data to MIPS on at least 1 quality measure"; docs/rules-2026.md §2.11.

    Examples
    --------
    >>> small_practice_bonus(True, 1, Policy()), small_practice_bonus(True, 0, Policy()), small_practice_bonus(False, 6, Policy())
    (6.0, 0.0, 0.0)
    """
    return float(policy.small_practice_bonus) if small_practice and measures_submitted > 0 else 0.0


def fully_participates(
    measures_submitted: int, required: int, priority_submitted: bool, data_completeness_met: bool, policy: Policy
) -> bool:
    """Whether a submission earns the quality improvement score (full participation).

    Parameters
    ----------
    measures_submitted
        Distinct quality measures submitted.
    required
        6 (traditional MIPS) or 4 (MVP).
    priority_submitted
        An outcome or high-priority measure is among them (§2.10 requirement).
    data_completeness_met
        Every submitted measure meets the data completeness threshold.

    Notes
    -----
    Full participation is meeting all requirements of 42 CFR 414.1335 (the required measures,
    including the outcome or high-priority measure) and of 414.1340 (data completeness for each);
    without it the improvement score is 0. 42 CFR 414.1380(b)(1)(vi)(C)(5), (F);
    docs/rules-2026.md §2.12. The scoring engine cannot know which measures apply to a
    clinician, so fewer than ``required`` measures, or none of them outcome or high priority (which
    leaves a 0 slot, §2.10), is not full participation. ``improvement_requires_full_participation``
    false lifts the condition.

    Examples
    --------
    >>> fully_participates(6, 6, True, True, Policy()), fully_participates(6, 6, True, False, Policy())
    (True, False)
    """
    if not policy.improvement_requires_full_participation:
        return True
    return measures_submitted >= required and priority_submitted and data_completeness_met


def quality_denominator(required: int, additional_scored: npt.ArrayLike, policy: Policy) -> np.ndarray:
    """Total available measure points: 10 × required measures + 10 per scored extra measure [points].

    Extra measures are administrative-claims measures CMS scores for the entity (e.g. 479 for
    groups of 16+ clinicians ⇒ 70) and an MVP's population-health measure (⇒ 50). docs/rules-2026.md §2.9, §6.
    """
    return policy.points_per_measure * (required + np.asarray(additional_scored, dtype=float))


def improvement_pieces(prior_achievement_percent: float | None, policy: Policy) -> tuple[LinearPiece, ...]:
    """The improvement score as a function of the achievement percent [percentage points].

    Notes
    -----
    ``10 × (current − prior) / prior``, with a prior below 30% compared with 30%, between 0 and
    10. 42 CFR 414.1380(b)(1)(vi)(B)–(D) (docs/rules-2026.md §2.12: the 30% floor replaces the prior
    score in numerator and denominator).
    Without a prior-year score the improvement is 0.
    """
    if prior_achievement_percent is None:
        return (LinearPiece(-np.inf, np.inf, False, False, 0.0, 0.0),)
    prior = max(float(prior_achievement_percent), policy.improvement_prior_floor)
    slope = policy.improvement_scale / prior
    full = prior * (1 + policy.improvement_maximum / policy.improvement_scale)
    return (
        LinearPiece(-np.inf, prior, False, True, 0.0, 0.0),
        LinearPiece(prior, full, False, True, slope, -policy.improvement_scale),
        LinearPiece(full, np.inf, False, False, 0.0, policy.improvement_maximum),
    )


def improvement_percent(
    achievement_percent: npt.ArrayLike, prior_achievement_percent: float | None, policy: Policy
) -> np.ndarray:
    """Quality improvement score [percentage points, 0 to 10]; see :func:`improvement_pieces`.

    Examples
    --------
    >>> float(improvement_percent(60.0, 50.0, Policy()))
    2.0
    """
    return np.asarray(evaluate(improvement_pieces(prior_achievement_percent, policy), achievement_percent), dtype=float)


def quality_percent_pieces(
    denominator: float, bonus: float, prior_achievement_percent: float | None, policy: Policy
) -> tuple[LinearPiece, ...]:
    """The quality category score as a function of the achieved measure points [percent].

    ``min(100, 100 × (points + bonus) / denominator + improvement(100 × points / denominator))``
    (42 CFR 414.1380(b)(1)(vii); docs/rules-2026.md §2.11–2.12), for points from 0 upward.
    """
    scale = 100.0 / denominator
    pieces = []
    for piece in improvement_pieces(prior_achievement_percent, policy):
        lower, upper = max(piece.lower / scale, 0.0), piece.upper / scale
        if upper < 0 or (upper == 0 and not piece.upper_included):
            continue
        pieces.append(
            LinearPiece(
                lower,
                upper,
                piece.lower_included or lower == 0.0,
                piece.upper_included,
                scale + piece.slope * scale,
                scale * bonus + piece.intercept,
            )
        )
    return capped(pieces, 100.0)


@dataclass(frozen=True)
class QualityScore:
    """The quality category, element-wise over draws when given arrays.

    ``counted`` is the mask of counted reported measures; ``measure_points`` the sum of their
    points plus scored extra measures; ``percent`` the category score [percent, 0–100].
    """

    counted: np.ndarray
    measure_points: np.ndarray
    bonus: np.ndarray
    denominator: np.ndarray
    achievement_percent: np.ndarray
    improvement_percent: np.ndarray
    percent: np.ndarray


def quality_category_score(
    points: npt.ArrayLike,
    is_priority: npt.ArrayLike,
    *,
    required: int,
    small_practice: bool,
    policy: Policy,
    additional_points: npt.ArrayLike | None = None,
    prior_achievement_percent: float | None = None,
    measure_ids: Sequence[str] | None = None,
    meets_data_completeness: npt.ArrayLike | None = None,
) -> QualityScore:
    """Score the quality category from the reported measures' points.

    Parameters
    ----------
    points
        Achievement points of the reported measures (last axis) [points].
    is_priority
        Per reported measure: outcome or high-priority.
    required
        6 (traditional MIPS) or 4 (MVP).
    small_practice
        Adds the small-practice bonus when at least one measure was reported.
    additional_points
        Points of extra scored measures outside the required ones (last axis), NaN where the
        measure is not scored (below its case minimum, not applicable): admin-claims measures in
        traditional MIPS, the population-health measure in an MVP.
    prior_achievement_percent
        Last year's achievement percent for the improvement score, or None.
    measure_ids
        Per submission, its measure: a measure submitted twice (two collection types) is scored
        only on the submission with more points (:func:`scored_submissions`); the other never
        counts. None: every submission is a different measure.
    meets_data_completeness
        Per submission, whether it meets the data completeness threshold (full participation,
        :func:`fully_participates`); None: all do.

    Returns
    -------
    QualityScore

    Notes
    -----
    ``percent = min(100, (counted points + extra points + bonus) / denominator × 100 + improvement)``,
    the achievement percent excluding the bonus. 42 CFR 414.1380(b)(1)(vii); docs/rules-2026.md §2.9–2.12.
    The improvement score needs full participation, judged per measure: a measure submitted twice
    meets data completeness when one of its submissions does.

    Examples
    --------
    CMS's engine example (docs/rules-2026.md §8, E1): 3 + 8.9585 + 3 with the small-practice bonus over 60.

    >>> from optimizer.rules.parameters import Policy
    >>> s = quality_category_score([3, 8.9585, 3], [False, False, False], required=6,
    ...                            small_practice=True, policy=Policy())
    >>> round(float(s.percent), 4)
    34.9308
    """
    points_array = np.asarray(points, dtype=float)
    submissions = points_array.shape[-1]
    ids = [str(position) for position in range(submissions)] if measure_ids is None else [str(item) for item in measure_ids]
    priority = np.asarray(is_priority, dtype=bool)
    if len(set(ids)) < submissions:  # a measure submitted twice: only its best submission may count
        scored = scored_submissions(points_array, ids)
        priority = np.broadcast_to(priority, points_array.shape) & scored
        counted = counted_measures(np.where(scored, points_array, -np.inf), priority, required) & scored
    else:
        counted = counted_measures(points_array, priority, required)
    counted_sum = np.where(counted, points_array, 0.0).sum(axis=-1)
    if additional_points is None:
        extra_sum = np.zeros_like(counted_sum)
        extra_scored = np.zeros_like(counted_sum)
    else:
        extra = np.asarray(additional_points, dtype=float)
        extra = extra.reshape(extra.shape + (1,)) if extra.ndim == counted_sum.ndim else extra
        extra_sum = np.nansum(extra, axis=-1) + np.zeros_like(counted_sum)
        extra_scored = np.isfinite(extra).sum(axis=-1) + np.zeros_like(counted_sum)
    measures = list(dict.fromkeys(ids))
    denominator = quality_denominator(required, extra_scored, policy)
    bonus = np.full_like(counted_sum, small_practice_bonus(small_practice, len(measures), policy))
    achieved = counted_sum + extra_sum
    achievement = 100.0 * achieved / denominator
    complete = np.ones(submissions, dtype=bool) if meets_data_completeness is None else np.asarray(meets_data_completeness, dtype=bool)
    measure_complete = all(any(complete[p] for p in range(submissions) if ids[p] == measure) for measure in measures)
    any_priority = bool(np.asarray(is_priority, dtype=bool).any()) if submissions else False
    full = fully_participates(len(measures), required, any_priority, measure_complete, policy)
    prior = prior_achievement_percent if full else None
    improvement = improvement_percent(achievement, prior, policy) * np.ones_like(achievement)
    percent = np.zeros_like(achievement)
    for value in np.unique(denominator):
        same = denominator == value
        pieces = quality_percent_pieces(float(value), float(bonus.flat[0]) if bonus.size else 0.0, prior, policy)
        percent = np.where(same, evaluate(pieces, achieved), percent)
    return QualityScore(
        counted=counted,
        measure_points=achieved,
        bonus=bonus,
        denominator=denominator,
        achievement_percent=achievement,
        improvement_percent=improvement,
        percent=percent,
    )


def population_health_points(points: npt.ArrayLike) -> np.ndarray:
    """An MVP's population-health points: the best scoreable foundation measure, NaN when none.

    ``points`` holds the foundation measures (479, 484) on the last axis, NaN where a measure
    does not meet its case minimum. A population-health measure without a benchmark or below its case
    minimum is left out of numerator and denominator (40 instead of 50): 42 CFR 414.1365(d)(3)(i)(A),
    confirmed (docs/rules-2026.md §6). That the best scoreable one counts, rather than
    the one selected at registration, stays UNCONFIRMED for 2026 (``mvp_population_health_rule``).
    """
    values = np.asarray(points, dtype=float)
    if values.shape[-1] == 0:
        return np.full(values.shape[:-1], np.nan)
    any_scored = np.isfinite(values).any(axis=-1)
    best = np.max(np.where(np.isfinite(values), values, -np.inf), axis=-1)
    return np.where(any_scored, best, np.nan)
