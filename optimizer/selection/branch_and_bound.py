"""Branch and bound over selections, for large pools whose chain is not concave.

The chain from counted points to the objective is non-decreasing in every draw (each link is, see
:mod:`optimizer.selection.model`), so a partial selection S with r slots left is worth at most the mean over
draws of ``chain(the best `limit` of S's points and the r highest points still to come)``: each
draw may pick its own completion, and counting rules only ever count fewer. Candidates are visited
in decreasing order of expected points, so the r highest still to come (one collection type per
measure) are precomputed per position and draw, and all children of a node are bounded at once
with NumPy; a cheaper bound, each draw group's concave envelope of the chain at the group's mean
(Jensen), screens the children first. The bounds hold whatever the pieces' shapes — the improvement
score's kink included — so the search is exact. It prunes against the second-best selection found,
so one pass proves the optimum and the runner-up. Leaves are valued by
:func:`optimizer.selection.model.selection_values`, the model's statement of the rules.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from optimizer.selection.model import SelectionProblem, chain_means, compose_chain, selection_values, tie_break_penalties

ROUNDING_ALLOWANCE = 1e-9
"""Points added before a bound reads the composed chain (non-decreasing): a kink placed a rounding
error off (the threshold's step carried back through two links) must not lower a bound. Leaves
are valued by the links themselves, never by the composed chain."""
PRUNING_TOLERANCE = 1e-9
"""A node is cut off when its bound is below the incumbent by more than this (relative): float
round-off between a bound and a leaf's value must never cut off the optimum."""


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
        self.points = problem.points[:, self.order]
        self.measures = [problem.measure_ids[j] for j in self.order]
        self.effort = problem.effort_hours[self.order]
        rule = problem.reporting_rule
        flags = problem.is_outcome if rule == "outcome" else problem.is_high_priority if rule == "high_priority" else np.ones(problem.candidate_count, dtype=bool)
        self.satisfies_rule = flags[self.order]
        self.maximum = problem.maximum_measures
        self.limit = min(problem.counted_limit, self.maximum)
        self.following, self.following_values = self._following_best()
        # per quality group: weights and mean points, for the cheap bound (mean_bound) tried first
        groups = [problem.quality_group == group for group in range(len(problem.quality_pieces))]
        groups = [rows if rows.any() else np.ones_like(rows) for rows in groups]  # an empty group weighs 0
        self.group_weights = np.array([np.mean(problem.quality_group == group) for group in range(len(groups))])
        self.column_means = np.array([self.points[rows].mean(axis=0) for rows in groups])  # groups × candidates
        self.following_means = np.stack([self.following[:, :, rows].mean(axis=2) for rows in groups], axis=2)
        self.extra_means = np.array([problem.extra_points[rows].mean() for rows in groups])
        self.best_key = -np.inf
        self.best: tuple[int, ...] = ()
        self.best_value = float("nan")
        self.second: Incumbent | None = None
        self.nodes = 0
        self.complete = True

    def _following_best(self) -> tuple[np.ndarray, np.ndarray]:
        """``following[i, r]``: per draw, the sum of the r highest points among positions i, i+1, …
        taking at most one collection type of each measure; and ``values[i]``: those points
        themselves, best first (draws × limit)."""
        count, draws = self.points.shape[1], self.points.shape[0]
        column_of = {measure_id: column for column, measure_id in enumerate(dict.fromkeys(self.measures))}
        best_by_measure = np.zeros((draws, len(column_of)))
        following = np.zeros((count + 1, self.limit + 1, draws))
        values = np.zeros((count + 1, draws, self.limit))
        for position in range(count - 1, -1, -1):
            column = column_of[self.measures[position]]
            np.maximum(best_by_measure[:, column], self.points[:, position], out=best_by_measure[:, column])
            highest = -best_by_measure
            if highest.shape[1] > self.limit:
                highest = np.partition(highest, self.limit - 1, axis=1)[:, : self.limit]
            highest = -np.sort(highest, axis=1)
            values[position, :, : highest.shape[1]] = highest
            sums = np.cumsum(highest, axis=1)
            following[position, 1 : sums.shape[1] + 1] = sums.T
            following[position, sums.shape[1] + 1 :] = sums[:, -1]
        return following, values

    def _feasible(self, positions: tuple[int, ...]) -> bool:
        problem = self.problem
        columns = frozenset(int(self.order[position]) for position in positions)
        if columns in self.excluded:
            return False
        if not any(self.satisfies_rule[list(positions)]):
            return False
        return all(columns.intersection(group) for group in problem.required_groups)

    def _consider(self, selections: list[tuple[int, ...]]) -> None:
        """Value complete selections (positions, one size) and keep the best by value minus tie-breaks."""
        feasible = [positions for positions in selections if self._feasible(positions)]
        if not feasible:
            return
        positions = np.array(feasible, dtype=int)
        values = selection_values(self.problem, self.order[positions], self.activities)
        keys = values - tie_break_penalties(self.problem, self.order[positions])
        for index in np.argsort(-keys, kind="stable")[:2]:
            selection = tuple(sorted(int(self.order[position]) for position in positions[index]))
            self.offer(Incumbent(selection, float(values[index]), float(keys[index])))

    def offer(self, incumbent: Incumbent) -> None:
        """Keep the best selection and the best other one."""
        if incumbent.key > self.best_key:
            if self.best:
                self.second = Incumbent(self.best, self.best_value, self.best_key)
            self.best_key, self.best_value, self.best = incumbent.key, incumbent.value, incumbent.selection
        elif incumbent.selection != self.best and (self.second is None or incumbent.key > self.second.key):
            self.second = incumbent

    def _cut_off(self, bound: float) -> bool:
        """Whether no leaf below can enter the best two (the runner-up is proven in the same pass)."""
        key = -np.inf if self.second is None else self.second.key
        return bound < key - PRUNING_TOLERANCE * max(1.0, abs(key))

    def _promising(self, chosen: tuple[int, ...], children: list[int], left: int) -> list[int]:
        """The children whose cheap bound (each draw group's concave envelope at its mean points,
        counting every reported measure) does not already rule them out; the per-draw bound is
        computed for these only."""
        if self.second is None:
            return children
        positions = np.array(children)
        means = self.column_means[:, list(chosen)].sum(axis=1)[:, None] + self.column_means[:, positions]
        means = means + self.following_means[positions + 1, left].T + self.extra_means[:, None]
        bounds = self.composed.mean_bound(means + ROUNDING_ALLOWANCE, self.group_weights)
        return [position for position, bound in zip(children, bounds) if not self._cut_off(float(bound))]

    def search(self, chosen: tuple[int, ...], start: int, used: frozenset[str], effort: float) -> None:
        self.nodes += 1
        if self.deadline is not None and time.perf_counter() > self.deadline:
            self.complete = False
            return
        problem = self.problem
        if len(chosen) >= problem.minimum_measures and chosen:
            self._consider([chosen])
        if len(chosen) == self.maximum:
            return
        budget = np.inf if problem.effort_budget_hours is None else problem.effort_budget_hours + 1e-9
        children = [
            position for position in range(start, self.points.shape[1])
            if self.measures[position] not in used and effort + self.effort[position] <= budget
        ]
        if not children:
            return
        left = self.maximum - len(chosen) - 1
        children = self._promising(chosen, children, min(left, self.limit))
        if not children:
            return
        if left == 0:
            self._consider([chosen + (position,) for position in children])
            return
        partial = np.array([chosen + (position,) for position in children], dtype=int)
        slots = min(left, self.limit)
        if partial.shape[1] + slots <= self.limit:  # everything reported counts
            counted = self.points[:, partial].sum(axis=2) + self.following[np.array(children) + 1, slots].T
        elif partial.shape[1] + slots == self.limit + 1:  # hedging with one more: all of them but the lowest
            positions = np.array(children)
            lowest_coming = self.following_values[positions + 1, :, slots - 1].T  # draws × children
            total = self.points[:, partial].sum(axis=2) + self.following[positions + 1, slots].T
            lowest = np.minimum(self.points[:, positions], lowest_coming)
            if chosen:
                lowest = np.minimum(lowest, self.points[:, list(chosen)].min(axis=1)[:, None])
            counted = total - lowest
        else:  # hedging: per draw, the best `limit` of the partial selection and the best still to come
            coming = self.following_values[np.array(children) + 1, :, :slots].transpose(1, 0, 2)  # draws × children × slots
            union = np.concatenate([self.points[:, partial], coming], axis=2)
            counted = -np.sort(-union, axis=2)[:, :, : self.limit].sum(axis=2)
        bounds = chain_means(problem, counted + ROUNDING_ALLOWANCE, self.activities, self.composed)
        for index in np.argsort(-bounds, kind="stable"):
            if self._cut_off(float(bounds[index])):
                break  # the rest are bounded lower still
            position = children[index]
            self.search(chosen + (position,), position + 1, used | {self.measures[position]}, effort + float(self.effort[position]))
            if not self.complete:
                return


def branch_and_bound(
    problem: SelectionProblem, activities_percent: float, excluded: Collection[frozenset[int]] = (), time_limit: float | None = None
) -> SearchResult:
    """The best two feasible selections (by value minus tie-breaks) not in ``excluded``."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    search = _Search(problem, activities_percent, excluded, deadline)
    search.search((), 0, frozenset(), 0.0)
    return SearchResult(search.best, search.best_value, search.nodes, search.complete, search.second)
