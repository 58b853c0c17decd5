"""Solve a pathway's selection problem exactly: branch and bound, enumeration, or a MILP solver.

:class:`SelectionSolver` picks the fastest exact method the problem allows (measured on every
pathway of the examples and the family practice, ``perf/method_choice.py``): when the pool allows
at most ``ENUMERATION_LIMIT`` selections, every feasible selection valued at once with NumPy; else
branch and bound (:mod:`optimizer.selection.branch_and_bound`), which proves the runner-up in the
same pass. Neither needs a MILP solver. When the user names one (``[optimize] solver``,
``--solver``), pathways whose chain is concave are solved by outer approximation on a small master
problem (see :mod:`optimizer.selection.model`) with HiGHS or CBC through PuLP instead: an
independent check. The full model (one MILP with per-draw segment binaries) states the same problem
independently; tests force every method on every instance. The MILPs are built and run by
:mod:`optimizer.selection.milp`, imported only then (PuLP and HiGHS cost start-up time).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimizer.errors import SolverError
from optimizer.selection.branch_and_bound import SearchResult, branch_and_bound
from optimizer.selection.brute_force import best_activities, feasible_selections
from optimizer.selection.model import (
    SelectionProblem,
    linearize,
    outer_approximation_applies,
    selection_count,
    selection_values,
    tie_break_penalties,
)

if TYPE_CHECKING:
    from optimizer.selection.milp import SelectionModel

CONVERGENCE = 1e-8
"""Outer approximation stops when the master's bound exceeds the proposed selection's value by no
more than this, relative to max(1, |value|)."""
MAXIMUM_CUTS = 2000
OUTER_APPROXIMATION = "outer approximation"
ENUMERATION = "enumeration"
BRANCH_AND_BOUND = "branch and bound"
FULL_MODEL = "full model"
ENUMERATION_LIMIT = 64
"""Most selections valued by enumeration rather than branch and bound: below this the search's
set-up costs more than valuing every selection (``perf/method_choice.py``)."""
ENUMERATION_BATCH = 1_000
QUICK_SEARCH_NODES = 2_000
"""A branch and bound of at most this many nodes (a few tenths of a second at 1,000 draws) is
quick to repeat, e.g. on the pessimistic check's draws."""


@dataclass(frozen=True)
class SolveResult:
    """What the solver found: the chosen candidates and activities (indices), status and gap."""

    status: str
    proven_optimal: bool
    objective: float
    gap: float | None
    reported: tuple[int, ...]
    attested: tuple[int, ...]
    activities_percent: float
    solver: str
    method: str
    seconds: float
    iterations: int = 1


def available_solvers() -> list[str]:
    """The MILP solvers usable here, best first (``highs``, ``cbc``)."""
    from optimizer.selection import milp  # PuLP only when a MILP solver is asked about

    return milp.available_solvers()


def choose_method(problem: SelectionProblem, solver: str | None = None) -> str:
    """The fastest exact method for the problem (any of them may be forced, e.g. by tests); outer
    approximation where the chain is concave when a MILP solver is named."""
    if solver is not None and outer_approximation_applies(problem):
        return OUTER_APPROXIMATION
    if selection_count(problem) <= ENUMERATION_LIMIT:
        return ENUMERATION
    return BRANCH_AND_BOUND


def quick_to_repeat(result: SolveResult) -> bool:
    """Whether solving the problem again takes about as little as this solve did: every method but
    a branch and bound of more than ``QUICK_SEARCH_NODES`` nodes or the full model."""
    if result.method == BRANCH_AND_BOUND:
        return result.iterations <= QUICK_SEARCH_NODES
    return result.method != FULL_MODEL


class SelectionSolver:
    """Solves one pathway's problem exactly; can exclude a selection and solve again (runner-up)."""

    def __init__(
        self, problem: SelectionProblem, solver: str | None = None, time_limit: float | None = None, method: str | None = None
    ) -> None:
        self.problem = problem
        self.time_limit = time_limit
        self.method = method or choose_method(problem, solver)
        self.name = "numpy"
        self.model: SelectionModel | None = None
        if solver is not None or self.method in (OUTER_APPROXIMATION, FULL_MODEL):
            from optimizer.selection import milp  # PuLP (and the solver library) only when a MILP is built

            self.name = milp.choose_solver(solver)
            if self.method == OUTER_APPROXIMATION:
                self.model = milp.build_master(problem)
            elif self.method == FULL_MODEL:
                self.model = milp.build_model(problem)
        self.excluded: list[frozenset[int]] = []
        self._search: SearchResult | None = None
        self._cut_points: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        """Selections (reported, attested) whose cut the master holds."""

    @property
    def statistics(self) -> dict[str, int]:
        """Model size figures for reports and benchmarks."""
        if self.model is None:
            return {"selections": selection_count(self.problem)}
        return dict(self.model.statistics)

    def exclude(self, reported: tuple[int, ...]) -> None:
        """Forbid one set of reported candidates (activities free), e.g. to find the runner-up."""
        self.excluded.append(frozenset(reported))
        if self.model is not None:
            from optimizer.selection import milp

            milp.exclude(self.model, set(reported), len(self.excluded))

    def best(self) -> SolveResult:
        """The best selection still allowed."""
        started = time.perf_counter()
        if self.method == ENUMERATION:
            return self._enumeration(started)
        if self.method == BRANCH_AND_BOUND:
            return self._branch_and_bound(started)
        if self.method == FULL_MODEL:
            return self._full_model(started)
        return self._outer_approximation(started)

    def _full_model(self, started: float) -> SolveResult:
        from optimizer.selection import milp

        outcome = milp.run(self.model, self.name, self.time_limit)
        seconds = time.perf_counter() - started
        if outcome == "stopped":
            raise SolverError(self._no_selection_in_time())
        if outcome == "infeasible":
            return SolveResult("infeasible", False, float("nan"), None, (), (), 0.0, self.name, self.method, seconds)
        reported, attested, activities = milp.chosen(self.model, self.problem)
        gap = milp.highs_gap(self.model) if self.name == "highs" else (0.0 if outcome == "optimal" else None)
        return SolveResult(
            "optimal" if outcome == "optimal" else "time_limit", outcome == "optimal",
            milp.primary_value(self.model), gap, reported, attested, activities, self.name, self.method, seconds,
        )

    def _outer_approximation(self, started: float) -> SolveResult:
        from optimizer.selection import milp

        best: tuple[float, tuple[int, ...], tuple[int, ...], float] | None = None
        iterations = 0
        while True:
            remaining = None if self.time_limit is None else max(0.01, self.time_limit - (time.perf_counter() - started))
            outcome = milp.run(self.model, self.name, remaining)
            iterations += 1
            if outcome == "stopped":
                if best is None:
                    raise SolverError(self._no_selection_in_time())
                value, reported, attested, activities = best
                return SolveResult(
                    "time_limit", False, value, None, reported, attested, activities, self.name, self.method,
                    time.perf_counter() - started, iterations,
                )
            if outcome == "infeasible":
                seconds = time.perf_counter() - started
                return SolveResult("infeasible", False, float("nan"), None, (), (), 0.0, self.name, self.method, seconds, iterations)
            reported, attested, activities = milp.chosen(self.model, self.problem)
            point = np.zeros(self.problem.candidate_count)
            point[list(reported)] = 1.0
            linearization = linearize(self.problem, point, activities)
            if best is None or linearization.value > best[0]:
                best = (linearization.value, reported, attested, activities)
            bound = float(self.model.bound.value())  # type: ignore[union-attr]
            tolerance = CONVERGENCE * max(1.0, abs(linearization.value))
            # A selection proposed again already has its cut, tight there: the master's optimum is
            # at most its value, so it is optimal. Without this test CBC, whose solution values PuLP
            # reads rounded to 8 digits, proposed the same selection until the cut limit.
            repeated = (reported, attested) in self._cut_points
            converged = repeated or bound <= linearization.value + tolerance
            out_of_time = self.time_limit is not None and time.perf_counter() - started >= self.time_limit
            if converged or out_of_time or iterations >= MAXIMUM_CUTS:
                value, reported, attested, activities = (linearization.value, reported, attested, activities) if converged else best
                gap = max(0.0, bound - value) / max(1.0, abs(value))
                return SolveResult(
                    "optimal" if converged else "time_limit", converged, value, gap, reported, attested, activities,
                    self.name, self.method, time.perf_counter() - started, iterations,
                )
            milp.add_cut(self.model, linearization, point, activities)
            self._cut_points.add((reported, attested))

    def _no_selection_in_time(self) -> str:
        return f"the time limit of {self.time_limit:g} s ended before the {self.method} found a selection; raise [optimize] time_limit_seconds"

    def _best_activities(self) -> tuple[tuple[int, ...], float]:
        """The fewest activities reaching the highest activities score, and that score."""
        problem = self.problem
        attested = tuple(problem.activity_ids.index(activity) for activity in best_activities(problem))
        return attested, min(problem.activities_maximum, float(np.sum(problem.activity_credits[list(attested)])))

    def _branch_and_bound(self, started: float) -> SolveResult:
        attested, activities = self._best_activities()
        previous = self._search
        if previous is not None and previous.complete and previous.second and self.excluded == [frozenset(previous.selection)]:
            # the runner-up, proven by the same search
            second = previous.second
            return SolveResult("optimal", True, second.value, 0.0, second.selection, attested, activities, "numpy", self.method, time.perf_counter() - started, 0)
        found = branch_and_bound(self.problem, activities, self.excluded, self.time_limit)
        self._search = found
        seconds = time.perf_counter() - started
        if not found.selection:
            if not found.complete:
                raise SolverError(self._no_selection_in_time())
            return SolveResult("infeasible", False, float("nan"), None, (), (), 0.0, "numpy", self.method, seconds, found.nodes)
        return SolveResult(
            "optimal" if found.complete else "time_limit", found.complete, found.value, 0.0 if found.complete else None,
            found.selection, attested, activities, "numpy", self.method, seconds, found.nodes,
        )

    def _enumeration(self, started: float) -> SolveResult:
        """Value every feasible selection on every draw; keep the best by the model's objective
        with its tie-breaks (fewer measures, less effort). Activities: the fewest that reach the
        highest activities score, as every other method attests."""
        problem = self.problem
        attested, activities = self._best_activities()
        by_size: dict[int, list[tuple[int, ...]]] = {}
        for columns in feasible_selections(problem):
            if frozenset(columns) not in self.excluded:
                by_size.setdefault(len(columns), []).append(columns)
        best: tuple[float, float, tuple[int, ...]] | None = None
        for selections in by_size.values():
            for start in range(0, len(selections), ENUMERATION_BATCH):
                batch = np.array(selections[start : start + ENUMERATION_BATCH], dtype=int)
                values = selection_values(problem, batch, activities)
                penalties = tie_break_penalties(problem, batch)
                position = int(np.argmax(values - penalties))
                if best is None or values[position] - penalties[position] > best[0]:
                    best = (float(values[position] - penalties[position]), float(values[position]), tuple(int(j) for j in batch[position]))
        seconds = time.perf_counter() - started
        if best is None:
            return SolveResult("infeasible", False, float("nan"), None, (), (), 0.0, "numpy", self.method, seconds)
        return SolveResult("optimal", True, best[1], 0.0, best[2], attested, activities, "numpy", self.method, seconds)
