"""[practice] specialties: plan and swap leave out the MVPs CMS lists for other specialties (issue 15 follow-up).

The numbers come from CMS's mvp/2026/mvp.json (read through the bundle): M1503 (Vascular Surgery)
is listed for "Vascular Surgery", "Nonphysician Practitioners", "Nurse Practitioners" and "Physician
Assistants"; "Family Medicine" is listed for G0055 and M0005 only. Riverside's baseline has data for
M1503's measures (swap offered switching to it), so without specialties it is planned; with
``specialties = ["Family Medicine"]`` it is neither planned nor offered, and is listed apart with CMS's list.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
M1503_REASON = "CMS lists it for Vascular Surgery, Nonphysician Practitioners, Nurse Practitioners and Physician Assistants"


def _riverside(folder: Path, specialties: str | None) -> Path:
    """Riverside's scenario and baseline copied into ``folder``, with ``specialties = …`` under [practice]."""
    shutil.copy(SCENARIOS / "riverside-family-medicine-2025.csv", folder)
    text = RIVERSIDE.read_text(encoding="utf-8")
    assert "\nmultispecialty = false\n" in text
    if specialties is not None:
        text = text.replace("\nmultispecialty = false\n", f"\nmultispecialty = false\nspecialties = {specialties}\n")
    target = folder / "riverside.toml"
    target.write_text(text, encoding="utf-8")
    return target


def _plan(cli, data_dir: Path, scenario: Path, suffix: str) -> dict | str:
    target = scenario.parent / f"plan.{suffix}"
    result = cli("plan", scenario, "--draws", "40", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    text = target.read_text(encoding="utf-8")
    return json.loads(text) if suffix == "json" else text


def _switches(cli, data_dir: Path, scenario: Path) -> list[str]:
    target = scenario.parent / "swap.json"
    result = cli("swap", scenario, "--ytd", YEAR_TO_DATE, "--as-of", "2026-07-01", "--draws", "40", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    document = json.loads(target.read_text(encoding="utf-8"))
    return [option["name"] for option in document["options"] + document["infeasible_options"] if option["action"] == "switch"]


def test_without_specialties_riverside_plans_and_swaps_to_the_vascular_surgery_mvp(data_dir: Path, tmp_path: Path, cli) -> None:
    # The control: what the specialty rule changes is there to change.
    scenario = _riverside(tmp_path, None)
    document = _plan(cli, data_dir, scenario, "json")
    assert "M1503" in [entry["pathway"] for entry in document["pathways"]]
    assert "mvps_for_other_specialties" not in document
    assert any("M1503" in name for name in _switches(cli, data_dir, scenario))


def test_a_family_practice_neither_plans_nor_swaps_to_the_vascular_surgery_mvp(data_dir: Path, tmp_path: Path, cli) -> None:
    scenario = _riverside(tmp_path, '["Family Medicine"]')
    document = _plan(cli, data_dir, scenario, "json")
    planned = [entry["pathway"] for entry in document["pathways"]]
    assert "M1503" not in planned and document["recommended"]["pathway"] != "M1503"
    # Only traditional MIPS and the MVPs CMS lists for Family Medicine (with a measure in the baseline) are planned.
    assert set(planned) <= {"traditional", "G0055", "M0005"} and "traditional" in planned
    apart = {entry["pathway"]: entry for entry in document["mvps_for_other_specialties"]}
    assert apart["M1503"]["reason"] == M1503_REASON
    assert apart["M1503"]["specialties"] == ["Vascular Surgery", "Nonphysician Practitioners", "Nurse Practitioners", "Physician Assistants"]
    assert not {"G0055", "M0005"} & set(apart) and document["practice_specialties"] == ["Family Medicine"]
    markdown = _plan(cli, data_dir, scenario, "md")
    section = markdown.split("### MVPs for other specialties", 1)[1]
    assert f"- M1503 Vascular Surgery: {M1503_REASON}" in section.split("\n\n")[2].splitlines()
    assert not any("M1503" in name for name in _switches(cli, data_dir, scenario))


def test_an_unknown_specialty_is_one_line_naming_the_file_and_key(data_dir: Path, tmp_path: Path, cli, one_error_line) -> None:
    scenario = _riverside(tmp_path, '["Family Medicine", "Family Medcine"]')
    result = cli("plan", scenario, "--data-dir", data_dir)
    one_error_line(result, str(scenario), "practice.specialties", "'Family Medcine'", "did you mean 'Family Medicine'?")
    assert not (tmp_path / "plan.md").exists()
