"""What reporting an MVP takes (rules/mvp_requirements.py), against 42 CFR 414.1365(b) and the
docs/rules-2026.md §6: the registration window's dates, CAHPS's earlier date, the population-health
measure, subgroups for a multispecialty group that is not small."""

from __future__ import annotations

import datetime

import pytest

from optimizer.rules.mvp_requirements import registration_status, registration_window, mvp_requirements


def test_the_registration_window_is_april_1_to_november_30() -> None:
    # 42 CFR 414.1365(b)(1): "begins on April 1 and ends on November 30 of the applicable CY performance period".
    assert registration_window(2026) == (datetime.date(2026, 4, 1), datetime.date(2026, 11, 30))
    assert registration_status(datetime.date(2026, 3, 31), 2026) == "not yet open"
    assert registration_status(datetime.date(2026, 4, 1), 2026) == "open"
    assert registration_status(datetime.date(2026, 11, 30), 2026) == "open"
    assert registration_status(datetime.date(2026, 12, 1), 2026) == "closed"


def _keys(**settings) -> dict[str, str]:
    base = {"reports_cahps": False, "clinicians": 40, "small_practice": False, "multispecialty": None}
    return {item.key: item.text for item in mvp_requirements(2026, **{**base, **settings})}


def test_cahps_and_outcome_claims_measures_add_their_own_requirements() -> None:
    assert "cahps" not in _keys()
    assert "June 30, 2026" in _keys(reports_cahps=True)["cahps"]  # (b)(1): CAHPS with an MVP, by June 30
    assert "492" in _keys(outcome_admin_claims_measures=("492",))["outcome_admin_claims"]
    assert "not confirmed" in _keys()["registration"] or "has not confirmed" in _keys()["registration"]


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"multispecialty": True, "small_practice": False}, "must report the MVP as subgroups"),
        ({"multispecialty": True, "small_practice": True, "clinicians": 8}, "may report the MVP as one group"),
        ({"multispecialty": False}, "single-specialty group reports the MVP as one group"),
        ({"multispecialty": None}, "set [practice] multispecialty"),
    ],
)
def test_subgroups_follow_the_groups_specialty_composition(settings: dict, words: str) -> None:
    assert words in _keys(**settings)["subgroups"]
