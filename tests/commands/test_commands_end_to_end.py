"""Every example scenario through the real CLI, in every format, checked against the Python API.

The expected numbers come from the Python API run on the same scenario with the same seed and
draws (the CLI must report exactly what the library computes), and from re-reading each output
format (JSON, CSV, Excel, Markdown) independently.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.compare import compare_scenarios
from optimizer.planning.plan import plan_scenario
from optimizer.planning.score import score_scenario
from optimizer.planning.swap import evaluate_swaps
from optimizer.report.compare_report import compare_to_dict
from optimizer.report.formatting import number, pretty_types
from optimizer.report.plan_report import plan_to_dict
from optimizer.report.score_report import score_to_dict
from optimizer.report.swap_report import swap_to_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EXAMPLES = sorted(SCENARIOS.glob("*.toml"))
DRAWS = 60
"""Few draws keep the suite fast; the numbers are compared exactly, so any count works."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_examples_are_the_four_documented_stories() -> None:
    names = {path.stem for path in EXAMPLES}
    assert names == {"riverside-family-medicine", "lakeside-multispecialty", "heartland-cardiology", "maple-street-internal-medicine"}


@pytest.fixture(scope="module")
def planned(data_dir: Path) -> dict[str, dict]:
    """The API's plan document of every example (same draws and seed as the CLI runs below)."""
    documents = {}
    for path in EXAMPLES:
        scenario, catalog = load_scenario(path, data_dir)
        scenario = with_optimize_overrides(scenario, {"draws": DRAWS})
        documents[path.stem] = plan_to_dict(plan_scenario(scenario, catalog))
    return documents


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_score_json_matches_the_api(path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", str(path), "--format", "json", "--data-dir", str(data_dir))
    assert code == 0, err
    scenario, catalog = load_scenario(path, data_dir)
    expected = score_to_dict(score_scenario(scenario, catalog))
    assert json.loads(out)["final_score"] == expected["final_score"]
    assert json.loads(out)["categories"] == expected["categories"]
    code, markdown, _ = run(capsys, "score", str(path), "--data-dir", str(data_dir))
    assert code == 0 and f"**Final score {number(expected['final_score'])}**" in markdown
    code, table, _ = run(capsys, "score", str(path), "--format", "csv", "--data-dir", str(data_dir))
    assert code == 0 and len(list(csv.DictReader(io.StringIO(table)))) >= 1


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_plan_in_every_format_reports_the_api_numbers(
    path: Path, data_dir: Path, planned: dict[str, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = planned[path.stem]
    best = expected["recommended"]
    common = (str(path), "--draws", str(DRAWS), "--data-dir", str(data_dir))

    code, out, err = run(capsys, "plan", *common, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["recommended"]["pathway"] == best["pathway"]
    assert document["recommended"]["quality_measures"] == best["quality_measures"]
    for key in ("expected_final_score", "probability_at_or_above_threshold", "expected_payment_adjustment_dollars", "final_score_interval"):
        assert document["recommended"][key] == best[key]
    assert [entry["pathway"] for entry in document["pathways"]] == [entry["pathway"] for entry in expected["pathways"]]

    code, markdown, _ = run(capsys, "plan", *common)
    assert code == 0
    assert f"expected final score **{number(best['expected_final_score'])}**" in markdown
    assert f"**What to do:** {'report traditional MIPS' if best['pathway'] == 'traditional' else 'register for and report the MVP'}" in markdown
    assert best["pathway"] in markdown.split("\n")[2]
    assert all(entry["solver"]["status"] == "optimal" for entry in document["pathways"] if "solver" in entry)
    assert "Every pathway's selection is proven best (" in markdown

    code, table, _ = run(capsys, "plan", *common, "--format", "csv")
    rows = [row for row in csv.DictReader(io.StringIO(table)) if row["recommended"] == "True"]
    assert [row["measure_id"] for row in rows] == [measure["measure_id"] for measure in best["quality_measures"]]
    assert float(rows[0]["expected_final_score"]) == pytest.approx(best["expected_final_score"], rel=1e-12)

    workbook = tmp_path / "plan.xlsx"
    code, _, _ = run(capsys, "plan", *common, "--format", "xlsx", "--output", str(workbook))
    assert code == 0
    sheets = pd.read_excel(workbook, sheet_name=None, header=2)  # a title and a note above each table's header
    summary = dict(zip(sheets["Summary"]["Item"], sheets["Summary"]["Value"], strict=False))
    assert summary["Recommended pathway"] == f"{best['title']} ({best['pathway']})"
    assert float(summary["Expected final score"]) == pytest.approx(best["expected_final_score"], rel=1e-12)
    assert len(sheets["Pathways"]) == len(expected["pathways"])


def test_plan_html_is_written_atomically_and_shows_the_recommendation(
    data_dir: Path, planned: dict[str, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("optimizer.report.html")
    path = SCENARIOS / "heartland-cardiology.toml"
    target = tmp_path / "plan.html"
    code, out, err = run(capsys, "plan", str(path), "--draws", str(DRAWS), "--data-dir", str(data_dir), "--format", "html", "--output", str(target))
    assert code == 0, err
    assert out == ""
    page = target.read_text(encoding="utf-8")
    best = planned[path.stem]["recommended"]
    assert number(best["expected_final_score"]) in page and best["pathway"] in page
    assert list(tmp_path.iterdir()) == [target]


def test_compare_every_example_matches_the_api(data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "compare", *map(str, EXAMPLES), "--draws", str(DRAWS), "--data-dir", str(data_dir), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    loaded = [load_scenario(path, data_dir) for path in EXAMPLES]
    expected = compare_to_dict(compare_scenarios(loaded, overrides={"draws": DRAWS}), rescore_only=False)
    assert [entry["scenario"] for entry in document["variants"]] == [entry["scenario"] for entry in expected["variants"]]
    for got, want in zip(document["variants"], expected["variants"], strict=True):
        assert got["pathway"] == want["pathway"]
        assert got["expected_final_score"] == want["expected_final_score"]
        assert got["expected_payment_adjustment_dollars"] == want["expected_payment_adjustment_dollars"]
        assert got["changes"] == want["changes"]
    # every file's base comes first, then its [[what_if]] variants
    assert sum(entry["variant"] is None for entry in document["variants"]) == len(EXAMPLES)
    for report_format in ("md", "csv"):
        code, text, _ = run(capsys, "compare", *map(str, EXAMPLES), "--draws", str(DRAWS), "--data-dir", str(data_dir), "--format", report_format)
        assert code == 0 and "Riverside Family Medicine" in text
    workbook = tmp_path / "compare.xlsx"
    assert run(capsys, "compare", str(EXAMPLES[0]), "--draws", str(DRAWS), "--data-dir", str(data_dir), "--format", "xlsx", "--output", str(workbook))[0] == 0
    assert len(pd.read_excel(workbook, header=2)) == 1 + sum(1 for line in EXAMPLES[0].read_text().splitlines() if line.strip() == "[[what_if]]")


def test_rescore_only_keeps_the_base_selection(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = SCENARIOS / "riverside-family-medicine.toml"
    code, out, err = run(capsys, "compare", str(path), "--rescore-only", "--draws", str(DRAWS), "--data-dir", str(data_dir), "--format", "json")
    assert code == 0, err
    variants = json.loads(out)["variants"]
    base = variants[0]
    for variant in variants[1:]:
        assert variant["rescored_only"] is True
        assert variant["pathway"] == base["pathway"]
        assert [m["measure_id"] for m in variant["quality_measures"]] == [m["measure_id"] for m in base["quality_measures"]]
    # PI reweighted moves PI's 25% onto the other categories; with the same measures the score must change
    assert variants[1]["expected_final_score"] != base["expected_final_score"]


def test_swap_in_every_format_matches_the_api(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = SCENARIOS / "riverside-family-medicine.toml"
    ytd = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
    common = (str(path), "--ytd", str(ytd), "--as-of", "2026-07-01", "--draws", str(DRAWS), "--data-dir", str(data_dir))
    code, out, err = run(capsys, "swap", *common, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    scenario, catalog = load_scenario(path, data_dir)
    expected = swap_to_dict(evaluate_swaps(with_optimize_overrides(scenario, {"draws": DRAWS}), catalog, ytd, "2026-07-01"))
    assert document["recommendation"] == expected["recommendation"]
    assert [option["name"] for option in document["options"]] == [option["name"] for option in expected["options"]]
    keep = next(option for option in document["options"] if option["action"] == "keep")
    assert keep["gain_dollars_mean"] == 0.0
    # claims measures whose codes are not on this year's claims cannot be added mid-year
    blocked = {option["name"]: option["infeasible_reason"] for option in document["infeasible_options"]}
    assert "quality codes on the claims" in blocked["switch to 226 (medicare_part_b_claims)"]
    # Markdown names collection types in words (pretty_types); CSV keeps the codes
    option = expected["recommendation"]["option"]
    for report_format, shown in (("md", pretty_types(option)), ("csv", option)):
        code, text, _ = run(capsys, "swap", *common, "--format", report_format)
        assert code == 0 and shown in text
