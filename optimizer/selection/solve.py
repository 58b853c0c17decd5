"""Solve a pathway's selection problem exactly: branch and bound, enumeration, or a MILP solver.

:class:`SelectionSolver` picks the fastest exact method the problem allows (measured on every
pathway of the examples and the family practice, ``perf/method_choice.py``): when the pool allows
at most ``ENUMERATION_LIMIT`` selections, every feasible selection valued at once with NumPy; else
branch and bound (:mod:`optimizer.selection.branch_and_bound`), which proves the runner-up in the
same pass. Neither needs a MILP solver. When the user names one (``[optimize] solver``,
``--solver``), pathways whose chain is concave are solved by outer approximation on a small master
problem (see :mod:`optimizer.selection.model`) with HiGHS or CBC through PuLP instead: an
independent check. The full model (one MILP with per-draw segment binaries) states the same problem
independently; tests force every method on every instance. No PuLP object leaves this module.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pulp

from optimizer.selection.branch_and_bound import SearchResult, branch_and_bound
from optimizer.selection.brute_force import best_activities, feasible_selections
from optimizer.errors import SolverError
from optimizer.selection.model import (
    SelectionModel,
    SelectionProblem,
    add_cut,
    build_master,
    build_model,
    linearize,
    outer_approximation_applies,
    selection_count,
    selection_values,
    tie_break_penalties,
)

RELATIVE_GAP = 1e-9
ABSOLUTE_GAP = 1e-9
CONVERGENCE = 1e-8
"""Outer approximation stops when the master's bound exceeds the proposed selection's value by no
more than this, relative to max(1, |value|)."""
MAXIMUM_CUTS = 2000
SOLVER_NAMES = {"highs": "HiGHS", "cbc": "PULP_CBC_CMD"}
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


@functools.cache
def _present_solvers() -> tuple[str, ...]:
    present = set(pulp.listSolvers(onlyAvailable=True))  # looks for every solver PuLP knows: milliseconds
    return tuple(name for name, pulp_name in SOLVER_NAMES.items() if pulp_name in present)


def available_solvers() -> list[str]:
    """The solvers usable here, best first (``highs``, ``cbc``)."""
    return list(_present_solvers())


def choose_solver(requested: str | None) -> str:
    """The solver to use: the one requested, else HiGHS, else CBC; a clear error when none is present."""
    available = available_solvers()
    if requested is not None:
        if requested not in available:
            raise SolverError(
                f"the {requested} solver is not available here (available: {', '.join(available) or 'none'}); "
                "install highspy (pip install highspy) or a PuLP build with CBC"
            )
        return requested
    if not available:
        raise SolverError("no MILP solver is available: install highspy (pip install highspy) or a PuLP build with CBC")
    return available[0]


def _engine(name: str, time_limit: float | None) -> pulp.LpSolver:
    if name == "highs":
        return pulp.HiGHS(msg=False, gapRel=RELATIVE_GAP, gapAbs=ABSOLUTE_GAP, timeLimit=time_limit, threads=1)
    return pulp.PULP_CBC_CMD(msg=False, gapRel=RELATIVE_GAP, gapAbs=ABSOLUTE_GAP, timeLimit=time_limit)


def _flush_c_streams() -> None:
    """Flush the C library's stdio buffers, so nothing a solver buffered is written after the fact."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, TypeError, AttributeError):  # no C library to reach (e.g. Windows): nothing buffered there
        pass


@contextlib.contextmanager
def _solver_output_discarded() -> Iterator[None]:
    """Send whatever the solver library writes to file descriptor 1 to the null device.

    HiGHS (highspy 1.16) prints its banner ("Running HiGHS 1.16.0 … Copyright …") from the C++
    constructor, before any option (``output_flag``, ``log_to_console``, PuLP's ``msg=False``) can be
    set, and straight to the file descriptor, so neither the options nor ``sys.stdout`` can hold it
    back. Standard output carries the report, so fd 1 points at the null device for the solve and is
    restored afterwards (C buffers flushed first). The solve runs in the main thread only; nothing
    else writes to stdout meanwhile.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no usable stdout: nothing to protect
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
        finally:
            os.close(null)
        try:
            yield
        finally:
            _flush_c_streams()
            os.dup2(saved, 1)
    finally:
        os.close(saved)


def _run(model: SelectionModel, name: str, time_limit: float | None) -> str:
    """Solve once; return ``optimal``, ``feasible`` (stopped early with a selection), ``stopped``
    (the time limit ended the solve before any selection) or ``infeasible``."""
    try:
        with _solver_output_discarded():
            model.problem.solve(_engine(name, time_limit))
    except pulp.PulpSolverError as error:
        raise SolverError(f"the {name} solver failed: {error}") from None
    status = pulp.LpStatus[model.problem.status]
    if status == "Infeasible":
        return "infeasible"
    if status == "Not Solved" and time_limit is not None:
        return "stopped"
    if status != "Optimal":
        raise SolverError(f"the {name} solver ended with status {status!r} and no selection")
    return "optimal" if model.problem.sol_status == pulp.LpSolutionOptimal else "feasible"


def _chosen(model: SelectionModel, problem: SelectionProblem) -> tuple[tuple[int, ...], tuple[int, ...], float]:
    """The reported candidates, attested activities, and the activities percent they earn."""
    reported = tuple(j for j, variable in enumerate(model.report) if (variable.value() or 0) > 0.5)
    attested = tuple(a for a, variable in enumerate(model.attest) if (variable.value() or 0) > 0.5)
    activities = min(problem.activities_maximum, float(np.sum(problem.activity_credits[list(attested)])))
    return reported, attested, activities


def _highs_gap(model: SelectionModel) -> float | None:
    highs = getattr(model.problem, "solverModel", None)
    if highs is None or not hasattr(highs, "getInfo"):
        return None
    gap = float(getattr(highs.getInfo(), "mip_gap", float("nan")))
    return None if gap != gap or gap > 1e300 else gap


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
        self.name = choose_solver(solver) if solver is not None or self.method in (OUTER_APPROXIMATION, FULL_MODEL) else "numpy"
        self.model: SelectionModel | None = None
        if self.method == OUTER_APPROXIMATION:
            self.model = build_master(problem)
        elif self.method == FULL_MODEL:
            self.model = build_model(problem)
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
        chosen = set(reported)
        self.excluded.append(frozenset(chosen))
        if self.model is None:
            return
        report = self.model.report
        self.model.problem += (
            pulp.lpSum(1 - report[j] for j in chosen) + pulp.lpSum(report[j] for j in range(len(report)) if j not in chosen) >= 1,
            f"not_selection_{len(self.excluded)}",
        )

    def best(self) -> SolveResult:
        """The best selection still allowed."""
        started = time.perf_counter()
        if self.method == ENUMERATION:
            return self._enumeration(started)
        if self.method == BRANCH_AND_BOUND:
            return self._branch_and_bound(started)
        if self.method == FULL_MODEL:
            outcome = _run(self.model, self.name, self.time_limit)
            seconds = time.perf_counter() - started
            if outcome == "stopped":
                raise SolverError(self._no_selection_in_time())
            if outcome == "infeasible":
                return SolveResult("infeasible", False, float("nan"), None, (), (), 0.0, self.name, self.method, seconds)
            reported, attested, activities = _chosen(self.model, self.problem)
            gap = _highs_gap(self.model) if self.name == "highs" else (0.0 if outcome == "optimal" else None)
            return SolveResult(
                "optimal" if outcome == "optimal" else "time_limit", outcome == "optimal",
                float(pulp.value(self.model.primary_objective)), gap, reported, attested, activities, self.name, self.method, seconds,
            )
        return self._outer_approximation(started)

    def _outer_approximation(self, started: float) -> SolveResult:
        best: tuple[float, tuple[int, ...], tuple[int, ...], float] | None = None
        iterations = 0
        while True:
            remaining = None if self.time_limit is None else max(0.01, self.time_limit - (time.perf_counter() - started))
            outcome = _run(self.model, self.name, remaining)
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
            reported, attested, activities = _chosen(self.model, self.problem)
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
            add_cut(self.model, linearization, point, activities)
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
