"""The Excel workbooks of every report command, read back with openpyxl as a client's Excel would.

Through the real CLI on the riverside example (few draws, to stay quick): every numeric cell has a
number format (no cell left at "General"), each table has a title and a frozen header row with
readable names, percents are stored as fractions shown as percents, dollars as currency, and the
charts are Excel's own. The numbers are the JSON report's numbers of the same run (same inputs and
seed give the same draws), not values typed into the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
RUNS = {
    "plan": ["plan", RIVERSIDE, "--draws", "60"],
    "compare": ["compare", RIVERSIDE, "--draws", "60"],
    "swap": ["swap", RIVERSIDE, "--ytd", YEAR_TO_DATE, "--as-of", "2026-07-01", "--draws", "60"],
    "score": ["score", SCENARIOS / "lakeside-multispecialty.toml"],
}


@pytest.fixture(scope="module")
def outputs(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> dict[str, Path]:
    """Each command's workbook and JSON report (the format taken from the --output suffix)."""
    folder = tmp_path_factory.mktemp("workbooks")
    written = {}
    for command, arguments in RUNS.items():
        for suffix in ("xlsx", "json"):
            target = folder / f"{command}.{suffix}"
            result = cli(*arguments, "--output", target, "--data-dir", data_dir)
            assert result.returncode == 0, result.stderr.decode()[-2000:]
            written[f"{command}.{suffix}"] = target
    return written


def _document(outputs: dict[str, Path], command: str) -> dict:
    return json.loads(outputs[f"{command}.json"].read_text(encoding="utf-8"))


def _table(sheet) -> tuple[list[str], list[dict]]:
    """A sheet's header (row 3) and rows as dicts (header → cell)."""
    header = [cell.value for cell in sheet[3]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=4) if any(cell.value is not None for cell in row)]
    return header, rows


@pytest.mark.parametrize("command", list(RUNS))
def test_every_number_has_a_number_format_and_every_table_a_title_and_frozen_header(command: str, outputs: dict[str, Path]) -> None:
    workbook = load_workbook(outputs[f"{command}.xlsx"])
    numbers = 0
    for sheet in workbook.worksheets:
        assert isinstance(sheet["A1"].value, str) and sheet["A1"].value and sheet["A1"].font.bold, sheet.title
        assert sheet.freeze_panes == "A4", sheet.title  # title, note, header frozen
        header = [cell.value for cell in sheet[3] if cell.value is not None]
        assert header and all(cell.font.bold for cell in sheet[3] if cell.value is not None)
        assert not any("_" in str(name) for name in header), header  # readable names, not the JSON keys
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                if cell.data_type == "n" and cell.value is not None:
                    numbers += 1
                    assert cell.number_format != "General", (sheet.title, cell.coordinate, cell.value)
    assert numbers > 10


def test_plan_workbook_numbers_are_the_reports_numbers(outputs: dict[str, Path]) -> None:
    document = _document(outputs, "plan")
    best = document["recommended"]
    workbook = load_workbook(outputs["plan.xlsx"])
    summary = {sheet_row[0].value: sheet_row[1] for sheet_row in workbook["Summary"].iter_rows(min_row=4)}
    score = summary["Expected final score"]
    assert score.value == pytest.approx(best["expected_final_score"], rel=1e-12) and score.number_format == "0.00"
    chance = summary["Chance of reaching 75"]
    assert chance.value == pytest.approx(best["probability_at_or_above_threshold"]) and chance.number_format == "0%"
    money = summary["Expected payment adjustment, $ a year"]
    assert money.value == pytest.approx(best["expected_payment_adjustment_dollars"]) and "$" in money.number_format
    percent = summary["Expected payment adjustment, % of Part B payments"]
    assert percent.value == pytest.approx(best["expected_payment_adjustment_percent"] / 100) and percent.number_format == "0.00%"

    _, pathways = _table(workbook["Pathways"])
    assert pathways[0]["Pathway"].value == best["pathway"]
    assert len(pathways) == len(document["pathways"])
    by_id = {entry["pathway"]: entry for entry in document["pathways"]}
    for row in pathways:
        assert row["Expected final score"].value == pytest.approx(by_id[row["Pathway"].value]["expected_final_score"], rel=1e-12)
        if row["Expected final score"].value is not None:
            assert row["Expected final score"].number_format == "0.00" and row["Expected $ a year"].number_format.startswith('+"$"')
    _, measures = _table(workbook["Measures"])
    assert [row["Measure"].value for row in measures] == [measure["measure_id"] for measure in best["quality_measures"]]
    assert [row["Expected points"].value for row in measures] == pytest.approx([m["expected_points"] for m in best["quality_measures"]])


def test_plan_workbook_has_native_charts_of_the_pathways_and_the_final_score(outputs: dict[str, Path]) -> None:
    document = _document(outputs, "plan")
    workbook = load_workbook(outputs["plan.xlsx"])
    (pathway_chart,) = workbook["Pathways"]._charts
    best = document["recommended"]["pathway"]
    ranked = [e for e in document["pathways"] if e["feasible"] and (e.get("can_fill", True) or e["pathway"] == best)]
    assert 1 < len(ranked) < len(document["pathways"])  # riverside's data cannot fill most MVPs: they are not charted
    reference = pathway_chart.series[0].val.numRef.f
    assert reference.endswith(f"$C$4:$C${3 + len(ranked)}")  # the expected final score of each pathway the data can fill
    (distribution,) = workbook["Final score"]._charts
    _, bins = _table(workbook["Final score"])
    histogram = document["recommended"]["final_score_histogram"]
    assert [row["Draws"].value for row in bins] == histogram["counts"]
    assert sum(row["Share of draws"].value for row in bins) == pytest.approx(1.0)
    assert distribution.series[0].val.numRef.f.endswith(f"$E$4:$E${3 + len(bins)}")


def test_swap_and_score_workbooks_hold_their_reports_numbers(outputs: dict[str, Path]) -> None:
    swap = _document(outputs, "swap")
    _, options = _table(load_workbook(outputs["swap.xlsx"])["Options"])
    by_name = {option["name"]: option for option in swap["options"]}
    assert {row["Option"].value for row in options} == set(by_name)
    for row in options:
        option = by_name[row["Option"].value]
        assert row["Expected final score"].value == pytest.approx(option["expected_final_score"], rel=1e-12)
        if option["action"] != "keep":
            assert row["Gain over keeping, $ a year"].value == pytest.approx(option["gain_dollars_mean"])
    assert load_workbook(outputs["swap.xlsx"])["Options"]._charts

    score = _document(outputs, "score")
    workbook = load_workbook(outputs["score.xlsx"])
    _, categories = _table(workbook["Categories"])
    assert [row["Points toward the final score"].value for row in categories] == pytest.approx(
        [entry["contribution"] for entry in score["categories"].values()]
    )
    quality = categories[0]["Category score"]
    assert quality.value == pytest.approx(score["categories"]["quality"]["percent"] / 100) and quality.number_format == "0.00%"
    _, measures = _table(workbook["Measures"])
    rates = {row["Measure"].value: row["Performance rate"] for row in measures}
    for measure in score["quality"]["measures"]:
        assert rates[measure["measure_id"]].value == pytest.approx(measure["performance_rate"] / 100)


def test_plan_workbook_leads_with_the_gain_and_holds_the_quality_work_and_score_breakdown(outputs: dict[str, Path]) -> None:
    document = _document(outputs, "plan")
    versus = document["versus_current"]
    workbook = load_workbook(outputs["plan.xlsx"])
    assert workbook.sheetnames[0] == "Summary"
    labels = [row[0].value for row in workbook["Summary"].iter_rows(min_row=4)]
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(min_row=4)}
    gain = summary["Gain over what you report now, $ a year"]
    assert gain.value == pytest.approx(versus["expected_gain_dollars"]) and "$" in gain.number_format
    assert labels.index("Gain over what you report now, $ a year") < labels.index("Expected final score")
    _, work = _table(workbook["Quality work"])
    assert [row["Measure"].value for row in work] == [row["measure_id"] for row in document["quality_work"]["measures"]]
    for row, expected in zip(work, document["quality_work"]["measures"], strict=True):
        assert row["Per care gap, $ a year"].value == pytest.approx(expected["dollars_per_care_gap"])
        assert row["Rate gain, $ a year"].value == pytest.approx(expected["rate_gain_dollars"])
    _, breakdown = _table(workbook["Score breakdown"])
    categories = document["recommended"]["score_breakdown"]["categories"]
    assert breakdown[0]["Category"].value == "Quality"
    assert breakdown[0]["Category score"].value == pytest.approx(categories["quality"]["percent"] / 100)
    assert breakdown[0]["Points toward the final score"].value == pytest.approx(categories["quality"]["contribution"])
    assert "Provenance" in workbook.sheetnames and "Words used" in workbook.sheetnames
