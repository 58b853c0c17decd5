"""Benchmark: the speed targets of one plan (issue 14), side by side with another checkout.

1. In process: the made-up family practice of ``perf/family_medicine.py`` (94 baseline rows,
   traditional MIPS and every applicable MVP, 1,000 draws), planned with and without a prior-year
   score, reporting six measures and hedging with seven. CPU seconds of ``plan_scenario`` (the
   catalog already read), the first plan of the process and the median of the next --repeat.
   Targets: at most 1 s with six measures, 5 s with seven.
2. The CLI end to end on each bundled example: ``python -m optimizer plan EXAMPLE --format json``
   from process start to exit, wall seconds and CPU seconds (the child's user + system time), median
   of --repeat, each checkout on its own copy of the example; where this checkout has it, also with
   ``--no-quality-work`` (the plan without its care-gap section, which plans again for every
   improvement it values). Target: at most 1.5 s.

Each measurement runs in a fresh Python process with ``PYTHONPATH`` set to the code measured; with
``--compare-with CHECKOUT`` (e.g. ``git worktree add /tmp/main main``) the same measurements of that
checkout run interleaved with these, so machine load falls on both alike, and the ratios are
printed. The data folder is empty unless --data-dir says otherwise, so the bundled tables are read,
as after a fresh install. The load average before and after is printed: state it with the figures.

    python perf/speed_targets.py [--compare-with /tmp/main] [--repeat 5] [--only family|cli]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CASES = ((None, 6), (60.0, 6), (None, 7), (60.0, 7))
TARGETS = {6: 1.0, 7: 5.0}
CLI_TARGET = 1.5


def _worker(path: Path, data_dir: Path | None, repeat: int) -> None:
    """Plan ``path`` 1 + ``repeat`` times in this process; print CPU seconds and the result as JSON."""
    try:
        from optimizer.inputs.loading import load_scenario
        from optimizer.planning.plan import plan_scenario
    except ImportError:  # the layout before the stage packages
        from optimizer.plan import plan_scenario
        from optimizer.workflow import load_scenario
    scenario, catalog = load_scenario(path, data_dir)
    seconds, run = [], None
    for _ in range(1 + repeat):
        started = time.process_time()
        run = plan_scenario(scenario, catalog)
        seconds.append(time.process_time() - started)
    outlook = run.recommended.outlook
    print(json.dumps({
        "first": seconds[0], "median": statistics.median(seconds[1:]), "pathway": run.recommended.pathway.pathway_id,
        "selection": sorted(candidate.label for candidate in outlook.selected), "value": outlook.objective_value,
    }))


def _write_cases(folder: Path, data_dir: Path | None) -> dict[tuple[float | None, int], Path]:
    from family_medicine import write_practice
    from optimizer.catalog import read_catalog
    from optimizer.synthetic import family_medicine_measures, synthetic_baseline

    catalog = read_catalog(2026, data_dir=data_dir)
    rows = synthetic_baseline(catalog, family_medicine_measures(catalog), seed=2026)
    paths = {}
    for prior, measures in CASES:
        name = f"family-{'none' if prior is None else int(prior)}-{measures}"
        path = write_practice(folder, name, rows, draws=1000, prior=prior)
        path.write_text(path.read_text().replace("seed = 1\n", f"seed = 1\nmax_quality_measures = {measures}\n"))
        paths[(prior, measures)] = path
    return paths


def _environment(code: Path, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code), "MIPS_OPTIMIZER_DATA_DIR": str(data_dir)}


def _in_process(code: Path, path: Path, data_dir: Path, repeat: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path), "--repeat", str(repeat), "--data-dir", str(data_dir)]
    result = subprocess.run(command, capture_output=True, text=True, env=_environment(code, data_dir), cwd=code, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{code}: the worker failed on {path.name}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _cli(code: Path, example: Path, data_dir: Path, output: Path, extra: tuple[str, ...] = ()) -> tuple[float, float]:
    """Wall and CPU seconds of one ``plan`` run in a child process."""
    command = [sys.executable, "-m", "optimizer", "plan", str(example), "--format", "json", "--output", str(output), "--data-dir", str(data_dir), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=_environment(code, data_dir), cwd=code, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{code}: plan {example.name} failed: {result.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-with", type=Path, default=None, help="another checkout of the project, measured side by side")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("family", "cli"), default=None)
    parser.add_argument("--data-dir", type=Path, default=None, help="the data folder (default: an empty one, so the bundle is read)")
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        _worker(args.worker, args.data_dir, args.repeat)
        return

    codes = [("this", ROOT)] + ([("other", args.compare_with.resolve())] if args.compare_with else [])
    print(f"{os.cpu_count()} cores; load average {_load()} at the start")
    for name, code in codes:
        print(f"{name}: {code} ({subprocess.run(['git', '-C', str(code), 'log', '-1', '--format=%h %s'], capture_output=True, text=True).stdout.strip()[:70]})")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        data_dir = args.data_dir or folder / "data"
        data_dir.mkdir(exist_ok=True)
        if args.only != "cli":
            paths = _write_cases(folder, args.data_dir)
            print(f"\n1. The family practice in process: CPU seconds of one plan (first of the process; median of the next {args.repeat})")
            header = f"{'case':34}" + "".join(f" {name + ' first':>11} {name + ' median':>12}" for name, _ in codes)
            print(header + (f" {'ratio':>6}" if len(codes) > 1 else "") + f" {'target':>7}  recommended")
            for (prior, measures), path in paths.items():
                found = {name: _in_process(code, path, data_dir, args.repeat) for name, code in codes}
                label = f"{'no prior year' if prior is None else f'prior-year achievement {prior:g}%'}, {measures} measures"
                cells = "".join(f" {found[name]['first']:11.2f} {found[name]['median']:12.2f}" for name, _ in codes)
                ratio = f" {found['other']['median'] / found['this']['median']:6.1f}" if len(codes) > 1 else ""
                mine = found["this"]
                same = "" if len(codes) == 1 or (found["other"]["selection"], found["other"]["pathway"]) == (mine["selection"], mine["pathway"]) else "  DIFFERENT SELECTION"
                print(f"{label:34}{cells}{ratio} {TARGETS[measures]:7.1f}  {mine['pathway']} {mine['value']:.4f}{same}")
        if args.only != "family":
            # Each checkout plans its own copy of the example (a newer scenario file may carry keys an
            # older checkout refuses). "this" is also measured without the care-gap section
            # (--no-quality-work), which plans again for every improvement it values.
            runs = [(name, code, ()) for name, code in codes]
            if "--no-quality-work" in subprocess.run(
                [sys.executable, "-m", "optimizer", "plan", "--help"], capture_output=True, text=True, env=_environment(ROOT, data_dir), cwd=ROOT, check=False
            ).stdout:
                runs.insert(1, ("this-qw", ROOT, ("--no-quality-work",)))
            print(f"\n2. The CLI end to end (plan EXAMPLE --format json): wall and CPU seconds, median of {args.repeat}"
                  + ("; this-qw: the same without the care-gap section (--no-quality-work)" if len(runs) > len(codes) else ""))
            print(f"{'example':32}" + "".join(f" {name + ' wall':>12} {name + ' CPU':>11}" for name, _, _ in runs) + (f" {'ratio':>6}" if len(codes) > 1 else "") + f" {'target':>7}")
            output = folder / "plan.json"
            for example in sorted(SCENARIOS.glob("*.toml")):
                times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in runs}
                for _ in range(args.repeat):
                    for name, code, extra in runs:  # interleaved: load falls on all alike
                        times[name].append(_cli(code, code / "scenarios" / example.name, data_dir, output, extra))
                medians = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)) for name, runs in times.items()}
                cells = "".join(f" {medians[name][0]:12.2f} {medians[name][1]:11.2f}" for name, _, _ in runs)
                ratio = f" {medians['other'][0] / medians['this'][0]:6.1f}" if len(codes) > 1 else ""
                print(f"{example.stem:32}{cells}{ratio} {CLI_TARGET:7.1f}")
    print(f"\nload average {_load()} at the end")


if __name__ == "__main__":
    main()
