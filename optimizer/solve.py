"""Solve a pathway's selection problem: HiGHS through PuLP by default, CBC where present.

:class:`SelectionSolver` picks the exact method the problem allows (see :mod:`optimizer.model`):
outer approximation on a small master problem when every draw's chain is concave, the full model
otherwise. No PuLP object leaves this module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.model import (
    SelectionModel,
    SelectionProblem,
    add_cut,
    build_master,
    build_model,
    linearize,
    outer_approximation_applies,
)

RELATIVE_GAP = 1e-9
ABSOLUTE_GAP = 1e-9
CONVERGENCE = 1e-8
"""Outer approximation stops when the master's bound exceeds the proposed selection's value by no
more than this, relative to max(1, |value|)."""
MAXIMUM_CUTS = 2000
SOLVER_NAMES = {"highs": "HiGHS", "cbc": "PULP_CBC_CMD"}
OUTER_APPROXIMATION = "outer approximation"
FULL_MODEL = "full model"


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
    """The solvers usable here, best first (``highs``, ``cbc``)."""
    present = set(pulp.listSolvers(onlyAvailable=True))
    return [name for name, pulp_name in SOLVER_NAMES.items() if pulp_name in present]


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


def _run(model: SelectionModel, name: str, time_limit: float | None) -> str:
    """Solve once; return ``optimal``, ``feasible`` (stopped early with a selection) or ``infeasible``."""
    try:
        model.problem.solve(_engine(name, time_limit))
    except pulp.PulpSolverError as error:
        raise SolverError(f"the {name} solver failed: {error}") from None
    status = pulp.LpStatus[model.problem.status]
    if status == "Infeasible":
        return "infeasible"
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


class SelectionSolver:
    """Solves one pathway's problem exactly; can exclude a selection and solve again (runner-up)."""

    def __init__(self, problem: SelectionProblem, solver: str | None = None, time_limit: float | None = None) -> None:
        self.problem = problem
        self.name = choose_solver(solver)
        self.time_limit = time_limit
        self.method = OUTER_APPROXIMATION if outer_approximation_applies(problem) else FULL_MODEL
        self.model = build_master(problem) if self.method == OUTER_APPROXIMATION else build_model(problem)
        self.excluded = 0

    @property
    def statistics(self) -> dict[str, int]:
        """Model size figures for reports and benchmarks."""
        return dict(self.model.statistics)

    def exclude(self, reported: tuple[int, ...]) -> None:
        """Forbid one set of reported candidates (activities free), e.g. to find the runner-up."""
        chosen = set(reported)
        report = self.model.report
        self.excluded += 1
        self.model.problem += (
            pulp.lpSum(1 - report[j] for j in chosen) + pulp.lpSum(report[j] for j in range(len(report)) if j not in chosen) >= 1,
            f"not_selection_{self.excluded}",
        )

    def best(self) -> SolveResult:
        """The best selection still allowed."""
        started = time.perf_counter()
        if self.method == FULL_MODEL:
            outcome = _run(self.model, self.name, self.time_limit)
            seconds = time.perf_counter() - started
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
            converged = bound <= linearization.value + tolerance
            out_of_time = self.time_limit is not None and time.perf_counter() - started >= self.time_limit
            if converged or out_of_time or iterations >= MAXIMUM_CUTS:
                value, reported, attested, activities = (linearization.value, reported, attested, activities) if converged else best
                gap = max(0.0, bound - value) / max(1.0, abs(value))
                return SolveResult(
                    "optimal" if converged else "time_limit", converged, value, gap, reported, attested, activities,
                    self.name, self.method, time.perf_counter() - started, iterations,
                )
            add_cut(self.model, linearization, point, activities)
