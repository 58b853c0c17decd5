"""Benchmark: each exact method on every pathway's problem, side by side, and the method the solver picks.

The problems are those ``plan`` builds (1,000 draws by default) for every example in ``scenarios/``
and for the made-up family practice of ``perf/family_medicine.py`` in four cases: with and without
a prior-year score, reporting six or seven measures (hedging). Each problem is solved for its best
selection and its runner-up (the optimum excluded), as ``plan`` does for the recommended pathway, by

* branch and bound (:mod:`optimizer.branch_and_bound`),
* enumeration with NumPy, where the pool allows at most 20,000 selections (the earlier limit),
* outer approximation with HiGHS, where every draw's chain is concave,

and the script prints the CPU seconds of each (median of --repeat), checks that they agree, and sums
the time of the method the solver picks now (``optimizer.selection.solve.choose_method``) against the one the
earlier rule picked (outer approximation when concave, else enumeration up to 20,000 selections,
else branch and bound), per group of problems.

    python perf/method_choice.py [--data-dir DIR] [--draws 1000] [--repeat 3] [--only family]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from family_medicine import write_practice
from optimizer.catalog import read_catalog
from optimizer.errors import InputError
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import pathway_fixed_categories, pathway_parts, pathway_split, planned_pathways, prepare_forecast
from optimizer.planning.resolve import resolve
from optimizer.selection.model import outer_approximation_applies, selection_count
from optimizer.selection.solve import BRANCH_AND_BOUND, ENUMERATION, OUTER_APPROXIMATION, SelectionSolver, choose_method
from optimizer.synthetic import family_medicine_measures, synthetic_baseline

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EARLIER_ENUMERATION_LIMIT = 20_000


def problems_of(path: Path, data_dir: Path | None, draws: int | None):
    """Every pathway's problem parts of a scenario file: ``(pathway id, part number, problem)``."""
    scenario, catalog = load_scenario(path, data_dir)
    if draws is not None:
        scenario = with_optimize_overrides(scenario, {"draws": draws})
    resolved = resolve(scenario)
    candidates, forecast = prepare_forecast(resolved, catalog)
    found = []
    for pathway in planned_pathways(resolved, candidates, catalog):
        split = pathway_split(resolved, candidates, pathway, catalog)
        try:
            parts = pathway_parts(resolved, pathway, split, forecast, pathway_fixed_categories(resolved, catalog, pathway), catalog)
        except InputError:
            continue
        found += [(pathway.pathway_id, number, part.problem) for number, part in enumerate(parts)]
    return found


def earlier_choice(problem) -> str:
    """The method the solver picked before branch and bound had its linear bounds."""
    if outer_approximation_applies(problem):
        return OUTER_APPROXIMATION
    return ENUMERATION if selection_count(problem) <= EARLIER_ENUMERATION_LIMIT else BRANCH_AND_BOUND


def solve_twice(problem, method: str, repeat: int) -> tuple[float, float, float]:
    """Median CPU seconds of the best and the runner-up, and their values."""
    times, values = [], (float("nan"), float("nan"))
    for _ in range(repeat):
        started = time.process_time()
        solver = SelectionSolver(problem, solver="highs" if method == OUTER_APPROXIMATION else None, method=method)
        best = solver.best()
        solver.exclude(best.reported)
        second = solver.best()
        times.append(time.process_time() - started)
        values = (best.objective, second.objective)
    return statistics.median(times), *values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("examples", "family"), default=None)
    args = parser.parse_args()

    groups: dict[str, list] = {}
    if args.only != "family":
        for path in sorted(SCENARIOS.glob("*.toml")):
            groups[path.stem] = problems_of(path, args.data_dir, args.draws)
    if args.only != "examples":
        catalog = read_catalog(2026, data_dir=args.data_dir)
        rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=2026)
        with tempfile.TemporaryDirectory() as temporary:
            for prior in (None, 60.0):
                for measures in (6, 7):
                    path = write_practice(Path(temporary), "family", rows, draws=args.draws, prior=prior)
                    if measures != 6:
                        path.write_text(path.read_text().replace("seed = 1\n", f"seed = 1\nmax_quality_measures = {measures}\n"))
                    label = f"family, {'no prior year' if prior is None else f'prior {prior:g}%'}, {measures} measures"
                    groups[label] = problems_of(path, args.data_dir, None)

    names = {BRANCH_AND_BOUND: "B&B", ENUMERATION: "enumeration", OUTER_APPROXIMATION: "OA (HiGHS)"}
    print(f"CPU seconds for the best selection and the runner-up, median of {args.repeat}; {args.draws:,} draws\n")
    print(f"{'problem':52} {'selections':>14} {'B&B':>8} {'enumeration':>12} {'OA (HiGHS)':>11} {'earlier':>12} {'now':>12}")
    summary = []
    for group, problems in groups.items():
        earlier_total = now_total = 0.0
        for pathway_id, number, problem in problems:
            seconds, values = {}, {}
            methods = [BRANCH_AND_BOUND]
            methods += [ENUMERATION] if selection_count(problem) <= EARLIER_ENUMERATION_LIMIT else []
            methods += [OUTER_APPROXIMATION] if outer_approximation_applies(problem) else []
            for method in methods:
                seconds[method], *values[method] = solve_twice(problem, method, args.repeat)
            reference = values[BRANCH_AND_BOUND]
            for method, found in values.items():
                for value, expected in zip(found, reference):
                    if not (value == expected or abs(value - expected) <= 1e-6 * max(1.0, abs(expected))):
                        raise SystemExit(f"{group} {pathway_id}: {method} found {found}, branch and bound {reference}")
            earlier, now = earlier_choice(problem), choose_method(problem)
            earlier_total += seconds[earlier]
            now_total += seconds[now]
            cells = [f"{seconds[method]:.3f}" if method in seconds else "—" for method in (BRANCH_AND_BOUND, ENUMERATION, OUTER_APPROXIMATION)]
            label = f"{group[:30]} {pathway_id}" + (f" part {number + 1}" if number else "")
            print(f"{label:52} {selection_count(problem):14,d} {cells[0]:>8} {cells[1]:>12} {cells[2]:>11} {names[earlier]:>12} {names[now]:>12}")
        summary.append((group, len(problems), earlier_total, now_total))
    print(f"\n{'group':52} {'problems':>8} {'earlier choice s':>17} {'now s':>8} {'ratio':>7}")
    for group, count, earlier_total, now_total in summary:
        print(f"{group:52} {count:8d} {earlier_total:17.3f} {now_total:8.3f} {earlier_total / max(now_total, 1e-9):7.1f}")


if __name__ == "__main__":
    main()
