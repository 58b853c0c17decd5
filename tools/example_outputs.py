"""Check that every example's JSON output is unchanged by the work on this branch.

Runs ``mips-optimizer plan EXAMPLE --format json --draws 100`` and ``score EXAMPLE --format json``
for every ``scenarios/*.toml``, ``swap EXAMPLE --ytd EXAMPLE-2026-ytd.csv --as-of 2026-07-01`` where the
example has a year-to-date table, and ``compare`` (and ``--rescore-only``) of them all with their what-ifs, twice, in
subprocesses: once with the code of a git ref (by default the commit this branch started from,
``git merge-base HEAD main``), exported to a temporary folder and put first on ``PYTHONPATH``, and
once with the working tree. Both runs read the same scenario files (the working tree's). The
outputs must be byte-identical once the wall-clock ``seconds`` values are blanked (they differ
between any two runs) and anything a library prints before the JSON document is dropped.

    python tools/example_outputs.py --data-dir ~/.cache/mips-optimizer [--ref main] [--draws 100] [--blank method --blank optimality_gap]

``--blank KEY`` blanks more keys on both sides, e.g. how a pathway was solved (``method``) and the
gap a MILP solver reports (``optimality_gap``) when a change is about the solver only. An output that
differs is listed with the paths of the first values that differ. Exit status 0 when every output
matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _blank(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {key: (None if key in keys else _blank(item, keys)) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item, keys) for item in value]
    return value


def _differences(before: Any, after: Any, path: str = "") -> list[str]:
    """The paths at which two JSON documents differ (a whole subtree once)."""
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return [found for key in before for found in _differences(before[key], after[key], f"{path}/{key}")]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [found for index, pair in enumerate(zip(before, after)) for found in _differences(*pair, f"{path}[{index}]")]
    return [] if before == after else [path or "/"]


def _json_output(code_root: Path, arguments: list[str], data_dir: Path, blanked: frozenset[str], working_folder: Path) -> str:
    environment = {**os.environ, "PYTHONPATH": str(code_root)}
    command = [sys.executable, "-m", "optimizer", *arguments, "--format", "json", "--data-dir", str(data_dir)]
    # The working folder comes first on sys.path with ``-m``: both sides run in the same empty folder, so
    # only PYTHONPATH says which code runs, and paths the reports show relative to it are the same.
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=working_folder, check=False)
    if result.returncode != 0:
        return f"exit {result.returncode}: {result.stderr.strip()}"
    document = json.loads(result.stdout[result.stdout.index("{"):])
    return json.dumps(_blank(document, blanked), indent=2, sort_keys=False)


def _export(ref: str, folder: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding the fetched 2026 CMS files")
    parser.add_argument("--ref", default=None, help="git ref of the code to compare with (default: merge-base of HEAD and main)")
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--blank", action="append", default=[], metavar="KEY", help="blank this key too (any depth); repeatable")
    args = parser.parse_args()
    blanked = frozenset(["seconds", *args.blank])
    ref = args.ref or subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()
    examples = [str(path) for path in sorted((ROOT / "scenarios").glob("*.toml"))]
    draws = ["--draws", str(args.draws)]
    runs = [["plan", example, *draws] for example in examples] + [["score", example] for example in examples]
    for example in examples:
        year_to_date = Path(example).with_name(f"{Path(example).stem}-2026-ytd.csv")
        if year_to_date.exists():
            runs.append(["swap", example, "--ytd", str(year_to_date), "--as-of", "2026-07-01", *draws])
    runs += [["compare", *examples, *draws], ["compare", *examples, "--rescore-only", *draws]]
    differing = 0
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as working_folder:
        _export(ref, Path(folder))
        for arguments in runs:
            before = _json_output(Path(folder), arguments, args.data_dir, blanked, Path(working_folder))
            after = _json_output(ROOT, arguments, args.data_dir, blanked, Path(working_folder))
            same = before == after and not before.startswith("exit ")
            differing += not same
            shown = " ".join(Path(item).name if item.startswith(str(ROOT)) else item for item in arguments)
            print(f"{'identical' if same else 'DIFFERS  '}  {shown}  ({len(after):,} bytes)")
            if not same and not before.startswith("exit ") and not after.startswith("exit "):
                paths = _differences(json.loads(before), json.loads(after))
                print("           at " + ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else ""))
    print(f"{len(runs) - differing} of {len(runs)} outputs identical to {ref[:12]}" + (f" (blanked: {', '.join(sorted(blanked))})" if args.blank else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
