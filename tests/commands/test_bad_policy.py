"""A ``[policy]`` override outside its parameter's valid values is refused: exit 1, one line naming the
key and the range, never exit 3 or a report built on nonsense.

Before issue 9 these were accepted: ``performance_threshold = nan`` and ``points_per_measure = 0``
ended in "unexpected error" (exit 3: "a value lies outside the function's domain", "float division
by zero"); ``case_minimum = -5`` and ``improvement_scale = inf`` produced a plan (exit 0, expected
final scores 81.1 and 82.0). The ranges live beside each parameter's source
(``optimizer.rules.parameters.PARAMETER_SOURCES``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
STEM = "riverside-family-medicine"

BAD_VALUES = [
    ("performance_threshold = nan", "policy.performance_threshold", "more than 0 and at most 100, got nan"),
    ("points_per_measure = 0", "policy.points_per_measure", "more than 0 and at most 100, got 0.0"),
    ("traditional_required_measures = 0", "policy.traditional_required_measures", "from 1 to 30, got 0"),
    ("final_score_maximum = 0", "policy.final_score_maximum", "more than 0 and at most 100, got 0.0"),
    ("case_minimum = -5", "policy.case_minimum", "at least 1, got -5"),
    ("activities_required = -1", "policy.activities_required", "from 1 to 10, got -1"),
    ("data_completeness_threshold = inf", "policy.data_completeness_threshold", "from 0 to 100, got inf"),
    ("improvement_scale = inf", "policy.improvement_scale", "more than 0 and at most 100, got inf"),
    ("improvement_prior_floor = 0", "policy.improvement_prior_floor", "more than 0 and at most 100, got 0.0"),
    ("cost_case_minimums = { TPCC_1 = 0 }", "policy.cost_case_minimums", "cost_case_minimums.TPCC_1 must be at least 1, got 0"),
    ("pi_points = { PI_EP_1 = -10 }", "policy.pi_points", "pi_points.PI_EP_1 must be from 0 to 100, got -10.0"),
    ('mvp_population_health_rule = "worst"', "policy.mvp_population_health_rule", "one of best_scoreable, got 'worst'"),
    ("performance_threshold = 100", "policy.performance_threshold", "below final_score_maximum (100)"),
]


@pytest.mark.parametrize(("line", "key", "expected"), BAD_VALUES, ids=[line.split(" = ")[0] + "=" + line.split(" = ")[1] for line, _, _ in BAD_VALUES])
def test_bad_policy_value_is_one_line_exit_1(line: str, key: str, expected: str, tmp_path: Path, data_dir: Path) -> None:
    shutil.copy(SCENARIOS / f"{STEM}-2025.csv", tmp_path / f"{STEM}-2025.csv")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text((SCENARIOS / f"{STEM}.toml").read_text(encoding="utf-8") + f"\n[policy]\n{line}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "optimizer", "plan", str(scenario), "--draws", "20", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mips-optimizer: error: ")
    assert f"field '{key}'" in result.stderr and expected in result.stderr
