"""Exhaustive search over every feasible selection of a pathway, scored by the rules.

It checks the integer program (tests) and measures how far enumeration can go (``perf/``); it
enumerates the same feasible set the model describes, from the :class:`SelectionProblem`, and
values each selection with the caller's rules-based evaluation.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from optimizer.selection.model import SelectionProblem


def feasible_selections(problem: SelectionProblem) -> Iterator[tuple[int, ...]]:
    """Every set of candidates (column indices) the model allows: sizes, one collection type per
    measure, the reporting rule, required measures and the effort budget."""
    by_measure: dict[str, list[int]] = {}
    for column, measure_id in enumerate(problem.measure_ids):
        by_measure.setdefault(measure_id, []).append(column)
    measures = list(by_measure)
    for size in range(problem.minimum_measures, problem.maximum_measures + 1):
        for chosen in itertools.combinations(measures, size):
            for columns in itertools.product(*(by_measure[measure_id] for measure_id in chosen)):
                if _allowed(problem, columns):
                    yield columns


def _allowed(problem: SelectionProblem, columns: tuple[int, ...]) -> bool:
    indices = list(columns)
    if problem.reporting_rule == "outcome" and not problem.is_outcome[indices].any():
        return False
    if problem.reporting_rule == "high_priority" and not problem.is_high_priority[indices].any():
        return False
    chosen = set(columns)
    if any(not chosen.intersection(group) for group in problem.required_groups):
        return False
    if problem.effort_budget_hours is not None and problem.effort_hours[indices].sum() > problem.effort_budget_hours + 1e-9:
        return False
    return True


def best_activities(problem: SelectionProblem) -> tuple[str, ...]:
    """The fewest available activities reaching the highest activities score (more never scores less)."""
    order = np.argsort(-problem.activity_credits, kind="stable")
    chosen: list[str] = []
    total = 0.0
    ceiling = min(problem.activities_maximum, float(problem.activity_credits.sum()))
    for index in order:
        if total >= ceiling - 1e-9:
            break
        chosen.append(problem.activity_ids[index])
        total += float(problem.activity_credits[index])
    return tuple(chosen)


@dataclass(frozen=True)
class BruteForceResult:
    """The best selection found by enumeration, its value, and how many selections were scored."""

    best: tuple[int, ...]
    value: float
    evaluated: int


def brute_force(problem: SelectionProblem, value_of: Callable[[tuple[int, ...]], float]) -> BruteForceResult:
    """Score every feasible selection with ``value_of`` and keep the best (ties: fewer measures,
    then less effort, then the first found)."""
    best: tuple[int, ...] = ()
    best_key: tuple[float, float, float] | None = None
    best_value = float("-inf")
    evaluated = 0
    for columns in feasible_selections(problem):
        value = value_of(columns)
        evaluated += 1
        key = (value, -len(columns), -float(problem.effort_hours[list(columns)].sum()))
        if best_key is None or key > best_key:
            best, best_key, best_value = columns, key, value
    return BruteForceResult(best, best_value, evaluated)
