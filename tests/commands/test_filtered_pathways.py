"""A pathway a collection-type filter leaves without candidates is an answer in the plan, not a crash.

The issue's reproduction through the real CLI: riverside as shipped plus
``[optimize] collection_types = ["mips_cqm"]`` ended with ``error: M1367: the model valued [] at
-400.8 but the rules score it -454.8; this is a bug`` (exit 1), whatever the objective or draw
count; the model gave the empty selection the small-practice bonus, which 42 CFR
414.1380(b)(1)(v)(C) gives only for at least one submitted measure. Now the plan is written, M1367
says why it has no selection, and the other pathways are planned.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _filtered(tmp_path: Path, stem: str, kinds: str, edit: tuple[str, str]) -> Path:
    scenario = (SCENARIOS / f"{stem}.toml").read_text(encoding="utf-8")
    assert "[optimize]\n" in scenario and edit[0] in scenario
    scenario = scenario.replace(*edit)
    shutil.copy(SCENARIOS / f"{stem}-2025.csv", tmp_path / f"{stem}-2025.csv")
    path = tmp_path / f"{stem}.toml"
    path.write_text(scenario.replace("[optimize]\n", f"[optimize]\ncollection_types = {kinds}\n", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("stem", "kinds", "emptied", "edit"), [
    ("riverside-family-medicine", '["mips_cqm"]', "M1367", ("", "")),
    # heartland as a small practice (12 clinicians), eCQMs only: M0001 has no eCQM in its baseline
    ("heartland-cardiology", '["ecqm"]', "M0001", ("clinicians = 22", "clinicians = 12")),
])
@pytest.mark.parametrize("draws", ["0", "200"])
def test_plan_with_a_single_collection_type(
    stem: str, kinds: str, emptied: str, edit: tuple[str, str], draws: str, tmp_path: Path, data_dir: Path
) -> None:
    path = _filtered(tmp_path, stem, kinds, edit)
    result = subprocess.run(
        [sys.executable, "-m", "optimizer", "plan", str(path), "--draws", draws, "--format", "json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    pathways = {entry["pathway"]: entry for entry in document["pathways"]}
    assert pathways[emptied]["feasible"] is False
    assert pathways[emptied]["infeasible_reason"].startswith("no candidate measure after the collection-type filter")
    assert document["recommended"]["feasible"] is True
    assert document["recommended"]["quality_measures"]
    only = json.loads(kinds)[0]
    for entry in document["pathways"]:
        assert all(measure["collection_type"] == only for measure in entry["quality_measures"])
