"""Bounded work and one-line answers on any baseline table, through the real CLI (issue 10, and
issue 9's fifth defect: a real export's extra columns).

Each hostile table is refused early with one line naming the file (and row and column where there
is one), never exit 3; the time and memory these used to cost (75 s and 1.9 GB for a 50 MB table of
unknown ids, 3.2 GB for a workbook that unpacks to 1.5 GiB) are measured by
``perf/hostile_input.py``, not here. Where a limit is named, the expected numbers are the
limits of :mod:`optimizer.inputs.baseline`.
"""

from __future__ import annotations

import json

import shutil
from pathlib import Path

import pytest

from optimizer.inputs.baseline import MAX_COLUMNS, MAX_COUNT, MAX_ROWS, MAX_WORKBOOK_BYTES
from optimizer.synthetic import write_workbook_with_a_big_cell

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
ROW_236 = "236,ecqm,655,468,170,17,0,2"
"""Row 4 of the riverside baseline (header = row 1)."""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    shutil.copy(BASE, tmp_path / "scenario.toml")
    shutil.copy(BASELINE, tmp_path / "baseline.csv")
    edit(tmp_path / "scenario.toml", BASELINE.name, "baseline.csv")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def use_baseline(folder: Path, name: str) -> None:
    edit(folder / "scenario.toml", "baseline.csv", name)


def score(cli, folder: Path, data_dir: Path, *extra: str, output: str = "report.md"):
    return cli("score", "scenario.toml", "--data-dir", data_dir, "--output", output, *extra, cwd=folder)


# ----------------------------------------------------------------------------- size and shape


def test_a_huge_table_of_unknown_ids_is_refused_at_the_row_limit(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    lines += [f"{100000 + number},ecqm,655,468,170,17,0,2" for number in range(MAX_ROWS + 5_000)]
    (folder / "baseline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_error_line(score(cli, folder, data_dir), "baseline.csv", f"more than {MAX_ROWS:,} rows")
    assert not (folder / "report.md").exists()


def test_reading_stops_at_the_first_bad_row(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    """Row 16 is malformed and 200,000 rows follow: the error names row 16, not the row limit."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines()[:15]
    lines.append("999,ecqm,ten,1,1,0,0,1")
    lines += ["1000,ecqm,655,468,170,17,0,2"] * 200_000
    (folder / "baseline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_error_line(score(cli, folder, data_dir), "baseline.csv, row 16, column 'eligible_population'", "'ten'")


def test_a_header_of_200000_columns_is_refused(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    extra = 200_000 - lines[0].count(",") - 1
    lines[0] += "," + ",".join("x" for _ in range(extra))  # short names: the column count decides
    (folder / "baseline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_error_line(score(cli, folder, data_dir), "baseline.csv, row 1", f"more than {MAX_COLUMNS} columns")
    lines[0] = lines[0].split(",x")[0] + "," + ",".join(f"column_{number}" for number in range(extra))  # long names: the line length decides
    (folder / "baseline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_error_line(score(cli, folder, data_dir), "baseline.csv", "the header is longer than")


def baseline_rows() -> list[list[object]]:
    rows = [line.split(",") for line in BASELINE.read_text(encoding="utf-8").splitlines()]
    return [rows[0]] + [[row[0], row[1], *map(int, row[2:])] for row in rows[1:]]


def test_a_workbook_that_unpacks_to_a_huge_cell_is_refused_before_unpacking(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    bomb = write_workbook_with_a_big_cell(folder / "bomb.xlsx", baseline_rows(), MAX_WORKBOOK_BYTES + (8 << 20))
    assert bomb.stat().st_size < 1 << 20  # a small file ...
    use_baseline(folder, "bomb.xlsx")
    message = one_error_line(score(cli, folder, data_dir), "bomb.xlsx", "unpacks to", f"at most {MAX_WORKBOOK_BYTES:,}")  # ... refused by its zip directory
    assert len(message) < 300


def test_a_workbook_cell_longer_than_excel_allows_is_refused_briefly(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    write_workbook_with_a_big_cell(folder / "baseline.xlsx", baseline_rows(), 5_000_000, column=2)  # under the unpacked-size limit
    use_baseline(folder, "baseline.xlsx")
    message = one_error_line(score(cli, folder, data_dir), "baseline.xlsx, row 2, column 'eligible_population'", "5,000,000 characters")
    assert len(message) < 300


def test_an_error_quoting_a_long_cell_is_short(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    edit(folder / "baseline.csv", ROW_236, "236,ecqm,655,468," + "x" * 30_000 + ",17,0,2")
    message = one_error_line(score(cli, folder, data_dir), "row 4, column 'performance_not_met'", "30,000 characters")
    assert len(message) < 300


def test_control_characters_in_a_cell_do_not_reach_the_terminal(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    edit(folder / "baseline.csv", ROW_236, "236,ecqm,655,468,\x1b[2J\x07\x9b31m,17,0,2")
    message = one_error_line(score(cli, folder, data_dir), "row 4", "performance_not_met")
    assert "\\x1b[2J\\x07\\x9b31m" in message  # shown as escapes


def test_control_characters_in_a_what_if_name_do_not_reach_the_terminal(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    edit(folder / "scenario.toml", 'name = "PI reweighted (hardship exception)"', 'name = "PI\\u001b[2J\\u0007 reweighted"\nforecast = { rate_drift = 9 }')
    one_error_line(score(cli, folder, data_dir), "scenario.toml", "rate_drift")


# ----------------------------------------------------------------------------- counts


@pytest.mark.parametrize(("command", "value"), [("score", "1e308"), ("plan", "1e20"), ("score", str(MAX_COUNT + 1))])
def test_counts_beyond_a_billion_are_refused_naming_row_and_column(
    command: str, value: str, folder: Path, data_dir: Path, cli, one_error_line
) -> None:
    half = repr(float(value) / 2)  # the probe: score's JSON then held infinity, its Markdown "inf%"; plan crashed
    edit(folder / "baseline.csv", ROW_236, f"236,ecqm,{value},{half},{half},0,0,2")
    result = cli(command, "scenario.toml", "--data-dir", data_dir, "--output", "report.md", cwd=folder)
    one_error_line(result, "baseline.csv, row 4, column 'eligible_population'", f"from 0 to {MAX_COUNT:,}", repr(value))


def test_a_billion_patients_is_still_a_count(folder: Path, data_dir: Path, cli) -> None:
    """The bound itself is accepted, and the report shows finite numbers (no "inf%")."""
    edit(folder / "baseline.csv", ROW_236, f"236,ecqm,{MAX_COUNT},{MAX_COUNT // 2},{MAX_COUNT // 2},0,0,2")
    result = score(cli, folder, data_dir, "--format", "md")
    assert result.returncode == 0, result.stderr.decode()
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "| 236 | eCQM |" in report and "50.00%" in report
    assert "inf" not in report.lower() and "nan" not in report.lower()


# ----------------------------------------------------------------------------- columns (issue 9, defect 5)


def test_an_extra_column_is_ignored_with_one_warning(folder: Path, data_dir: Path, cli) -> None:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",notes,owner"] + [line + ",called the vendor,Ann" for line in lines[1:]]
    (folder / "baseline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = score(cli, folder, data_dir, "--format", "json", output="report.json")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode() == (
        f"mips-optimizer: warning: {folder / 'baseline.csv'}: ignoring columns the baseline format does not have: 'notes', 'owner'\n"
    )
    # the same numbers as without the columns (the fixture's untouched copy)
    shutil.copy(BASELINE, folder / "plain.csv")
    plain = folder / "plain.toml"
    plain.write_text((folder / "scenario.toml").read_text(encoding="utf-8").replace("baseline.csv", "plain.csv"), encoding="utf-8")
    reference = cli("score", "plain.toml", "--data-dir", data_dir, "--format", "json", "--output", "plain.json", cwd=folder)
    assert reference.returncode == 0 and reference.stderr == b""
    def numbers(name: str) -> dict:  # the report without its provenance (which names the two different input files)
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        assert document.pop("provenance")["inputs"]
        return document

    assert numbers("report.json") == numbers("plain.json")


def test_the_warning_is_said_once_even_when_every_what_if_reads_the_table(folder: Path, data_dir: Path, cli) -> None:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    (folder / "baseline.csv").write_text("\n".join([lines[0] + ",notes"] + [line + "," for line in lines[1:]]) + "\n", encoding="utf-8")
    result = cli("compare", "scenario.toml", "--rescore-only", "--data-dir", data_dir, "--format", "csv", "--output", "compare.csv", cwd=folder)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode().count("warning: ") == 1 and result.stderr.decode().count("\n") == 1


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("measure id", ["unknown column 'measure id'", "did you mean 'measure_id'?"]),
        ("colection_type", ["unknown column 'colection_type'", "did you mean 'collection_type'?"]),
        ("perfomance_met", ["unknown column 'perfomance_met'", "did you mean 'performance_met'?"]),
    ],
)
def test_a_misspelt_column_is_refused_with_did_you_mean(header: str, words: list[str], folder: Path, data_dir: Path, cli, one_error_line) -> None:
    text = (folder / "baseline.csv").read_text(encoding="utf-8")
    original = {"measure id": "measure_id", "colection_type": "collection_type", "perfomance_met": "performance_met"}[header]
    edit(folder / "baseline.csv", text.splitlines()[0], text.splitlines()[0].replace(original, header, 1))
    one_error_line(score(cli, folder, data_dir), "baseline.csv, row 1", *words)


def test_a_missing_required_column_is_refused(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    (folder / "baseline.csv").write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n", encoding="utf-8")
    one_error_line(score(cli, folder, data_dir), "baseline.csv", "missing column 'measure_id'")
