"""swap weighs switching pathway while it is still allowed and checks the year-to-date file (issue 15).

Riverside reports traditional MIPS; its year-to-date table covers six months. Switching to an MVP
is an option until registration closes (42 CFR 414.1365(b)(1): November 30), and after that a
"not feasible" line saying why; a switch reports only measures that can still be collected for
the whole year. A year-to-date file without a reported measure, or covering other months than
--as-of says, is a warning on standard error and in the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"


def _swap(cli, data_dir: Path, folder: Path, as_of: str, ytd: Path = YEAR_TO_DATE) -> tuple[dict, str]:
    target = folder / f"swap-{as_of}.json"
    result = cli("swap", RIVERSIDE, "--ytd", ytd, "--as-of", as_of, "--draws", "40", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(target.read_text(encoding="utf-8")), result.stderr.decode()


def test_switching_to_an_mvp_is_weighed_while_registration_is_open(data_dir: Path, tmp_path: Path, cli) -> None:
    document, stderr = _swap(cli, data_dir, tmp_path, "2026-07-01")
    assert stderr == ""  # the table covers six months, as 2026-07-01 says
    switches = [option for option in document["options"] if option["action"] == "switch"]
    assert switches and all("register by November 30" in option["name"] for option in switches)
    reported = {("236", "ecqm"), ("001", "ecqm"), ("134", "ecqm"), ("226", "ecqm"), ("047", "medicare_part_b_claims"), ("438", "ecqm")}
    for option in switches:  # claims measures not reported so far cannot be added mid-year (no quality codes on the claims)
        for measure in option["quality_measures"]:
            key = (measure["measure_id"], measure["collection_type"])
            assert key in reported or measure["collection_type"] != "medicare_part_b_claims", option["name"]
        assert option["gain_dollars_mean"] == pytest.approx(
            option["expected_payment_adjustment_dollars"] - next(o for o in document["options"] if o["action"] == "keep")["expected_payment_adjustment_dollars"]
        )
    chosen = next(option for option in document["options"] if option["name"] == document["recommendation"]["option"])
    if chosen["action"] == "switch":
        assert {item["key"] for item in document["mvp_requirements"]} >= {"registration", "population_health"}


def test_after_registration_closes_an_mvp_switch_is_not_feasible(data_dir: Path, tmp_path: Path, cli) -> None:
    ytd = tmp_path / "ytd-11-months.csv"
    lines = YEAR_TO_DATE.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[-2] == "period_months" and all(line.split(",")[-2] == "6" for line in lines[1:])
    ytd.write_text("\n".join([lines[0]] + [",".join([*line.split(",")[:-2], "11", line.split(",")[-1]]) for line in lines[1:]]) + "\n", encoding="utf-8")
    document, stderr = _swap(cli, data_dir, tmp_path, "2026-12-01", ytd)
    assert stderr == ""
    assert not [option for option in document["options"] if option["action"] == "switch"]
    closed = [option for option in document["infeasible_options"] if option["action"] == "switch"]
    assert closed and all(option["infeasible_reason"] == "MVP registration closed on November 30, 2026" for option in closed)


def test_a_year_to_date_file_that_does_not_fit_is_a_warning(data_dir: Path, tmp_path: Path, cli) -> None:
    lines = YEAR_TO_DATE.read_text(encoding="utf-8").splitlines()
    ytd = tmp_path / "ytd-without-438.csv"
    ytd.write_text("\n".join(line for line in lines if not line.startswith("438,")) + "\n", encoding="utf-8")
    document, stderr = _swap(cli, data_dir, tmp_path, "2026-09-01", ytd)
    warnings = stderr.strip().splitlines()
    assert len(warnings) == 2 and all(line.startswith("mips-optimizer: warning: ") for line in warnings)
    assert "no year-to-date counts for 438 (ecqm)" in warnings[0]
    assert "covers 6 months" in warnings[1] and "--as-of 2026-09-01 is 8.0 months" in warnings[1]
    assert [f"mips-optimizer: warning: {text}" for text in document["warnings"]] == warnings
