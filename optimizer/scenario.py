"""Scenario files (TOML): one practice, one performance year, its inputs and what to optimise.

``read_scenario`` parses and type-checks the file and its baseline table; ``check_scenario``
checks every id against CMS's catalog of the year. ``what_if_variants`` expands the named
``[[what_if]]`` variants, each a scenario of its own. Every problem is one line naming the file
and the key (or the baseline's row and column).
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.baseline import normalise_measure_id, read_baseline
from optimizer.collection_types import ADMIN_CLAIMS, CAHPS, COLLECTION_TYPES, MEDICARE_PART_B_CLAIMS, ECQM
from optimizer.errors import InputError
from optimizer.rules.improvement_activities import SPECIAL_STATUSES
from optimizer.rules.parameters import Policy, policy_for_year
from optimizer.rules.payment import ScalingFactors, scaling_factors
from optimizer.settings import Table

TRADITIONAL = "traditional"
OBJECTIVES: tuple[str, ...] = ("expected_payment", "expected_score", "threshold_probability")
SOLVERS: tuple[str, ...] = ("highs", "cbc")
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "performance_year",
    "title",
    "description",
    "pathway",
    "practice",
    "quality",
    "cost",
    "promoting_interoperability",
    "improvement_activities",
    "payment",
    "policy",
    "optimize",
    "forecast",
    "expected_change",
    "what_if",
)
FORECAST_LIMITS: Mapping[str, tuple[float, float]] = {
    "persistence": (0.0, 1.0),
    "position_drift": (0.0, 3.0),
    "shared_change": (0.0, 1.0),
    "bad_year_probability": (0.0, 1.0),
    "bad_year_loss": (0.0, 0.5),
    "volume_spread": (0.0, 2.0),
    "completeness_spread": (0.0, 3.0),
    "rate_drift": (0.0, 3.0),
    "benchmark_probability": (0.0, 1.0),
    "prior_met": (0.01, 100.0),
    "prior_not_met": (0.01, 100.0),
}
"""The ``[forecast]`` keys (assumptions of :class:`optimizer.forecast.ForecastSettings`) and their ranges."""
CATEGORY_MODES: tuple[str, ...] = ("score", "reweighted", "measures")


@dataclass(frozen=True)
class Practice:
    """Who reports: size, special statuses, Medicare Part B allowed charges, CEHRT."""

    name: str
    clinicians: int
    special_status: tuple[str, ...]
    medicare_part_b_allowed: float
    cehrt: bool
    complex_patient_bonus: float

    def is_small(self, policy: Policy) -> bool:
        """15 or fewer clinicians, or declared small."""
        return self.clinicians <= policy.small_practice_maximum_clinicians or "small" in self.special_status

    def has_special_status(self, policy: Policy) -> bool:
        """Small, rural, HPSA or non-patient-facing: one improvement activity is enough."""
        return self.is_small(policy) or any(status in SPECIAL_STATUSES for status in self.special_status)


@dataclass(frozen=True)
class CostMeasureInput:
    """An expected cost measure result: the measure's value in its unit (dollars) and its cases."""

    measure_id: str
    expected_value: float
    cases: int


@dataclass(frozen=True)
class CostSettings:
    """The cost category: a given score, reweighted, or expected per-measure values."""

    score: float | None = None
    reweighted: bool = False
    measures: tuple[CostMeasureInput, ...] = ()
    improvement_percent: float = 0.0


@dataclass(frozen=True)
class InteroperabilitySettings:
    """The PI category: a given score, reweighted, or measure results (rate [percent] or yes/no)."""

    score: float | None = None
    reweighted: bool = False
    measures: Mapping[str, float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivitySettings:
    """Improvement activities: attested (what ``score`` scores) and available (what ``plan`` may pick)."""

    attested: tuple[str, ...] = ()
    available: tuple[str, ...] = ()


@dataclass(frozen=True)
class OptimizeSettings:
    """The ``[optimize]`` table of a scenario."""

    objective: str = "expected_payment"
    pathways: tuple[str, ...] | None = None
    max_quality_measures: int = 6
    draws: int = 1000
    seed: int = 1
    require: tuple[tuple[str, str | None], ...] = ()
    exclude: tuple[tuple[str, str | None], ...] = ()
    collection_types: tuple[str, ...] | None = None
    effort_budget_hours: float | None = None
    time_limit_seconds: float | None = None
    solver: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One practice in one performance year, as a scenario file describes it."""

    file: Path
    name: str
    description: str
    performance_year: int
    pathway: str
    practice: Practice
    baseline_file: Path
    baseline: pd.DataFrame
    prior_year_achievement_percent: float | None
    reported: tuple[tuple[str, str], ...] | None
    expected_change: Mapping[str, float]
    cost: CostSettings
    promoting_interoperability: InteroperabilitySettings
    improvement_activities: ActivitySettings
    scaling: ScalingFactors
    policy: Policy
    optimize: OptimizeSettings
    raw: Mapping[str, Any]
    forecast: Mapping[str, float] = field(default_factory=dict)
    """The forecast assumptions the ``[forecast]`` table sets (the others keep their defaults)."""
    variant: str | None = None
    rescore_only: bool = False
    """A what-if variant that re-scores the base file's recommended selection instead of re-planning."""

    @property
    def small_practice(self) -> bool:
        """Whether the practice counts as small under the scenario's policy."""
        return self.practice.is_small(self.policy)


def read_scenario(path: str | Path, raw: Mapping[str, Any] | None = None, variant: str | None = None) -> Scenario:
    """Read a scenario file and its baseline table, checking types and shapes.

    Parameters
    ----------
    path
        The TOML file; the baseline path inside it is relative to this file.
    raw
        Already-parsed (for example merged what-if) contents to use instead of reading ``path``.
    variant
        The what-if variant's name, shown in errors and reports.
    """
    path = Path(path)
    file = str(path) if variant is None else f"{path} (what-if {variant!r})"
    if raw is None:
        raw = _load_toml(path)
    top = Table(file, "", raw)
    top.check_keys(TOP_LEVEL_KEYS)
    year = top.integer("performance_year", minimum=2017)
    try:
        policy = policy_for_year(year)
    except KeyError as error:
        top.fail("performance_year", str(error.args[0]))
    policy = _read_policy(top.table("policy"), policy)
    practice = _read_practice(top.table("practice", required=True), policy)
    baseline_name = top.table("practice").text("baseline")
    baseline_file = (path.parent / baseline_name).resolve() if not Path(baseline_name).is_absolute() else Path(baseline_name)
    if not baseline_file.is_file():
        top.table("practice").fail("baseline", f"the baseline table {baseline_file} does not exist")
    baseline = read_baseline(baseline_file)
    quality = top.table("quality")
    quality.check_keys(("prior_year_achievement_percent", "reported"))
    expected_change = _read_expected_change(top.table("expected_change"))
    name = top.text("title", default=practice.name)
    return Scenario(
        file=path,
        name=name if variant is None else f"{name} — {variant}",
        description=top.text("description", default=""),
        performance_year=year,
        pathway=top.text("pathway", default=TRADITIONAL),
        practice=practice,
        baseline_file=baseline_file,
        baseline=baseline,
        prior_year_achievement_percent=quality.number("prior_year_achievement_percent", default=None, minimum=0, maximum=100),
        reported=_read_reported(quality),
        expected_change=expected_change,
        cost=_read_cost(top.table("cost")),
        promoting_interoperability=_read_interoperability(top.table("promoting_interoperability")),
        improvement_activities=_read_activities(top.table("improvement_activities")),
        scaling=_read_scaling(top.table("payment"), policy),
        policy=policy,
        optimize=_read_optimize(top.table("optimize")),
        raw=raw,
        forecast=_read_forecast(top.table("forecast")),
    )


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError("the scenario file does not exist", file=str(path))
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"is not valid TOML ({error})", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=str(path)) from None


def _read_policy(table: Table, policy: Policy) -> Policy:
    for name, value in table.values.items():
        try:
            policy = policy.with_overrides({name: value})
        except KeyError:
            table.check_keys([item for item in Policy.__dataclass_fields__ if item != "performance_year"])
        except TypeError as error:
            table.fail(name, str(error))
    return policy


def _read_practice(table: Table, policy: Policy) -> Practice:
    table.check_keys(
        ("name", "clinicians", "special_status", "medicare_part_b_allowed", "cehrt", "complex_patient_bonus", "baseline")
    )
    return Practice(
        name=table.text("name"),
        clinicians=table.integer("clinicians", minimum=1),
        special_status=table.text_list("special_status", default=(), choices=SPECIAL_STATUSES),
        medicare_part_b_allowed=table.number("medicare_part_b_allowed", minimum=0),
        cehrt=table.boolean("cehrt", default=False),
        complex_patient_bonus=table.number(
            "complex_patient_bonus", default=0.0, minimum=0, maximum=policy.complex_patient_bonus_maximum
        ),
    )


def _read_pair(table: Table, name: str, item: Any, collection_type_required: bool) -> tuple[str, str | None]:
    if isinstance(item, (str, int)) and not isinstance(item, bool) and not collection_type_required:
        return normalise_measure_id(item), None
    if (
        isinstance(item, list)
        and len(item) == 2
        and all(isinstance(part, (str, int)) and not isinstance(part, bool) for part in item)
    ):
        collection_type = str(item[1])
        if collection_type not in COLLECTION_TYPES:
            table.fail(name, f"collection type {collection_type!r} is not one of {', '.join(COLLECTION_TYPES)}")
        return normalise_measure_id(item[0]), collection_type
    expected = '["236", "ecqm"]' if collection_type_required else '"236" or ["236", "ecqm"]'
    table.fail(name, f"expected items like {expected}, got {item!r}")


def _read_reported(table: Table) -> tuple[tuple[str, str], ...] | None:
    if not table.has("reported"):
        return None
    value = table.values["reported"]
    if not isinstance(value, list):
        table.fail("reported", 'expected a list of [measure_id, collection_type] pairs, like [["236", "ecqm"]]')
    pairs = [_read_pair(table, "reported", item, collection_type_required=True) for item in value]
    measure_ids = [measure_id for measure_id, _ in pairs]
    for measure_id in measure_ids:
        if measure_ids.count(measure_id) > 1:
            table.fail("reported", f"measure {measure_id} is listed twice; a measure counts once (its best collection type)")
    return tuple((measure_id, str(collection_type)) for measure_id, collection_type in pairs)


def _read_expected_change(table: Table) -> dict[str, float]:
    return {
        normalise_measure_id(name): table.number(name, minimum=-100, maximum=100) for name in table.values
    }


def _read_mode(table: Table) -> tuple[float | None, bool]:
    modes = [mode for mode in CATEGORY_MODES if table.has(mode) and not (mode == "reweighted" and table.values[mode] is False)]
    if len(modes) > 1:
        table.fail(modes[1], f"give only one of {', '.join(CATEGORY_MODES)} (found {' and '.join(modes)})")
    return table.number("score", default=None, minimum=0, maximum=100), bool(table.boolean("reweighted", default=False))


def _read_cost(table: Table) -> CostSettings:
    table.check_keys(CATEGORY_MODES + ("improvement_percent",))
    score, reweighted = _read_mode(table)
    measures: list[CostMeasureInput] = []
    if table.has("measures"):
        value = table.values["measures"]
        if not isinstance(value, list) or not value:
            table.fail("measures", "expected a list of tables like { measure_id = \"TPCC_1\", expected_value = 1650.0, cases = 180 }")
        for position, item in enumerate(value):
            entry = Table(table.file, f"{table.key('measures')}[{position}]", item if isinstance(item, Mapping) else {})
            if not isinstance(item, Mapping):
                table.fail("measures", f"item {position} is not a table")
            entry.check_keys(("measure_id", "expected_value", "cases"))
            measures.append(
                CostMeasureInput(
                    measure_id=entry.text("measure_id"),
                    expected_value=entry.number("expected_value", minimum=0),
                    cases=entry.integer("cases", minimum=0),
                )
            )
    if score is None and not reweighted and not measures:
        return CostSettings(reweighted=True) if not table.values else table.fail(
            "score", "give the cost score, reweighted = true, or a measures list"
        )
    return CostSettings(
        score=score,
        reweighted=reweighted,
        measures=tuple(measures),
        improvement_percent=table.number("improvement_percent", default=0.0, minimum=0),
    )


def _read_interoperability(table: Table) -> InteroperabilitySettings:
    table.check_keys(CATEGORY_MODES)
    score, reweighted = _read_mode(table)
    responses: dict[str, float | bool] = {}
    if table.has("measures"):
        measures = table.table("measures")
        for measure_id, value in measures.values.items():
            if isinstance(value, bool):
                responses[measure_id] = value
            elif isinstance(value, (int, float)):
                responses[measure_id] = measures.number(measure_id, minimum=0, maximum=100)
            elif isinstance(value, Mapping):
                pair = measures.table(measure_id)
                pair.check_keys(("numerator", "denominator"))
                numerator = pair.integer("numerator", minimum=0)
                denominator = pair.integer("denominator", minimum=1)
                if numerator > denominator:
                    pair.fail("numerator", f"exceeds the denominator ({numerator} > {denominator})")
                responses[measure_id] = 100.0 * numerator / denominator
            else:
                measures.fail(measure_id, "expected true/false, a rate in percent, or { numerator, denominator }")
    if score is None and not reweighted and not responses:
        if table.values:
            table.fail("score", "give the PI score, reweighted = true, or a measures table")
        return InteroperabilitySettings(reweighted=True)
    return InteroperabilitySettings(score=score, reweighted=reweighted, measures=responses)


def _read_activities(table: Table) -> ActivitySettings:
    table.check_keys(("attested", "available"))
    attested = table.text_list("attested", default=())
    available = table.text_list("available", default=())
    return ActivitySettings(attested=attested, available=available or attested)


def _read_scaling(table: Table, policy: Policy) -> ScalingFactors:
    table.check_keys(("scaling_factor",))
    factors = table.table("scaling_factor")
    factors.check_keys(("low", "default", "high"))
    try:
        return scaling_factors(
            policy,
            low=factors.number("low", default=None),
            default=factors.number("default", default=None),
            high=factors.number("high", default=None),
        )
    except ValueError as error:
        table.fail("scaling_factor", str(error))


def _read_optimize(table: Table) -> OptimizeSettings:
    table.check_keys(
        (
            "objective",
            "pathways",
            "max_quality_measures",
            "draws",
            "seed",
            "require",
            "exclude",
            "collection_types",
            "effort_budget_hours",
            "time_limit_seconds",
            "solver",
        )
    )
    pathways: tuple[str, ...] | None = None
    if table.has("pathways"):
        value = table.values["pathways"]
        if value != "all":
            pathways = table.text_list("pathways")
            if not pathways:
                table.fail("pathways", 'expected "all" or a non-empty list such as ["traditional", "M0005"]')

    def pairs(name: str) -> tuple[tuple[str, str | None], ...]:
        value = table.values.get(name, [])
        if not isinstance(value, list):
            table.fail(name, 'expected a list such as ["236", ["001", "ecqm"]]')
        return tuple(_read_pair(table, name, item, collection_type_required=False) for item in value)

    return OptimizeSettings(
        objective=table.text("objective", default="expected_payment", choices=OBJECTIVES),
        pathways=pathways,
        max_quality_measures=table.integer("max_quality_measures", default=6, minimum=1, maximum=30),
        draws=table.integer("draws", default=1000, minimum=0, maximum=100_000),
        seed=table.integer("seed", default=1, minimum=0),
        require=pairs("require"),
        exclude=pairs("exclude"),
        collection_types=table.text_list("collection_types", default=None, choices=COLLECTION_TYPES),
        effort_budget_hours=table.number("effort_budget_hours", default=None, minimum=0),
        time_limit_seconds=table.number("time_limit_seconds", default=None, minimum=0.1),
        solver=table.text("solver", default=None, choices=SOLVERS),
    )


def _read_forecast(table: Table) -> dict[str, float]:
    table.check_keys(tuple(FORECAST_LIMITS))
    return {name: table.number(name, minimum=low, maximum=high) for name, (low, high) in FORECAST_LIMITS.items() if table.has(name)}


def with_optimize_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The scenario with command-line overrides of ``[optimize]`` (draws, seed, objective, solver, time limit)."""
    names = {"time_limit": "time_limit_seconds"}
    changes = {names.get(key, key): value for key, value in overrides.items() if value is not None}
    if "draws" in changes and changes["draws"] < 0:
        raise InputError("--draws must be 0 or more")
    return replace(scenario, optimize=replace(scenario.optimize, **changes)) if changes else scenario


def check_scenario(scenario: Scenario, catalog: Any) -> Scenario:
    """Check every id in the scenario and its baseline against CMS's catalog of the year.

    Returns the scenario with the baseline's ``expected_change`` column set from the scenario's
    ``[expected_change]`` table where given.
    """
    file = str(scenario.file) if scenario.variant is None else f"{scenario.file} (what-if {scenario.variant!r})"
    if catalog.performance_year != scenario.performance_year:
        raise InputError(f"the catalog is for {catalog.performance_year}", file=file, field="performance_year")
    baseline = _check_baseline(scenario.baseline, catalog, str(scenario.baseline_file), scenario)
    if scenario.pathway != TRADITIONAL and scenario.pathway not in set(catalog.mvps["mvp_id"]):
        raise InputError(f"{scenario.pathway!r} is neither 'traditional' nor a {scenario.performance_year} MVP id", file=file, field="pathway")
    rows = {(row.measure_id, row.collection_type) for row in baseline.itertuples()}
    measures = set(baseline["measure_id"])
    for measure_id in scenario.expected_change:
        if measure_id not in measures:
            raise InputError(f"measure {measure_id} is not in the baseline table", file=file, field=f"expected_change.{measure_id}")
    for measure_id, collection_type in scenario.reported or ():
        if (measure_id, collection_type) not in rows:
            raise InputError(
                f"measure {measure_id} ({collection_type}) has no row in the baseline table", file=file, field="quality.reported"
            )
    for name, pairs in (("require", scenario.optimize.require), ("exclude", scenario.optimize.exclude)):
        for measure_id, collection_type in pairs:
            if measure_id not in measures or (collection_type is not None and (measure_id, collection_type) not in rows):
                label = measure_id if collection_type is None else f"{measure_id} ({collection_type})"
                raise InputError(f"measure {label} has no row in the baseline table", file=file, field=f"optimize.{name}")
    for pathway in scenario.optimize.pathways or ():
        if pathway != TRADITIONAL and pathway not in set(catalog.mvps["mvp_id"]):
            raise InputError(f"{pathway!r} is neither 'traditional' nor a {scenario.performance_year} MVP id", file=file, field="optimize.pathways")
    activity_ids = set(catalog.improvement_activities["measure_id"])
    for name, ids in (("attested", scenario.improvement_activities.attested), ("available", scenario.improvement_activities.available)):
        for activity_id in ids:
            if activity_id not in activity_ids:
                raise InputError(
                    f"{activity_id} is not a {scenario.performance_year} improvement activity", file=file, field=f"improvement_activities.{name}"
                )
    pi_ids = set(catalog.pi_measures["measure_id"])
    for measure_id in scenario.promoting_interoperability.measures:
        if measure_id not in pi_ids:
            raise InputError(
                f"{measure_id} is not a {scenario.performance_year} Promoting Interoperability measure",
                file=file,
                field=f"promoting_interoperability.measures.{measure_id}",
            )
    cost_ids = set(catalog.cost_measures["measure_id"])
    for position, measure in enumerate(scenario.cost.measures):
        if measure.measure_id not in cost_ids:
            raise InputError(
                f"{measure.measure_id} is not a {scenario.performance_year} cost measure", file=file, field=f"cost.measures[{position}].measure_id"
            )
        if catalog.benchmark(measure.measure_id, ADMIN_CLAIMS) is None:
            raise InputError(f"{measure.measure_id} has no cost benchmark", file=file, field=f"cost.measures[{position}].measure_id")
    return replace(scenario, baseline=baseline)


def _check_baseline(baseline: pd.DataFrame, catalog: Any, file: str, scenario: Scenario) -> pd.DataFrame:
    for row in baseline.itertuples():
        measure = catalog.quality_measure(row.measure_id)
        if measure is None:
            raise InputError(
                f"measure {row.measure_id} is not a {catalog.performance_year} quality measure", file=file, row=row.row, field="measure_id"
            )
        if row.collection_type not in measure["collection_types"]:
            allowed = ", ".join(measure["collection_types"])
            raise InputError(
                f"measure {row.measure_id} cannot be reported as {row.collection_type}; it allows {allowed}",
                file=file,
                row=row.row,
                field="collection_type",
            )
        if not measure["is_traditional_mips"] and not measure["mvp_ids"]:
            raise InputError(
                f"measure {row.measure_id} is not allowed in traditional MIPS or any MVP", file=file, row=row.row, field="measure_id"
            )
        if row.collection_type == CAHPS and row.measure_id == "321":
            raise InputError(
                "give the CAHPS summary survey measures (CAHPS_1 … CAHPS_11) as rows, not 321 itself",
                file=file,
                row=row.row,
                field="measure_id",
            )
    baseline = baseline.copy()
    if scenario.expected_change:
        changes = baseline["measure_id"].map(scenario.expected_change)
        baseline["expected_change"] = changes.fillna(baseline["expected_change"]).astype(float)
    return baseline


def collection_type_allowed(collection_type: str, practice: Practice, policy: Policy) -> str | None:
    """Why a practice may not use a collection type, or None when it may (rules file §12)."""
    if collection_type == MEDICARE_PART_B_CLAIMS and not practice.is_small(policy):
        return "Medicare Part B claims measures are for small practices only"
    if collection_type == ECQM and not practice.cehrt:
        return "eCQMs need certified EHR technology"
    return None


def what_if_variants(scenario: Scenario) -> list[Scenario]:
    """The scenario's ``[[what_if]]`` variants, each merged over the base file and read again.

    Tables merge key by key; in ``cost`` and ``promoting_interoperability`` a variant that sets one
    of ``score``, ``reweighted`` or ``measures`` replaces the base's choice among them.
    """
    entries = scenario.raw.get("what_if", [])
    file = str(scenario.file)
    if not isinstance(entries, list):
        raise InputError("expected [[what_if]] tables", file=file, field="what_if")
    variants = []
    names: set[str] = set()
    for position, entry in enumerate(entries):
        table = Table(file, f"what_if[{position}]", entry if isinstance(entry, Mapping) else {})
        if not isinstance(entry, Mapping):
            raise InputError("expected a table", file=file, field=f"what_if[{position}]")
        name = table.text("name")
        if name in names:
            table.fail("name", f"the name {name!r} is used twice")
        names.add(name)
        allowed = [key for key in TOP_LEVEL_KEYS if key not in ("what_if", "performance_year")] + ["name", "rescore_only"]
        table.check_keys(allowed)
        rescore_only = table.boolean("rescore_only", default=False)
        merged = _merge(scenario.raw, {key: value for key, value in entry.items() if key not in ("name", "rescore_only")})
        merged.pop("what_if", None)
        variant = read_scenario(scenario.file, raw=merged, variant=name)
        variants.append(replace(variant, variant=name, rescore_only=rescore_only))
    return variants


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    if path in ("cost", "promoting_interoperability") and any(mode in override for mode in CATEGORY_MODES):
        for mode in CATEGORY_MODES:
            merged.pop(mode, None)
    for key, value in override.items():
        inner = f"{path}.{key}" if path else key
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "measures":
            merged[key] = _merge(merged[key], value, inner)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
