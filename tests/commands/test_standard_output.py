"""Standard output carries the report and nothing else: every command, every format, both solvers.

Run as a user runs it: the real CLI in a subprocess (``python -m optimizer``) with stdout piped,
and the whole of stdout handed to the format's own parser (``json.loads``, ``csv``, openpyxl, an
HTML document, Markdown starting with its title). pytest's capture cannot be used for this: the
HiGHS library (highspy 1.16) printed its banner "Running HiGHS 1.16.0 … Copyright …" straight to
file descriptor 1 on every solve, behind any Python-level capture, and these tests failed on it
(issue 9, defect 1).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimizer.report.compare_report import COMPARE_CSV_COLUMNS
from optimizer.report.provenance import PROVENANCE_CSV_COLUMNS
from optimizer.selection.solve import available_solvers

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
DRAWS = "20"
"""Few draws: the banner came with the first solve, whatever the draw count."""
SOLVERS = ("highs", "cbc")


def run_cli(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    """The CLI in a fresh interpreter, stdout and stderr piped (bytes: xlsx is binary)."""
    environment = {**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0"}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *argv, "--data-dir", str(data_dir)],
        capture_output=True,
        env=environment,
        timeout=300,
        check=False,
    )


def run_all(data_dir: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[bytes]]:
    """Several CLI runs side by side (each is a separate process; two at a time on a small machine)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda argv: run_cli(data_dir, *argv), commands))


def check_report(stdout: bytes, report_format: str, csv_header: tuple[str, ...] | None = None) -> None:
    """The whole of stdout parses as one report of the format."""
    if report_format == "xlsx":
        workbook = load_workbook(io.BytesIO(stdout), read_only=True)
        assert workbook.sheetnames
        return
    text = stdout.decode("utf-8")
    assert "HiGHS" not in text and "Copyright" not in text
    if report_format == "json":
        assert isinstance(json.loads(text), dict)
    elif report_format == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) >= 2
        if csv_header is not None:
            assert tuple(rows[0]) == csv_header
        assert all(len(row) == len(rows[0]) for row in rows)
    elif report_format == "html":
        assert text.lstrip().lower().startswith("<!doctype html>")
        assert text.rstrip().endswith("</html>")
    elif report_format == "table":  # a Markdown table first (then where the data came from)
        table = text.split("\n\n")[0].split("\n")
        assert len(table) >= 3 and all(line.startswith("| ") and line.endswith(" |") for line in table)
    else:
        assert text.startswith("# ")


def _solvers() -> list[str]:
    present = available_solvers()
    assert "highs" in present, "highspy is a dependency: HiGHS must be available"
    return [solver for solver in SOLVERS if solver in present]


def test_both_solvers_are_available_here() -> None:
    # PuLP's bundled CBC is present in the project's environments; if a platform lacked it, the
    # tests below would cover HiGHS only and this test says so.
    assert set(_solvers()) == set(SOLVERS), f"solvers available: {available_solvers()}"


@pytest.mark.parametrize("command", ["plan", "compare", "swap"])
def test_solving_commands_print_only_the_report(command: str, data_dir: Path) -> None:
    formats = ["md", "html", "json", "csv"] + (["xlsx"] if command != "swap" else [])
    extra = ["--ytd", str(YEAR_TO_DATE), "--as-of", "2026-07-01"] if command == "swap" else []
    runs = [(report_format, solver) for solver in _solvers() for report_format in formats]
    results = run_all(
        data_dir,
        [[command, str(RIVERSIDE), *extra, "--draws", DRAWS, "--solver", solver, "--format", report_format] for report_format, solver in runs],
    )
    for (report_format, solver), result in zip(runs, results, strict=True):
        assert result.returncode == 0, (report_format, solver, result.stderr.decode())
        header = (*COMPARE_CSV_COLUMNS, *PROVENANCE_CSV_COLUMNS) if command == "compare" and report_format == "csv" else None
        check_report(result.stdout, report_format, header)
        if command == "plan" and report_format == "json":
            # the solver library really ran (the banner came with its first model)
            methods = {entry.get("solver", {}).get("method") for entry in json.loads(result.stdout)["pathways"]}
            assert "outer approximation" in methods


def test_score_and_data_show_print_only_the_report(data_dir: Path) -> None:
    commands = [["score", str(RIVERSIDE), "--format", report_format] for report_format in ("md", "html", "json", "csv")]
    commands += [["data", "show", "2026"], ["data", "show", "2026", "--measure", "236"], ["data", "show", "2026", "--mvp", "M0005"],
                 ["data", "show", "2026", "--search", "blood pressure"]]
    for argv, result in zip(commands, run_all(data_dir, commands), strict=True):
        assert result.returncode == 0, (argv, result.stderr.decode())
        check_report(result.stdout, argv[-1] if argv[0] == "score" else "table" if "--search" in argv else "md")


def test_plan_json_pipes_into_a_json_reader(data_dir: Path) -> None:
    # The issue's own reproduction: `plan … --format json | python3 -m json.tool`.
    plan = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "plan", str(RIVERSIDE), "--draws", DRAWS, "--format", "json", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
    )
    tool = subprocess.run([sys.executable, "-m", "json.tool"], stdin=plan.stdout, capture_output=True, timeout=300, check=False)
    plan.stdout.close()  # type: ignore[union-attr]
    assert plan.wait(timeout=300) == 0
    assert tool.returncode == 0, tool.stderr.decode()
    assert json.loads(tool.stdout)["recommended"]["feasible"] is True
