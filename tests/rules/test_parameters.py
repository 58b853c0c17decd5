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
