"""Policy parameters (optimizer.rules.parameters): every parameter sourced and overridable by name."""

from __future__ import annotations

import dataclasses

import pytest

from optimizer.rules import PARAMETER_SOURCES, Policy, policy_for_year


def test_every_parameter_has_a_source() -> None:
    names = {field.name for field in dataclasses.fields(Policy)} - {"performance_year"}
    assert names == set(PARAMETER_SOURCES)


def test_overrides_by_name() -> None:
    policy = policy_for_year(2026).with_overrides({"performance_threshold": 80, "category_weights": {"cost": 25, "promoting_interoperability": 30}})
    assert policy.performance_threshold == 80.0
    assert policy.category_weights["cost"] == 25 and policy.category_weights["quality"] == 30


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"no_such_rule": 1}, KeyError),
        ({"case_minimum": 20.5}, TypeError),
        ({"small_practice_bonus": "six"}, TypeError),
        ({"category_weights": {"quallity": 30}}, TypeError),
    ],
)
def test_bad_overrides_are_refused(overrides, error) -> None:
    with pytest.raises(error):
        Policy().with_overrides(overrides)


def test_unknown_year() -> None:
    with pytest.raises(KeyError, match="2019"):
        policy_for_year(2019)


def test_every_numeric_parameter_has_a_range_holding_its_default() -> None:
    from collections.abc import Mapping

    for field in dataclasses.fields(Policy):
        if field.name == "performance_year":
            continue
        value, info = getattr(Policy(), field.name), PARAMETER_SOURCES[field.name]
        if field.name.endswith("_redistribution"):
            assert info.valid is None  # not overridable: the regulation's tables
            continue
        values = list(value.values()) if isinstance(value, Mapping) else [value]
        if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in values):
            assert info.valid is not None, field.name
        if info.valid is not None:
            assert all(info.valid.contains(item) for item in values), field.name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"performance_threshold": float("nan")}, "performance_threshold must be more than 0 and at most 100, got nan"),
        ({"points_per_measure": 0}, "points_per_measure must be more than 0 and at most 100, got 0.0"),
        ({"traditional_required_measures": 0}, "traditional_required_measures must be from 1 to 30, got 0"),
        ({"case_minimum": -5}, "case_minimum must be at least 1, got -5"),
        ({"data_completeness_threshold": float("inf")}, "data_completeness_threshold must be from 0 to 100, got inf"),
        ({"cost_case_minimums": {"TPCC_1": 0}}, "cost_case_minimums.TPCC_1 must be at least 1, got 0"),
        ({"category_weights": {"quality": -10, "cost": 70}}, "category_weights.quality must be from 0 to 100, got -10.0"),
        ({"performance_threshold": 100}, "expected performance_threshold (100) below final_score_maximum (100)"),
    ],
)
def test_values_outside_the_range_are_refused_with_the_key_and_range(overrides, message) -> None:
    with pytest.raises(ValueError) as caught:
        Policy().with_overrides(overrides)
    assert str(caught.value) == message


def test_readme_parameter_table_shows_every_status() -> None:
    # README "What the scores rest on": one row per parameter with its status and valid values as the
    # code states them, so nothing there says UNCONFIRMED that the regulation check confirmed.
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            if len(cells) == 5:
                rows[cells[0].strip("`")] = cells
    assert set(rows) == set(PARAMETER_SOURCES)
    for name, info in PARAMETER_SOURCES.items():
        _, _, status, valid, source = rows[name]
        assert status == ("**UNCONFIRMED**" if info.status == "UNCONFIRMED" else info.status), name
        assert source == info.source, name
        assert valid == "—" if info.valid is None else valid.startswith(info.valid.describe()), name


def test_the_parameter_tables_are_written_from_the_code() -> None:
    # README.md and docs/rules-2026.md §11 hold the table tools/parameter_table.py writes from
    # PARAMETER_SOURCES and the Policy defaults (names, defaults, statuses, valid values, sources):
    # its --check fails, naming the file, when either table differs from what the code says.
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[2] / "tools" / "parameter_table.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
