"""Scenario files (TOML): one practice, one performance year, its inputs and what to optimise.

``read_scenario`` reads the file, its baseline table and its ``[[what_if]]`` variants, checking
every table against its declaration (:mod:`optimizer.inputs.scenario_file`); ``check_scenario`` checks
every id of the scenario and its variants against CMS's catalog of the year. Both report every
problem they find at once, one line each naming the file and the key (or the baseline's row and
column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.collection_types import ADMIN_CLAIMS, CAHPS
from optimizer.errors import InputError, clipped, quoted, raise_problems, suggestion
from optimizer.inputs.baseline import normalise_measure_id
from optimizer.inputs.importers import read_baseline_files
from optimizer.inputs.scenario_file import (
    CATEGORY_MODES,
    FORECAST_LIMITS,  # noqa: F401 - re-exported: the [forecast] keys and ranges
    MAX_WHAT_IFS,
    TRADITIONAL,
    ScenarioFile,
    ScenarioTables,
    baseline_names,
    baseline_path,
    check_option,
    check_tables,
    key_name,
    read_toml,
)
from optimizer.rules.improvement_activities import SPECIAL_STATUSES
from optimizer.rules.parameters import Policy, policy_for_year
from optimizer.rules.payment import ScalingFactors, scaling_factors
from optimizer.scoring.facts import CostMeasureInput, CostSettings, InteroperabilitySettings


@dataclass(frozen=True)
class Practice:
    """Who reports: size, special statuses, Medicare Part B allowed charges, CEHRT."""

    name: str
    clinicians: int
    special_status: tuple[str, ...]
    medicare_part_b_allowed: float
    cehrt: bool
    complex_patient_bonus: float
    multispecialty: bool | None = None
    """Clinicians of several specialties without one clinical focus (None: not said)."""
    specialties: tuple[str, ...] | None = None
    """The practice's specialties in CMS's MVP names (None: not said, every MVP is planned)."""

    def is_small(self, policy: Policy) -> bool:
        """15 or fewer clinicians, or declared small."""
        return self.clinicians <= policy.small_practice_maximum_clinicians or "small" in self.special_status

    def has_special_status(self, policy: Policy) -> bool:
        """Small, rural, HPSA or non-patient-facing: one improvement activity is enough."""
        return self.is_small(policy) or any(status in SPECIAL_STATUSES for status in self.special_status)


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
    forecast: Mapping[str, float] = field(default_factory=dict)
    """The forecast assumptions the ``[forecast]`` table sets (the others keep their defaults)."""
    variant: str | None = None
    rescore_only: bool = False
    """A what-if variant that re-scores the base file's recommended selection instead of re-planning."""
    variant_kind: str | None = None
    """A what-if variant's kind: ``decision`` (a choice, ranked against the base) or ``assumption`` (a
    circumstance, a sensitivity of the plan); see :func:`what_if_kind`."""
    variants: tuple[Scenario, ...] = ()
    """The file's ``[[what_if]]`` variants, each a scenario of its own (a variant has none)."""
    failed_variants: tuple[FailedRead, ...] = ()
    """Read with ``variants_apart``: the variants left out for their problems (``compare`` reports them)."""
    baseline_files: tuple[Path, ...] = ()
    """The files the baseline was read from (``baseline_file`` is the name errors give them)."""

    @property
    def small_practice(self) -> bool:
        """Whether the practice counts as small under the scenario's policy."""
        return self.practice.is_small(self.policy)


@dataclass(frozen=True)
class FailedRead:
    """A ``[[what_if]]`` variant that cannot be used: its position, its name and its problems in one line."""

    position: int
    name: str
    reason: str


DECISION_KEYS: frozenset[tuple[str, ...]] = frozenset(
    {("optimize",), ("pathway",), ("improvement_activities",), ("quality", "reported"), ("title",), ("description",)}
)
"""What a practice decides (a what-if changing only these is a ``decision``): what to optimise and
report, the pathway, the activities. Everything else — PI or cost, payment, policy, the forecast,
the practice, planned rate changes, last year's achievement — is a circumstance (``assumption``)."""


def what_if_kind(changes: Mapping[str, Any]) -> str:
    """The kind of a ``[[what_if]]`` that does not declare one: ``decision`` when every key it sets is a
    decision (:data:`DECISION_KEYS`), else ``assumption``.

    >>> what_if_kind({"optimize": {"pathways": ["traditional"]}})
    'decision'
    >>> what_if_kind({"promoting_interoperability": {"reweighted": True}})
    'assumption'
    >>> what_if_kind({"quality": {"reported": [["236", "ecqm"]], "prior_year_achievement_percent": 60}})
    'assumption'
    """
    def paths(value: Any, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        if isinstance(value, Mapping) and value and not any(prefix[: len(key)] == key for key in DECISION_KEYS if len(key) <= len(prefix)):
            return [path for name, item in value.items() for path in paths(item, (*prefix, str(name)))]
        return [prefix]

    changed = [path for name, value in changes.items() for path in paths(value, (str(name),))]
    decided = all(any(path[: len(key)] == key for key in DECISION_KEYS) for path in changed)
    return "decision" if decided else "assumption"


def read_scenario(path: str | Path, *, variants_apart: bool = False, data_dir: str | Path | None = None) -> Scenario:
    """Read a scenario file, its baseline table and its ``[[what_if]]`` variants, checking every
    key's type, range and choices.

    A variant's tables merge over the file's, key by key; in ``cost`` and
    ``promoting_interoperability`` a variant that sets one of ``score``, ``reweighted`` or
    ``measures`` replaces the base's choice among them. Each baseline table is read once. With
    ``variants_apart`` (``compare``), a variant's problems do not fail the file: the variant is left
    out of ``variants`` and listed in ``failed_variants``. Imported baseline files (QRDA III, QPP JSON)
    are read with the CMS data in ``data_dir`` (the run's ``--data-dir``; None: the default folder).

    Raises
    ------
    InputError
        Every problem in the file (and its variants, unless kept apart) at once, one line each.
    """
    path = Path(path)
    reading = _Reading(path, read_toml(path), variants_apart=variants_apart, data_dir=data_dir)
    return reading.scenario()


@dataclass(frozen=True)
class _Known:
    """The base file's problems (a variant inherits them: they are reported once) and its invalid variants."""

    tables: set[tuple[tuple[str | int, ...], str]]
    policy: set[tuple[str | None, str]]
    invalid_entries: set[str | int]


class _Reading:
    """One scenario file being read: its problems, its baselines, its variants."""

    def __init__(self, path: Path, raw: dict[str, Any], variants_apart: bool = False, data_dir: str | Path | None = None) -> None:
        self.path = path
        self.data_dir = data_dir
        self.file = str(path)
        self.raw = raw
        self.problems: list[InputError] = []
        self.baselines: dict[tuple[Path, ...], tuple[pd.DataFrame, Path] | None] = {}
        self.baseline_problems: dict[tuple[Path, ...], InputError] = {}
        self.variants_apart = variants_apart
        self.variant_problems: dict[int, list[InputError]] = {}
        """With ``variants_apart``: each failing variant's problems, by position."""

    def scenario(self) -> Scenario:
        raw = self.raw
        entries = raw.get("what_if")
        if isinstance(entries, list) and len(entries) > MAX_WHAT_IFS:
            self.problems.append(
                InputError(f"has {len(entries):,} variants; at most {MAX_WHAT_IFS} are allowed", file=self.file, field="what_if")
            )
            raw = {key: value for key, value in raw.items() if key != "what_if"}
        policy, policy_problems = _policy(raw, self.file)
        self.problems.extend(policy_problems)
        tables, errors = check_tables(ScenarioFile, raw, policy=policy, folder=self.path.parent)
        for location, message in errors:
            if self.variants_apart and location[:1] == ("what_if",) and len(location) > 1:
                self.variant_problems.setdefault(int(location[1]), []).append(self._located(location, message))
            else:
                self.problems.append(self._located(location, message))
        if tables is not None:
            base = self._build(tables, policy)
        else:  # the baseline's own problems are reported in the same run, where it is named well
            base = None
            named = raw.get("practice", {}).get("baseline") if isinstance(raw.get("practice"), Mapping) else None
            if isinstance(named, (str, list)) and all(location[:2] != ("practice", "baseline") for location, _ in errors):
                self._baseline(self._baseline_files(named if isinstance(named, str) else tuple(named)))
        known = _Known(
            tables={(location, message) for location, message in errors if location[:1] != ("what_if",)},
            policy={(problem.field, problem.reason) for problem in policy_problems},
            invalid_entries={location[1] for location, _ in errors if location[:1] == ("what_if",) and len(location) > 1},
        )
        variants = self._variants(raw, policy, known)
        raise_problems(self.problems)
        assert base is not None  # without problems, the tables, the policy and the baseline are valid
        failed = tuple(
            FailedRead(position, self._entry_name(position), "; ".join(str(problem) for problem in problems))
            for position, problems in sorted(self.variant_problems.items())
        )
        return replace(base, variants=tuple(variants), failed_variants=failed)

    def _entry_name(self, position: int) -> str:
        entries = self.raw.get("what_if")
        name = _variant_name(entries[position]) if isinstance(entries, list) and position < len(entries) else None
        return name if name is not None else f"what_if[{position}]"

    def _located(self, location: tuple[str | int, ...], message: str, label: str | None = None) -> InputError:
        """A problem at ``location`` of the file; problems inside a named variant name it."""
        entries = self.raw.get("what_if")
        if label is None and location[:1] == ("what_if",) and len(location) > 2 and isinstance(entries, list):
            name = _variant_name(entries[location[1]])  # type: ignore[index]
            if name is not None:
                label, location = self._label(name), location[2:]
        return InputError(message, file=label or self.file, field=key_name(location) or None)

    def _label(self, name: str) -> str:
        return f"{self.file} (what-if {quoted(name)})"

    def _baseline_files(self, value: str | tuple[str, ...]) -> tuple[Path, ...]:
        return tuple(baseline_path(self.path.parent, name) for name in baseline_names(value))

    def _baseline(self, files: tuple[Path, ...]) -> tuple[pd.DataFrame, Path] | None:
        """The baseline table of the files (a table, or imported QRDA III / QPP JSON files) and the name
        its errors give, read once; None (and the problem noted once) when it cannot be used."""
        if files not in self.baselines:
            try:
                table, label = read_baseline_files(files, self.data_dir)
                self.baselines[files] = (table, Path(label))
            except InputError as error:
                self.baselines[files] = None
                self.baseline_problems[files] = error
                self.problems.append(error)
        elif self.baselines[files] is None and self.variants_apart:
            self.problems.append(self.baseline_problems[files])  # each variant naming it fails with it
        return self.baselines[files]

    def _variants(self, raw: Mapping[str, Any], policy: Policy | None, known: _Known) -> list[Scenario]:
        """Each valid ``[[what_if]]`` entry merged over the file's tables and checked; a variant's
        problems that the base file has too are reported once, for the base."""
        entries = raw.get("what_if")
        if not isinstance(entries, list):
            return []
        shared = {key: value for key, value in raw.items() if key != "what_if"}
        names: set[str] = set()
        variants = []
        for position, entry in enumerate(entries):
            if position in known.invalid_entries:
                continue
            before = len(self.problems)
            built = self._variant(position, entry, shared, policy, known, names)
            if built is not None:
                variants.append(built)
            elif self.variants_apart:  # its problems are its own: the file is read without it
                self.variant_problems[position] = self.problems[before:] or [
                    InputError("cannot be used", file=self._label(str(entry["name"])))
                ]
                del self.problems[before:]
        return variants

    def _variant(
        self, position: int, entry: Mapping[str, Any], shared: Mapping[str, Any], policy: Policy | None, known: _Known, names: set[str]
    ) -> Scenario | None:
        """One ``[[what_if]]`` entry merged over the file's tables and checked, or None (its problems noted)."""
        name = entry["name"]
        if name in names:
            self.problems.append(InputError(f"the name {quoted(name)} is used twice", file=self.file, field=f"what_if[{position}].name"))
            return None
        names.add(name)
        label = self._label(name)
        changes = {key: value for key, value in entry.items() if key not in ("name", "rescore_only", "kind")}
        merged = _merge(shared, changes)
        variant_policy, policy_problems = _policy(merged, label) if "policy" in changes else (policy, [])
        self.problems.extend(problem for problem in policy_problems if (problem.field, problem.reason) not in known.policy)
        tables, errors = check_tables(ScenarioFile, merged, policy=variant_policy, folder=self.path.parent)
        for location, message in errors:
            if (location, message) not in known.tables:
                self.problems.append(self._located(location, message, label))
        if tables is None or variant_policy is None:
            return None
        built = self._build(tables, variant_policy, variant=name)
        if built is None:
            return None
        kind = entry.get("kind") or what_if_kind(changes)
        return replace(built, rescore_only=bool(entry.get("rescore_only", False)), variant_kind=kind)

    def _build(self, tables: ScenarioTables, policy: Policy | None, variant: str | None = None) -> Scenario | None:
        """The scenario the tables describe, or None when its policy or baseline cannot be used."""
        files = self._baseline_files(tables.practice.baseline)
        read = self._baseline(files)
        if read is None or policy is None:
            return None
        baseline, baseline_file = read
        practice = tables.practice
        name = tables.title if tables.title is not None else practice.name
        quality = tables.quality
        cost = tables.cost
        interoperability = tables.promoting_interoperability
        activities = tables.improvement_activities
        factors = tables.payment.scaling_factor if tables.payment is not None else None
        optimize = tables.optimize
        return Scenario(
            file=self.path,
            name=name if variant is None else f"{name} — {variant}",
            description=tables.description if tables.description is not None else "",
            performance_year=tables.performance_year,
            pathway=tables.pathway,
            practice=Practice(
                name=practice.name,
                clinicians=practice.clinicians,
                special_status=tuple(practice.special_status),
                medicare_part_b_allowed=practice.medicare_part_b_allowed,
                cehrt=practice.cehrt,
                complex_patient_bonus=practice.complex_patient_bonus,
                multispecialty=practice.multispecialty,
                specialties=practice.specialties,
            ),
            baseline_file=baseline_file,
            baseline_files=files,
            baseline=baseline,
            prior_year_achievement_percent=quality.prior_year_achievement_percent if quality is not None else None,
            reported=quality.reported if quality is not None else None,
            expected_change={normalise_measure_id(key): value for key, value in (tables.expected_change or {}).items()},
            cost=(
                CostSettings(
                    score=cost.score,
                    reweighted=cost.reweighted,
                    measures=tuple(
                        CostMeasureInput(entry.measure_id, entry.expected_value, entry.cases) for entry in cost.measures or ()
                    ),
                    prior_score=cost.prior_score,
                )
                if cost is not None and cost.model_fields_set
                else CostSettings(reweighted=True)
            ),
            promoting_interoperability=(
                InteroperabilitySettings(
                    score=interoperability.score, reweighted=interoperability.reweighted, measures=dict(interoperability.measures or {})
                )
                if interoperability is not None and interoperability.model_fields_set
                else InteroperabilitySettings(reweighted=True)
            ),
            improvement_activities=(
                ActivitySettings(attested=activities.attested, available=activities.available or activities.attested)
                if activities is not None
                else ActivitySettings()
            ),
            scaling=scaling_factors(
                policy,
                low=factors.low if factors is not None else None,
                default=factors.default if factors is not None else None,
                high=factors.high if factors is not None else None,
            ),
            policy=policy,
            optimize=(
                OptimizeSettings(
                    objective=optimize.objective,
                    pathways=optimize.pathways,
                    max_quality_measures=optimize.max_quality_measures,
                    draws=optimize.draws,
                    seed=optimize.seed,
                    require=optimize.require,
                    exclude=optimize.exclude,
                    collection_types=optimize.collection_types,
                    effort_budget_hours=optimize.effort_budget_hours,
                    time_limit_seconds=optimize.time_limit_seconds,
                    solver=optimize.solver,
                )
                if optimize is not None
                else OptimizeSettings()
            ),
            forecast=tables.forecast.model_dump(exclude_none=True) if tables.forecast is not None else {},
            variant=variant,
        )


def _policy(raw: Mapping[str, Any], file: str) -> tuple[Policy | None, list[InputError]]:
    """The year's policy with the ``[policy]`` overrides, or None and the problems when they cannot
    be applied (a key's type problems and unknown keys are the tables' to report)."""
    year = raw.get("performance_year")
    if isinstance(year, bool) or not isinstance(year, int) or year < 2017:
        return None, []
    try:
        policy = policy_for_year(year)
    except KeyError as error:
        return None, [InputError(_reason(error), file=file, field="performance_year")]
    table = raw.get("policy")
    if not isinstance(table, Mapping):
        return policy, []
    names = set(Policy.__dataclass_fields__) - {"performance_year"}
    overrides = {name: value for name, value in table.items() if name in names}
    try:
        return policy.with_overrides(overrides), []
    except (KeyError, TypeError, ValueError) as error:
        problems = []
        for name, value in overrides.items():
            try:
                policy.with_overrides({name: value})
            except (KeyError, TypeError, ValueError) as single:
                problems.append(InputError(_reason(single), file=file, field=f"policy.{name}"))
        return None, problems or [InputError(_reason(error), file=file, field="policy")]


def _variant_name(entry: Any) -> str | None:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name.strip() else None


def _reason(error: Exception) -> str:
    """The message of a rule's error (a ``KeyError``'s without its quotes), cut short if long."""
    return clipped(str(error.args[0]) if error.args else str(error))


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """``base`` with ``override``'s keys, merged table by table (nothing is copied or changed:
    untouched tables are shared); see :func:`read_scenario`."""
    merged = dict(base)
    if path in ("cost", "promoting_interoperability") and any(mode in override for mode in CATEGORY_MODES):
        for mode in CATEGORY_MODES:
            merged.pop(mode, None)
    for key, value in override.items():
        inner = f"{path}.{key}" if path else key
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "measures":
            merged[key] = _merge(merged[key], value, inner)
        else:
            merged[key] = value
    return merged


_OPTIONS: Mapping[str, tuple[str, str]] = {
    "draws": ("--draws", "draws"),
    "seed": ("--seed", "seed"),
    "objective": ("--objective", "objective"),
    "solver": ("--solver", "solver"),
    "time_limit": ("--time-limit", "time_limit_seconds"),
}
"""Command-line overrides: their option and the ``[optimize]`` key whose type and range they take."""


def check_optimize_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The command-line overrides of ``[optimize]`` as ``[optimize]`` keys, each checked like the key.

    Raises
    ------
    InputError
        ``option --seed: expected at least 0, got -1`` (every bad option, one line each).
    """
    checked: dict[str, Any] = {}
    problems = []
    for name, value in overrides.items():
        if value is None:
            continue
        option, key = _OPTIONS[name]
        try:
            checked[key] = check_option(option, key, value)
        except InputError as error:
            problems.append(error)
    raise_problems(problems)
    return checked


def with_optimize_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The scenario (and its variants) with command-line overrides of ``[optimize]`` (draws, seed,
    objective, solver, time limit), each checked like its key."""
    changes = check_optimize_overrides(overrides)
    if not changes:
        return scenario
    variants = tuple(replace(variant, optimize=replace(variant.optimize, **changes)) for variant in scenario.variants)
    return replace(scenario, optimize=replace(scenario.optimize, **changes), variants=variants)


def check_scenario(scenario: Scenario, catalog: Any) -> Scenario:
    """Check every id in the scenario, its variants and their baselines against CMS's catalog of the year.

    Returns the scenario (and its variants) with the baseline's ``expected_change`` column set
    from the ``[expected_change]`` table where given.

    Raises
    ------
    InputError
        Every problem at once, one line each; a variant's problem that the base has too is
        reported once.
    """
    baselines: dict[int, tuple[pd.DataFrame, list[InputError]]] = {}
    problems: list[InputError] = []
    base = _check_one(scenario, catalog, baselines, problems)
    seen = {_problem_key(problem) for problem in problems}
    variants = []
    for variant in scenario.variants:
        found: list[InputError] = []
        variants.append(_check_one(variant, catalog, baselines, found))
        for problem in found:
            if _problem_key(problem) not in seen:
                seen.add(_problem_key(problem))
                problems.append(problem)
    raise_problems(problems)
    return replace(base, variants=tuple(variants))


def _problem_key(problem: InputError) -> tuple[Any, ...]:
    """What a problem says, whichever variant it was found in (the baseline's file counts)."""
    return (problem.row, problem.field, problem.reason, problem.file if problem.row is not None else None)


def _check_one(
    scenario: Scenario, catalog: Any, baselines: dict[int, tuple[pd.DataFrame, list[InputError]]], problems: list[InputError]
) -> Scenario:
    file = str(scenario.file) if scenario.variant is None else f"{scenario.file} (what-if {quoted(scenario.variant)})"

    def problem(message: str, field: str) -> None:
        problems.append(InputError(message, file=file, field=field))

    if catalog.performance_year != scenario.performance_year:
        raise InputError(f"the catalog is for {catalog.performance_year}", file=file, field="performance_year")
    if id(scenario.baseline) not in baselines:
        baselines[id(scenario.baseline)] = _check_baseline(scenario.baseline, catalog, str(scenario.baseline_file))
    checked, baseline_problems = baselines[id(scenario.baseline)]
    problems.extend(baseline_problems)
    mvp_ids = set(catalog.mvps["mvp_id"])
    if scenario.pathway != TRADITIONAL and scenario.pathway not in mvp_ids:
        problem(f"{quoted(scenario.pathway)} is neither 'traditional' nor a {scenario.performance_year} MVP id", "pathway")
    rows = {(row.measure_id, row.collection_type) for row in checked.itertuples()}
    measures = set(checked["measure_id"])
    for measure_id in scenario.expected_change:
        if measure_id not in measures:
            problem(f"measure {clipped(measure_id)} is not in the baseline table", key_name(("expected_change", measure_id)))
    for measure_id, collection_type in scenario.reported or ():
        if (measure_id, collection_type) not in rows:
            problem(f"measure {clipped(measure_id)} ({collection_type}) has no row in the baseline table", "quality.reported")
    for name, pairs in (("require", scenario.optimize.require), ("exclude", scenario.optimize.exclude)):
        for measure_id, collection_type in pairs:
            if measure_id not in measures or (collection_type is not None and (measure_id, collection_type) not in rows):
                label = clipped(measure_id) if collection_type is None else f"{clipped(measure_id)} ({collection_type})"
                problem(f"measure {label} has no row in the baseline table", f"optimize.{name}")
    for pathway in scenario.optimize.pathways or ():
        if pathway != TRADITIONAL and pathway not in mvp_ids:
            problem(f"{quoted(pathway)} is neither 'traditional' nor a {scenario.performance_year} MVP id", "optimize.pathways")
    for name in scenario.practice.specialties or ():
        message = _unknown_specialty(name, catalog.mvp_specialties(), scenario.performance_year)
        if message is not None:
            problem(message, "practice.specialties")
    activity_ids = set(catalog.improvement_activities["measure_id"])
    activities = scenario.improvement_activities
    for name, ids in (("attested", activities.attested), ("available", activities.available)):
        for activity_id in ids:
            if activity_id not in activity_ids:
                problem(f"{clipped(activity_id)} is not a {scenario.performance_year} improvement activity", f"improvement_activities.{name}")
    pi_ids = set(catalog.pi_measures["measure_id"])
    for measure_id in scenario.promoting_interoperability.measures:
        if measure_id not in pi_ids:
            problem(
                f"{clipped(measure_id)} is not a {scenario.performance_year} Promoting Interoperability measure",
                key_name(("promoting_interoperability", "measures", measure_id)),
            )
    cost_ids = set(catalog.cost_measures["measure_id"])
    for position, measure in enumerate(scenario.cost.measures):
        where = f"cost.measures[{position}].measure_id"
        if measure.measure_id not in cost_ids:
            problem(f"{clipped(measure.measure_id)} is not a {scenario.performance_year} cost measure", where)
        elif catalog.benchmark(measure.measure_id, ADMIN_CLAIMS) is None:
            problem(f"{measure.measure_id} has no cost benchmark", where)
    if scenario.expected_change:
        checked = checked.copy()
        changes = checked["measure_id"].map(scenario.expected_change)
        checked["expected_change"] = changes.fillna(checked["expected_change"]).astype(float)
    return replace(scenario, baseline=checked)


def _unknown_specialty(name: str, known: list[str], year: int) -> str | None:
    """Why a ``[practice] specialties`` name is not one CMS lists for the year's MVPs (None when it is)."""
    if name in known:
        return None
    if not known:
        return f"{quoted(name)}: CMS's {year} data lists no specialties for MVPs (leave specialties out)"
    return f"{quoted(name)} is not a specialty CMS lists for a {year} MVP{suggestion(name, known)}"


def _check_baseline(baseline: pd.DataFrame, catalog: Any, file: str) -> tuple[pd.DataFrame, list[InputError]]:
    """The baseline's rows checked against the catalog: a copy, and every problem (one per row at most)."""
    problems = []
    for row in baseline.itertuples():
        measure = catalog.quality_measure(row.measure_id)
        where = {"file": file, "row": row.row}
        if measure is None:
            message = f"measure {clipped(row.measure_id)} is not a {catalog.performance_year} quality measure"
            problems.append(InputError(message, **where, field="measure_id"))
        elif row.collection_type not in measure["collection_types"]:
            allowed = ", ".join(measure["collection_types"])
            message = f"measure {row.measure_id} cannot be reported as {row.collection_type}; it allows {allowed}"
            problems.append(InputError(message, **where, field="collection_type"))
        elif not measure["is_traditional_mips"] and not measure["mvp_ids"]:
            message = f"measure {row.measure_id} is not allowed in traditional MIPS or any MVP"
            problems.append(InputError(message, **where, field="measure_id"))
        elif row.collection_type == CAHPS and row.measure_id == "321":
            message = "give the CAHPS summary survey measures (CAHPS_1 … CAHPS_11) as rows, not 321 itself"
            problems.append(InputError(message, **where, field="measure_id"))
    return baseline.copy(), problems


def what_if_variants(scenario: Scenario) -> list[Scenario]:
    """The scenario's ``[[what_if]]`` variants (read, and checked with it, by :func:`read_scenario`
    and :func:`check_scenario`)."""
    return list(scenario.variants)
