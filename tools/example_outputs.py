"""Check that every example's JSON output is unchanged by the work on this branch.

Runs ``mips-optimizer plan EXAMPLE --format json --draws 100`` and ``score EXAMPLE --format json``
for every ``scenarios/*.toml``, ``swap EXAMPLE --ytd EXAMPLE-2026-ytd.csv --as-of 2026-07-01`` where the
example has a year-to-date table, and ``compare`` (and ``--rescore-only``) of them all with their what-ifs, twice, in
subprocesses: once with the code of a git ref (by default the commit this branch started from,
``git merge-base HEAD main``), exported to a temporary folder and put first on ``PYTHONPATH``, and
once with the working tree. Both runs read the same scenario files (the working tree's). The
outputs must be byte-identical once the wall-clock ``seconds`` values are blanked (they differ
between any two runs) and anything a library prints before the JSON document is dropped.

    python tools/example_outputs.py --data-dir ~/.cache/mips-optimizer [--ref main] [--draws 100]

Exit status 0 when every output matches, 1 otherwise.
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


def _blank_seconds(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: (None if key == "seconds" else _blank_seconds(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank_seconds(item) for item in value]
    return value


def _json_output(code_root: Path, arguments: list[str], data_dir: Path) -> str:
    environment = {**os.environ, "PYTHONPATH": str(code_root)}
    command = [sys.executable, "-m", "optimizer", *arguments, "--format", "json", "--data-dir", str(data_dir)]
    # The working folder comes first on sys.path with ``-m``: run in the code's own folder.
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=code_root, check=False)
    if result.returncode != 0:
        return f"exit {result.returncode}: {result.stderr.strip()}"
    document = json.loads(result.stdout[result.stdout.index("{"):])
    return json.dumps(_blank_seconds(document), indent=2, sort_keys=False)


def _export(ref: str, folder: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding the fetched 2026 CMS files")
    parser.add_argument("--ref", default=None, help="git ref of the code to compare with (default: merge-base of HEAD and main)")
    parser.add_argument("--draws", type=int, default=100)
    args = parser.parse_args()
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
    with tempfile.TemporaryDirectory() as folder:
        _export(ref, Path(folder))
        for arguments in runs:
            before = _json_output(Path(folder), arguments, args.data_dir)
            after = _json_output(ROOT, arguments, args.data_dir)
            same = before == after and not before.startswith("exit ")
            differing += not same
            shown = " ".join(Path(item).name if item.startswith(str(ROOT)) else item for item in arguments)
            print(f"{'identical' if same else 'DIFFERS  '}  {shown}  ({len(after):,} bytes)")
    print(f"{len(runs) - differing} of {len(runs)} outputs identical to {ref[:12]}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
