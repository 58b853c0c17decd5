"""``compare``: one failing variant (or file) does not sink the run.

Before issue 9, a variant that failed (here: one requiring a measure the baseline lacks, one whose
value has the wrong type, one with no feasible pathway) stopped ``compare`` with exit 1 and no report
at all, whatever the other files held. Now every
variant that fails gets its row with the one-line reason (and a line on stderr), the others are
planned and reported in every format, and the exit code is 4 (README "Exit codes").
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
STEM = "riverside-family-medicine"
FAILING_VARIANTS = '''
[[what_if]]
name = "requires a measure not in the baseline"
optimize = { require = ["999"] }

[[what_if]]
name = "nothing feasible"
optimize = { collection_types = ["mips_cqm"], pathways = ["traditional"] }

[[what_if]]
name = "not a number"
optimize = { draws = "many" }
'''


@pytest.fixture()
def files(tmp_path: Path) -> list[Path]:
    shutil.copy(SCENARIOS / f"{STEM}-2025.csv", tmp_path / f"{STEM}-2025.csv")
    riverside = tmp_path / f"{STEM}.toml"
    riverside.write_text((SCENARIOS / f"{STEM}.toml").read_text(encoding="utf-8") + FAILING_VARIANTS, encoding="utf-8")
    return [riverside, tmp_path / "missing.toml", SCENARIOS / "maple-street-internal-medicine.toml"]


def run_compare(files: list[Path], data_dir: Path, *options: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer", "compare", *map(str, files), "--draws", "20", "--data-dir", str(data_dir), *options],
        capture_output=True, timeout=600, check=False,
    )


def test_failures_get_their_rows_and_exit_4(files: list[Path], data_dir: Path) -> None:
    result = run_compare(files, data_dir, "--format", "json")
    assert result.returncode == 4, result.stderr.decode()
    document = json.loads(result.stdout)
    rows = [(entry["scenario"], entry["failed"], entry["error"]) for entry in document["variants"]]
    assert document["failed"] == 4
    # riverside's base and its two shipped variants, then the three failing variants; the missing file; maple street
    assert [failed for _, failed, _ in rows] == [False, False, False, True, True, True, True, False]
    by_name = {name: error for name, _, error in rows}
    assert "field 'optimize.require': measure 999 has no row in the baseline table" in by_name["Riverside Family Medicine — requires a measure not in the baseline"]
    assert by_name["Riverside Family Medicine — nothing feasible"].startswith("no pathway has a feasible selection")
    assert "the scenario file does not exist" in by_name["missing.toml"]
    assert "field 'optimize.draws': expected a whole number" in by_name["Riverside Family Medicine — not a number"]
    planned = [entry for entry in document["variants"] if not entry["failed"]]
    assert all(entry["feasible"] and entry["expected_final_score"] > 0 for entry in planned)
    assert all("\n" not in error for _, failed, error in rows if failed)
    errors = result.stderr.decode().splitlines()
    assert len(errors) == 4 and all(line.startswith("mips-optimizer: error: ") for line in errors)


@pytest.mark.parametrize("report_format", ["md", "csv", "html", "xlsx"])
def test_every_format_reports_the_others_and_the_failures(report_format: str, files: list[Path], data_dir: Path) -> None:
    result = run_compare(files, data_dir, "--format", report_format)
    assert result.returncode == 4, result.stderr.decode()
    if report_format == "xlsx":
        sheet = load_workbook(io.BytesIO(result.stdout), read_only=True)["Comparison"]
        header = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))  # below the sheet's title and note
        rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=4, values_only=True)]
        error, score = "Error", "Expected final score"
    elif report_format == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
        error, score = "error", "expected_final_score"
    if report_format in ("xlsx", "csv"):
        assert len(rows) == 8
        assert sum(1 for row in rows if row[error]) == 4
        assert all(row[score] not in (None, "") for row in rows if not row[error])
        return
    text = result.stdout.decode()
    assert text.count("failed: ") == 4
    assert "measure 999 has no row in the baseline table" in text and "Maple Street Internal Medicine" in text


def test_a_failed_base_leaves_its_variants(tmp_path: Path, data_dir: Path) -> None:
    # The base allows only MIPS CQMs in traditional MIPS (no outcome measure left: infeasible); a variant
    # lifting the filter is planned (nothing to compare it with); a re-scored variant fails with its base.
    shutil.copy(SCENARIOS / f"{STEM}-2025.csv", tmp_path / f"{STEM}-2025.csv")
    text = (SCENARIOS / f"{STEM}.toml").read_text(encoding="utf-8").split("[[what_if]]")[0]
    text = text.replace('pathways = "all"', 'pathways = ["traditional"]\ncollection_types = ["mips_cqm"]')
    text += '\n[[what_if]]\nname = "every collection type"\noptimize = { collection_types = ["ecqm", "mips_cqm", "medicare_part_b_claims"] }\n'
    text += '\n[[what_if]]\nname = "re-scored"\nrescore_only = true\n'
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    result = run_compare([path], data_dir, "--format", "json")
    assert result.returncode == 4, result.stderr.decode()
    base, planned, rescored = json.loads(result.stdout)["variants"]
    assert base["failed"] and base["error"].startswith("no pathway has a feasible selection")
    assert not planned["failed"] and planned["feasible"] and planned["changes"]["base_failed"] is True
    assert rescored["failed"] and "the base scenario failed" in rescored["error"]
