"""The scenario's ``[forecast]`` table reaches the forecast: fewer assumptions of uncertainty give
narrower draws, and a measure without a benchmark is scored as often as the table says.

The example is the riverside scenario (scenarios/), copied with a ``[forecast]`` table appended.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from optimizer.inputs.loading import load_scenario
from optimizer.planning.plan import prepare_forecast
from optimizer.planning.resolve import resolve

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _forecast(folder: Path, data_dir: Path, table: str):
    folder.mkdir()
    shutil.copy(SCENARIOS / "riverside-family-medicine-2025.csv", folder)
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    path = folder / "riverside.toml"
    path.write_text(text.replace("[[what_if]]", table + "\n[[what_if]]", 1), encoding="utf-8")
    scenario, catalog = load_scenario(path, data_dir)
    return scenario, *prepare_forecast(resolve(scenario), catalog)


def test_forecast_table_sets_the_assumptions(tmp_path: Path, data_dir: Path) -> None:
    scenario, _, default = _forecast(tmp_path / "default", data_dir, "")
    table = "[forecast]\nrate_drift = 0.0\nbenchmark_probability = 1.0\nbad_year_probability = 0.0\n"
    calm_scenario, _, calm = _forecast(tmp_path / "calm", data_dir, table)
    assert scenario.forecast == {}
    assert calm_scenario.forecast == {"rate_drift": 0.0, "benchmark_probability": 1.0, "bad_year_probability": 0.0}
    assert calm.settings.rate_drift == 0.0 and default.settings.rate_drift == 0.15  # the library's default
    # 493 MIPS CQM has no benchmark row, so its rate takes the fallback: 300 met of 860 (34.9%). Without
    # drift and bad years only the counts' noise is left: posterior and binomial sd each
    # sqrt(.349 × .651 / 860) = 1.63 points, together 2.3. The default adds the drift, 0.15 × .349 × .651
    # = 3.4 points on the rate scale, and bad years (15%, a loss U(0, 0.4) of the rate: variance
    # 0.15 × 0.4² / 3 × 34.9² = 9.7), together about 5.1. Ratio 0.45.
    column = default.column(("493", "mips_cqm"))
    assert np.std(calm.rates[:, column]) < 0.6 * np.std(default.rates[:, column])
    # 493 has no historical benchmark: scored in about half the draws by default, in every draw at probability 1
    assert 0.35 < default.scored[:, column].mean() < 0.65
    assert calm.scored[:, calm.column(("493", "mips_cqm"))].all()
