"""The selection problem as mixed-integer programs, built with PuLP: imported only when one is solved.

Two of the exact statements of :mod:`optimizer.selection.model` are MILPs, solved by HiGHS or CBC
through PuLP (:mod:`optimizer.selection.solve`):

* the **outer-approximation master** (:func:`build_master`, :func:`add_cut`): binaries for the
  decisions and one variable bounded by cuts, each cut the supergradient of the mean over draws at
  a selection (:func:`optimizer.selection.model.linearize`), used when a MILP solver is named and
  every draw's chain is concave;
* the **full model** (:func:`build_model`): per draw, each link is folded into the objective where
  one piece is reachable, an epigraph variable where the reachable part is concave, and a
  disjunctive segment choice (convex-hull form, binaries) where it is not; the independent check
  of the other methods in the tests.

Branch and bound and enumeration need neither, so a plan imports PuLP (and HiGHS) only when one of
these is built. No PuLP object leaves this module's functions but the :class:`SelectionModel` they
build and run; whatever the solver library writes to standard output is discarded
(:func:`_solver_output_discarded`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.rules.piecewise import LinearPiece, evaluate
from optimizer.selection.model import (
    Linearization,
    SelectionProblem,
    counted_bounds,
    is_concave,
    measure_groups,
    reachable,
    reachable_ranges,
)

OPEN_END_MARGIN = 1e-7
"""How far inside an open end of a piece the model keeps its argument (in the argument's unit)."""
RELATIVE_GAP = 1e-9
ABSOLUTE_GAP = 1e-9
SOLVER_NAMES = {"highs": "HiGHS", "cbc": "PULP_CBC_CMD"}


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
    for measure_id, columns in measure_groups(problem).items():
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
    ranges = reachable_ranges(problem)
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
    ranges = reachable_ranges(problem)
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


# --- solving ---------------------------------------------------------------------------------


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


def run(model: SelectionModel, name: str, time_limit: float | None) -> str:
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


def chosen(model: SelectionModel, problem: SelectionProblem) -> tuple[tuple[int, ...], tuple[int, ...], float]:
    """The reported candidates, attested activities, and the activities percent they earn."""
    reported = tuple(j for j, variable in enumerate(model.report) if (variable.value() or 0) > 0.5)
    attested = tuple(a for a, variable in enumerate(model.attest) if (variable.value() or 0) > 0.5)
    activities = min(problem.activities_maximum, float(np.sum(problem.activity_credits[list(attested)])))
    return reported, attested, activities


def highs_gap(model: SelectionModel) -> float | None:
    """HiGHS's own MIP gap of the last solve (None when unknown)."""
    highs = getattr(model.problem, "solverModel", None)
    if highs is None or not hasattr(highs, "getInfo"):
        return None
    gap = float(getattr(highs.getInfo(), "mip_gap", float("nan")))
    return None if gap != gap or gap > 1e300 else gap


def exclude(model: SelectionModel, chosen: set[int], number: int) -> None:
    """Forbid one set of reported candidates (activities free): at least one of them out or another in."""
    report = model.report
    model.problem += (
        pulp.lpSum(1 - report[j] for j in chosen) + pulp.lpSum(report[j] for j in range(len(report)) if j not in chosen) >= 1,
        f"not_selection_{number}",
    )


def primary_value(model: SelectionModel) -> float:
    """The model's objective without tie-breaks at its solution."""
    return float(pulp.value(model.primary_objective))
