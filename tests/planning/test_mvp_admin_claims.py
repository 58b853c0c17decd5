"""A selected outcome administrative-claims measure in an MVP scores 0 when it cannot be scored, and
stays among the four.

42 CFR 414.1365(d)(3)(i)(B) (docs/rules-2026.md §6): 492 (risk-standardized heart
failure admissions, CMS-calculated) selected in the heart-disease MVP G0055 with 10 cases, below its
case minimum of 21: 0 points, not the 3 a small practice's reported measure would get, and the
denominator stays 4 × 10 = 40 (a population-health measure would drop out instead). Expected
numbers by hand from the other three measures' points as ``score`` reports them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.inputs.scenario import check_scenario, read_scenario
from optimizer.planning.plan import plan_scenario
from optimizer.planning.score import score_scenario

from scenario_builder import admin_claims, counts, write_scenario

ROWS = [
    counts("005", "ecqm", 1290, 1420),
    counts("007", "ecqm", 1760, 1880),
    counts("008", "ecqm", 1250, 1305),
    admin_claims("492", 0.3, 10),
]


def test_selected_492_below_its_case_minimum_scores_zero_and_counts(tmp_path: Path, catalog_2026) -> None:
    path = write_scenario(tmp_path, ROWS, name="heart", clinicians=8, optimize={"pathways": ["G0055"], "draws": 0})
    text = path.read_text(encoding="utf-8").replace("performance_year = 2026", 'performance_year = 2026\npathway = "G0055"', 1)
    text = text.replace("[quality]", '[quality]\nreported = [["005", "ecqm"], ["007", "ecqm"], ["008", "ecqm"], ["492", "admin_claims"]]', 1)
    path.write_text(text, encoding="utf-8")
    scenario = check_scenario(read_scenario(path), catalog_2026)
    result = score_scenario(scenario, catalog_2026)
    measures = {measure.measure_id: measure for measure in result.measures}
    assert measures["492"].points == 0.0 and measures["492"].counted and measures["492"].outcome == "below_case_minimum"
    quality = result.selection.quality
    assert float(quality.denominator) == 40.0
    others = sum(measures[m].points for m in ("005", "007", "008"))
    assert float(quality.percent) == pytest.approx(min(100.0, 100 * (others + 0.0 + 6.0) / 40))  # small-practice bonus 6
    # the plan of the same pathway agrees with the rules (re-scored inside plan_scenario)
    run = plan_scenario(scenario, catalog_2026)
    assert run.recommended.feasible
