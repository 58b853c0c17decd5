"""How long reading and checking a scenario with many ``[[what_if]]`` variants takes.

Writes a copy of the riverside example with N variants (each overriding one table, as real
variants do) and times ``mips-optimizer score`` on it in a subprocess: the command reads the
file, its baseline and the year's catalog, and checks the base and every variant, but plans none.
Prints wall and CPU seconds (the child's user + system time) per count, and the exit status (a
count above the cap is refused with one line).

    python perf/what_if_load.py --data-dir ~/.cache/mips-optimizer [--counts 50 200 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _variant(position: int) -> str:
    kinds = (
        f'expected_change = {{ "236" = {position % 10}.0 }}',
        f"payment = {{ scaling_factor = {{ default = {0.12 + (position % 10) / 100:.2f} }} }}",
        "promoting_interoperability = { reweighted = true }",
        f"optimize = {{ seed = {position} }}",
    )
    return f'[[what_if]]\nname = "variant {position}"\n{kinds[position % len(kinds)]}\n'


def _write(folder: Path, count: int) -> Path:
    shutil.copy(SCENARIOS / "riverside-family-medicine-2025.csv", folder)
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    base = text[: text.index("[[what_if]]")]
    path = folder / f"what-ifs-{count}.toml"
    path.write_text(base + "\n".join(_variant(position) for position in range(count)), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding the fetched 2026 CMS files")
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 50, 200, 1000])
    args = parser.parse_args()
    print(f"{'what-ifs':>9}  {'wall s':>7}  {'CPU s':>7}  exit  first line of stderr")
    with tempfile.TemporaryDirectory() as folder:
        for count in args.counts:
            path = _write(Path(folder), count)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "optimizer", "score", str(path), "--format", "json", "--data-dir", str(args.data_dir)],
                capture_output=True, text=True, env=os.environ.copy(), check=False,
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            line = result.stderr.strip().splitlines()[0][:90] if result.stderr.strip() else ""
            print(f"{count:>9}  {wall:>7.2f}  {cpu:>7.2f}  {result.returncode:>4}  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
