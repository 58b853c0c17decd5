"""Write small scenarios for the optimizer tests: a scenario TOML and its baseline CSV.

Each test describes its practice in a few keywords and its baseline as rows (``counts`` and
``admin_claims`` build them); the ``scenario_from`` fixture (tests/conftest.py) writes both files with
``write_scenario`` into the test's ``tmp_path`` and reads them back as the ``plan`` command does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

CSV_COLUMNS = (
    "measure_id",
    "collection_type",
    "eligible_population",
    "performance_met",
    "performance_not_met",
    "exclusions",
    "exceptions",
    "performance_rate",
    "effort_hours",
)


def counts(measure_id: str, collection_type: str, met: int, cases: int, *, effort: float = 2.0, eligible: int | None = None) -> dict[str, Any]:
    """A baseline row from performance met and cases (met + not met); complete data unless ``eligible`` is larger."""
    return {
        "measure_id": measure_id,
        "collection_type": collection_type,
        "eligible_population": cases if eligible is None else eligible,
        "performance_met": met,
        "performance_not_met": cases - met,
        "exclusions": 0,
        "exceptions": 0,
        "effort_hours": effort,
    }


def admin_claims(measure_id: str, rate: float, cases: int) -> dict[str, Any]:
    """An administrative-claims row (479, 484): CMS's computed result and its case count."""
    return {"measure_id": measure_id, "collection_type": "admin_claims", "eligible_population": cases, "performance_rate": rate}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))


def write_scenario(
    folder: Path,
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    name: str = "test",
    clinicians: int = 8,
    cehrt: bool = True,
    special_status: Sequence[str] = (),
    complex_patient_bonus: float = 0.0,
    prior_year_achievement_percent: float | None = None,
    cost_score: float | None = 60.0,
    pi_score: float | None = 80.0,
    activities: Sequence[str] = ("IA_BE_6", "IA_PSPA_28", "IA_AHW_1", "IA_EPA_2"),
    scaling_factor: float = 0.178,
    optimize: Mapping[str, Any] | None = None,
    forecast: Mapping[str, float] | None = None,
) -> Path:
    """Write ``<name>.toml`` and ``<name>.csv`` into ``folder``; returns the TOML's path.

    ``optimize`` holds the ``[optimize]`` keys (defaults: traditional MIPS only, expected score,
    deterministic); ``forecast`` the ``[forecast]`` keys (default: none, the library's defaults);
    ``cost_score`` / ``pi_score`` None reweight the category.
    """
    frame = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows)
    frame = frame[[column for column in CSV_COLUMNS if column in frame.columns]]
    frame.to_csv(folder / f"{name}.csv", index=False)
    settings = {"pathways": ["traditional"], "objective": "expected_score", "draws": 0, "seed": 1, **(optimize or {})}
    lines = [
        "performance_year = 2026",
        f"title = {_toml(name)}",
        "",
        "[practice]",
        f"name = {_toml(name)}",
        f"clinicians = {clinicians}",
        f"special_status = {_toml(list(special_status))}",
        "medicare_part_b_allowed = 1000000",
        f"cehrt = {_toml(cehrt)}",
        f"complex_patient_bonus = {complex_patient_bonus!r}",
        f"baseline = {_toml(name + '.csv')}",
        "",
        "[quality]",
    ]
    if prior_year_achievement_percent is not None:
        lines.append(f"prior_year_achievement_percent = {prior_year_achievement_percent!r}")
    lines += ["", "[cost]", f"score = {cost_score!r}" if cost_score is not None else "reweighted = true"]
    lines += ["", "[promoting_interoperability]", f"score = {pi_score!r}" if pi_score is not None else "reweighted = true"]
    lines += ["", "[improvement_activities]", f"available = {_toml(list(activities))}"]
    lines += ["", "[payment]", f"scaling_factor = {{ default = {scaling_factor!r} }}"]
    lines += ["", "[optimize]"] + [f"{key} = {_toml(value)}" for key, value in settings.items() if value is not None]
    if forecast:
        lines += ["", "[forecast]"] + [f"{key} = {_toml(value)}" for key, value in forecast.items()]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
