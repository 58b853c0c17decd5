"""compare keeps decisions apart from assumptions (issue 15): a what-if that changes a circumstance
(PI reweighted, a low scaling factor) is a sensitivity of the plan, never the "best variant"; a
what-if may declare its kind, and the default is inferred from what it changes.

Riverside's two what-ifs are circumstances; a decision variant (traditional MIPS only) is added
here. Expected numbers are the report's own other rows (the base plan re-scored under the
assumption is compared with a separate ``--rescore-only`` run of the same file).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from optimizer.inputs.scenario import what_if_kind

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"optimize": {"pathways": ["traditional"]}}, "decision"),
        ({"pathway": "M0005", "improvement_activities": {"available": ["IA_BE_6"]}}, "decision"),
        ({"quality": {"reported": [["236", "ecqm"]]}}, "decision"),
        ({"promoting_interoperability": {"reweighted": True}}, "assumption"),
        ({"payment": {"scaling_factor": {"default": 0.117}}}, "assumption"),
        ({"expected_change": {"236": 5.0}}, "assumption"),
        ({"quality": {"prior_year_achievement_percent": 70}}, "assumption"),
        ({"optimize": {"draws": 10}, "cost": {"score": 40}}, "assumption"),  # one circumstance makes it an assumption
    ],
)
def test_the_default_kind_follows_what_the_variant_changes(changes: dict, kind: str) -> None:
    assert what_if_kind(changes) == kind


@pytest.fixture(scope="module")
def compared(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> dict:
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copy(BASELINE, folder / BASELINE.name)
    text = RIVERSIDE.read_text(encoding="utf-8") + (
        '\n[[what_if]]\nname = "Traditional MIPS only"\noptimize = { pathways = ["traditional"] }\n'
        '\n[[what_if]]\nname = "Scaling factor higher (declared a decision)"\nkind = "decision"\n'
        'payment = { scaling_factor = { default = 0.2, high = 0.3 } }\n'
    )
    (folder / RIVERSIDE.name).write_text(text, encoding="utf-8")
    documents = {}
    for name, extra in (("planned", []), ("rescored", ["--rescore-only"])):
        target = folder / f"{name}.json"
        result = cli("compare", folder / RIVERSIDE.name, "--draws", "40", *extra, "--output", target, "--data-dir", data_dir)
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        documents[name] = json.loads(target.read_text(encoding="utf-8"))
    markdown = folder / "planned.md"
    assert cli("compare", folder / RIVERSIDE.name, "--draws", "40", "--output", markdown, "--data-dir", data_dir).returncode == 0
    documents["markdown"] = markdown.read_text(encoding="utf-8")
    return documents


def test_assumptions_are_a_sensitivity_and_never_the_best_variant(compared: dict) -> None:
    variants = {entry["variant"]: entry for entry in compared["planned"]["variants"]}
    assert variants[None]["kind"] is None
    assert variants["PI reweighted (hardship exception)"]["kind"] == "assumption"
    assert variants["Traditional MIPS only"]["kind"] == "decision"
    assert variants["Scaling factor higher (declared a decision)"]["kind"] == "decision"  # declared wins over the inference
    reweighted = variants["PI reweighted (hardship exception)"]
    base = variants[None]
    # PI reweighted is worth more than the base, yet it is no choice: the best choice is among the base and decisions.
    assert reweighted["expected_payment_adjustment_dollars"] > base["expected_payment_adjustment_dollars"]
    markdown = compared["markdown"]
    choices = markdown.split("## Choices")[1].split("## If circumstances change")[0]
    circumstances = markdown.split("## If circumstances change")[1].split("\n## ")[0]
    assert "PI reweighted" not in choices and "PI reweighted" in circumstances and "★" not in circumstances
    assert "Traditional MIPS only" in choices


def test_the_base_plan_under_an_assumption_is_the_rescored_base(compared: dict) -> None:
    rescored = {entry["variant"]: entry for entry in compared["rescored"]["variants"]}
    for entry in compared["planned"]["variants"]:
        if entry["kind"] != "assumption":
            assert entry["base_selection_under_assumption"] is None
            continue
        under = entry["base_selection_under_assumption"]
        same = rescored[entry["variant"]]
        assert under["expected_payment_adjustment_dollars"] == pytest.approx(same["expected_payment_adjustment_dollars"], rel=1e-12)
        assert under["replanning_gain_dollars"] == pytest.approx(
            entry["expected_payment_adjustment_dollars"] - same["expected_payment_adjustment_dollars"], abs=1e-9
        )
        assert under["replanning_gain_dollars"] >= -1e-6  # planning for the circumstance cannot do worse than the base plan
