"""Write the rule parameters' table (README.md, docs/rules-2026.md §11) from ``PARAMETER_SOURCES``.

Every overridable parameter of :class:`optimizer.rules.parameters.Policy` is one row: its name, its
2026 default, how far its source confirms it, the values a scenario's ``[policy]`` table may give it,
and the source. The table stands between two marker comments in each file; this script rewrites what
lies between them, or with ``--check`` only says whether it is current (a test runs the check).

    python tools/parameter_table.py            # rewrite the tables
    python tools/parameter_table.py --check    # exit 1 and name the files whose table is stale
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FILES = (ROOT / "README.md", ROOT / "docs" / "rules-2026.md")
START = "<!-- parameter-table:start (written by tools/parameter_table.py from PARAMETER_SOURCES; do not edit) -->"
END = "<!-- parameter-table:end -->"


def _default(value: Any) -> str:
    """A default as the table shows it: a one-entry mapping inline, a larger one as ``table``."""
    if isinstance(value, Mapping):
        return repr(dict(value)) if len(value) == 1 else "table"
    return str(value)


def parameter_table() -> str:
    """The Markdown table of every parameter, in the order :class:`Policy` declares them."""
    from optimizer.rules.parameters import PARAMETER_SOURCES, UNCONFIRMED, Policy

    policy = Policy()
    lines = ["| Parameter | Default | Status | Valid values | Source |", "| --- | --- | --- | --- | --- |"]
    for field in dataclasses.fields(Policy):
        if field.name == "performance_year":
            continue
        info = PARAMETER_SOURCES[field.name]
        status = f"**{info.status}**" if info.status == UNCONFIRMED else info.status
        default = getattr(policy, field.name)
        valid = "—" if info.valid is None else info.valid.describe() + (" each" if isinstance(default, Mapping) else "")
        lines.append(f"| `{field.name}` | {_default(default)} | {status} | {valid} | {info.source} |")
    return "\n".join(lines)


def with_table(text: str, table: str, name: str) -> str:
    """``text`` with the lines between the markers replaced by ``table``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{name}: expected one pair of parameter-table markers")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when a table differs from PARAMETER_SOURCES")
    args = parser.parse_args()
    table = parameter_table()
    stale = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        current = with_table(text, table, path.name)
        if current != text:
            stale.append(path)
            if not args.check:
                path.write_text(current, encoding="utf-8")
    for path in stale:
        print(f"{path.relative_to(ROOT)}: {'stale' if args.check else 'rewritten'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
