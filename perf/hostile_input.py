"""Benchmark: what hostile inputs cost before they are refused (issue 10), side by side.

Builds the issue's probes in a temporary folder — a 50 MB baseline of unknown measure ids, a
header of 200,000 columns, a 50 MB cell (and the error line quoting it), a 1.5 MB workbook that unpacks to a 1.5 GiB cell, counts of 1e308 and
1e20, a local CMS file of 3 GiB (sparse) for ``data fetch`` — and runs the real CLI on each,
printing the exit code, wall and CPU seconds and peak memory (the child's own maximum resident
set, from ``wait4``) and the first characters of its error line. With ``--compare-with`` it runs
the same probes on another checkout (for example ``git worktree add /tmp/main main``) and prints
the ratios.

    python perf/hostile_input.py --data-dir ~/.cache/mips-optimizer [--compare-with /tmp/main]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"


def _scenario(folder: Path, name: str, baseline: str) -> str:
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    (folder / f"{name}.toml").write_text(text.replace(BASELINE.name, baseline), encoding="utf-8")
    return f"{name}.toml"


def build_probes(folder: Path) -> dict[str, list[str]]:
    """The probe files, and the CLI arguments of each probe."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    probes: dict[str, list[str]] = {}
    with open(folder / "unknown-ids.csv", "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
        written, number = 0, 0
        while written < 50 << 20:
            line = f"{100000 + number},ecqm,655,468,170,17,0,2\n"
            stream.write(line)
            written += len(line)
            number += 1
    probes["50 MB of unknown ids"] = ["score", _scenario(folder, "unknown-ids", "unknown-ids.csv")]
    wide = [lines[0] + "," + ",".join(f"x{number}" for number in range(200_000 - 8))] + lines[1:]
    (folder / "wide.csv").write_text("\n".join(wide) + "\n", encoding="utf-8")
    probes["200,000 columns"] = ["score", _scenario(folder, "wide", "wide.csv")]
    for label, value, command in (("counts of 1e308", "1e308", "score"), ("counts of 1e20", "1e20", "plan")):
        half = repr(float(value) / 2)
        rows = [line.replace("236,ecqm,655,468,170,17", f"236,ecqm,{value},{half},{half},0") for line in lines]
        name = f"counts-{value}"
        (folder / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        probes[label] = [command, _scenario(folder, name, f"{name}.csv")]
    with open(folder / "big-cell.csv", "w", encoding="utf-8") as stream:
        for line in lines:
            stream.write(line.replace("236,ecqm,655,468,170", "236,ecqm,655,468," + "x" * (50 << 20)) + "\n")
    probes["a 50 MB cell"] = ["score", _scenario(folder, "big-cell", "big-cell.csv")]
    probes["xlsx unpacking to 1.5 GiB"] = ["score", _scenario(folder, "bomb", _workbook_bomb(folder, lines))]
    probes["3 GiB local CMS file"] = ["data", "fetch", "2026", "--from", str(_sparse_copy(folder)), "--data-dir", str(folder / "cache")]
    return probes


def _workbook_bomb(folder: Path, lines: list[str]) -> str:
    sys.path.insert(0, str(ROOT))
    from optimizer.synthetic import write_workbook_with_a_big_cell

    rows = [line.split(",") for line in lines]
    table = [rows[0]] + [[row[0], row[1], *map(int, row[2:])] for row in rows[1:]]
    write_workbook_with_a_big_cell(folder / "bomb.xlsx", table, 1536 << 20)
    return "bomb.xlsx"


def _sparse_copy(folder: Path) -> Path:
    """A local 'copy' of CMS's repository whose measures file is a 3 GiB sparse file."""
    sys.path.insert(0, str(ROOT))
    from optimizer.catalog.manifest import read_manifest

    copy = folder / "cms-copy"
    for item in read_manifest(2026).files:
        target = copy / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as stream:
            stream.truncate(3 << 30)
    return copy


def run(arguments: list[str], folder: Path, data_dir: str, code: Path) -> dict[str, object]:
    """One probe on the checkout at ``code``: exit code, seconds, CPU seconds, peak MB, message.

    The peak is the child's maximum resident set from ``wait4``; Linux counts in it the memory the
    child had before ``exec`` (a copy of this process), so this process imports nothing large and
    builds the probes in a child of its own.
    """
    environment = {**os.environ, "PYTHONPATH": str(code), "MIPS_OPTIMIZER_PROGRESS": "0"}
    extra = [] if arguments[0] == "data" else ["--data-dir", data_dir]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not memory: an old error line was 50 MB long
        process = subprocess.Popen(
            [sys.executable, "-m", "optimizer", *arguments, *extra], cwd=folder, env=environment,
            stdout=subprocess.DEVNULL, stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        size = errors.seek(0, os.SEEK_END)
        errors.seek(0)
        head = errors.read(300).decode("utf-8", "replace")
    return {
        "exit": process.returncode,
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "stderr_bytes": size,
        "message": head.strip().splitlines()[0][:110] if head.strip() else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="a data folder with 2026 fetched (required)")
    parser.add_argument("--compare-with", type=Path, default=None, help="another checkout of the project to run side by side")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--build", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build is not None:  # in a child, so that this process stays small (see run)
        print(json.dumps(build_probes(args.build)))
        return
    if args.data_dir is None:
        parser.error("--data-dir is required")
    results = {}
    with tempfile.TemporaryDirectory(prefix="hostile-") as temporary:
        folder = Path(temporary)
        built = subprocess.run([sys.executable, __file__, "--build", str(folder)], capture_output=True, check=True)
        probes = json.loads(built.stdout)
        for label, arguments in probes.items():
            results[label] = {"this": run(arguments, folder, args.data_dir, ROOT)}
            if args.compare_with is not None:
                results[label]["other"] = run(arguments, folder, args.data_dir, args.compare_with.resolve())
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'probe':28} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'stderr B':>9}  message")
    for label, measured in results.items():
        for side, result in measured.items():
            name = label if side == "this" else "  (other checkout)"
            print(
                f"{name:28} {result['exit']:>4} {result['seconds']:7.2f} {result['cpu']:6.2f} {result['peak_mb']:8.0f} "
                f"{result['stderr_bytes']:>9,}  {result['message']}"
            )
        if "other" in measured:
            this, other = measured["this"], measured["other"]
            print(f"{'  ratio other / this':28} {'':>4} {other['seconds'] / this['seconds']:7.1f} {other['cpu'] / this['cpu']:6.1f} {other['peak_mb'] / this['peak_mb']:8.1f}")


if __name__ == "__main__":
    main()
