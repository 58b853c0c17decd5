"""What the plan report leads with, checked against independent runs on the same draws (issue 15).

* Current vs recommended: the gain the report states equals the difference of two separate
  scorings, through the API, of the practice's current selection and of the recommended one, each
  on its own forecast with the same seed (so the same draws): the paired difference by draw.
* Where quality work pays: the value of ten care gaps equals the difference of two plans through
  the CLI, one of them with ten patients moved from "not met" to "met" in the baseline file; the
  value of five rate points equals the difference with ``[expected_change]`` set in the scenario.
* MVPs the data cannot fill are listed apart, not ranked.

Every expected number is computed here by those independent runs; nothing is typed in.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from optimizer.inputs.loading import load_scenario
from optimizer.inputs.scenario import with_optimize_overrides
from optimizer.planning.plan import evaluate_selection, prepare_forecast
from optimizer.planning.resolve import resolve
from optimizer.report.formatting import dollars

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
DRAWS = 100


@pytest.fixture(scope="module")
def report(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> dict:
    """The riverside plan as JSON and Markdown from the real CLI (same seed, same draws)."""
    folder = tmp_path_factory.mktemp("riverside-plan")
    outputs = {}
    for suffix in ("json", "md"):
        target = folder / f"plan.{suffix}"
        result = cli("plan", RIVERSIDE, "--draws", DRAWS, "--output", target, "--data-dir", data_dir)
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        outputs[suffix] = target.read_text(encoding="utf-8")
    return {"document": json.loads(outputs["json"]), "markdown": outputs["md"]}


def _evaluated(scenario, catalog, pathway: str, keys, activities):
    """One 'score run': a fresh forecast (same scenario, same seed) and the selection scored by the rules on it."""
    resolved = resolve(scenario)
    candidates, forecast = prepare_forecast(resolved, catalog)
    plan = evaluate_selection(resolved, catalog, pathway, tuple(keys), tuple(activities), candidates, forecast)
    assert plan.outlook is not None, plan.infeasible_reason
    return plan.outlook


def test_the_gain_over_the_current_selection_is_the_difference_of_two_runs_on_the_same_draws(report: dict, data_dir: Path) -> None:
    document = report["document"]
    versus, best = document["versus_current"], document["recommended"]
    scenario, catalog = load_scenario(RIVERSIDE, data_dir)
    scenario = with_optimize_overrides(scenario, {"draws": DRAWS})
    current = _evaluated(scenario, catalog, scenario.pathway, scenario.reported, scenario.improvement_activities.attested)
    recommended = _evaluated(
        scenario, catalog, best["pathway"], [(m["measure_id"], m["collection_type"]) for m in best["quality_measures"]], best["improvement_activities"]
    )
    gain = recommended.score.payment_dollars["default"] - current.score.payment_dollars["default"]
    assert versus["expected_gain_dollars"] == pytest.approx(float(np.mean(gain)), rel=1e-9)
    assert versus["gain_dollars_interval"] == pytest.approx(list(np.percentile(gain, [10, 90])), rel=1e-9)
    threshold = document["performance_threshold"]
    assert versus["probability_at_or_above_threshold_change"] == pytest.approx(
        recommended.probability_at_or_above(threshold) - current.probability_at_or_above(threshold)
    )
    assert versus["probability_recommendation_better"] == pytest.approx(float(np.mean(recommended.final_scores > current.final_scores)))
    assert document["current"]["expected_final_score"] == pytest.approx(current.expected_final_score, rel=1e-12)
    # Riverside's hand-picked set (traditional MIPS) is worth less than the plan: a real gain, not a tie.
    assert versus["expected_gain_dollars"] > 1000 and not versus["same_selection"]


def test_every_plan_format_leads_with_the_difference(report: dict) -> None:
    document, markdown = report["document"], report["markdown"]
    head = markdown.split("## ")[0]  # everything before the first section
    assert head.startswith("# MIPS 2026 plan: Riverside Family Medicine\n\n**What to do:** register for and report the MVP")
    assert f"gains **{dollars(document['versus_current']['expected_gain_dollars'])} a year**" in head
    assert list(document)[:12].index("versus_current") < list(document).index("recommended")


def _plan_json(cli, data_dir: Path, folder: Path) -> dict:
    target = folder / "plan.json"
    result = cli("plan", folder / RIVERSIDE.name, "--draws", DRAWS, "--no-quality-work", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(target.read_text(encoding="utf-8"))


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(RIVERSIDE, folder / RIVERSIDE.name)
    shutil.copy(BASELINE, folder / BASELINE.name)
    return folder


def test_ten_care_gaps_are_worth_the_difference_of_two_plans_with_the_counts_moved(report: dict, data_dir: Path, tmp_path: Path, cli) -> None:
    work = report["document"]["quality_work"]
    assert work["care_gaps"] == 10 and [row["dollars_per_care_gap"] for row in work["measures"]] == sorted(
        (row["dollars_per_care_gap"] for row in work["measures"]), reverse=True
    )
    base = _plan_json(cli, data_dir, _copy(tmp_path, "base"))["recommended"]["expected_payment_adjustment_dollars"]
    assert base == pytest.approx(report["document"]["recommended"]["expected_payment_adjustment_dollars"], rel=1e-12)
    checked = 0
    # The best-paying measure, and an inverse one (001: meeting it is the poor result, so gaps close the other way).
    rows = [work["measures"][0], next(row for row in work["measures"] if row["inverse"] and row["care_gaps_closed"])]
    for row in rows:
        folder = _copy(tmp_path, f"gaps-{row['measure_id']}-{row['collection_type']}")
        table = list(csv.DictReader((folder / BASELINE.name).open(encoding="utf-8")))
        for line in table:
            if (line["measure_id"], line["collection_type"]) == (row["measure_id"], row["collection_type"]):
                moved = row["care_gaps_closed"] * (-1 if row["inverse"] else 1)
                line["performance_met"] = str(int(line["performance_met"]) + moved)
                line["performance_not_met"] = str(int(line["performance_not_met"]) - moved)
                checked += 1
        with (folder / BASELINE.name).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
        moved_plan = _plan_json(cli, data_dir, folder)["recommended"]["expected_payment_adjustment_dollars"]
        assert row["care_gaps_gain_dollars"] == pytest.approx(moved_plan - base, abs=1e-6), row["measure_id"]
    assert checked == len(rows)


def test_five_rate_points_are_worth_the_difference_with_the_planned_change_set(report: dict, data_dir: Path, tmp_path: Path, cli) -> None:
    row = report["document"]["quality_work"]["measures"][0]
    base = report["document"]["recommended"]["expected_payment_adjustment_dollars"]
    folder = _copy(tmp_path, "rate")
    change = -row["rate_points"] if row["inverse"] else row["rate_points"]
    scenario = folder / RIVERSIDE.name
    scenario.write_text(scenario.read_text(encoding="utf-8") + f'\n[expected_change]\n"{row["measure_id"]}" = {change}\n', encoding="utf-8")
    raised = _plan_json(cli, data_dir, folder)["recommended"]["expected_payment_adjustment_dollars"]
    assert row["rate_gain_dollars"] == pytest.approx(raised - base, abs=1e-6)
    assert row["rate_gain_dollars"] > 0


def test_mvps_the_data_cannot_fill_are_listed_apart(report: dict) -> None:
    document, markdown = report["document"], report["markdown"]
    apart = [entry for entry in document["pathways"] if entry.get("can_fill") is False]
    assert apart and all(len(entry["measures_with_data"]) < entry["required_measures"] for entry in apart)
    assert document["recommended"]["can_fill"] is True
    ranked_table = markdown.split("## Every pathway your data can fill")[1].split("### MVPs your data cannot fill")[0]
    listed_apart = markdown.split("### MVPs your data cannot fill")[1].split("\n## ")[0]
    for entry in apart:
        assert f"| {entry['pathway']} |" not in ranked_table
        assert f"- {entry['pathway']} " in listed_apart
    assert "| M0005 ★ |" in ranked_table and "| traditional |" in ranked_table


def test_the_recommended_mvp_says_what_it_takes(report: dict) -> None:
    requirements = {item["key"]: item for item in report["document"]["recommended"]["mvp_requirements"]}
    assert set(requirements) >= {"registration", "population_health", "subgroups"}
    assert "November 30, 2026" in requirements["registration"]["text"] and not requirements["registration"]["confirmed"]
    assert "## What reporting this MVP takes" in report["markdown"]


def test_where_the_score_comes_from_matches_score_on_the_same_selection(data_dir: Path, tmp_path: Path, cli) -> None:
    """With draws = 0 the plan's forecast is last year's rates; scoring the recommended selection with
    ``score`` (the rules on observed rates) must give the same category scores, weights, points and
    quality parts as the plan's breakdown."""
    folder = _copy(tmp_path, "deterministic")
    target = folder / "plan.json"
    result = cli("plan", folder / RIVERSIDE.name, "--draws", "0", "--no-quality-work", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    best = json.loads(target.read_text(encoding="utf-8"))["recommended"]
    reported = ", ".join(f'["{m["measure_id"]}", "{m["collection_type"]}"]' for m in best["quality_measures"])
    text = (folder / RIVERSIDE.name).read_text(encoding="utf-8")
    text = text.replace("[practice]", f'pathway = "{best["pathway"]}"\n\n[practice]', 1)
    text = text.replace(text[text.index("reported = ["):text.index("\n", text.index("reported = ["))], f"reported = [{reported}]")
    text = text.replace('attested = ["IA_BE_6"]', "attested = [" + ", ".join(f'"{a}"' for a in best["improvement_activities"]) + "]")
    (folder / RIVERSIDE.name).write_text(text, encoding="utf-8")
    scored_target = folder / "score.json"
    result = cli("score", folder / RIVERSIDE.name, "--output", scored_target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    scored = json.loads(scored_target.read_text(encoding="utf-8"))
    breakdown = best["score_breakdown"]
    assert breakdown["expected_final_score"] == pytest.approx(scored["final_score"], rel=1e-12)
    for category, entry in breakdown["categories"].items():
        other = scored["categories"][category]
        assert (entry["weight"], entry["reweighted"]) == (other["weight"], other["reweighted"])
        assert entry["contribution"] == pytest.approx(other["contribution"], rel=1e-12)
        assert entry["percent"] == pytest.approx(other["percent"], rel=1e-12)
    for part in ("measure_points", "bonus", "numerator", "denominator", "improvement_percent"):
        assert breakdown["quality"][part] == pytest.approx(scored["quality"][part], rel=1e-12), part
