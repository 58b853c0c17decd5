"""The policy parameters of one performance year: every number a rule uses, named, sourced, overridable.

Each parameter carries its default, its source and whether the source confirms it
(``../shared/docs/scoring-rules-2026.md`` §11). A scenario's ``[policy]`` table overrides any of
them by name, so a later correction of an UNCONFIRMED rule is a one-line change.

Rule functions never hold a literal policy number: they take a :class:`Policy`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

QUALITY = "quality"
COST = "cost"
IMPROVEMENT_ACTIVITIES = "improvement_activities"
PROMOTING_INTEROPERABILITY = "promoting_interoperability"
CATEGORIES: tuple[str, ...] = (QUALITY, COST, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY)
"""The four performance categories, in the order CMS lists them."""


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


def _weights(quality: float, cost: float, activities: float, interoperability: float) -> Mapping[str, float]:
    return _frozen(
        {QUALITY: quality, COST: cost, IMPROVEMENT_ACTIVITIES: activities, PROMOTING_INTEROPERABILITY: interoperability}
    )


_Q, _C, _IA, _PI = QUALITY, COST, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY

STANDARD_REDISTRIBUTION: Mapping[frozenset[str], Mapping[str, float]] = _frozen(
    {
        frozenset(): _weights(30, 30, 15, 25),
        frozenset({_C}): _weights(55, 0, 15, 30),
        frozenset({_PI}): _weights(55, 30, 15, 0),
        frozenset({_Q}): _weights(0, 55, 15, 30),
        frozenset({_IA}): _weights(45, 30, 0, 25),
        frozenset({_C, _PI}): _weights(85, 0, 15, 0),
        frozenset({_C, _Q}): _weights(0, 0, 50, 50),
        frozenset({_C, _IA}): _weights(70, 0, 0, 30),
        frozenset({_PI, _Q}): _weights(0, 85, 15, 0),
        frozenset({_PI, _IA}): _weights(70, 30, 0, 0),
        frozenset({_Q, _IA}): _weights(0, 70, 0, 30),
    }
)
"""Category weights [percent] by the set of categories reweighted to 0%, for practices that are
not small (and small practices whose PI is scored). CY2022 PFS final rule tables, carried forward;
rules file §1.2 — partly UNCONFIRMED (rows other than 'none' are recollection)."""

SMALL_PRACTICE_REDISTRIBUTION: Mapping[frozenset[str], Mapping[str, float]] = _frozen(
    {
        frozenset({_PI}): _weights(40, 30, 30, 0),
        frozenset({_PI, _C}): _weights(50, 0, 50, 0),
        frozenset({_PI, _Q}): _weights(0, 50, 50, 0),
        frozenset({_PI, _IA}): _weights(50, 50, 0, 0),
    }
)
"""Small-practice weights [percent] when PI is reweighted (rules file §1.2): PI-only and PI+Cost
confirmed by Eyefinity's small-practice page; PI+Quality and PI+IA UNCONFIRMED."""

PI_REQUIRED_ATTESTATIONS: tuple[str, ...] = ("PI_PPHI_1", "PI_PPHI_2", "PI_ONCDIR_1", "PI_INFBLO_1")
"""Attestations that must be 'yes' or the PI category scores 0 (rules file §5: security risk
analysis, SAFER guides, ONC direct review, information blocking; the SAFER 'yes' is UNCONFIRMED)."""


@dataclass(frozen=True)
class ParameterInfo:
    """Where a parameter's default comes from."""

    source: str
    confirmed: bool


@dataclass(frozen=True)
class Policy:
    """The scoring rules' parameters for one performance year; see :data:`PARAMETER_SOURCES`.

    Percent values are on a 0–100 scale; points are measure achievement points.
    """

    performance_year: int = 2026
    # final score and weights
    category_weights: Mapping[str, float] = field(default_factory=lambda: STANDARD_REDISTRIBUTION[frozenset()])
    standard_redistribution: Mapping[frozenset[str], Mapping[str, float]] = field(default_factory=lambda: STANDARD_REDISTRIBUTION)
    small_practice_redistribution: Mapping[frozenset[str], Mapping[str, float]] = field(
        default_factory=lambda: SMALL_PRACTICE_REDISTRIBUTION
    )
    final_score_maximum: float = 100.0
    complex_patient_bonus_maximum: float = 10.0
    minimum_scored_categories: int = 2
    # payment adjustment
    performance_threshold: float = 75.0
    applicable_percent: float = 9.0
    negative_floor_fraction_of_threshold: float = 0.25
    scaling_factor_low: float = 0.117
    scaling_factor_high: float = 0.239
    scaling_factor_default: float = 0.178
    scaling_factor_maximum: float = 3.0
    # quality measures
    data_completeness_threshold: float = 75.0
    case_minimum: int = 20
    admin_claims_case_minimums: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"479": 200, "484": 18, "480": 25, "492": 21})
    )
    admin_claims_minimum_clinicians: Mapping[str, int] = field(default_factory=lambda: _frozen({"479": 16}))
    points_outside_lowest_percentile: float = 1.0
    top_decile_points: float = 10.0
    seven_point_cap: float = 7.0
    not_scoreable_points: float = 0.0
    small_practice_not_scoreable_points: float = 3.0
    new_measure_first_year_floor: float = 7.0
    new_measure_second_year_floor: float = 5.0
    new_measure_floor_lifts_benchmarked_scores: bool = True
    small_practice_maximum_clinicians: int = 15
    outcome_measure_types: tuple[str, ...] = ("outcome", "intermediate_outcome", "patient_reported_outcome")
    # quality category
    points_per_measure: float = 10.0
    traditional_required_measures: int = 6
    mvp_required_measures: int = 4
    small_practice_bonus: float = 6.0
    improvement_scale: float = 10.0
    improvement_maximum: float = 10.0
    improvement_prior_floor: float = 30.0
    improvement_requires_full_participation: bool = True
    mvp_population_health_rule: str = "best_scoreable"
    # cost
    cost_case_minimums: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"TPCC_1": 20, "MSPB_1": 35})
    )
    cost_default_case_minimum: int = 20
    cost_improvement_maximum: float = 1.0
    # improvement activities
    activities_required: int = 2
    special_status_activities_required: int = 1
    mvp_activities_required: int = 1
    full_credit_activities: tuple[str, ...] = ("IA_PCMH",)
    # promoting interoperability
    pi_required_attestations: tuple[str, ...] = PI_REQUIRED_ATTESTATIONS
    pi_points: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "PI_EP_1": 10,
                "PI_EP_2": 10,
                "PI_HIE_1": 15,
                "PI_HIE_4": 15,
                "PI_HIE_5": 30,
                "PI_HIE_6": 30,
                "PI_PEA_1": 25,
                "public_health": 25,
                "public_health_bonus": 5,
            }
        )
    )
    pi_category_maximum: float = 100.0

    def with_overrides(self, overrides: Mapping[str, Any]) -> Policy:
        """A copy with the named parameters replaced; unknown names or wrong types raise ``KeyError``/``TypeError``."""
        known = {item.name: item for item in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known or name == "performance_year":
                raise KeyError(name)
            current = getattr(self, name)
            changes[name] = _coerce_like(current, value, name)
        if "category_weights" in changes and abs(sum(changes["category_weights"].values()) - 100) > 1e-9:
            raise TypeError("category_weights must add up to 100")
        return dataclasses.replace(self, **changes)

    def redistribution_row(self, reweighted: frozenset[str], small_practice: bool) -> Mapping[str, float] | None:
        """The weights row for a set of reweighted categories, or None when the tables have none."""
        if not reweighted:
            return self.category_weights
        if small_practice and PROMOTING_INTEROPERABILITY in reweighted and reweighted in self.small_practice_redistribution:
            return self.small_practice_redistribution[reweighted]
        return self.standard_redistribution.get(reweighted)


def _coerce_like(current: Any, value: Any, name: str) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{name} expects true or false")
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} expects a whole number")
        return value
    if isinstance(current, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} expects a number")
        return float(value)
    if isinstance(current, str):
        if not isinstance(value, str):
            raise TypeError(f"{name} expects text")
        return value
    if isinstance(current, tuple):
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
            raise TypeError(f"{name} expects a list of text")
        return tuple(value)
    if isinstance(current, Mapping):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} expects a table")
        if name in ("standard_redistribution", "small_practice_redistribution"):
            raise TypeError(f"{name} cannot be overridden from a scenario; override category_weights instead")
        merged = dict(current)
        for key, item in value.items():
            if key not in current and name in ("category_weights", "pi_points"):
                raise TypeError(f"{name} has no entry {key!r}")
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise TypeError(f"{name}.{key} expects a number")
            merged[key] = type(next(iter(current.values()), item))(item)
        return _frozen(merged)
    raise TypeError(f"{name} cannot be overridden")


_CFR = "42 CFR"
PARAMETER_SOURCES: Mapping[str, ParameterInfo] = _frozen(
    {
        "category_weights": ParameterInfo(f"{_CFR} 414.1330(b)(5); rules file §1.1", True),
        "standard_redistribution": ParameterInfo("CY2022 PFS final rule redistribution tables; rules file §1.2", False),
        "small_practice_redistribution": ParameterInfo(
            "CY2022 PFS final rule; PI-only and PI+Cost rows per Eyefinity small-practice page; rules file §1.2", False
        ),
        "final_score_maximum": ParameterInfo("final score capped at 100; rules file §7.1", True),
        "complex_patient_bonus_maximum": ParameterInfo("up to 10 points (Acmeware); rules file §7.1", True),
        "minimum_scored_categories": ParameterInfo(
            "fewer than two scored categories: final score set to the performance threshold; rules file §1.2", False
        ),
        "performance_threshold": ParameterInfo("CY2026 PFS final rule, 90 FR 49266; rules file §0", True),
        "applicable_percent": ParameterInfo(f"{_CFR} 414.1405(c); rules file §7.2", True),
        "negative_floor_fraction_of_threshold": ParameterInfo(f"{_CFR} 414.1405(b)(2); rules file §7.2", True),
        "scaling_factor_low": ParameterInfo("PY2024 maximum +1.05% (Healthmonix); rules file §7.3", True),
        "scaling_factor_high": ParameterInfo("PY2023 maximum +2.15% (Healthmonix); rules file §7.3", True),
        "scaling_factor_default": ParameterInfo("midpoint of the published range; rules file §11", False),
        "scaling_factor_maximum": ParameterInfo(f"{_CFR} 414.1405(b)(3): not above 3.0", True),
        "data_completeness_threshold": ParameterInfo(f"{_CFR} 414.1340(a)(4): 75%; rules file §0", True),
        "case_minimum": ParameterInfo(f"{_CFR} 414.1380(b)(1)(iii): 20; rules file §0", True),
        "admin_claims_case_minimums": ParameterInfo("479: 200 (2017-era text); 484, 480, 492: recollection; rules file §2.7", False),
        "admin_claims_minimum_clinicians": ParameterInfo("479 scored only for groups of 16+ clinicians; rules file §2.7", False),
        "points_outside_lowest_percentile": ParameterInfo("1-point floor below p1 / above p99; rules file §2.2", False),
        "top_decile_points": ParameterInfo("decile 10 is a flat 10 (published CSV '>= p90'); rules file §2.2", True),
        "seven_point_cap": ParameterInfo("benchmarks-schema isToppedOutByProgram: 'cap the score at 7 points'; §2.4", True),
        "not_scoreable_points": ParameterInfo("CY2024 PFS final rule, 88 FR 79123; rules file §2.3", True),
        "small_practice_not_scoreable_points": ParameterInfo("CY2024 PFS final rule, 88 FR 79123; rules file §2.3", True),
        "new_measure_first_year_floor": ParameterInfo("MDinteractive benchmarks page; rules file §2.3", False),
        "new_measure_second_year_floor": ParameterInfo("MDinteractive benchmarks page; rules file §2.3", False),
        "new_measure_floor_lifts_benchmarked_scores": ParameterInfo("reading of the CY2022 rule ('7-10'); §2.3", False),
        "small_practice_maximum_clinicians": ParameterInfo("small practice: 15 or fewer clinicians; rules file §0", True),
        "outcome_measure_types": ParameterInfo("outcome, intermediate outcome, PRO count as outcome; §2.10", True),
        "points_per_measure": ParameterInfo("10 points per required measure; rules file §2.9", True),
        "traditional_required_measures": ParameterInfo("six quality measures; rules file §2.9", True),
        "mvp_required_measures": ParameterInfo("four MVP quality measures; rules file §6", True),
        "small_practice_bonus": ParameterInfo("+6 points (Eyefinity; CMS engine smallPracticeBonus: 6); §2.11", True),
        "improvement_scale": ParameterInfo("improvement = 10% × increase / prior achievement; 414.1380(b)(1)(vi), §2.12", False),
        "improvement_maximum": ParameterInfo("up to 10 percentage points; rules file §2.12", True),
        "improvement_prior_floor": ParameterInfo("prior achievement below 30% compared with 30%; §2.12", False),
        "improvement_requires_full_participation": ParameterInfo("full participation required; rules file §2.12", False),
        "mvp_population_health_rule": ParameterInfo(
            "best scoreable foundation measure (479, 484) added, +10 denominator; rules file §11", False
        ),
        "cost_case_minimums": ParameterInfo("TPCC 20, MSPB 35 (recollection); rules file §3", False),
        "cost_default_case_minimum": ParameterInfo("episode measures 10-20 (recollection); rules file §3", False),
        "cost_improvement_maximum": ParameterInfo("cost improvement up to 1 percentage point; rules file §3", False),
        "activities_required": ParameterInfo("two activities from PY2025 (DataBrackets; CY2025 rule); §4", True),
        "special_status_activities_required": ParameterInfo("one for small, rural, HPSA, non-patient-facing; §4", True),
        "mvp_activities_required": ParameterInfo("one activity in an MVP (best reading); rules file §6", False),
        "full_credit_activities": ParameterInfo("IA_PCMH gives full credit (Graphium); rules file §4", True),
        "pi_required_attestations": ParameterInfo("SRA, SAFER, ONC direct review, information blocking; §5", False),
        "pi_points": ParameterInfo("10/10/15+15 or 30/25/25 + 5 bonus (Polaris, Tebra); rules file §5", False),
        "pi_category_maximum": ParameterInfo("PI category capped at 100; rules file §5", True),
    }
)
"""Source and confidence of every overridable parameter (rules file §11)."""

POLICIES: Mapping[int, Policy] = _frozen({2026: Policy()})
"""The defaults per performance year this project knows the rules of."""


def policy_for_year(performance_year: int) -> Policy:
    """The default policy parameters of ``performance_year``.

    Raises
    ------
    KeyError
        When the project does not implement that year's rules.
    """
    try:
        return POLICIES[performance_year]
    except KeyError:
        known = ", ".join(str(year) for year in POLICIES)
        raise KeyError(f"the scoring rules of performance year {performance_year} are not implemented (known: {known})") from None
