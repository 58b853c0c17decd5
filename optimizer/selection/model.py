"""The measure-selection integer program of one pathway, built with PuLP from the rules' coefficients.

Decisions: ``report_j`` (candidate j — a measure × collection type — is reported) and ``attest_a``
(activity a is attested). In every forecast draw k the objective's value is a chain of
non-decreasing piecewise-linear functions, each stated once by the rules
(:mod:`optimizer.rules.piecewise`) and read here as coefficients:

    quality percent = quality_pieces_k(counted points_k + extra points_k)     cap, improvement score
    final score     = final_pieces(w_Q × quality percent + w_IA × activities percent + constant)
    value           = objective_pieces(final score)                          payment, threshold

Three exact statements share these numbers (:mod:`optimizer.selection.solve` picks among them):

* the **outer-approximation master** (:func:`build_master`, :func:`add_cut`), used when every
  draw's chain is concave on the values it can reach (the usual case: the payment scale is concave
  above a quarter of the threshold when the scaling factor is at most 1/3, the caps are concave):
  binaries for the decisions and one variable bounded by cuts, each cut the supergradient of the
  mean over draws at a selection (:func:`linearize`); the optimum of the master bounds every
  selection from above, so when it is attained by the selection it proposes, that selection is
  optimal;
* **selection values** (:func:`selection_values`): the chain valued link by link for whole batches
  of selections with NumPy, used by enumeration of small pools and by
  :mod:`optimizer.selection.branch_and_bound` (every other pool, concave or not: the improvement
  score's kink, the threshold indicator); the search's bounds read the chain composed into one
  piecewise-linear function of the achieved points per draw group (:func:`compose_chain`, jumps
  included) and its concave envelope, whose tangents give linear bounds like the master's cuts;
* the **full model** (:func:`build_model`): per draw, each link is folded into the objective where
  one piece is reachable, an epigraph variable where the reachable part is concave, and a
  disjunctive segment choice (convex-hull form, binaries) where it is not. It is slow where the
  chain is not concave (its relaxation is the concave envelope over every feasible selection's
  range) and serves as the independent check of the other two in the tests.

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
from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.rules.piecewise import LinearPiece, evaluate, slopes
from optimizer.rules.quality_category import counted_measures

OPEN_END_MARGIN = 1e-7
"""How far inside an open end of a piece the model keeps its argument (in the argument's unit)."""


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
    return np.column_stack([function(problem.points[:, columns], axis=1) for columns in _measure_groups(problem).values()])


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
class _Ranges:
    """Per draw, the reachable interval of each link's argument."""

    quality: tuple[np.ndarray, np.ndarray]
    final: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]


def _ranges(problem: SelectionProblem) -> _Ranges:
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
    return _Ranges((quality_lower, quality_upper), (final_lower, final_upper), (value_lower, value_upper))


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
    ranges = _ranges(problem)
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
    sizes = list(_measure_groups(problem).values())
    # elementary symmetric polynomials of the group sizes: ways[s] = selections of s measures
    ways = [1] + [0] * problem.maximum_measures
    for size in sizes:
        for chosen in range(problem.maximum_measures, 0, -1):
            ways[chosen] += ways[chosen - 1] * len(size)
    return sum(ways[problem.minimum_measures : problem.maximum_measures + 1])


def _measure_groups(problem: SelectionProblem) -> dict[str, list[int]]:
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


# --- shared PuLP pieces ----------------------------------------------------------------------


@dataclass
class SelectionModel:
    """A PuLP problem over the decisions, and the handles needed to read a solution back."""

    problem: pulp.LpProblem
    report: list[pulp.LpVariable]
    attest: list[pulp.LpVariable]
    activities_percent: pulp.LpVariable
    primary_objective: pulp.LpAffineExpression
    statistics: dict[str, int] = field(default_factory=dict)
    bound: pulp.LpVariable | None = None
    cuts: int = 0


def _decisions(problem: SelectionProblem, name: str) -> tuple[pulp.LpProblem, list[pulp.LpVariable], list[pulp.LpVariable], pulp.LpVariable]:
    model = pulp.LpProblem(name, pulp.LpMaximize)
    report = [pulp.LpVariable(f"report_{j}", cat=pulp.LpBinary) for j in range(problem.candidate_count)]
    attest = [pulp.LpVariable(f"attest_{a}", cat=pulp.LpBinary) for a in range(len(problem.activity_ids))]
    activities = pulp.LpVariable("activities_percent", lowBound=0.0, upBound=problem.activities_maximum)
    for measure_id, columns in _measure_groups(problem).items():
        if len(columns) > 1:
            model += pulp.lpSum(report[j] for j in columns) <= 1, f"one_collection_type_{_safe(measure_id)}"
    model += pulp.lpSum(report) >= problem.minimum_measures, "at_least_required_measures"
    model += pulp.lpSum(report) <= problem.maximum_measures, "at_most_maximum_measures"
    if problem.reporting_rule == "outcome":
        model += pulp.lpSum(report[j] for j in np.flatnonzero(problem.is_outcome)) >= 1, "report_an_outcome_measure"
    elif problem.reporting_rule == "high_priority":
        model += pulp.lpSum(report[j] for j in np.flatnonzero(problem.is_high_priority)) >= 1, "report_a_high_priority_measure"
    for position, group in enumerate(problem.required_groups):
        model += pulp.lpSum(report[j] for j in group) >= 1, f"required_measure_{position}"
    if problem.effort_budget_hours is not None:
        model += (
            pulp.lpSum(float(problem.effort_hours[j]) * report[j] for j in range(len(report))) <= problem.effort_budget_hours,
            "effort_budget",
        )
    credits = [(variable, float(credit)) for variable, credit in zip(attest, problem.activity_credits)]
    model += activities <= pulp.LpAffineExpression(credits), "activities_credit"
    return model, report, attest, activities


def _tie_breaks(problem: SelectionProblem, report: list[pulp.LpVariable], attest: list[pulp.LpVariable]) -> pulp.LpAffineExpression:
    """Fewer measures, less effort, fewer activities: weights far below any difference that matters."""
    return pulp.LpAffineExpression(
        [(variable, -problem.tie_break_measure - problem.tie_break_effort * float(problem.effort_hours[j])) for j, variable in enumerate(report)]
        + [(variable, -problem.tie_break_activity) for variable in attest]
    )


def _safe(text: str) -> str:
    return "".join(character if character.isalnum() else "_" for character in text)


# --- outer-approximation master --------------------------------------------------------------


def build_master(problem: SelectionProblem) -> SelectionModel:
    """The master problem: the decisions, a bound on the mean value, no cuts yet."""
    model, report, attest, activities = _decisions(problem, "mips_selection_master")
    ranges = _ranges(problem)
    top = float(np.mean(evaluate(problem.objective_pieces, ranges.value[1]) + problem.secondary_weight * ranges.value[1]))
    bound = pulp.LpVariable("mean_value_bound", upBound=top)
    model += bound + _tie_breaks(problem, report, attest)
    return SelectionModel(model, report, attest, activities, pulp.LpAffineExpression([(bound, 1.0)]), {"cuts": 0}, bound)


def add_cut(model: SelectionModel, linearization: Linearization, report: np.ndarray, activities_percent: float) -> None:
    """``bound ≤ value(x̂) + gradient · (x − x̂)``: valid for every selection when the chain is concave."""
    terms = [(model.report[j], float(g)) for j, g in enumerate(linearization.report_gradient) if g]
    if linearization.activities_gradient:
        terms.append((model.activities_percent, linearization.activities_gradient))
    constant = linearization.value - float(linearization.report_gradient @ report) - linearization.activities_gradient * activities_percent
    model.cuts += 1
    model.statistics["cuts"] = model.cuts
    model.problem += model.bound <= pulp.LpAffineExpression(terms, constant=constant), f"cut_{model.cuts}"


# --- full model ------------------------------------------------------------------------------


@dataclass
class _Affine:
    """A linear form over report_j, the activities percent and scalar variables, with its range."""

    report: np.ndarray
    activities: float = 0.0
    variables: dict[pulp.LpVariable, float] = field(default_factory=dict)
    constant: float = 0.0
    lower: float = 0.0
    upper: float = 0.0

    def scaled(self, factor: float, shift: float = 0.0) -> _Affine:
        ends = sorted((self.lower * factor + shift, self.upper * factor + shift))
        return _Affine(
            self.report * factor,
            self.activities * factor,
            {variable: value * factor for variable, value in self.variables.items()},
            self.constant * factor + shift,
            ends[0],
            ends[1],
        )

    def plus(self, other: _Affine) -> _Affine:
        variables = dict(self.variables)
        for variable, value in other.variables.items():
            variables[variable] = variables.get(variable, 0.0) + value
        return _Affine(
            self.report + other.report,
            self.activities + other.activities,
            variables,
            self.constant + other.constant,
            self.lower + other.lower,
            self.upper + other.upper,
        )


class _FullBuilder:
    def __init__(self, problem: SelectionProblem, model: pulp.LpProblem, report: list[pulp.LpVariable], activities: pulp.LpVariable) -> None:
        self.data = problem
        self.model = model
        self.report = report
        self.activities = activities
        self.statistics = {"folded_draws": 0, "concave_links": 0, "segment_links": 0, "counting_variables": 0}
        self.names = 0

    def name(self, stem: str) -> str:
        self.names += 1
        return f"{stem}_{self.names}"

    def expression(self, form: _Affine) -> pulp.LpAffineExpression:
        terms = [(self.report[j], float(form.report[j])) for j in np.flatnonzero(form.report)]
        if form.activities:
            terms.append((self.activities, float(form.activities)))
        terms.extend((variable, float(value)) for variable, value in form.variables.items() if value)
        return pulp.LpAffineExpression(terms, constant=float(form.constant))

    def add(self, constraint: pulp.LpConstraint, stem: str) -> None:
        self.model += constraint, self.name(stem)

    def link(self, pieces: Sequence[LinearPiece], argument: _Affine, stem: str) -> _Affine:
        """``value = f(argument)`` for a non-decreasing piecewise-linear f, as cheaply as is exact."""
        lower, upper = argument.lower, argument.upper
        pieces_here = reachable(pieces, lower, upper)
        value_lower, value_upper = float(evaluate(pieces_here, lower)), float(evaluate(pieces_here, upper))
        if len(pieces_here) == 1:
            result = argument.scaled(pieces_here[0].slope, pieces_here[0].intercept)
            result.lower, result.upper = value_lower, value_upper
            return result
        value = pulp.LpVariable(self.name(stem), lowBound=value_lower, upBound=value_upper)
        expression = self.expression(argument)
        if is_concave(pieces_here):
            self.statistics["concave_links"] += 1
            for piece in pieces_here:
                self.add(value <= piece.slope * expression + piece.intercept, f"{stem}_piece")
        else:
            # Disjunctive (convex-hull) form: the argument is split into one part per segment; only
            # the chosen segment's part is non-zero. Its LP relaxation is the concave envelope.
            self.statistics["segment_links"] += 1
            choices, parts, value_terms = [], [], []
            for piece in pieces_here:
                start = max(piece.lower, lower) + (0.0 if piece.lower_included or piece.lower < lower else OPEN_END_MARGIN)
                end = min(piece.upper, upper) - (0.0 if piece.upper_included or piece.upper > upper else OPEN_END_MARGIN)
                choice = pulp.LpVariable(self.name(f"{stem}_segment"), cat=pulp.LpBinary)
                part = pulp.LpVariable(self.name(f"{stem}_part"), lowBound=min(0.0, start), upBound=max(0.0, end))
                self.add(part >= start * choice, f"{stem}_from")
                self.add(part <= end * choice, f"{stem}_to")
                choices.append(choice)
                parts.append(part)
                value_terms += [(part, piece.slope), (choice, piece.intercept)]
            self.add(pulp.lpSum(choices) == 1, f"{stem}_one_segment")
            self.add(pulp.lpSum(parts) == expression, f"{stem}_split")
            self.add(value <= pulp.LpAffineExpression(value_terms), f"{stem}_value")
        return _Affine(np.zeros(self.data.candidate_count), 0.0, {value: 1.0}, 0.0, value_lower, value_upper)

    def counted_points(self, draw: int, lower: float, upper: float) -> _Affine:
        """The counted quality points of one draw: linear, or chosen by per-draw counting variables."""
        data = self.data
        row = data.points[draw]
        if data.counting_is_linear:
            return _Affine(row.copy(), lower=lower, upper=upper)
        counted = [pulp.LpVariable(f"counted_{draw}_{j}", lowBound=0.0, upBound=1.0) for j in range(data.candidate_count)]
        self.statistics["counting_variables"] += len(counted)
        for j, variable in enumerate(counted):
            self.add(variable <= self.report[j], "counted_if_reported")
        self.add(pulp.lpSum(counted) <= data.counted_limit, "counted_at_most_required")
        if data.reporting_rule != "none":
            self.add(pulp.lpSum(counted[j] for j in np.flatnonzero(data.is_priority)) >= 1, "counted_priority_measure")
        total = pulp.LpVariable(self.name("counted_points"), lowBound=lower, upBound=upper)
        self.add(total == pulp.lpSum(float(row[j]) * counted[j] for j in range(len(counted)) if row[j]), "counted_points")
        return _Affine(np.zeros(data.candidate_count), variables={total: 1.0}, lower=lower, upper=upper)


def _single_piece(pieces: Sequence[LinearPiece], lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per draw: whether one piece covers [lower, upper], and that piece's slope and intercept."""
    index_lower = np.full(lower.shape, -1)
    index_upper = np.full(upper.shape, -1)
    slope = np.zeros(lower.shape)
    intercept = np.zeros(lower.shape)
    for position, piece in enumerate(pieces):
        index_lower = np.where((index_lower < 0) & piece.contains(lower), position, index_lower)
        index_upper = np.where((index_upper < 0) & piece.contains(upper), position, index_upper)
    single = index_lower == index_upper
    for position, piece in enumerate(pieces):
        chosen = single & (index_lower == position)
        slope = np.where(chosen, piece.slope, slope)
        intercept = np.where(chosen, piece.intercept, intercept)
    return single, slope, intercept


def build_model(problem: SelectionProblem) -> SelectionModel:
    """The full model: the mean over draws of each draw's chain, plus tie-breaks.

    Draws whose three links each reach one piece are folded into the objective's coefficients
    with NumPy; only the others get variables and constraints.
    """
    model, report, attest, activities = _decisions(problem, "mips_selection")
    builder = _FullBuilder(problem, model, report, activities)
    ranges = _ranges(problem)
    draws = problem.draw_count
    quality_single = np.zeros(draws, dtype=bool)
    quality_slope = np.zeros(draws)
    quality_intercept = np.zeros(draws)
    for group, pieces in enumerate(problem.quality_pieces):
        rows = problem.quality_group == group
        single, slope, intercept = _single_piece(pieces, ranges.quality[0][rows], ranges.quality[1][rows])
        quality_single[rows], quality_slope[rows], quality_intercept[rows] = single, slope, intercept
    final_single, final_slope, final_intercept = _single_piece(problem.final_pieces, *ranges.final)
    value_single, value_slope, value_intercept = _single_piece(problem.objective_pieces, *ranges.value)
    folded = quality_single & final_single & value_single & problem.counting_is_linear
    builder.statistics["folded_draws"] = int(folded.sum())
    # folded draws: value = v_s (f_s (w_Q (q_s (A x + E) + q_i) + w_IA IA + c) + f_i) + v_i + secondary × final
    chain = (value_slope + problem.secondary_weight) * final_slope
    weights_report = np.where(folded, chain * problem.quality_weight * quality_slope, 0.0)
    objective_report = weights_report @ problem.points / draws
    objective_activities = float(np.sum(np.where(folded, chain * problem.activities_weight, 0.0))) / draws
    final_constant = final_slope * (problem.quality_weight * (quality_slope * problem.extra_points + quality_intercept) + problem.constant) + final_intercept
    objective_constant = float(np.sum(np.where(folded, (value_slope + problem.secondary_weight) * final_constant + value_intercept, 0.0))) / draws
    objective_variables: dict[pulp.LpVariable, float] = {}
    counted_lower, counted_upper = counted_bounds(problem)
    for k in np.flatnonzero(~folded):
        achieved = builder.counted_points(int(k), float(counted_lower[k]), float(counted_upper[k])).scaled(1.0, float(problem.extra_points[k]))
        quality = builder.link(problem.quality_pieces[problem.quality_group[k]], achieved, f"quality_{k}")
        weighted = quality.scaled(problem.quality_weight, problem.constant).plus(
            _Affine(np.zeros(problem.candidate_count), problem.activities_weight, lower=0.0, upper=problem.activities_weight * problem.activities_upper)
        )
        final = builder.link(problem.final_pieces, weighted, f"final_{k}")
        value = builder.link(problem.objective_pieces, final, f"value_{k}")
        if problem.secondary_weight:
            value = value.plus(final.scaled(problem.secondary_weight))
        objective_report += value.report / draws
        objective_activities += value.activities / draws
        objective_constant += value.constant / draws
        for variable, coefficient in value.variables.items():
            objective_variables[variable] = objective_variables.get(variable, 0.0) + coefficient / draws
    primary = builder.expression(_Affine(objective_report, objective_activities, objective_variables, objective_constant))
    # The solver maximises the sum over draws (the mean × K): as a mean, each draw's terms (the
    # threshold objective's 1e-5 × final score / K) fall below the solver's reduced-cost tolerance
    # (1e-7) and its per-draw variables are left short of their values. ``primary`` stays the mean.
    model += (primary + _tie_breaks(problem, report, attest)) * draws
    return SelectionModel(model, report, attest, activities, primary, builder.statistics)
