"""Benchmark: a family practice that could report every family-medicine measure, on the real 2026 data.

The practice is made up (:mod:`optimizer.synthetic`): a baseline row for every measure of CMS's
family medicine set in every collection type it has (eCQM, MIPS CQM, Medicare Part B claims, the
CAHPS survey), ten clinicians (a small practice, so claims count), certified EHR technology, cost
55, Promoting Interoperability 75, four improvement activities. It prints

1. the CPU seconds of one full plan (traditional MIPS and every applicable MVP, 1,000 draws): with
   no prior-year quality score, and with one (the improvement score's kink makes that the hard case);
2. brute force against the integer program on traditional MIPS restricted to the n candidates with
   the highest expected points, for growing n until enumeration takes longer than --budget seconds;
3. the expected-payment gain of the plan over the common hand method: report the six measures with
   the highest point estimate (each in its best collection type, the sixth swapped for the best
   outcome or high-priority measure when none of the six is one), all activities attested.

    python perf/family_medicine.py --data-dir ~/.cache/mips-optimizer [--draws 1000] [--budget 60]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from optimizer.catalog import read_catalog
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import Scenario, with_optimize_overrides
from optimizer.planning.plan import (
    evaluate_selection,
    outlook_of,
    pathway_fixed_categories,
    pathway_parts,
    pathway_split,
    plan_pathway,
    plan_scenario,
    prepare_forecast,
)
from optimizer.planning.resolve import resolve
from optimizer.rules.parameters import TRADITIONAL
from optimizer.scoring.pathways import read_pathway
from optimizer.selection.brute_force import best_activities, feasible_selections
from optimizer.synthetic import family_medicine_measures, synthetic_baseline

PRACTICE = """performance_year = 2026
title = "Synthetic family medicine (every family-medicine measure, made-up counts)"

[practice]
name = "Synthetic family medicine"
clinicians = 10
medicare_part_b_allowed = 1500000
cehrt = true
baseline = "{baseline}"

[quality]
{prior}
[cost]
score = 55.0

[promoting_interoperability]
score = 75.0

[improvement_activities]
available = ["IA_BE_6", "IA_PSPA_28", "IA_AHW_1", "IA_EPA_2"]

[optimize]
objective = "expected_payment"
pathways = {pathways}
draws = {draws}
seed = 1
{time_limit}
"""


def write_practice(folder: Path, name: str, rows, *, draws: int, prior: float | None, pathways: str = '"all"', time_limit: float | None = None) -> Path:
    """Write the practice's baseline CSV and scenario TOML into ``folder``; returns the TOML's path."""
    rows.to_csv(folder / f"{name}.csv", index=False)
    path = folder / f"{name}.toml"
    path.write_text(
        PRACTICE.format(
            baseline=f"{name}.csv",
            prior="" if prior is None else f"prior_year_achievement_percent = {prior}",
            pathways=pathways,
            draws=draws,
            time_limit="" if time_limit is None else f"time_limit_seconds = {time_limit}",
        )
    )
    return path


def time_plans(path: Path, data_dir: Path | None, repeat: int):
    """Median CPU seconds of ``repeat`` full plans, and the last plan."""
    scenario, catalog = load_scenario(path, data_dir)
    times, run = [], None
    for _ in range(repeat):
        started = time.process_time()
        run = plan_scenario(scenario, catalog)
        times.append(time.process_time() - started)
    return statistics.median(times), run, scenario, catalog


def hand_selection(scenario: Scenario, catalog: object) -> list[tuple[str, str]]:
    """The six measures with the highest point estimate (observed rates, no draws), best type each."""
    deterministic = resolve(with_optimize_overrides(scenario, {"draws": 0}))
    candidates, forecast = prepare_forecast(deterministic, catalog)
    pathway = read_pathway(catalog, TRADITIONAL, deterministic.policy)
    eligible = pathway_split(deterministic, candidates, pathway, catalog).eligible
    best: dict[str, tuple[float, object]] = {}
    for candidate in eligible:
        estimate = float(forecast.points[0, forecast.column(candidate.key)])
        if candidate.measure_id not in best or estimate > best[candidate.measure_id][0]:
            best[candidate.measure_id] = (estimate, candidate)
    ranked = sorted(best.values(), key=lambda item: -item[0])
    chosen = [candidate for _, candidate in ranked[:6]]
    if not any(candidate.is_priority for candidate in chosen):
        priority = next((candidate for _, candidate in ranked[6:] if candidate.is_priority), None)
        if priority is not None:
            chosen[-1] = priority
    return [candidate.key for candidate in chosen]


def brute_force_row(folder: Path, rows, keys, *, draws: int, prior: float | None, data_dir: Path | None) -> tuple[int, float, float, bool]:
    """Enumerate traditional MIPS over the given candidates; time it and the integer program."""
    subset = rows[[(measure_id, kind) in keys for measure_id, kind in zip(rows["measure_id"], rows["collection_type"])]]
    path = write_practice(folder, f"brute-{len(keys)}", subset, draws=draws, prior=prior, pathways='["traditional"]')
    scenario, catalog = load_scenario(path, data_dir)
    resolved = resolve(scenario)
    candidates, forecast = prepare_forecast(resolved, catalog)
    pathway = read_pathway(catalog, TRADITIONAL, resolved.policy)
    started = time.process_time()
    plan = plan_pathway(resolved, pathway, candidates, forecast, catalog)
    model_seconds = time.process_time() - started
    split = pathway_split(resolved, candidates, pathway, catalog)
    fixed = pathway_fixed_categories(resolved, catalog, pathway)
    parts = pathway_parts(resolved, pathway, split, forecast, fixed, catalog)
    activities = best_activities(parts[0].problem)
    started = time.process_time()
    best, count = float("-inf"), 0
    for part in parts:
        for columns in feasible_selections(part.problem):
            selection = part.eligible_positions(columns)
            value = outlook_of(selection, activities, split.eligible, split, forecast, fixed, resolved, pathway).objective_value
            best, count = max(best, value), count + 1
    brute_seconds = time.process_time() - started
    agrees = abs(best - plan.outlook.objective_value) <= 1e-6 * max(1.0, abs(best))
    return count, brute_seconds, model_seconds, agrees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="plans per case (median reported)")
    parser.add_argument("--prior", type=float, default=60.0, help="prior-year achievement percent of the second case")
    parser.add_argument("--time-limit", type=float, default=None, help="per-pathway solver time limit of the prior-year case [s]")
    parser.add_argument("--budget", type=float, default=60.0, help="stop brute force once one size takes longer [s]")
    args = parser.parse_args()

    catalog = read_catalog(2026, data_dir=args.data_dir)
    rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=2026)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print(f"Synthetic family practice: {len(rows)} baseline rows, {rows['measure_id'].nunique()} measures; {args.draws:,} draws\n")
        print("1. One full plan (traditional MIPS and every applicable MVP)")
        print(f"{'case':34} {'pathways':>8} {'plan CPU s':>10} {'slowest':>8} {'method of slowest':>20} {'proven':>7} {'recommended':>12} {'E[score]':>9} {'E[$]':>9}")
        cases = (("no prior-year score", None, None), (f"prior-year achievement {args.prior:g}%", args.prior, args.time_limit))
        last = None
        for label, prior, limit in cases:
            path = write_practice(folder, "family", rows, draws=args.draws, prior=prior, time_limit=limit)
            seconds, run, scenario, loaded = time_plans(path, args.data_dir, args.repeat)
            solved = [plan for plan in run.pathways if plan.solve is not None]
            slowest = max(solved, key=lambda plan: plan.solve.seconds)
            proven = all(plan.solve.proven_optimal for plan in solved)
            outlook = run.recommended.outlook
            print(
                f"{label:34} {len(run.pathways):8d} {seconds:10.2f} {slowest.solve.seconds:8.2f} {slowest.solve.method:>20} "
                f"{'yes' if proven else 'no':>7} {run.recommended.pathway.pathway_id:>12} {outlook.expected_final_score:9.2f} "
                f"{outlook.expected_payment_dollars():9,.0f}"
            )
            if last is None:
                last = (run, scenario, loaded)

        run, scenario, loaded = last
        print("\n2. Brute force vs the integer program (traditional MIPS, the n candidates with the highest expected points)")
        resolved = resolve(scenario)
        candidates, forecast = prepare_forecast(resolved, loaded)
        pathway = read_pathway(loaded, TRADITIONAL, resolved.policy)
        eligible = pathway_split(resolved, candidates, pathway, loaded).eligible
        ranked = sorted(eligible, key=lambda candidate: -float(forecast.points[:, forecast.column(candidate.key)].mean()))
        print(f"{'n':>4} {'selections':>11} {'brute force CPU s':>18} {'model CPU s':>12} {'same optimum':>13}")
        size = 8
        while size <= len(ranked):
            count, brute_seconds, model_seconds, agrees = brute_force_row(
                folder, rows, {candidate.key for candidate in ranked[:size]}, draws=args.draws, prior=None, data_dir=args.data_dir
            )
            print(f"{size:4d} {count:11,d} {brute_seconds:18.2f} {model_seconds:12.2f} {'yes' if agrees else 'NO':>13}")
            if brute_seconds > args.budget:
                break
            size += 2

        print("\n3. The plan against the hand method (six highest point estimates, traditional MIPS)")
        keys = hand_selection(scenario, loaded)
        hand = evaluate_selection(resolved, loaded, TRADITIONAL, keys, scenario.improvement_activities.available, candidates, forecast).outlook
        best = run.recommended.outlook
        print("hand selection: " + ", ".join(f"{measure_id} ({kind})" for measure_id, kind in keys))
        print("plan selection: " + ", ".join(candidate.label for candidate in best.selected) + f" in {run.recommended.pathway.pathway_id}")
        print(f"{'':6} {'E[final score]':>15} {'P(≥ 75)':>8} {'E[$ a year]':>12}")
        for label, outlook in (("hand", hand), ("plan", best)):
            print(f"{label:6} {outlook.expected_final_score:15.2f} {outlook.probability_at_or_above(75):8.1%} {outlook.expected_payment_dollars():12,.0f}")
        print(f"gain of the plan over the hand method: {best.expected_payment_dollars() - hand.expected_payment_dollars():,.0f} dollars a year")


if __name__ == "__main__":
    main()
