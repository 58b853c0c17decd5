"""How long reading a performance year's CMS catalog takes, cold and memoised.

For each year, ``read_catalog`` is timed

* cold: the per-process memo (``optimizer.catalog.read._MEMO``) cleared before each run, so the
  run reads, re-verifies (size, SHA-256, JSON) and parses every cached file and builds the tables;
* warm: the catalog already memoised, so the run only checks the files' sizes and modification
  times and returns the same object.

Each figure is the median of ``--runs`` runs (default 20). Usage, from the repository root::

    python3 perf/load_catalog.py --from ../shared/cms/qpp-measures-data   # imports into a temp dir
    python3 perf/load_catalog.py --data-dir ~/.cache/mips-optimizer       # an existing data dir

With both ``--from`` and ``--data-dir`` the years are imported into that data dir first (a no-op
when its files already verify). This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import optimizer  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from optimizer.catalog import fetch_year, read
from optimizer.catalog.locations import data_directory
from optimizer.catalog.manifest import known_years
from optimizer.errors import DataError


def median_ms(samples_ns: list[int]) -> float:
    return statistics.median(samples_ns) / 1e6


def time_year(year: int, data_dir: Path, runs: int) -> tuple[float, float, int, int]:
    """(cold ms, warm ms, quality measures, benchmark rows) of one year."""
    cold: list[int] = []
    for _ in range(runs):
        read._MEMO.clear()
        start = time.perf_counter_ns()
        catalog = read.read_catalog(year, data_dir=data_dir)
        cold.append(time.perf_counter_ns() - start)
    warm: list[int] = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        again = read.read_catalog(year, data_dir=data_dir)
        warm.append(time.perf_counter_ns() - start)
        assert again is catalog, "the warm read did not come from the memo"
    return median_ms(cold), median_ms(warm), len(catalog.quality_measures), len(catalog.benchmarks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="the data folder to read (default: the CLI's default)")
    parser.add_argument(
        "--from", dest="source", default=None,
        help="a local copy of CMSgov/qpp-measures-data (or a base URL) to import first; "
        "without --data-dir it is imported into a temporary folder",
    )
    parser.add_argument("--runs", type=int, default=20, help="runs per figure; the median is shown (default 20)")
    parser.add_argument("--years", type=int, nargs="+", default=None, help="performance years (default: every known year)")
    args = parser.parse_args(argv)
    years = args.years or known_years()

    with tempfile.TemporaryDirectory(prefix="mips-perf-") as temporary:
        if args.source is not None:
            data_dir = args.data_dir if args.data_dir is not None else Path(temporary)
            for year in years:
                fetch_year(year, source=args.source, data_dir=data_dir)
        else:
            data_dir = data_directory(args.data_dir)
        try:
            rows = [(year, *time_year(year, data_dir, args.runs)) for year in years]
        except DataError as error:
            print(f"load_catalog: {error}", file=sys.stderr)
            return 1

    print(
        f"read_catalog, median of {args.runs} runs; Python {platform.python_version()}, pandas {pd.__version__}, "
        f"{platform.machine()}"
    )
    print(f"data dir: {data_dir if args.source is None or args.data_dir is not None else '(temporary import of ' + args.source + ')'}")
    print()
    header = ("year", "cold ms", "warm ms", "quality measures", "benchmark rows")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---:" for _ in header) + " |")
    for year, cold_ms, warm_ms, quality, benchmark_rows in rows:
        print(f"| {year} | {cold_ms:.1f} | {warm_ms:.3f} | {quality} | {benchmark_rows} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
