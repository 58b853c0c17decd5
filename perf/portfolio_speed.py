"""Benchmark: a portfolio of made-up practices through ``mips-optimizer portfolio``, against one worker
and against separate ``plan`` runs.

The practices are made up on the real 2026 data (:func:`optimizer.synthetic.write_synthetic_practice`:
18 CMS specialty sets, 5–14 of the set's measures each, 2–60 clinicians, a current selection of six
measures, a prior-year score one time in four; every pathway, 1,000 draws). Every run is the real
command line in a subprocess; CPU seconds are the run's own and its workers' (user + system, from
``wait4``, which counts the descendants each process waited for), peak memory the parent process's
own (``RUSAGE_SELF`` at its end), so the workers' memory does not hide it. It prints

1. ``portfolio`` with ``--jobs`` workers (2 by default) on every practice: wall and CPU seconds;
2. the same with one worker (``--one-worker all``; a number plans that many and extrapolates);
3. separate ``plan --no-quality-work`` runs (one process each, as a shell loop would; the same
   report portfolio writes) on a sample of ``--cli-sample`` practices, extrapolated to all of them
   (said so in the output);
4. the ratios: speed-up over one worker and over separate runs, wall and CPU;
5. the parent's peak memory for the first 50 and 500 practices (``--memory 50,500``);
6. a second run on the unchanged portfolio (every practice skipped by its content hash);
7. the load average before and after, the machine's cores, and the cores each run got (CPU ÷ wall:
   on a shared machine Linux shares the cores between sessions, so a second worker speeds a run up only
   when a core is free).

    python perf/portfolio_speed.py [--practices 1000] [--jobs 2] [--draws 1000] [--cli-sample 20]
        [--one-worker all|N] [--memory 50,500] [--data-dir DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from optimizer.catalog import read_catalog
from optimizer.synthetic import write_synthetic_practice

PEAK_MARK = "PORTFOLIO-SPEED-PEAK-RSS-KIB"
# The command line, run so that it can report its own peak memory: `python -c` (multiprocessing's
# fork server does not re-run a `-c` program in its workers).
# At its end it stops the fork server the local workers came from and waits for it (a private call of
# the standard library, here only): the fork server reaps the workers, so their CPU time reaches this
# process's children and, through wait4, the benchmark.
WRAPPER = (
    "import multiprocessing.forkserver, resource, sys\n"
    "from optimizer.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"sys.stderr.write('{PEAK_MARK} %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "multiprocessing.forkserver._forkserver._stop()\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Measured:
    """One command's wall seconds, CPU seconds (with its waited-for descendants), the parent's peak
    resident memory [MiB] (None when not measured) and exit code."""

    wall: float
    cpu: float
    peak_mib: float | None
    code: int


def measure(arguments: list[str], *, wrapped: bool = True) -> Measured:
    """Run ``mips-optimizer ARGUMENTS`` in a subprocess and measure it."""
    command = [sys.executable, "-c", WRAPPER, *arguments] if wrapped else [sys.executable, "-m", "optimizer", *arguments]
    environment = {**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0"}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    peak = None
    for line in text.splitlines():
        if line.startswith(PEAK_MARK):
            peak = int(line.split()[1]) / 1024
    if process.returncode not in (0, 4):
        raise SystemExit(f"{' '.join(arguments)} failed with exit code {process.returncode}:\n{text[-3000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak, process.returncode)


def portfolio(folder: Path, output: Path, jobs: int, data_dir: Path | None, *extra: str) -> Measured:
    """``portfolio FOLDER --output-dir OUTPUT --jobs JOBS``; checks the summary has every practice."""
    arguments = ["portfolio", str(folder), "--output-dir", str(output), "--jobs", str(jobs), *extra]
    if data_dir is not None:
        arguments += ["--data-dir", str(data_dir)]
    result = measure(arguments)
    with open(output / "summary.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    expected = len(list(folder.glob("*.toml")))
    if len(rows) != expected:
        raise SystemExit(f"{output}/summary.csv has {len(rows)} rows, expected {expected}")
    return result


def subset(folder: Path, target: Path, count: int) -> Path:
    """The first ``count`` practices of ``folder`` (scenario and baseline) copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for scenario in sorted(folder.glob("*.toml"))[:count]:
        shutil.copy(scenario, target / scenario.name)
        shutil.copy(folder / f"{scenario.stem}-2025.csv", target / f"{scenario.stem}-2025.csv")
    return target


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def row(label: str, result: Measured, practices: int, note: str = "") -> str:
    """A result line; "cores used" (CPU ÷ wall) shows how much of the machine the run got: on a shared
    machine the kernel shares the cores between sessions, so more workers get more only when cores are free."""
    return f"{label:44} {result.wall:9.1f} {result.cpu:9.1f} {result.cpu / result.wall:6.2f} {practices / result.wall:12.2f}  {note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2, help="workers of the parallel run (default 2)")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--cli-sample", type=int, default=20, help="separate `plan` runs measured, then extrapolated")
    parser.add_argument("--one-worker", default="all", help="practices planned with one worker: all, or a number (extrapolated)")
    parser.add_argument("--memory", default="50,500", help="portfolio sizes whose parent peak memory is measured")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write the practices and outputs here (kept)")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="portfolio-speed-"))
    folder = root / "practices"
    folder.mkdir(parents=True, exist_ok=True)
    catalog = read_catalog(2026, data_dir=args.data_dir)
    for index in range(args.practices):
        write_synthetic_practice(folder, index, catalog, draws=args.draws)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{args.practices} made-up practices (18 specialty sets, every pathway, {args.draws} draws) in {folder}")
    print(f"machine: {cores} cores available, {os.cpu_count()} in all; load average before: {load()}")
    print()
    print(f"{'run':44} {'wall s':>9} {'CPU s':>9} {'cores':>6} {'practices/s':>12}")

    parallel = portfolio(folder, root / f"out-{args.jobs}", args.jobs, args.data_dir)
    print(row(f"portfolio, {args.jobs} workers", parallel, args.practices, f"exit {parallel.code}"), flush=True)

    one_count = args.practices if args.one_worker == "all" else min(args.practices, int(args.one_worker))
    one_folder = folder if one_count == args.practices else subset(folder, root / f"first-{one_count}", one_count)
    single = portfolio(one_folder, root / "out-1", 1, args.data_dir)
    scale = args.practices / one_count
    single_all = Measured(single.wall * scale, single.cpu * scale, single.peak_mib, single.code)
    note = "" if scale == 1 else f"measured on {one_count}, × {scale:.1f}"
    print(row("portfolio, 1 worker", single_all, args.practices, note), flush=True)

    sample = sorted(folder.glob("*.toml"))[: args.cli_sample]
    reports = root / "separate"
    reports.mkdir(exist_ok=True)
    wall = cpu = 0.0
    for scenario in sample:
        # The report portfolio writes: the plan without its care-gap section (--no-quality-work).
        arguments = ["plan", str(scenario), "--no-quality-work", "--output", str(reports / f"{scenario.stem}.md")]
        if args.data_dir is not None:
            arguments += ["--data-dir", str(args.data_dir)]
        one = measure(arguments, wrapped=False)
        wall, cpu = wall + one.wall, cpu + one.cpu
    scale = args.practices / len(sample)
    separate = Measured(wall * scale, cpu * scale, None, 0)
    print(row("separate `plan` runs, one after another", separate, args.practices, f"measured on {len(sample)}, × {scale:.1f}"), flush=True)

    again = portfolio(folder, root / f"out-{args.jobs}", args.jobs, args.data_dir)
    print(row("portfolio again, nothing changed (all skipped)", again, args.practices), flush=True)
    print()
    print(f"speed-up of {args.jobs} workers over 1 worker: {single_all.wall / parallel.wall:.2f}× wall, "
          f"CPU ratio {single_all.cpu / parallel.cpu:.2f}")
    print(f"speed-up over separate `plan` runs: {separate.wall / parallel.wall:.2f}× wall, "
          f"{separate.cpu / parallel.cpu:.2f}× less CPU")
    print(f"CPU a practice: {parallel.cpu / args.practices:.3f} s in the portfolio, {separate.cpu / args.practices:.3f} s as a separate run")
    target = 300.0
    verdict = "met" if parallel.wall <= target else "NOT met"
    print(f"target {args.practices} practices ≤ {target:.0f} s wall on {args.jobs} workers: {parallel.wall:.0f} s, {verdict}")
    print()
    sizes = [int(size) for size in args.memory.split(",") if size]
    for size in sizes:
        if size > args.practices:
            continue
        part = subset(folder, root / f"memory-{size}", size)
        measured = portfolio(part, root / f"memory-out-{size}", args.jobs, args.data_dir)
        print(f"parent peak memory, {size:5d} practices: {measured.peak_mib:7.1f} MiB  (wall {measured.wall:.1f} s)", flush=True)
    print(f"parent peak memory, {args.practices:5d} practices: {parallel.peak_mib:7.1f} MiB  (the first run)")
    print(f"load average after: {load()}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(this script itself: {own.ru_utime + own.ru_stime:.1f} CPU s, generating the practices and reading the catalog)")


if __name__ == "__main__":
    main()
