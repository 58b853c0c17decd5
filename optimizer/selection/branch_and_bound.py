"""Branch and bound over selections: the exact method for every pathway's pool but the smallest.

The chain from counted points to the objective is non-decreasing in every draw (each link is, see
:mod:`optimizer.selection.model`), so a partial selection S with r slots left is worth at most the
mean over draws of ``chain(the best `limit` of S's points and the r highest points still to
come)``: each draw may pick its own completion, and counting rules only ever count fewer.
Candidates are visited in decreasing order of expected points (the smallest required group's
first: a selection holds one of them exactly when its first candidate is one), so the r highest
still to come (one collection type per measure) are precomputed per position and draw, and all
children of a node are bounded at once with NumPy. Two cheaper bounds screen the children first:
linear bounds (:class:`_Cuts`: the tangent of each draw group's concave envelope of the chain at a
selection already valued, which every selection lies below, so a child's best completion is a sum
of precomputed weights), and each draw group's concave envelope at the group's mean (Jensen). The
bounds hold whatever the pieces' shapes — the improvement score's kink and the threshold's step
included — so the search is exact. It prunes against the second-best selection found, so one pass
proves the optimum and the runner-up. Leaves are valued by
:func:`optimizer.selection.model.selection_values`, the model's statement of the rules.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from optimizer.selection.model import SelectionProblem, compose_chain, counted_points_of, selection_values, tie_break_penalties

ROUNDING_ALLOWANCE = 1e-9
"""Points added before a bound reads the composed chain (non-decreasing): a kink placed a rounding
error off (the threshold's step carried back through two links) must not lower a bound. Leaves
are valued by the links themselves, never by the composed chain."""
PRUNING_TOLERANCE = 1e-9
"""A node is cut off when its bound is below the incumbent by more than this (relative): float
round-off between a bound and a leaf's value must never cut off the optimum."""
MAXIMUM_CUTS = 32
"""Most linear bounds kept (one per selection that became the best or the second best)."""


@dataclass(frozen=True)
class Incumbent:
    """A feasible selection (column indices), its value and its value minus tie-breaks."""

    selection: tuple[int, ...]
    value: float
    key: float


@dataclass(frozen=True)
class SearchResult:
    """The best selection (column indices; empty when none is feasible), the best other one (the
    runner-up: the search proves both), and the search's effort."""

    selection: tuple[int, ...]
    value: float
    nodes: int
    complete: bool
    second: Incumbent | None = None


class _Search:
    def __init__(self, problem: SelectionProblem, activities_percent: float, excluded: Collection[frozenset[int]], deadline: float | None) -> None:
        self.problem = problem
        self.activities = activities_percent
        self.composed = compose_chain(problem, activities_percent)
        self.excluded = excluded
        self.deadline = deadline
        self.order = np.argsort(-problem.points.mean(axis=0), kind="stable")
        self.first_children = problem.candidate_count
        if problem.required_groups:
            # the members of the smallest required group come first: a selection holds one of them
            # exactly when its first position is one of theirs, so the root's children are those
            first = np.isin(self.order, min(problem.required_groups, key=len))
            self.order = np.concatenate([self.order[first], self.order[~first]])
            self.first_children = int(first.sum())
        self.points = problem.points[:, self.order]
        codes = {measure_id: code for code, measure_id in enumerate(dict.fromkeys(problem.measure_ids[j] for j in self.order))}
        self.measure_of = np.array([codes[problem.measure_ids[j]] for j in self.order], dtype=int)
        self.measure_count = len(codes)
        self.effort = problem.effort_hours[self.order]
        self.budget = np.inf if problem.effort_budget_hours is None else problem.effort_budget_hours + 1e-9
        rule = problem.reporting_rule
        flags = problem.is_outcome if rule == "outcome" else problem.is_high_priority if rule == "high_priority" else np.ones(problem.candidate_count, dtype=bool)
        self.satisfies_rule = flags[self.order]
        self.required_groups = [np.isin(self.order, group) for group in problem.required_groups]  # per position
        self.maximum = problem.maximum_measures
        self.limit = min(problem.counted_limit, self.maximum)
        self.following, self.following_values = self._following_best()
        # per quality group: weights and mean points, for the cheap bound (mean_bound)
        groups = [problem.quality_group == group for group in range(len(problem.quality_pieces))]
        groups = [rows if rows.any() else np.ones_like(rows) for rows in groups]  # an empty group weighs 0
        self.group_weights = np.array([np.mean(problem.quality_group == group) for group in range(len(groups))])
        self.column_means = np.array([self.points[rows].mean(axis=0) for rows in groups])  # groups × candidates
        self.following_means = np.stack([self.following[:, :, rows].mean(axis=2) for rows in groups], axis=2)
        self.extra_means = np.array([problem.extra_points[rows].mean() for rows in groups])
        self.cuts = _Cuts(self)
        self.best_key = -np.inf
        self.best: tuple[int, ...] = ()
        self.best_value = float("nan")
        self.second: Incumbent | None = None
        self.floor = -np.inf
        """A bound below this cannot enter the best two (the runner-up is proven in the same pass)."""
        self.nodes = 0
        self.complete = True

    def _following_best(self) -> tuple[np.ndarray, np.ndarray]:
        """``following[i, r]``: per draw, the sum of the r highest points among positions i, i+1, …
        taking at most one collection type of each measure; and ``values[i]``: those points
        themselves, best first (draws × limit)."""
        count, draws, limit = self.points.shape[1], self.points.shape[0], self.limit
        best_by_measure = np.zeros((draws, self.measure_count))
        following = np.zeros((count + 1, limit + 1, draws))
        values = np.zeros((count + 1, draws, limit))
        rows = np.arange(draws)
        highest = np.zeros((draws, limit))  # per draw, the `limit` highest of the measures' best points, best first
        for position in range(count - 1, -1, -1):
            column = self.measure_of[position]
            old = best_by_measure[:, column].copy()
            np.maximum(old, self.points[:, position], out=best_by_measure[:, column])
            # the measure's best replaces its old value where that was among the highest (points
            # are at least 0, so a measure not seen yet replaces a 0), else the lowest of them
            among = old >= highest[:, -1]
            slot = np.where(among, np.argmax(highest == old[:, None], axis=1), limit - 1)
            highest[rows, slot] = np.maximum(highest[rows, slot], best_by_measure[:, column])
            highest = -np.sort(-highest, axis=1)
            values[position] = highest
            sums = np.cumsum(highest, axis=1)
            following[position, 1:] = sums.T
        return following, values

    def _feasible(self, selections: np.ndarray) -> np.ndarray:
        """Which selections (rows of positions) the reporting rule, required measures and exclusions allow."""
        allowed = self.satisfies_rule[selections].any(axis=1)
        for group in self.required_groups:
            allowed &= group[selections].any(axis=1)
        if self.excluded:
            columns = self.order[selections]
            allowed &= np.array([frozenset(row.tolist()) not in self.excluded for row in columns], dtype=bool)
        return allowed

    def _consider(self, selections: np.ndarray) -> None:
        """Value complete selections (rows of positions, one size) and keep the best by value minus tie-breaks."""
        selections = selections[self._feasible(selections)]
        if not selections.shape[0]:
            return
        columns = self.order[selections]
        values = selection_values(self.problem, columns, self.activities)
        keys = values - tie_break_penalties(self.problem, columns)
        for index in np.argsort(-keys, kind="stable")[:2]:
            self.offer(Incumbent(tuple(sorted(columns[index].tolist())), float(values[index]), float(keys[index])))

    def offer(self, incumbent: Incumbent) -> None:
        """Keep the best selection and the best other one; each gives a linear bound."""
        if incumbent.key > self.best_key:
            if self.best:
                self.second = Incumbent(self.best, self.best_value, self.best_key)
            self.best_key, self.best_value, self.best = incumbent.key, incumbent.value, incumbent.selection
        elif incumbent.selection != self.best and (self.second is None or incumbent.key > self.second.key):
            self.second = incumbent
        else:
            return
        self.cuts.add(incumbent.selection)
        if self.second is not None:
            key = self.second.key
            self.floor = key - PRUNING_TOLERANCE * max(1.0, abs(key))

    def _bound_itself(self, chosen: tuple[int, ...]) -> float:
        """A bound on the selection itself: the least linear bound, and the chain read at the best
        ``limit`` of its points in every draw."""
        if self.cuts.count and (bound := self.cuts.bound_of(chosen)) < self.floor:
            return bound
        points = self.points[:, list(chosen)]
        if points.shape[1] > self.limit:
            points = -np.partition(-points, self.limit - 1, axis=1)[:, : self.limit]
        return float(self._chain_mean(points.sum(axis=1, keepdims=True) + ROUNDING_ALLOWANCE)[0])

    def _mean_bounds(self, chosen: tuple[int, ...], children: np.ndarray, left: int) -> np.ndarray:
        """Each draw group's concave envelope at its mean points, counting every reported measure."""
        means = self.column_means[:, list(chosen)].sum(axis=1)[:, None] + self.column_means[:, children]
        means = means + self.following_means[children + 1, left].T + self.extra_means[:, None]
        return self.composed.mean_bound(means + ROUNDING_ALLOWANCE, self.group_weights)

    def _chain_mean(self, counted: np.ndarray) -> np.ndarray:
        """An upper bound on the mean over draws of the chain at counted points (draws × columns):
        the composed chain's right limits (the chain does not decrease)."""
        achieved = counted + self.problem.extra_points[:, None]
        if len(self.composed.groups) == 1:
            return self.composed.groups[0].right_limit(achieved).mean(axis=0)
        value = np.empty_like(achieved)
        for group, function in enumerate(self.composed.groups):
            rows = self.problem.quality_group == group
            value[rows] = function.right_limit(achieved[rows])
        return value.mean(axis=0)

    def _draw_bounds(self, node: _Node, children: np.ndarray, left: int) -> np.ndarray:
        """Per child, the mean over draws of the chain at each draw's own best completion (exact
        for a complete selection whose every measure counts)."""
        slots = min(left, self.limit)
        size = len(node.chosen) + 1
        if size + slots <= self.limit:  # everything reported counts
            counted = node.total[:, None] + self.points[:, children] + self.following[children + 1, slots].T
        elif size + slots == self.limit + 1:  # hedging with one more: all of them but the lowest
            total = node.total[:, None] + self.points[:, children] + self.following[children + 1, slots].T
            lowest = np.minimum(self.points[:, children], node.lowest[:, None])
            if slots:
                lowest = np.minimum(lowest, self.following_values[children + 1, :, slots - 1].T)  # draws × children
            counted = total - lowest
        else:  # hedging: per draw, the best `limit` of the partial selection and the best still to come
            partial = np.column_stack([np.broadcast_to(np.array(node.chosen, dtype=int), (children.size, size - 1)), children])
            coming = self.following_values[children + 1, :, :slots].transpose(1, 0, 2)  # draws × children × slots
            union = np.concatenate([self.points[:, partial], coming], axis=2)
            counted = -np.sort(-union, axis=2)[:, :, : self.limit].sum(axis=2)
        return self._chain_mean(counted + ROUNDING_ALLOWANCE)

    def search(self, node: _Node, start: int) -> None:
        self.nodes += 1
        if self.deadline is not None and time.perf_counter() > self.deadline:
            self.complete = False
            return
        chosen = node.chosen
        if len(chosen) >= self.problem.minimum_measures and chosen and self._bound_itself(chosen) >= self.floor:
            self._consider(np.array([chosen], dtype=int))
        if len(chosen) == self.maximum:
            return
        end = self.first_children if not chosen else self.points.shape[1]
        children = np.arange(start, end)
        children = children[~node.used[self.measure_of[start:end]] & (node.effort + self.effort[start:end] <= self.budget)]
        left = self.maximum - len(chosen) - 1
        if children.size and self.cuts.count:
            children = children[self.cuts.bounds(chosen, children, left) >= self.floor]
        if children.size and self.second is not None:
            children = children[self._mean_bounds(chosen, children, min(left, self.limit)) >= self.floor]
        if not children.size:
            return
        bounds = self._draw_bounds(node, children, left)
        if left == 0:  # the children are selections: value those the bounds leave
            kept = children[bounds >= self.floor]
            if kept.size:
                self._consider(np.column_stack([np.broadcast_to(np.array(chosen, dtype=int), (kept.size, len(chosen))), kept]))
            return
        for index in np.argsort(-bounds, kind="stable"):
            if bounds[index] < self.floor:
                break  # the rest are bounded lower still
            self.search(node.child(int(children[index]), self), int(children[index]) + 1)
            if not self.complete:
                return


@dataclass(frozen=True)
class _Node:
    """A partial selection (positions) with, per draw, its points' sum and lowest points, the
    measures it uses and its effort."""

    chosen: tuple[int, ...]
    total: np.ndarray
    lowest: np.ndarray
    used: np.ndarray
    effort: float

    @classmethod
    def root(cls, search: _Search) -> _Node:
        draws = search.points.shape[0]
        return cls((), np.zeros(draws), np.full(draws, np.inf), np.zeros(search.measure_count, dtype=bool), 0.0)

    def child(self, position: int, search: _Search) -> _Node:
        used = self.used.copy()
        used[search.measure_of[position]] = True
        points = search.points[:, position]
        return _Node(self.chosen + (position,), self.total + points, np.minimum(self.lowest, points), used, self.effort + float(search.effort[position]))


class _Cuts:
    """Linear upper bounds on the value of every selection, one per reference selection.

    Each draw's chain lies below its group's concave envelope Ĥ (:attr:`ComposedChain.envelopes`),
    which lies below its tangent at the reference's achieved points z: Ĥ(y) ≤ Ĥ(z) + γ (y − z)
    for γ a supergradient at z (the right slope). The counted points of a selection x are at most
    ``L u + Σ_j max(0, p_j − u) x_j`` for any u ≥ 0 (LP duality for counting the best L; the
    priority condition only counts fewer), exact with u = 0 where every reported measure counts,
    and tight at the reference with u its L-th best points. So the mean value over draws is at most
    ``C + Σ_j w_j x_j`` with every w_j ≥ 0, and the best completion of a partial selection is its
    own weights plus the highest weights still to come, one per measure (precomputed per
    position). A bound is the least over the references.
    """

    def __init__(self, search: _Search) -> None:
        self.search = search
        problem = search.problem
        self.linear = problem.counting_is_linear
        self.envelopes = search.composed.envelopes
        self.groups = [np.flatnonzero(problem.quality_group == group) for group in range(len(problem.quality_pieces))]
        steepest = max(float(np.max(np.diff(values) / np.diff(kinks))) for kinks, values in self.envelopes)
        self.allowance = max(0.0, steepest) * ROUNDING_ALLOWANCE
        self.references: set[tuple[int, ...]] = set()
        self.constants = np.zeros(0)
        self.weights = np.zeros((0, search.points.shape[1]))
        self.following = np.zeros((0, search.points.shape[1] + 1, search.maximum + 1))

    @property
    def count(self) -> int:
        """How many linear bounds are held."""
        return self.constants.size

    def add(self, selection: tuple[int, ...]) -> None:
        """The linear bound tight (on the envelope) at a selection (column indices of the problem)."""
        if self.count >= MAXIMUM_CUTS or selection in self.references:
            return
        self.references.add(selection)
        search, problem = self.search, self.search.problem
        columns = np.array(selection, dtype=int)
        achieved = counted_points_of(problem, columns[None, :])[:, 0] + problem.extra_points
        value, slope = np.empty_like(achieved), np.empty_like(achieved)
        for group, rows in enumerate(self.groups):
            kinks, values = self.envelopes[group]
            value[rows] = np.interp(achieved[rows], kinks, values)
            index = np.clip(np.searchsorted(kinks, achieved[rows], side="right") - 1, 0, kinks.size - 2)
            slope[rows] = (values[index + 1] - values[index]) / (kinks[index + 1] - kinks[index])
        limit = search.limit
        if self.linear or columns.size < limit:
            threshold = np.zeros_like(achieved)
        else:
            threshold = -np.partition(-problem.points[:, columns], limit - 1, axis=1)[:, limit - 1]
        draws = problem.draw_count
        constant = float(np.sum(value + slope * (problem.extra_points + limit * threshold - achieved))) / draws + self.allowance
        weights = slope @ np.maximum(0.0, search.points - threshold[:, None]) / draws
        self.constants = np.append(self.constants, constant)
        self.weights = np.vstack([self.weights, weights])
        self.following = np.concatenate([self.following, self._following(weights)[None]])

    def _following(self, weights: np.ndarray) -> np.ndarray:
        """``[i, t]``: the sum of the t highest weights among positions i, i+1, … (one per measure)."""
        count, most = weights.size, self.search.maximum
        best = np.zeros(self.search.measure_count)
        following = np.zeros((count + 1, most + 1))
        for position in range(count - 1, -1, -1):
            measure = self.search.measure_of[position]
            best[measure] = max(best[measure], weights[position])
            top = -np.partition(-best, most - 1)[:most] if best.size > most else best
            sums = np.cumsum(np.sort(top)[::-1])
            following[position, 1 : sums.size + 1] = sums
            following[position, sums.size + 1 :] = sums[-1]
        return following

    def bound_of(self, chosen: tuple[int, ...]) -> float:
        """The least linear bound at a selection (positions)."""
        return float((self.constants + self.weights[:, list(chosen)].sum(axis=1)).min())

    def bounds(self, chosen: tuple[int, ...], children: np.ndarray, left: int) -> np.ndarray:
        """Per child, the least linear bound on its subtree (``left`` more measures after it)."""
        constants = self.constants + self.weights[:, list(chosen)].sum(axis=1)
        return (constants[:, None] + self.weights[:, children] + self.following[:, children + 1, left]).min(axis=0)


def branch_and_bound(
    problem: SelectionProblem, activities_percent: float, excluded: Collection[frozenset[int]] = (), time_limit: float | None = None
) -> SearchResult:
    """The best two feasible selections (by value minus tie-breaks) not in ``excluded``."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    search = _Search(problem, activities_percent, excluded, deadline)
    search.search(_Node.root(search), 0)
    return SearchResult(search.best, search.best_value, search.nodes, search.complete, search.second)
