"""The measure-selection integer program of one pathway, in numbers taken from the rules' coefficients.

Decisions: ``report_j`` (candidate j — a measure × collection type — is reported) and ``attest_a``
(activity a is attested). In every forecast draw k the objective's value is a chain of
non-decreasing piecewise-linear functions, each stated once by the rules
(:mod:`optimizer.rules.piecewise`) and read here as coefficients:

    quality percent = quality_pieces_k(counted points_k + extra points_k)     cap, improvement score
    final score     = final_pieces(w_Q × quality percent + w_IA × activities percent + constant)
    value           = objective_pieces(final score)                          payment, threshold

Three exact statements share these numbers (:mod:`optimizer.selection.solve` picks among them):

* the **outer-approximation master** (:func:`optimizer.selection.milp.build_master`, a MILP built
  with PuLP; its ranges and cuts are computed here), used when every draw's chain is concave on the
  values it can reach (the usual case: the payment scale is concave above a quarter of the
  threshold when the scaling factor is at most 1/3, the caps are concave): binaries for the
  decisions and one variable bounded by cuts, each cut the supergradient of the mean over draws at
  a selection (:func:`linearize`); the optimum of the master bounds every selection from above, so
  when it is attained by the selection it proposes, that selection is optimal;
* **selection values** (:func:`selection_values`): the chain valued link by link for whole batches
  of selections with NumPy, used by enumeration of small pools and by
  :mod:`optimizer.selection.branch_and_bound` (every other pool, concave or not: the improvement
  score's kink, the threshold indicator); the search's bounds read the chain composed into one
  piecewise-linear function of the achieved points per draw group (:func:`compose_chain`, jumps
  included) and its concave envelope, whose tangents give linear bounds like the master's cuts;
* the **full model** (:func:`optimizer.selection.milp.build_model`, PuLP): per draw, each link is
  folded into the objective where one piece is reachable, an epigraph variable where the reachable
  part is concave, and a disjunctive segment choice (convex-hull form, binaries) where it is not.
  It is slow where the chain is not concave (its relaxation is the concave envelope over every
  feasible selection's range) and serves as the independent check of the other two in the tests.

Counting: with at most ``required`` measures (6, or 4 in an MVP) and a priority measure guaranteed
by the reporting rule, every reported measure counts, so counted points are linear in ``report``.
In a pool without outcome or high-priority measures the best ``required − 1`` reported count, and
with more than ``required`` reported (hedging) the best ``required`` including a priority measure:
both concave functions of ``report`` whose LP dual gives the cuts' supergradient
(:func:`counted_points`), so outer approximation still applies. The full model picks the counted
measures per draw with ``counted_kj ≤ report_j``, at most ``required`` (one fewer without
a priority measure, §2.10) and at least one priority measure; for fixed ``report`` that polytope is
integral (an interval matrix), so the counted set is the rules' best six.

The model computes no CMS rule of its own; :mod:`optimizer.planning.plan` re-scores every selection it
returns with :func:`optimizer.scoring.selection_score.score_selection` and refuses any difference.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.rules.piecewise import LinearPiece, evaluate, slopes
from optimizer.rules.quality_category import counted_measures

@dataclass(frozen=True)
class SelectionProblem:
    """One pathway's integer program, in numbers: candidates, draws and the rules' coefficients.

    ``points`` is (draws × candidates) achievement points; ``extra_points`` (draws,) the points of
    CMS-calculated extra measures already combined by the rules (0 where none is scored);
    ``quality_pieces[quality_group[k]]`` the quality category in draw k as a function of achieved
    points; ``final_pieces`` the final score of the weighted sum; ``objective_pieces`` the value of
    a final score in objective units (plus ``secondary_weight`` × final score).
    """

    candidate_labels: tuple[str, ...]
    measure_ids: tuple[str, ...]
    points: np.ndarray
    extra_points: np.ndarray
    is_priority: np.ndarray
    is_outcome: np.ndarray
    is_high_priority: np.ndarray
    effort_hours: np.ndarray
    required_measures: int
    minimum_measures: int
    maximum_measures: int
    reporting_rule: str
    required_groups: tuple[tuple[int, ...], ...]
    effort_budget_hours: float | None
    activity_ids: tuple[str, ...]
    activity_credits: np.ndarray
    activities_maximum: float
    quality_pieces: tuple[tuple[LinearPiece, ...], ...]
    quality_group: np.ndarray
    quality_weight: float
    activities_weight: float
    constant: float
    final_pieces: tuple[LinearPiece, ...]
    objective_pieces: tuple[LinearPiece, ...]
    secondary_weight: float = 0.0
    tie_break_measure: float = 1e-5
    tie_break_effort: float = 1e-7
    tie_break_activity: float = 1e-6

    @property
    def draw_count(self) -> int:
        """K, the number of draws (1 in deterministic mode)."""
        return int(self.points.shape[0])

    @property
    def candidate_count(self) -> int:
        """n, the number of candidates."""
        return int(self.points.shape[1])

    @property
    def counting_is_linear(self) -> bool:
        """Every reported measure counts: no per-draw counting variables are needed."""
        return self.reporting_rule != "none" and self.maximum_measures <= self.required_measures

    @property
    def counting_is_best_of(self) -> bool:
        """No priority measure can be reported, so the counted measures are simply the best
        ``counted_limit`` reported ones in every draw (a concave function of ``report``)."""
        return self.reporting_rule == "none"

    @property
    def counted_limit(self) -> int:
        """How many reported measures count: ``required``, one fewer without any priority measure (§2.10)."""
        return self.required_measures if self.reporting_rule != "none" else self.required_measures - 1

    @property
    def activities_upper(self) -> float:
        """The highest activities percent the available activities reach."""
        return min(self.activities_maximum, float(np.sum(self.activity_credits)))


# --- reachable values ------------------------------------------------------------------------


def _per_measure(problem: SelectionProblem, reduce: str) -> np.ndarray:
    """Per draw, the best (or worst) candidate of each measure: (draws × measures)."""
    function = np.max if reduce == "max" else np.min
    return np.column_stack([function(problem.points[:, columns], axis=1) for columns in measure_groups(problem).values()])


def counted_bounds(problem: SelectionProblem) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, bounds on the counted points over every feasible selection (valid, not tight)."""
    draws = problem.draw_count
    if problem.candidate_count == 0:
        return np.zeros(draws), np.zeros(draws)
    counted = min(problem.counted_limit, problem.maximum_measures)
    best = np.sort(_per_measure(problem, "max"), axis=1)[:, ::-1]
    worst = np.sort(_per_measure(problem, "min"), axis=1)
    upper = best[:, :counted].sum(axis=1)
    lower = worst[:, : min(counted, problem.minimum_measures)].sum(axis=1)
    return lower, upper


@dataclass(frozen=True)
class Ranges:
    """Per draw, the reachable interval of each link's argument."""

    quality: tuple[np.ndarray, np.ndarray]
    final: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]


def reachable_ranges(problem: SelectionProblem) -> Ranges:
    lower, upper = counted_bounds(problem)
    quality_lower, quality_upper = lower + problem.extra_points, upper + problem.extra_points
    percent_lower = np.empty_like(quality_lower)
    percent_upper = np.empty_like(quality_upper)
    for group, pieces in enumerate(problem.quality_pieces):
        rows = problem.quality_group == group
        percent_lower[rows] = evaluate(pieces, quality_lower[rows])
        percent_upper[rows] = evaluate(pieces, quality_upper[rows])
    final_lower = problem.quality_weight * percent_lower + problem.constant
    final_upper = problem.quality_weight * percent_upper + problem.activities_weight * problem.activities_upper + problem.constant
    value_lower = evaluate(problem.final_pieces, final_lower)
    value_upper = evaluate(problem.final_pieces, final_upper)
    return Ranges((quality_lower, quality_upper), (final_lower, final_upper), (value_lower, value_upper))


def reachable(pieces: Sequence[LinearPiece], lower: float, upper: float) -> list[LinearPiece]:
    """The pieces a value between ``lower`` and ``upper`` can fall in."""
    found = []
    for piece in pieces:
        if piece.upper < lower or (piece.upper == lower and not piece.upper_included):
            continue
        if piece.lower > upper or (piece.lower == upper and not piece.lower_included):
            continue
        found.append(piece)
    return found


def is_concave(pieces: Sequence[LinearPiece]) -> bool:
    """Continuous at every join and with non-increasing slopes."""
    for left, right in zip(pieces, pieces[1:]):
        if not np.isclose(left.value(left.upper), right.value(right.lower), rtol=0, atol=1e-9):
            return False
        if right.slope > left.slope + 1e-12:
            return False
    return True


def _concave_on(pieces: Sequence[LinearPiece], lower: np.ndarray, upper: np.ndarray) -> bool:
    if lower.size == 0:
        return True
    return is_concave(reachable(pieces, float(lower.min()), float(upper.max())))


def outer_approximation_applies(problem: SelectionProblem) -> bool:
    """Whether every draw's chain is concave where it can reach (the counted points are concave in
    the selection under every counting rule, see :func:`counted_points`)."""
    ranges = reachable_ranges(problem)
    for group, pieces in enumerate(problem.quality_pieces):
        rows = problem.quality_group == group
        if not _concave_on(pieces, ranges.quality[0][rows], ranges.quality[1][rows]):
            return False
    return _concave_on(problem.final_pieces, *ranges.final) and _concave_on(problem.objective_pieces, *ranges.value)


# --- values and supergradients ---------------------------------------------------------------


@dataclass(frozen=True)
class Linearization:
    """The mean objective at a selection and a supergradient (exact where the chain is concave)."""

    value: float
    report_gradient: np.ndarray
    activities_gradient: float
    final_scores: np.ndarray


def counted_points(problem: SelectionProblem, report: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the counted points at ``report`` (0/1 per candidate; the rules' §2.10 count) and a
    supergradient (draws × n).

    The counted points are ``max{points·c : 0 ≤ c ≤ report, Σc ≤ r, Σ_priority c ≥ 1}`` (the
    priority row only under a reporting rule), concave in ``report``; the LP dual gives, for any
    ``u, w ≥ 0``, ``counted(x) ≤ r·u − w + Σ_j max(0, points_j − u + w·priority_j)·x_j``. At
    ``report`` it is tight with ``u`` the r-th best reported points and ``w`` the shortfall of the
    counted points from the r best (0 when those include a priority measure; else ``u`` minus the
    best priority measure's points, which counts in place of the r-th best).
    """
    selected = np.flatnonzero(report > 0.5)
    counted = counted_points_of(problem, selected[None, :])[:, 0]
    limit = problem.counted_limit
    if selected.size <= limit:
        return counted, problem.points
    ranked = -np.sort(-problem.points[:, selected], axis=1)
    threshold = ranked[:, limit - 1]
    shortfall = np.maximum(0.0, ranked[:, :limit].sum(axis=1) - counted)
    gradient = np.maximum(0.0, problem.points - threshold[:, None] + shortfall[:, None] * problem.is_priority[None, :])
    return counted, gradient


@dataclass(frozen=True)
class _Chain:
    """Each link of the chain evaluated per draw (rows) and selection (columns, if any)."""

    achieved: np.ndarray
    quality: np.ndarray
    argument: np.ndarray
    final: np.ndarray
    value: np.ndarray


def _chain(problem: SelectionProblem, counted: np.ndarray, activities_percent: float) -> _Chain:
    """The chain's values for counted points shaped (draws,) or (draws, selections)."""
    achieved = counted + (problem.extra_points if counted.ndim == 1 else problem.extra_points[:, None])
    quality = np.empty_like(achieved)
    for group, pieces in enumerate(problem.quality_pieces):
        rows = problem.quality_group == group
        quality[rows] = evaluate(pieces, achieved[rows])
    return _Chain(achieved, quality, *_after_quality(problem, quality, activities_percent))


def _after_quality(problem: SelectionProblem, quality: np.ndarray, activities_percent: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The final score's argument, the final score and the objective's value from quality percents."""
    argument = problem.quality_weight * quality + problem.activities_weight * activities_percent + problem.constant
    final = np.asarray(evaluate(problem.final_pieces, argument), dtype=float)
    return argument, final, evaluate(problem.objective_pieces, final) + problem.secondary_weight * final


def linearize(problem: SelectionProblem, report: np.ndarray, activities_percent: float) -> Linearization:
    """Mean value over draws at ``report`` (0/1 per candidate) and a supergradient.

    The cut it gives is valid for every feasible selection when the chain is concave and
    non-decreasing on its reachable range and the counted points are concave in ``report``.
    """
    counted, counted_gradient = counted_points(problem, report)
    chain = _chain(problem, counted, activities_percent)
    quality_slope = np.empty_like(chain.achieved)
    for group, pieces in enumerate(problem.quality_pieces):
        rows = problem.quality_group == group
        quality_slope[rows] = slopes(pieces, chain.achieved[rows])
    final_slope = slopes(problem.final_pieces, chain.argument)
    value_slope = slopes(problem.objective_pieces, chain.final) + problem.secondary_weight
    product = value_slope * final_slope
    report_gradient = (product * problem.quality_weight * quality_slope) @ counted_gradient / problem.draw_count
    activities_gradient = float(np.mean(product * problem.activities_weight))
    return Linearization(float(np.mean(chain.value)), report_gradient, activities_gradient, chain.final)


# --- enumeration -----------------------------------------------------------------------------


def selection_count(problem: SelectionProblem) -> int:
    """How many sets of candidates have an allowed size and one collection type per measure (an
    upper bound on the feasible selections, which also obey the reporting rule and budgets)."""
    sizes = list(measure_groups(problem).values())
    # elementary symmetric polynomials of the group sizes: ways[s] = selections of s measures
    ways = [1] + [0] * problem.maximum_measures
    for size in sizes:
        for chosen in range(problem.maximum_measures, 0, -1):
            ways[chosen] += ways[chosen - 1] * len(size)
    return sum(ways[problem.minimum_measures : problem.maximum_measures + 1])


def measure_groups(problem: SelectionProblem) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for column, measure_id in enumerate(problem.measure_ids):
        groups.setdefault(measure_id, []).append(column)
    return groups


def counted_points_of(problem: SelectionProblem, selections: np.ndarray) -> np.ndarray:
    """Counted points (draws × selections) of selections of one size (rows of column indices): the
    rules' §2.10 scoring rule (:func:`optimizer.rules.quality_category.counted_measures`) per draw."""
    points = problem.points[:, selections]  # draws × selections × size
    counted = counted_measures(points, problem.is_priority[selections], problem.required_measures)
    return np.where(counted, points, 0.0).sum(axis=2)


@dataclass(frozen=True)
class _GroupFunction:
    """One draw group's chain as a function of achieved points: its kinks (every piece end of every
    link, carried back), its value at each kink, and the line on each open stretch between kinks."""

    kinks: np.ndarray
    at_kinks: np.ndarray
    after_kinks: np.ndarray  # the value just right of each kink (the line's start)
    slopes: np.ndarray  # the line's slope right of each kink (0 after the last)

    def __call__(self, achieved: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.kinks, achieved, side="right") - 1
        base = self.kinks[index]
        return np.where(achieved == base, self.at_kinks[index], self.after_kinks[index] + (achieved - base) * self.slopes[index])

    @functools.cached_property
    def _right_continuous(self) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
        """The function's right limits as a continuous line through the kinks plus its jumps."""
        before = np.concatenate([[self.after_kinks[0]], self.after_kinks[:-1] + np.diff(self.kinks) * self.slopes[:-1]])
        jumps = self.after_kinks - before
        return self.after_kinks - np.cumsum(jumps), tuple((float(kink), float(jump)) for kink, jump in zip(self.kinks, jumps) if jump)

    def right_limit(self, achieved: np.ndarray) -> np.ndarray:
        """The function's right limit (its value, or more where a kink is owned by the piece on its
        left: the chain does not decrease): fast, for bounds."""
        continuous, jumps = self._right_continuous
        value = np.interp(achieved, self.kinks, continuous)
        for kink, jump in jumps:
            value += jump * (achieved >= kink)
        return value

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """The concave envelope's kinks and values: the upper hull of the highest value at or
        beside each kink (so it lies above the function across its jumps too)."""
        before = np.concatenate([[self.at_kinks[0]], self.after_kinks[:-1] + np.diff(self.kinks) * self.slopes[:-1]])
        return _upper_hull(self.kinks, np.maximum.reduce([self.at_kinks, self.after_kinks, before]))


@dataclass(frozen=True)
class ComposedChain:
    """The whole chain as one piecewise-linear function of the achieved points per quality group,
    with the activities percent fixed, exact on [lower, upper] (jumps included); and each group's
    concave envelope, for a cheap upper bound at the mean."""

    groups: tuple[_GroupFunction, ...]
    lower: float
    upper: float
    envelopes: tuple[tuple[np.ndarray, np.ndarray], ...]

    def mean_bound(self, group_means: np.ndarray, group_weights: np.ndarray) -> np.ndarray:
        """An upper bound on the mean value over draws from each group's mean achieved points
        (groups × columns): each group's concave envelope at its mean (Jensen), weighted."""
        bound = np.zeros(group_means.shape[1])
        for group, weight in enumerate(group_weights):
            kinks, values = self.envelopes[group]
            bound += weight * np.interp(group_means[group], kinks, values)
        return bound


def _upper_hull(kinks: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The concave envelope of points given by increasing kinks: the upper hull's vertices."""
    hull: list[tuple[float, float]] = []
    for point in zip(kinks.tolist(), values.tolist()):
        while len(hull) >= 2:
            (x0, y0), (x1, y1) = hull[-2], hull[-1]
            if (x1 - x0) * (point[1] - y0) - (y1 - y0) * (point[0] - x0) >= 0:
                hull.pop()  # the middle point lies on or below the chord
            else:
                break
        hull.append(point)
    return np.array([x for x, _ in hull]), np.array([y for _, y in hull])


def _ends(pieces: Sequence[LinearPiece]) -> list[float]:
    return [end for piece in pieces for end in (piece.lower, piece.upper) if np.isfinite(end)]


def _preimages(pieces: Sequence[LinearPiece], values: Sequence[float]) -> list[float]:
    """Where the (non-decreasing) function takes each value, on its rising pieces."""
    found = []
    for piece in pieces:
        if piece.slope > 0:
            for value in values:
                argument = (value - piece.intercept) / piece.slope
                if piece.lower <= argument <= piece.upper:
                    found.append(argument)
    return found


def compose_chain(problem: SelectionProblem, activities_percent: float) -> ComposedChain:
    """The chain composed into one function of achieved points per quality group."""
    largest = float(problem.points.max(initial=0.0))
    lower = float(problem.extra_points.min(initial=0.0))
    upper = float(problem.extra_points.max(initial=0.0)) + 2 * max(problem.counted_limit, problem.maximum_measures) * largest + 1.0
    shift = problem.activities_weight * activities_percent + problem.constant
    # kinks of the later links, carried back to the final score's argument, then to quality percent
    arguments = _ends(problem.final_pieces) + _preimages(problem.final_pieces, _ends(problem.objective_pieces))
    percents = [(argument - shift) / problem.quality_weight for argument in arguments] if problem.quality_weight > 0 else []
    groups = []
    for group, pieces in enumerate(problem.quality_pieces):
        kinks = np.unique(np.clip([lower, upper, *_ends(pieces), *_preimages(pieces, percents)], lower, upper))
        at_kinks = _chain_of_group(problem, group, kinks, activities_percent)
        # each stretch between kinks is one line: read it at two inner points, start it at the kink
        width = np.diff(kinks)
        first, second = kinks[:-1] + width / 3, kinks[:-1] + 2 * width / 3
        slope = (_chain_of_group(problem, group, second, activities_percent) - _chain_of_group(problem, group, first, activities_percent)) / (second - first)
        after = _chain_of_group(problem, group, first, activities_percent) - slope * (first - kinks[:-1])
        groups.append(_GroupFunction(kinks, at_kinks, np.append(after, at_kinks[-1]), np.append(slope, 0.0)))
    return ComposedChain(tuple(groups), lower, upper, tuple(function.envelope() for function in groups))


def _chain_of_group(problem: SelectionProblem, group: int, achieved: np.ndarray, activities_percent: float) -> np.ndarray:
    return _after_quality(problem, evaluate(problem.quality_pieces[group], achieved), activities_percent)[2]


def tie_break_penalties(problem: SelectionProblem, selections: np.ndarray) -> np.ndarray:
    """The model's tie-breaks for selections (rows of column indices, one size): fewer measures,
    less effort; subtracted from a selection's value wherever selections are compared."""
    return problem.tie_break_measure * selections.shape[1] + problem.tie_break_effort * problem.effort_hours[selections].sum(axis=1)


def selection_values(problem: SelectionProblem, selections: np.ndarray, activities_percent: float) -> np.ndarray:
    """Mean value over draws of each selection (rows of column indices, all of one size), the chain
    valued link by link."""
    return np.mean(_chain(problem, counted_points_of(problem, selections), activities_percent).value, axis=0)
