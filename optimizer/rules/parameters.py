"""The policy parameters of one performance year: every number a rule uses, named, sourced, overridable.

Each parameter carries its default, its source, whether the source confirms it
(docs/rules-2026.md §11; the rule each one holds is stated in the section its source names) and the
values it may take. A scenario's ``[policy]`` table
overrides any of them by name, within that range, so a later correction of an UNCONFIRMED rule is a
one-line change.

Rule functions never hold a literal policy number: they take a :class:`Policy`.
"""

from __future__ import annotations

import dataclasses
import math
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

TRADITIONAL = "traditional"
"""The pathway id of traditional MIPS (an MVP's id is CMS's, such as ``M0005``)."""


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
        frozenset({_Q}): _weights(0, 30, 15, 55),
        frozenset({_IA}): _weights(45, 30, 0, 25),
        frozenset({_C, _PI}): _weights(85, 0, 15, 0),
        frozenset({_C, _Q}): _weights(0, 0, 15, 85),
        frozenset({_C, _IA}): _weights(70, 0, 0, 30),
        frozenset({_PI, _Q}): _weights(0, 50, 50, 0),
        frozenset({_PI, _IA}): _weights(70, 30, 0, 0),
        frozenset({_Q, _IA}): _weights(0, 30, 0, 70),
    }
)
"""Category weights [percent] by the set of categories reweighted to 0% (Quality/Cost/IA/PI), for
practices that are not small (and small practices outside the rows below). 42 CFR
414.1380(c)(2)(ii)(F), from the 2024 payment year (docs/rules-2026.md §1.2; the check of the
regulation corrected the rows {Q}, {C, Q}, {PI, Q} and {Q, IA})."""

SMALL_PRACTICE_REDISTRIBUTION: Mapping[frozenset[str], Mapping[str, float]] = _frozen(
    {
        frozenset({_PI}): _weights(40, 30, 30, 0),
        frozenset({_PI, _C}): _weights(50, 0, 50, 0),
        frozenset({_PI, _Q}): _weights(0, 50, 50, 0),
        frozenset({_PI, _IA}): _weights(70, 30, 0, 0),
    }
)
"""Small-practice weights [percent] when PI is reweighted: 42 CFR 414.1380(c)(2)(ii)(G), from the
2024 payment year (docs/rules-2026.md §1.2). Only the {PI} and {PI, Cost} rows
differ from the standard table; {PI, Quality} and {PI, IA} (corrected from 50/50/0/0) equal it."""

PROCEDURAL_EPISODE_COST_MEASURES: tuple[str, ...] = (
    "COST_AKID_1", "COST_CCLI_1", "COST_CRR_1", "COST_EOPCI_1", "COST_FIHR_1", "COST_HAC_1", "COST_IOL_1",
    "COST_KA_1", "COST_LPMSM_1", "COST_LSFDD_1", "COST_MR_1", "COST_NECABG_1", "COST_PHA_1", "COST_RUSST_1",
    "COST_SSC_1",
)
"""The procedural episode-based cost measures of 2026: those whose description in CMS's
``measures/2026/measures-data.json`` reads "This procedural measure includes costs …" (acute
inpatient medical condition and chronic condition episodes say so instead). Their case minimum is
10 episodes (RevEHR cost-measures page; docs/rules-2026.md §3)."""

PI_REQUIRED_ATTESTATIONS: tuple[str, ...] = ("PI_PPHI_1", "PI_PPHI_2", "PI_ONCDIR_1", "PI_INFBLO_1")
"""Attestations that must be 'yes' or the PI category scores 0 (docs/rules-2026.md §5: security risk
analysis, SAFER guides, ONC direct review, information blocking; the SAFER 'yes' is UNCONFIRMED)."""


CONFIRMED = "confirmed"
THIRD_PARTY_CONFIRMED = "3P-confirmed"
UNCONFIRMED = "UNCONFIRMED"
STATUSES: tuple[str, ...] = (CONFIRMED, THIRD_PARTY_CONFIRMED, UNCONFIRMED)
"""How far a parameter's source confirms it: the regulation or CMS's data (``confirmed``), third
parties agreeing with each other (``3P-confirmed``), or a reading no source pins down."""


@dataclass(frozen=True)
class ValueRange:
    """The values a parameter may take: numbers from ``lowest`` (excluded when ``above``) to
    ``highest`` (each value of a table), or one of ``choices`` for text; None bounds are open."""

    lowest: float | None = None
    highest: float | None = None
    above: bool = False
    choices: tuple[str, ...] = ()

    def contains(self, value: Any) -> bool:
        """Whether one value (a number, or text when ``choices`` are given) is allowed."""
        if self.choices:
            return value in self.choices
        if not math.isfinite(value):
            return False
        if self.lowest is not None and (value < self.lowest or (self.above and value == self.lowest)):
            return False
        return self.highest is None or value <= self.highest

    def describe(self) -> str:
        """``more than 0 and at most 100``, ``from 1 to 30``, ``at least 1``, ``one of a, b``."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        low = None if self.lowest is None else f"{self.lowest:g}"
        high = None if self.highest is None else f"{self.highest:g}"
        if self.above:
            return f"more than {low}" + (f" and at most {high}" if high else "")
        if low is not None and high is not None:
            return f"from {low} to {high}"
        return f"at least {low}" if low is not None else f"at most {high}" if high is not None else "any finite number"


def _from(lowest: float, highest: float | None = None) -> ValueRange:
    return ValueRange(lowest, highest)


def _above(lowest: float, highest: float | None = None) -> ValueRange:
    return ValueRange(lowest, highest, above=True)


PERCENT = _from(0, 100)
POINTS = _from(0, 10)
COUNT = _from(1)


@dataclass(frozen=True)
class ParameterInfo:
    """Where a parameter's default comes from, how far that source confirms it, and its valid values
    (None: text lists and booleans, checked by type only)."""

    source: str
    status: str
    valid: ValueRange | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    @property
    def confirmed(self) -> bool:
        """Confirmed by the regulation, CMS's data or agreeing third parties."""
        return self.status != UNCONFIRMED


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
        default_factory=lambda: _frozen(
            {"TPCC_1": 20, "MSPB_1": 35} | {measure_id: 10 for measure_id in PROCEDURAL_EPISODE_COST_MEASURES}
        )
    )
    cost_default_case_minimum: int = 20
    cost_improvement_scale: float = 1.0
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
        """A copy with the named parameters replaced.

        Raises
        ------
        KeyError
            An unknown name.
        TypeError
            A value of the wrong type.
        ValueError
            A value outside the parameter's range (:data:`PARAMETER_SOURCES`), one line naming both.
        """
        known = {item.name: item for item in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known or name == "performance_year":
                raise KeyError(name)
            current = getattr(self, name)
            changes[name] = _coerce_like(current, value, name, whole_values=str(known[name].type).endswith("int]"))
            _check_range(name, changes[name], PARAMETER_SOURCES[name].valid)
        if "category_weights" in changes and abs(sum(changes["category_weights"].values()) - 100) > 1e-9:
            raise TypeError("category_weights must add up to 100")
        changed = dataclasses.replace(self, **changes)
        if changed.performance_threshold >= changed.final_score_maximum:
            raise ValueError(
                f"expected performance_threshold ({changed.performance_threshold:g}) below final_score_maximum "
                f"({changed.final_score_maximum:g})"
            )
        return changed

    def redistribution_row(self, reweighted: frozenset[str], small_practice: bool) -> Mapping[str, float] | None:
        """The weights row for a set of reweighted categories, or None when the tables have none."""
        if not reweighted:
            return self.category_weights
        if small_practice and PROMOTING_INTEROPERABILITY in reweighted and reweighted in self.small_practice_redistribution:
            return self.small_practice_redistribution[reweighted]
        return self.standard_redistribution.get(reweighted)


def _check_range(name: str, value: Any, valid: ValueRange | None) -> None:
    """Refuse a value (or a table's value) outside the parameter's range, naming the key and the range."""
    if valid is None:
        return
    items = value.items() if isinstance(value, Mapping) else [(None, value)]
    for key, item in items:
        if not valid.contains(item):
            where = name if key is None else f"{name}.{key}"
            raise ValueError(f"{where} must be {valid.describe()}, got {item!r}")


def _coerce_like(current: Any, value: Any, name: str, whole_values: bool = False) -> Any:
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
        whole = whole_values  # a table of counts (case minimums, clinicians)
        for key, item in value.items():
            if key not in current and name in ("category_weights", "pi_points"):
                raise TypeError(f"{name} has no entry {key!r}")
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise TypeError(f"{name}.{key} expects a number")
            if whole and not isinstance(item, int):
                raise TypeError(f"{name}.{key} expects a whole number")
            merged[key] = item if whole else float(item)
        return _frozen(merged)
    raise TypeError(f"{name} cannot be overridden")


_CFR = "42 CFR"
_RULES = "docs/rules-2026.md"
_C, _3P, _U = CONFIRMED, THIRD_PARTY_CONFIRMED, UNCONFIRMED
_TABLE = None  # redistribution tables: not overridable
PARAMETER_SOURCES: Mapping[str, ParameterInfo] = _frozen(
    {
        "category_weights": ParameterInfo(f"{_CFR} 414.1330(b)(5); {_RULES} §1.1", _C, PERCENT),
        "standard_redistribution": ParameterInfo(f"{_CFR} 414.1380(c)(2)(ii)(F) (from PaY2024); {_RULES} §1.2", _C, _TABLE),
        "small_practice_redistribution": ParameterInfo(f"{_CFR} 414.1380(c)(2)(ii)(G) (from PaY2024); {_RULES} §1.2", _C, _TABLE),
        "final_score_maximum": ParameterInfo(f"final score capped at 100; {_RULES} §7.1", _C, _above(0, 100)),
        "complex_patient_bonus_maximum": ParameterInfo(f"up to 10 points (Acmeware); {_RULES} §7.1", _C, PERCENT),
        "minimum_scored_categories": ParameterInfo(
            f"{_CFR} 414.1380(c): fewer than two scored categories ⇒ final score = performance threshold; {_RULES} §1.2", _C, _from(1, 4)
        ),
        "performance_threshold": ParameterInfo(f"CY2026 PFS final rule, 90 FR 49266; {_RULES} §7.2", _C, _above(0, 100)),
        "applicable_percent": ParameterInfo(f"{_CFR} 414.1405(c); {_RULES} §7.2", _C, PERCENT),
        "negative_floor_fraction_of_threshold": ParameterInfo(f"{_CFR} 414.1405(b)(2); {_RULES} §7.2", _C, _from(0, 1)),
        "scaling_factor_low": ParameterInfo(f"PY2024 maximum +1.05% (Healthmonix); {_RULES} §7.3", _C, _above(0, 3)),
        "scaling_factor_high": ParameterInfo(f"PY2023 maximum +2.15% (Healthmonix); {_RULES} §7.3", _C, _above(0, 3)),
        "scaling_factor_default": ParameterInfo(f"midpoint of the published range (CY2026 RIA not read); {_RULES} §7.3", _U, _above(0, 3)),
        "scaling_factor_maximum": ParameterInfo(f"{_CFR} 414.1405(b)(3): not above 3.0; {_RULES} §7.2", _C, _above(0, 3)),
        "data_completeness_threshold": ParameterInfo(f"{_CFR} 414.1340(a)(4): 75%; {_RULES} §2.3", _C, PERCENT),
        "case_minimum": ParameterInfo(f"{_CFR} 414.1380(b)(1)(iii): 20; {_RULES} §2.3", _C, COUNT),
        "admin_claims_case_minimums": ParameterInfo(
            f"479: 200 (2017-era text); 484, 480, 492: recollection (2026 MIFs not read); {_RULES} §2.7", _U, COUNT
        ),
        "admin_claims_minimum_clinicians": ParameterInfo(f"479 scored only for groups of 16+ clinicians; {_RULES} §2.7", _U, COUNT),
        "points_outside_lowest_percentile": ParameterInfo(
            f"{_CFR} 414.1380(b)(1)(i): 'between 1 and 10 measure achievement points'; {_RULES} §2.2", _C, POINTS
        ),
        "top_decile_points": ParameterInfo(f"decile 10 is a flat 10 (published CSV '>= p90'); {_RULES} §2.2", _C, POINTS),
        "seven_point_cap": ParameterInfo(f"benchmarks-schema isToppedOutByProgram: 'cap the score at 7 points'; {_RULES} §2.4", _C, POINTS),
        "not_scoreable_points": ParameterInfo(f"CY2024 PFS final rule, 88 FR 79123; {_RULES} §2.3", _C, POINTS),
        "small_practice_not_scoreable_points": ParameterInfo(f"CY2024 PFS final rule, 88 FR 79123; {_RULES} §2.3", _C, POINTS),
        "new_measure_first_year_floor": ParameterInfo(f"{_CFR} 414.1380(b)(1)(i)(A)(3), (C); {_RULES} §2.3", _C, POINTS),
        "new_measure_second_year_floor": ParameterInfo(f"{_CFR} 414.1380(b)(1)(i)(A)(3), (C); {_RULES} §2.3", _C, POINTS),
        "new_measure_floor_lifts_benchmarked_scores": ParameterInfo(
            f"{_CFR} 414.1380(b)(1)(i)(C): 7–10 in year 1, 5–10 in year 2; {_RULES} §2.3", _C
        ),
        "small_practice_maximum_clinicians": ParameterInfo(f"small practice: 15 or fewer clinicians; {_RULES} §2.3", _C, COUNT),
        "outcome_measure_types": ParameterInfo(f"outcome, intermediate outcome, PRO count as outcome; {_RULES} §2.10", _C),
        "points_per_measure": ParameterInfo(f"10 points per required measure; {_RULES} §2.9", _C, _above(0, 100)),
        "traditional_required_measures": ParameterInfo(f"six quality measures; {_RULES} §2.9", _C, _from(1, 30)),
        "mvp_required_measures": ParameterInfo(f"four MVP quality measures; {_RULES} §6", _C, _from(1, 30)),
        "small_practice_bonus": ParameterInfo(f"+6 points, {_CFR} 414.1380(b)(1)(v)(C) (CMS engine smallPracticeBonus: 6); {_RULES} §2.11", _C, PERCENT),
        "improvement_scale": ParameterInfo(
            f"improvement = 10% × increase / prior achievement; {_CFR} 414.1380(b)(1)(vi)(C)(2); {_RULES} §2.12", _C, _above(0, 100)
        ),
        "improvement_maximum": ParameterInfo(f"up to 10 percentage points; {_CFR} 414.1380(b)(1)(vi)(B); {_RULES} §2.12", _C, PERCENT),
        "improvement_prior_floor": ParameterInfo(
            f"a prior score at or below 30% is taken as 30% (numerator and denominator); {_CFR} 414.1380(b)(1)(vi)(C)(4); {_RULES} §2.12",
            _C,
            _above(0, 100),
        ),
        "improvement_requires_full_participation": ParameterInfo(
            f"all required measures, outcome/high priority, data completeness; {_CFR} 414.1380(b)(1)(vi)(C)(5), (F); {_RULES} §2.12", _C
        ),
        "mvp_population_health_rule": ParameterInfo(
            f"best scoreable foundation measure (479, 484) added, +10 denominator; 2026 selection mechanism unread; {_RULES} §6",
            _U,
            ValueRange(choices=("best_scoreable",)),
        ),
        "cost_case_minimums": ParameterInfo(
            f"TPCC 20, MSPB 35, procedural episodes 10 (RevEHR, Qsource; pre-2026); {_RULES} §3", _3P, COUNT
        ),
        "cost_default_case_minimum": ParameterInfo(
            f"acute inpatient medical condition episodes 20 (RevEHR; pre-2026), chronic-condition measures assumed the same; {_RULES} §3",
            _3P,
            COUNT,
        ),
        "cost_improvement_scale": ParameterInfo(
            f"category level: max(0, (score − prior) / prior) × 1 percentage point; {_CFR} 414.1380(b)(2)(iv); {_RULES} §3", _C, PERCENT
        ),
        "cost_improvement_maximum": ParameterInfo(f"at most 1 percentage point from PaY2025; {_CFR} 414.1380(b)(2)(iv); {_RULES} §3", _C, PERCENT),
        "activities_required": ParameterInfo(f"two activities from PY2025 (DataBrackets; CY2025 rule); {_RULES} §4", _C, _from(1, 10)),
        "special_status_activities_required": ParameterInfo(f"one for small, rural, HPSA, non-patient-facing; {_RULES} §4", _C, _from(1, 10)),
        "mvp_activities_required": ParameterInfo(f"one activity in an MVP (Healthmonix 2025; 2026 carried forward); {_RULES} §6", _3P, _from(1, 10)),
        "full_credit_activities": ParameterInfo(f"IA_PCMH gives full credit (Graphium); {_RULES} §4", _C),
        "pi_required_attestations": ParameterInfo(
            f"SRA, SAFER, ONC direct review, information blocking: required (measures-data 2026); a SAFER 'no' zeroing PI unread; {_RULES} §5",
            _U,
        ),
        "pi_points": ParameterInfo(
            f"10/10/15+15 or 30/25/25 + 5 bonus: {_CFR} 414.1380(b)(4)(ii)(B)–(C), measures-data 2026, Polaris; {_RULES} §5", _C, PERCENT
        ),
        "pi_category_maximum": ParameterInfo(f"PI category capped at 100; {_RULES} §5", _C, _above(0, 100)),
    }
)
"""Source and confidence of every overridable parameter (docs/rules-2026.md §11)."""

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
