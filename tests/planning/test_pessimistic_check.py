"""The plan says whether its recommendation stays best on a pessimistic forecast, and by how much it then
leads or trails; the reports print it with the sentence on what the probabilities assume.

The practice: five measures that score a sure 10 (large samples far past p90/p10), the outcome 001
among them, and two candidates for the sixth place: 493 MIPS CQM, which has no
benchmark at all, and a steady 236 eCQM. The forecast keeps only the counts' uncertainty except that
a measure without a benchmark gets one with probability 1 (``benchmark_probability``). Worked by hand:

* 493 with a benchmark is scored at a uniformly random position of an unknown flat benchmark
  (``UNKNOWN_BENCHMARK``): E[points] = (1/99) [∫₁⁹⁰ (1 + x/10) dx + 10 × 10] ≈ 6.0 — with probability 1
  it beats 236 eCQM at 65% on 10,000 cases, 4 + (65 − 61.54) / (65.61 − 61.54) = 4.85 points.
* The pessimistic variant halves the chance of a benchmark: 493 is then worth 0.5 × 6.0 = 3.0 < 4.85,
  so the recommendation is no longer best; the better selection (same pathway, 236 instead of 493)
  leads by (4.85 − 3.0) / 60 × 100 × 0.3 ≈ 0.93 points of expected final score (quality weighs 30%,
  six measures of 10 points each).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from numpy.testing import assert_allclose

from optimizer.inputs.scenario import check_scenario, read_scenario
from optimizer.planning.plan import plan_scenario

from scenario_builder import counts, write_scenario

ROWS = [
    counts("001", "ecqm", 800, 10_000),  # outcome, inverse; 8% ≤ p10 12.5
    counts("134", "ecqm", 9_700, 10_000),  # 97% ≥ p90 93.44
    counts("317", "ecqm", 6_000, 10_000),  # 60% ≥ p90 45.84
    counts("475", "ecqm", 6_000, 10_000),  # 60% ≥ p90 47.715
    counts("438", "ecqm", 9_500, 10_000),  # 95% ≥ p90 89.01
    counts("493", "mips_cqm", 3_000, 8_600),  # no benchmark anywhere
    counts("236", "ecqm", 6_500, 10_000),  # 4.85 points
]
SURE = {"persistence": 1.0, "position_drift": 0.0, "bad_year_probability": 0.0, "volume_spread": 0.0, "completeness_spread": 0.0, "benchmark_probability": 1.0}


def _write(folder: Path, forecast: dict) -> Path:
    return write_scenario(folder, ROWS, clinicians=40, optimize={"draws": 2000, "seed": 4}, forecast=forecast)


def test_a_recommendation_resting_on_an_optimistic_assumption_is_flagged(tmp_path: Path, catalog_2026, data_dir: Path) -> None:
    path = _write(tmp_path, SURE)
    run = plan_scenario(check_scenario(read_scenario(path), catalog_2026), catalog_2026)
    labels = {candidate.label for candidate in run.recommended.outlook.selected}
    assert "493 (mips_cqm)" in labels and "236 (ecqm)" not in labels
    check = run.pessimistic_check
    assert check is not None and not check.stays_best
    assert "236 (ecqm)" in {candidate.label for candidate in check.better.selected} and check.better_pathway == "traditional"
    assert_allclose(check.better.objective_value - check.recommended.objective_value, 0.93, atol=0.1)

    # The user's view: the JSON and Markdown reports of the real command (written with --output).
    document = json.loads(_plan_command(path, data_dir, "json", tmp_path / "plan.json"))
    pessimistic = document["pessimistic_check"]
    assert pessimistic["stays_best"] is False
    assert [m["measure_id"] for m in pessimistic["better"]["quality_measures"]].count("236") == 1
    assert_allclose(pessimistic["better"]["objective_margin"], check.recommended.objective_value - check.better.objective_value)
    assert document["forecast_assumptions"].startswith("Probabilities assume") and pessimistic["assumptions"].startswith("Probabilities assume")
    markdown = _plan_command(path, data_dir, "md", tmp_path / "plan.md")
    assert "## If the forecast is more pessimistic" in markdown and "is no longer best" in markdown
    assert document["forecast_assumptions"] in markdown


def _plan_command(path: Path, data_dir: Path, report_format: str, output: Path) -> str:
    shown = subprocess.run(
        [sys.executable, "-m", "optimizer", "plan", str(path), "--data-dir", str(data_dir), "--format", report_format, "--output", str(output)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert shown.returncode == 0, shown.stderr
    return output.read_text(encoding="utf-8")


def test_a_recommendation_that_does_not_rest_on_the_assumptions_stays_best(tmp_path: Path, catalog_2026) -> None:
    # Without a benchmark for 493 at all (probability 0) the pessimistic variant changes nothing that
    # matters here (every spread is 0, and 0 × 1.5 = 0): the recommendation stays best and leads its
    # runner-up by exactly what the plan says.
    run = plan_scenario(check_scenario(read_scenario(_write(tmp_path, {**SURE, "benchmark_probability": 0.0})), catalog_2026), catalog_2026)
    check = run.pessimistic_check
    assert check.stays_best and check.better is None
    assert_allclose(check.runner_up_margin, run.recommended.outlook.objective_value - run.recommended.runner_up.objective_value)


def test_a_long_search_is_re_scored_not_planned_again(scenario_from, catalog_2026, monkeypatch) -> None:
    # With a prior-year score the improvement score's kink makes traditional MIPS non-concave, and with 40
    # candidates (millions of selections of six) it is solved by branch and bound. A short search is
    # repeated on the pessimistic draws; a long one (more nodes than QUICK_SEARCH_NODES: seconds) is not,
    # and the check then compares the recommendation with the runner-up and the other pathways' plans only.
    # The threshold is lowered below this search's size to take that path on a quick instance.
    from optimizer.selection import solve
    from optimizer.synthetic import family_medicine_measures, synthetic_baseline

    rows = synthetic_baseline(catalog_2026, family_medicine_measures(catalog_2026)[:40], seed=5, include_cahps=False)
    scenario = scenario_from(rows, clinicians=10, prior_year_achievement_percent=60.0, optimize={"draws": 100, "seed": 2})
    run = plan_scenario(scenario, catalog_2026)
    assert run.recommended.solve.method == "branch and bound"
    assert run.recommended.solve.iterations <= solve.QUICK_SEARCH_NODES and run.pessimistic_check.replanned is True
    monkeypatch.setattr(solve, "QUICK_SEARCH_NODES", run.recommended.solve.iterations - 1)
    run = plan_scenario(scenario, catalog_2026)
    check = run.pessimistic_check
    assert check is not None and check.replanned is False
    if check.better is not None:
        assert check.better_pathway == "traditional" and check.better.objective_value > check.recommended.objective_value
    assert_allclose(check.runner_up_margin, check.recommended.objective_value - check.runner_up.objective_value)
