"""Bad scenario and baseline files fail through the CLI with exit code 1 and one line per problem
naming the file and the key (or the row and column), and no output file is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimizer.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    shutil.copy(BASE, tmp_path / "scenario.toml")
    shutil.copy(BASELINE, tmp_path / BASELINE.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fails(capsys: pytest.CaptureFixture[str], data_dir: Path, folder: Path, command: str = "plan") -> list[str]:
    """The error's lines, one per problem."""
    output = folder / "report.md"
    draws = ["--draws", "20"] if command == "plan" else []
    code = main([command, str(folder / "scenario.toml"), "--data-dir", str(data_dir), *draws, "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.splitlines()
    assert err.endswith("\n") and all(line.startswith("mips-optimizer: error: ") for line in lines)
    assert "Traceback" not in err
    assert not output.exists()
    return lines


CASES = [
    # (what is wrong, old text, new text, words the message must contain)
    ("unknown top-level key", "[practice]", "colour = \"blue\"\n[practice]", ["scenario.toml", "colour"]),
    ("unknown key in a table", "clinicians = 8", "clinicians = 8\nclinician_count = 8", ["scenario.toml", "practice.clinician_count"]),
    ("wrong type", "clinicians = 8", "clinicians = \"eight\"", ["scenario.toml", "practice.clinicians"]),
    ("missing baseline", 'baseline = "riverside-family-medicine-2025.csv"', 'baseline = "missing.csv"', ["scenario.toml", "practice.baseline", "missing.csv"]),
    ("unknown measure in expected_change", 'expected_change = { "236" = 5.0 }', 'expected_change = { "999" = 5.0 }', ["scenario.toml", "999"]),
    ("unknown activity", '"IA_AHW_1"', '"IA_NOPE_1"', ["scenario.toml", "improvement_activities.available", "IA_NOPE_1"]),
    ("unknown objective", 'objective = "expected_payment"', 'objective = "most_money"', ["scenario.toml", "optimize.objective"]),
    ("bad TOML", "[practice]", "[practice", ["scenario.toml"]),
    ("forecast assumption out of range", "[optimize]", "[forecast]\nrate_drift = 5.0\n\n[optimize]", ["scenario.toml", "forecast.rate_drift", "at most 3.0"]),
    ("unknown forecast assumption", "[optimize]", "[forecast]\ndrift = 0.2\n\n[optimize]", ["scenario.toml", "forecast.drift"]),
    (
        "forecast assumption out of range in a what-if",
        'name = "PI reweighted (hardship exception)"',
        'name = "PI reweighted (hardship exception)"\nforecast = { benchmark_probability = 2 }',
        ["scenario.toml", "what-if", "forecast.benchmark_probability", "at most 1.0"],
    ),
]


@pytest.mark.parametrize(("old", "new", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_bad_scenario_is_one_line_naming_file_and_key(
    old: str, new: str, words: list[str], folder: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(folder / "scenario.toml", old, new)
    [message] = fails(capsys, data_dir, folder)
    for word in words:
        assert word in message


BASELINE_CASES = [
    ("negative count", "236,ecqm,655,468,170,17,0,2", "236,ecqm,655,-468,170,17,0,2", ["row 4", "performance_met"]),
    ("met + not met above the population", "236,ecqm,655,468,170,17,0,2", "236,ecqm,600,468,170,17,0,2", ["row 4"]),
    ("unknown collection type", "236,ecqm,655,468,170,17,0,2", "236,fax,655,468,170,17,0,2", ["row 4", "collection_type"]),
    ("unknown measure", "236,ecqm,655,468,170,17,0,2", "9999,ecqm,655,468,170,17,0,2", ["row 4", "measure_id", "9999"]),
    ("collection type the measure does not allow", "493,mips_cqm,", "493,ecqm,", ["row 15", "collection_type", "493"]),
    ("non-integer count", "236,ecqm,655,468,170,17,0,2", "236,ecqm,655,468.5,170,17,0,2", ["row 4", "performance_met"]),
]


@pytest.mark.parametrize(("old", "new", "words"), [case[1:] for case in BASELINE_CASES], ids=[case[0] for case in BASELINE_CASES])
def test_a_bad_baseline_is_one_line_naming_file_row_and_column(
    old: str, new: str, words: list[str], folder: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(folder / BASELINE.name, old, new)
    message, *consequences = fails(capsys, data_dir, folder, command="score")
    if "9999" in words:  # 236 is reported in [quality]: replacing its row leaves it without one, a second problem
        assert len(consequences) == 1 and "quality.reported" in consequences[0] and "236 (ecqm) has no row" in consequences[0]
    else:
        assert consequences == []
    assert BASELINE.name in message
    for word in words:
        assert word in message


def test_swap_needs_a_year_to_date_table(folder: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["swap", str(folder / "scenario.toml"), "--ytd", str(folder / BASELINE.name), "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and "period_months" in err and "row 2" in err
