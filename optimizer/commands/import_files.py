"""``mips-optimizer import``: a practice's QRDA III and QPP JSON files → one baseline CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from optimizer.inputs.importers import import_files
from optimizer.output import write_atomically
from optimizer.text_safety import terminal_line

PROGRAM = "mips-optimizer"


def run_import(files: list[Path], *, year: int | None, measure_map: Path | None, output: Path, data_dir: Path | None = None) -> int:
    """Import the files; write the baseline only when every file was read without a problem.

    Notes (sets skipped, stated rates ignored, UUIDs not CMS's…) go to stderr as ``note:`` lines;
    each problem is one ``error:`` line naming the file, the measure and the field, and then
    nothing is written and the exit code is 1. The measures data comes from ``data_dir`` (``--data-dir``),
    as for every command.
    """
    result = import_files(files, year=year, measure_map=measure_map, data_dir=data_dir)
    for note in result.notes:
        print(f"{PROGRAM}: note: {terminal_line(str(note))}", file=sys.stderr)
    if result.problems:
        for problem in result.problems:
            print(f"{PROGRAM}: error: {terminal_line(str(problem))}", file=sys.stderr)
        print(f"{PROGRAM}: nothing written: {len(result.problems)} problem(s) in the files to import", file=sys.stderr)
        return 1
    write_atomically(output, result.render_csv(), inputs=files)
    months = sorted({row.period_months for row in result.rows})
    print(f"wrote {len(result.rows)} baseline rows to {output} (period_months {', '.join(str(month) for month in months)})")
    return 0
