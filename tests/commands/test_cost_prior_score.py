"""The cost improvement score through ``score``: computed at the category level from ``[cost] prior_score``.

42 CFR 414.1380(b)(2)(iv) (docs/rules-2026.md §3). By hand: TPCC_1 at $1,661.75 is
the middle of the 2026 benchmark's decile 7 (1,488.78–1,834.72, inverse) ⇒ 7.5 points ⇒ 75% before
improvement; a prior cost score of 60% ⇒ (75 − 60) / 60 = 0.25 point ⇒ 75.25%. The old input
``improvement_percent`` (a count of significant changes, the pre-2023 rule) is refused with a pointer
to ``prior_score``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
STEM = "riverside-family-medicine"


def _score(tmp_path: Path, data_dir: Path, cost: str) -> subprocess.CompletedProcess[str]:
    text = (SCENARIOS / f"{STEM}.toml").read_text(encoding="utf-8")
    assert "[cost]\nscore = 52.0\n" in text
    shutil.copy(SCENARIOS / f"{STEM}-2025.csv", tmp_path / f"{STEM}-2025.csv")
    path = tmp_path / "scenario.toml"
    path.write_text(text.replace("[cost]\nscore = 52.0\n", f"[cost]\n{cost}\n", 1), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "optimizer", "score", str(path), "--format", "json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.parametrize(("prior", "expected"), [("", 75.0), ("prior_score = 60.0", 75.25), ("prior_score = 30.0", 76.0)])
def test_cost_category_with_a_prior_score(prior: str, expected: float, tmp_path: Path, data_dir: Path) -> None:
    # prior 30%: (75 − 30) / 30 = 1.5, at most 1 point ⇒ 76%
    measures = 'measures = [{ measure_id = "TPCC_1", expected_value = 1661.75, cases = 180 }]'
    result = _score(tmp_path, data_dir, f"{measures}\n{prior}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["categories"]["cost"]["percent"] == pytest.approx(expected)


@pytest.mark.parametrize(("cost", "message"), [
    ("score = 52.0\nimprovement_percent = 1.0", "field 'cost.improvement_percent': was replaced by prior_score"),
    ("score = 52.0\nprior_score = 40.0", "field 'cost.prior_score': applies with a measures list"),
])
def test_old_or_misplaced_cost_improvement_inputs_are_refused(cost: str, message: str, tmp_path: Path, data_dir: Path) -> None:
    result = _score(tmp_path, data_dir, cost)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
