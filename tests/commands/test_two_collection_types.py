"""One measure submitted through two collection types is a real submission: scored, the better one counted.

42 CFR 414.1380(b)(1)(i): a measure submitted through several collection types is scored "only on the
data submission with the greatest number of measure achievement points". Riverside as shipped
reports 226 as an eCQM; adding its Medicare Part B claims submission (its baseline has both rows)
was refused ("measure 226 is listed twice"). Now the claims submission is listed, not counted, with
the reason, and the score is the same as without it (its 98.9% rate sits in the capped claims
benchmark's third decile: fewer points than the eCQM's). The same pair listed twice is still refused.
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
AS_SHIPPED = '["226", "ecqm"]'


def _scenario(tmp_path: Path, reported_226: str) -> Path:
    text = (SCENARIOS / f"{STEM}.toml").read_text(encoding="utf-8")
    assert AS_SHIPPED in text
    shutil.copy(SCENARIOS / f"{STEM}-2025.csv", tmp_path / f"{STEM}-2025.csv")
    path = tmp_path / f"{STEM}.toml"
    path.write_text(text.replace(AS_SHIPPED, reported_226, 1), encoding="utf-8")
    return path


def _score(path: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer", "score", str(path), "--format", "json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_better_submission_counts_and_the_other_is_shown_not_counted(tmp_path: Path, data_dir: Path) -> None:
    both = _score(_scenario(tmp_path, '["226", "ecqm"], ["226", "medicare_part_b_claims"]'), data_dir)
    assert both.returncode == 0, both.stderr
    document = json.loads(both.stdout)
    rows = {(m["measure_id"], m["collection_type"]): m for m in document["quality"]["measures"]}
    ecqm, claims = rows[("226", "ecqm")], rows[("226", "medicare_part_b_claims")]
    assert ecqm["achievement_points"] > claims["achievement_points"]
    assert ecqm["counted"] is True and claims["counted"] is False
    assert "414.1380(b)(1)(i)" in claims["note"] and "ecqm" in claims["note"]
    (tmp_path / "alone").mkdir()
    alone = json.loads(_score(_scenario(tmp_path / "alone", AS_SHIPPED), data_dir).stdout)
    assert document["final_score"] == pytest.approx(alone["final_score"], rel=1e-12)
    assert document["quality"]["measure_points"] == pytest.approx(alone["quality"]["measure_points"], rel=1e-12)


def test_the_same_pair_twice_is_refused(tmp_path: Path, data_dir: Path) -> None:
    result = _score(_scenario(tmp_path, '["226", "ecqm"], ["226", "ecqm"]'), data_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "quality.reported" in result.stderr and "listed twice" in result.stderr
