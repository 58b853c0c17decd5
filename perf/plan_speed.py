"""Benchmark: how long planning takes on the real CMS data, and what it gains over the hand choice.

For every example scenario (1,000 draws unless --draws says otherwise) it prints the wall time of
a full plan (forecast, every pathway's integer program, re-scoring, runner-up), the slowest
pathway solve, and the expected final score and dollars of the recommendation against the
practice's own hand-picked selection (``[quality] reported``, scored on the same draws).

    python perf/plan_speed.py --data-dir ~/.cache/mips-optimizer [--draws 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import evaluate_selection, plan_scenario, prepare_forecast
from optimizer.planning.resolve import resolve

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median reported)")
    args = parser.parse_args()
    print(f"{'scenario':34} {'pathways':>8} {'plan s':>7} {'slowest':>8} {'hand score':>10} {'plan score':>10} {'hand $':>10} {'plan $':>10} {'gain $':>9}")
    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario, catalog = load_scenario(path, args.data_dir)
        scenario = with_optimize_overrides(scenario, {"draws": args.draws})
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run = plan_scenario(scenario, catalog)
            times.append(time.perf_counter() - started)
        slowest = max((plan.solve.seconds for plan in run.pathways if plan.solve is not None), default=0.0)
        best = run.recommended.outlook
        hand_plan = None
        if scenario.reported:
            resolved = resolve(scenario)
            candidates, forecast = prepare_forecast(resolved, catalog)
            hand_plan = evaluate_selection(resolved, catalog, scenario.pathway, scenario.reported, scenario.improvement_activities.attested, candidates, forecast).outlook
        hand_score = f"{hand_plan.expected_final_score:10.2f}" if hand_plan else f"{'—':>10}"
        hand_dollars = f"{hand_plan.expected_payment_dollars():10,.0f}" if hand_plan else f"{'—':>10}"
        gain = f"{best.expected_payment_dollars() - hand_plan.expected_payment_dollars():9,.0f}" if hand_plan else f"{'—':>9}"
        print(
            f"{path.stem:34} {len(run.pathways):8d} {statistics.median(times):7.2f} {slowest:8.2f} {hand_score} "
            f"{best.expected_final_score:10.2f} {hand_dollars} {best.expected_payment_dollars():10,.0f} {gain}"
        )


if __name__ == "__main__":
    main()
