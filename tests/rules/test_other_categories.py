"""Cost, improvement activities and Promoting Interoperability (optimizer.rules)."""

from __future__ import annotations

import pytest

from optimizer.rules import (
    Benchmark,
    Policy,
    UnknownActivityError,
    cost_case_minimum,
    cost_category_score,
    cost_improvement_percent,
    cost_measure_points,
    improvement_activities_score,
    promoting_interoperability_score,
)
from optimizer.rules.parameters import PROCEDURAL_EPISODE_COST_MEASURES
from optimizer.rules.promoting_interoperability import rounded_points

POLICY = Policy()
TPCC_2026 = Benchmark((0, 1142.83, 1315.81, 1488.78, 1834.72, 2007.69, 2180.67, 2353.64, 2440.13, 2526.61, 2613.1), True)
KNOWN = {"IA_BE_6", "IA_PSPA_28", "IA_PCMH", "IA_AHW_1"}
COMPLETE_PI = {
    "PI_EP_1": 90.0, "PI_EP_2": True, "PI_HIE_5": True, "PI_PEA_1": 95.0, "PI_PHCDRR_1": True, "PI_PHCDRR_3": True,
    "PI_PPHI_1": True, "PI_PPHI_2": True, "PI_ONCDIR_1": True, "PI_INFBLO_1": True,
}


def test_cost_measure_points_and_category() -> None:
    # TPCC_1 2026 benchmark (benchmarks/2026.json): ≤ p10 ⇒ 10; middle of decile 7 ⇒ 7.5 (§2.2 reading 5);
    # above p99 ⇒ 1. Category = Σ points / (10 × scored) (§3): (7.5 + 5) / 20 = 62.5%.
    assert float(cost_measure_points(1000.0, TPCC_2026, POLICY)) == 10.0
    assert float(cost_measure_points(1661.75, TPCC_2026, POLICY)) == pytest.approx(7.5)
    assert float(cost_measure_points(3000.0, TPCC_2026, POLICY)) == 1.0
    assert cost_category_score([7.5, 5.0], POLICY) == pytest.approx(62.5)
    assert cost_category_score([], POLICY) is None  # nothing scored ⇒ reweighted


@pytest.mark.parametrize(
    ("prior", "improvement"),
    [
        (None, 0.0),  # no prior-year cost score: 0
        (50.0, 0.25),  # (62.5 − 50) / 50 = 0.25 × 1 point
        (60.0, 2.5 / 60),  # (62.5 − 60) / 60 = 0.041667
        (25.0, 1.0),  # (62.5 − 25) / 25 = 1.5, at most 1 point
        (62.5, 0.0),  # no change
        (80.0, 0.0),  # a decline: max(0, …) = 0, never negative
    ],
)
def test_cost_improvement_is_category_level(prior, improvement) -> None:
    # 42 CFR 414.1380(b)(2)(iv) (docs/rules-2026.md §3): since CY2023 the cost improvement
    # score is max(0, (score − prior score) / prior score) × 1 percentage point, at most 1, and 0 without a
    # prior-year cost score. This year: TPCC 7.5 and an episode 5.0 ⇒ 62.5% before improvement.
    assert cost_improvement_percent(62.5, prior, POLICY) == pytest.approx(improvement)
    assert cost_category_score([7.5, 5.0], POLICY, prior_score_percent=prior) == pytest.approx(62.5 + improvement)
    # capped at 100%: 100% now against 50% ⇒ 1 point, still 100
    assert cost_category_score([10.0, 10.0], POLICY, prior_score_percent=50.0) == 100.0


@pytest.mark.parametrize(
    ("measure_id", "minimum"),
    [("TPCC_1", 20), ("MSPB_1", 35), ("COST_KA_1", 10), ("COST_SSC_1", 10), ("COST_IOL_1", 10), ("COST_HF_1", 20), ("COST_S_1", 20)],
)
def test_cost_case_minimums(measure_id, minimum) -> None:
    # docs/rules-2026.md §3 (RevEHR, Qsource; pre-2026): TPCC 20, MSPB 35, procedural
    # episodes 10 (knee arthroplasty, screening colonoscopy, cataract), other episodes 20 (heart failure:
    # chronic condition; sepsis: acute inpatient medical condition).
    assert cost_case_minimum(measure_id, POLICY) == minimum


def test_procedural_episode_list_matches_cms_descriptions(cms_source) -> None:
    # The 2026 cost measures whose description in measures-data.json says "This procedural measure".
    import json

    records = json.loads((cms_source / "measures" / "2026" / "measures-data.json").read_text(encoding="utf-8"))
    procedural = {record["measureId"] for record in records
                  if record.get("category") == "cost" and "This procedural measure" in record.get("description", "")}
    assert procedural == set(PROCEDURAL_EPISODE_COST_MEASURES)


@pytest.mark.parametrize(
    ("activities", "special", "mvp", "expected"),
    [
        (["IA_BE_6"], False, False, 50.0),  # §4: two activities needed
        (["IA_BE_6", "IA_PSPA_28"], False, False, 100.0),
        (["IA_BE_6"], True, False, 100.0),  # small, rural, HPSA, non-patient-facing: one
        (["IA_BE_6"], False, True, 100.0),  # one in an MVP (§6)
        (["IA_PCMH"], False, False, 100.0),  # medical home: full credit
        ([], False, False, 0.0),
        (["IA_BE_6", "IA_BE_6"], False, False, 50.0),  # the same activity twice counts once
    ],
)
def test_improvement_activities(activities, special, mvp, expected) -> None:
    assert improvement_activities_score(activities, known_activity_ids=KNOWN, special_status=special, mvp=mvp, policy=POLICY) == expected


def test_unknown_activity_is_refused() -> None:
    with pytest.raises(UnknownActivityError, match="IA_NOPE"):
        improvement_activities_score(["IA_NOPE"], known_activity_ids=KNOWN, special_status=False, mvp=False, policy=POLICY)


def test_pi_rounding_e6() -> None:
    # docs/rules-2026.md §8 E6 (ION): 31% of 10 ⇒ 3, 38% ⇒ 4; half rounds up.
    assert (rounded_points(31, 10), rounded_points(38, 10), rounded_points(35, 10)) == (3, 4, 4)


def test_pi_numerator_of_one_earns_at_least_one_point() -> None:
    # docs/rules-2026.md §5 (AAO EyeNet PI scoring): rounded to the nearest point, but a
    # measure with a numerator of at least 1 that would round to 0 earns 1. By hand: e-Prescribing 1 of
    # 40 = 2.5% of 10 points = 0.25 ⇒ 0 ⇒ 1; patient access 1 of 100 = 1% of 25 = 0.25 ⇒ 1.
    assert rounded_points(2.5, 10) == 1 and rounded_points(1.0, 25) == 1
    low = {**COMPLETE_PI, "PI_EP_1": 2.5}
    # e-Rx 1 + PDMP 10 + HIE 30 + patient access 24 + public health 25 = 90 (with the old rounding: 89)
    assert promoting_interoperability_score(low, cehrt=True, policy=POLICY).points["PI_EP_1"] == 1
    assert promoting_interoperability_score(low, cehrt=True, policy=POLICY).percent == 90.0


def test_pi_complete_report() -> None:
    # By hand: e-Rx 9 + PDMP 10 + HIE bi-directional 30 + patient access round(23.75) = 24 + public health 25 = 98.
    assert promoting_interoperability_score(COMPLETE_PI, cehrt=True, policy=POLICY).percent == 98.0
    # + 5 bonus for a syndromic surveillance 'yes', capped at 100.
    assert promoting_interoperability_score({**COMPLETE_PI, "PI_PHCDRR_2": True}, cehrt=True, policy=POLICY).percent == 100.0


def test_pi_exclusions_redistribute() -> None:
    # §5 (UNCONFIRMED table): e-Rx excluded ⇒ its 10 to patient access (35): 95% × 35 = 33.25 ⇒ 33;
    # PDMP 10 + HIE 30 + public health 25 ⇒ 98.
    responses = {**COMPLETE_PI, "PI_LVPP_1": True}
    del responses["PI_EP_1"]
    assert promoting_interoperability_score(responses, cehrt=True, policy=POLICY).percent == 98.0
    # HIE send/receive pair at 80% and 60%: 12 + 9 instead of the bi-directional 30 ⇒ 9 + 10 + 21 + 24 + 25 = 89.
    pair = {**COMPLETE_PI, "PI_HIE_5": False, "PI_HIE_1": 80.0, "PI_HIE_4": 60.0}
    result = promoting_interoperability_score(pair, cehrt=True, policy=POLICY)
    assert result.points["PI_HIE_1"] == 12 and result.points["PI_HIE_4"] == 9 and result.percent == 89.0
    # PDMP excluded ⇒ e-Prescribing worth 20: 90% ⇒ 18; total 18 + 30 + 24 + 25 = 97.
    no_pdmp = {**COMPLETE_PI, "PI_EP_2": False, "PI_EP_2_EX_1": True}
    assert promoting_interoperability_score(no_pdmp, cehrt=True, policy=POLICY).percent == 97.0


@pytest.mark.parametrize(
    "change",
    [
        {"PI_PPHI_1": False},  # security risk analysis not done
        {"PI_PPHI_2": False},  # SAFER guides 'no' (2026, UNCONFIRMED)
        {"PI_PEA_1": 0.0},  # numerator of 0
        {"PI_PHCDRR_1": False},  # immunization registry neither yes nor excluded
        {"PI_HIE_5": False},  # no way of meeting HIE
    ],
)
def test_pi_all_or_nothing_gates(change) -> None:
    result = promoting_interoperability_score({**COMPLETE_PI, **change}, cehrt=True, policy=POLICY)
    assert result.percent == 0.0 and result.failed


def test_pi_needs_cehrt() -> None:
    assert promoting_interoperability_score(COMPLETE_PI, cehrt=False, policy=POLICY).percent == 0.0
