"""The scenario's ``[forecast]`` table reaches the forecast: fewer assumptions of uncertainty give
narrower draws, and a measure without a benchmark is scored as often as the table says.

The example is the riverside scenario (scenarios/), copied with a ``[forecast]`` table appended.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from optimizer.plan import prepare_forecast
from optimizer.workflow import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _forecast(folder: Path, data_dir: Path, table: str):
    folder.mkdir()
    shutil.copy(SCENARIOS / "riverside-family-medicine-2025.csv", folder)
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    path = folder / "riverside.toml"
    path.write_text(text.replace("[[what_if]]", table + "\n[[what_if]]", 1), encoding="utf-8")
    scenario, catalog = load_scenario(path, data_dir)
    return scenario, *prepare_forecast(scenario, catalog)


def test_forecast_table_sets_the_assumptions(tmp_path: Path, data_dir: Path) -> None:
    scenario, _, default = _forecast(tmp_path / "default", data_dir, "")
    calm_scenario, _, calm = _forecast(tmp_path / "calm", data_dir, "[forecast]\nrate_drift = 0.0\nbenchmark_probability = 1.0\n")
    assert scenario.forecast == {}
    assert calm_scenario.forecast == {"rate_drift": 0.0, "benchmark_probability": 1.0}
    assert calm.settings.rate_drift == 0.0 and default.settings.rate_drift == 0.15  # the library's default
    # 236 eCQM: 468 met of 638 (73.4%). Without drift only the counts' noise is left: posterior and
    # binomial sd each sqrt(.734 × .266 / 638) = 1.75 points, together 2.5; the drift adds
    # 0.15 × .734 × .266 = 2.9 points on the rate scale, together about 3.9. Ratio 0.64.
    column = default.column(("236", "ecqm"))
    assert np.std(calm.rates[:, column]) < 0.75 * np.std(default.rates[:, column])
    # 493 has no historical benchmark: scored in about half the draws by default, in every draw at probability 1
    column = default.column(("493", "mips_cqm"))
    assert 0.35 < default.scored[:, column].mean() < 0.65
    assert calm.scored[:, calm.column(("493", "mips_cqm"))].all()
