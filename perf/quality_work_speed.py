"""Benchmark: what 'where quality work pays' adds to a plan, on the real 2026 data.

The plan report values ten care gaps and five rate points for the recommendation's measures and the
four best left out, each by planning again every pathway that can report the measure
(:mod:`optimizer.planning.care_gaps`). This prints, side by side in the same process, the CPU
seconds of the plan itself (:func:`optimizer.planning.plan.plan_scenario`) and of the quality-work analysis
(:func:`optimizer.planning.care_gaps.value_quality_work`), their ratio and the number of pathway
solves the analysis made, for each example scenario and for the synthetic family practice of
``perf/family_medicine.py`` (94 rows) without and with a prior-year quality score.

    python perf/quality_work_speed.py --data-dir ~/.cache/mips-optimizer [--draws 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import optimizer.planning.care_gaps as care_gaps
from optimizer.catalog import read_catalog
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import plan_scenario
from optimizer.synthetic import family_medicine_measures, synthetic_baseline

ROOT = Path(__file__).resolve().parents[1]


def _cpu(function):  # noqa: ANN001, ANN202 - a small timing helper
    started = time.process_time()
    result = function()
    return time.process_time() - started, result


def measure(path: Path, data_dir: Path | None, draws: int, repeat: int) -> tuple[float, float, int, int]:
    """Median CPU seconds of the plan and of the quality work, the pathways, and the solves the work made."""
    scenario, catalog = load_scenario(path, data_dir)
    scenario = with_optimize_overrides(scenario, {"draws": draws})
    solves = 0
    original = care_gaps.plan_pathway

    def counted(*arguments, **options):  # noqa: ANN002, ANN003, ANN202
        nonlocal solves
        solves += 1
        return original(*arguments, **options)

    plans, works = [], []
    for _ in range(repeat):
        seconds, run = _cpu(lambda: plan_scenario(scenario, catalog))
        plans.append(seconds)
        solves = 0
        care_gaps.plan_pathway = counted
        try:
            seconds, _ = _cpu(lambda: care_gaps.value_quality_work(run, catalog))
        finally:
            care_gaps.plan_pathway = original
        works.append(seconds)
    return statistics.median(plans), statistics.median(works), len(run.pathways), solves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [(path.stem, path) for path in sorted((ROOT / "scenarios").glob("*.toml"))]
    with tempfile.TemporaryDirectory() as temporary:
        from family_medicine import write_practice  # the same practice as perf/family_medicine.py (this folder is on sys.path)

        catalog = read_catalog(2026, data_dir=args.data_dir)
        rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=2026)
        folder = Path(temporary)
        cases.append(("family practice, no prior year", write_practice(folder, "family", rows, draws=args.draws, prior=None)))
        cases.append(("family practice, prior year 60%", write_practice(folder, "family-prior", rows, draws=args.draws, prior=60.0)))
        print(f"{args.draws:,} draws, median of {args.repeat}; CPU seconds")
        print(f"{'case':36} {'pathways':>8} {'plan s':>7} {'quality work s':>15} {'ratio':>6} {'solves':>7}")
        for label, path in cases:
            plan, work, pathways, solves = measure(path, args.data_dir, args.draws, args.repeat)
            print(f"{label:36} {pathways:8d} {plan:7.2f} {work:15.2f} {work / plan:6.1f} {solves:7d}")


if __name__ == "__main__":
    main()
