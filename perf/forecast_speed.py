"""Benchmark: CPU seconds of the forecast alone and of a full plan, on the made-up family practice.

The practice of perf/family_medicine.py (94 baseline rows, 70 measures, real 2026 benchmarks), 1,000
draws: the median CPU time of ``prepare_forecast`` (candidates and every draw, scored by the rules) over
--repeat runs, and of ``plan_scenario`` (every pathway, re-scoring, runner-up and, where the code has it,
the check on a pessimistic forecast). Run it against another checkout of the project to compare:

    python perf/forecast_speed.py --data-dir ~/.cache/mips-optimizer
    PYTHONPATH=../other-checkout python perf/forecast_speed.py --data-dir ~/.cache/mips-optimizer
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import optimizer
from family_medicine import write_practice
from optimizer.catalog import read_catalog
from optimizer.inputs.loading import load_scenario
from optimizer.planning.plan import plan_scenario, prepare_forecast
from optimizer.planning.resolve import resolve
from optimizer.synthetic import family_medicine_measures, synthetic_baseline


def cpu_seconds(action, repeat: int) -> tuple[float, object]:
    """Median CPU seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.process_time()
        result = action()
        times.append(time.process_time() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--prior", type=float, default=None, help="prior-year achievement percent (the improvement score's kink)")
    args = parser.parse_args()
    catalog = read_catalog(2026, data_dir=args.data_dir)
    rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=2026)
    with tempfile.TemporaryDirectory() as temporary:
        path = write_practice(Path(temporary), "family", rows, draws=args.draws, prior=args.prior)
        scenario, loaded = load_scenario(path, args.data_dir)
        forecast_seconds, _ = cpu_seconds(lambda: prepare_forecast(resolve(scenario), loaded), args.repeat)
        plan_seconds, run = cpu_seconds(lambda: plan_scenario(scenario, loaded), max(1, args.repeat // 2))
    print(f"code: {Path(optimizer.__file__).parent}")
    print(f"{len(rows)} baseline rows, {args.draws:,} draws: forecast {forecast_seconds:.3f} CPU s (median of {args.repeat}), "
          f"full plan {plan_seconds:.2f} CPU s (median of {max(1, args.repeat // 2)}); recommended {run.recommended.pathway.pathway_id}, "
          f"E[final score] {run.recommended.outlook.expected_final_score:.2f}")


if __name__ == "__main__":
    main()
