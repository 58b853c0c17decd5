"""The scenario file's tables, declared once as pydantic models: keys, types, defaults, ranges, choices.

``read_toml`` parses a scenario file with bounded nesting; ``check_tables`` validates its tables
and returns every problem at once, each an :class:`InputError` naming the file and the key in the
project's words (``scenario.toml, field 'practice.clinicians': expected a whole number, got
'eight'``); ``scenario_json_schema`` is the JSON Schema editors use to complete and check scenario
files (``mips-optimizer schema``). :mod:`optimizer.inputs.scenario` turns the validated tables into the
:class:`~optimizer.inputs.scenario.Scenario` the rest of the program reads.

Checks that need more than one key (one of ``score``, ``reweighted``, ``measures``; a numerator
above its denominator; a pair listed twice) are model validators; checks that need the year's
policy (the complex patient bonus maximum, the scaling-factor bounds) or the file's folder (the
baseline exists) read them from the validation context.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import ErrorDetails, PydanticCustomError

from optimizer.collection_types import COLLECTION_TYPES
from optimizer.errors import InputError, clipped, quoted, suggestion
from optimizer.inputs.baseline import normalise_measure_id
from optimizer.rules.improvement_activities import SPECIAL_STATUSES
from optimizer.rules.parameters import PARAMETER_SOURCES, TRADITIONAL, Policy
from optimizer.rules.payment import scaling_factors

OBJECTIVES: tuple[str, ...] = ("expected_payment", "expected_score", "threshold_probability")
SOLVERS: tuple[str, ...] = ("highs", "cbc")
CATEGORY_MODES: tuple[str, ...] = ("score", "reweighted", "measures")
MAX_WHAT_IFS = 200
"""At most this many ``[[what_if]]`` variants in one file: ``compare`` plans every one of them."""
MAX_NESTING = 16
"""Tables and arrays nest at most this deep (a real scenario file nests six deep at most)."""
_ERROR = "scenario"


def _problem(message: str, key: str | None = None) -> PydanticCustomError:
    """A validation error whose message is already in the project's words; ``key`` names the key
    of the validated table the problem is about (for checks that span keys)."""
    return PydanticCustomError(_ERROR, "{message}", {"message": message, "key": key})


# --- reading the file -------------------------------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, refusing a missing file, invalid TOML or UTF-8, and nesting deeper than
    :data:`MAX_NESTING` (which would otherwise end in ``RecursionError``)."""
    file = str(path)
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError("the scenario file does not exist", file=file) from None
    except OSError as error:
        raise InputError(f"cannot be read ({clipped(str(error.strerror or error))})", file=file) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"is not valid TOML ({clipped(str(error))})", file=file) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=file) from None
    except RecursionError:
        raise InputError(f"nests arrays or inline tables too deeply; at most {MAX_NESTING} levels are allowed", file=file) from None
    except ValueError as error:  # an integer longer than Python converts (4,300 digits)
        raise InputError(f"is not valid TOML ({clipped(str(error))})", file=file) from None
    too_deep = _too_deep(data, MAX_NESTING)
    if too_deep is not None:
        raise InputError(
            f"nests tables and arrays more than {MAX_NESTING} levels deep", file=file, field=key_name(too_deep)
        )
    return data


def _too_deep(data: Any, limit: int) -> tuple[str | int, ...] | None:
    """The location of a table or array nested deeper than ``limit``, found without recursion."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, location = stack.pop()
        if len(location) >= limit:
            return location
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((item, (*location, key)) for key, item in items if isinstance(item, (dict, list)))
    return None


def key_name(location: Iterable[str | int]) -> str:
    """``cost.measures[0].cases`` from a location; each key bounded by :func:`optimizer.errors.clipped`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{clipped(part)}" if text else clipped(part)
    return text


class _EditorSchema(GenerateJsonSchema):
    """JSON Schema for TOML: no nulls (TOML has none: a key left out takes its default)."""

    def nullable_schema(self, schema: Any) -> Any:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: Any) -> Any:
        json_schema = super().default_schema(schema)
        if json_schema.get("default", 0) is None:
            json_schema.pop("default")
        return json_schema

    def literal_schema(self, schema: Any) -> Any:
        json_schema = super().literal_schema(schema)
        if "const" in json_schema:  # ``enum`` is understood by every draft, ``const`` only from draft 6
            json_schema["enum"] = [json_schema.pop("const")]
        return json_schema


# --- value types ------------------------------------------------------------------------------

WholeNumber = Annotated[int, Strict()]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict(), Field(pattern=r"\S")]
Percent = Annotated[Number, Field(ge=0, le=100)]


def _text_or_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
        raise _problem(f"expected text, got {quoted(value)}")
    return str(value)


IdText = Annotated[str, PlainValidator(_text_or_number, json_schema_input_type=str | int)]
"""An id: text, or a whole number taken as text."""


def _choice(options: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise _problem(f"expected one of {', '.join(options)}, got {quoted(value)}")
        return value

    return Annotated[str, PlainValidator(check, json_schema_input_type=Literal[options])]  # type: ignore[valid-type]


Objective = _choice(OBJECTIVES)
Solver = _choice(SOLVERS)
CollectionType = _choice(COLLECTION_TYPES)
SpecialStatus = _choice(SPECIAL_STATUSES)
WHAT_IF_KINDS: tuple[str, ...] = ("decision", "assumption")
WhatIfKind = _choice(WHAT_IF_KINDS)

_PAIR_SCHEMA = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["string", "integer"]}}


def _pair(value: Any, collection_type_required: bool) -> tuple[str, str | None]:
    def is_id(item: Any) -> bool:
        return isinstance(item, (str, int)) and not isinstance(item, bool)

    if is_id(value) and not collection_type_required:
        return normalise_measure_id(value), None
    if isinstance(value, list) and len(value) == 2 and all(is_id(part) for part in value):
        collection_type = str(value[1])
        if collection_type not in COLLECTION_TYPES:
            raise _problem(f"collection type {quoted(collection_type)} is not one of {', '.join(COLLECTION_TYPES)}")
        return normalise_measure_id(value[0]), collection_type
    expected = '["236", "ecqm"]' if collection_type_required else '"236" or ["236", "ecqm"]'
    raise _problem(f"expected an item like {expected}, got {quoted(value)}")


ReportedPair = Annotated[
    tuple[str, str],
    PlainValidator(lambda value: _pair(value, collection_type_required=True), json_schema_input_type=Any),
    Field(json_schema_extra=_PAIR_SCHEMA),
]
"""``["236", "ecqm"]``: a measure id and its collection type."""
MeasureChoice = Annotated[
    tuple[str, str | None],
    PlainValidator(lambda value: _pair(value, collection_type_required=False), json_schema_input_type=Any),
    Field(json_schema_extra={"anyOf": [{"type": ["string", "integer"]}, _PAIR_SCHEMA]}),
]
"""``"236"`` (any collection type) or ``["236", "ecqm"]``."""


def _pathways(value: Any) -> tuple[str, ...] | None:
    if value == "all":
        return None
    if isinstance(value, list) and value and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(value)
    raise _problem(f'expected "all" or a non-empty list such as ["traditional", "M0005"], got {quoted(value)}')


Pathways = Annotated[
    tuple[str, ...] | None,
    PlainValidator(_pathways, json_schema_input_type=Literal["all"] | Annotated[list[Text], Field(min_length=1)]),
]


def _baseline_files(value: Any) -> str | tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(value)
    raise _problem(
        f'expected a file name or a list of them, like "baseline-2025.csv" or ["ehr-2025.xml", "registry-2025.json"], got {quoted(value)}'
    )


BaselineFiles = Annotated[
    str | tuple[str, ...],
    PlainValidator(_baseline_files, json_schema_input_type=Text | Annotated[list[Text], Field(min_length=1)]),
]
"""One baseline file name, or a non-empty list of them."""


class _Table(BaseModel):
    """A table of the scenario file: unknown keys are refused, values are not converted."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    def given(self, name: str) -> bool:
        """Whether the file sets the key."""
        return name in self.model_fields_set


# --- the tables -------------------------------------------------------------------------------


class PracticeTable(_Table):
    """[practice]: who reports."""

    name: Text
    """The practice's name, as reports show it."""
    clinicians: Annotated[WholeNumber, Field(ge=1)]
    """Eligible clinicians reporting together; 15 or fewer make a small practice."""
    special_status: tuple[SpecialStatus, ...] = ()
    """Special statuses: small, rural, hpsa, non_patient_facing (any of them lowers the activities required to one)."""
    medicare_part_b_allowed: Annotated[Number, Field(ge=0)]
    """Medicare Part B allowed charges a year, in dollars: the base of the payment adjustment."""
    cehrt: Flag = False
    """Certified EHR technology (needed for eCQMs)."""
    complex_patient_bonus: Annotated[Number, Field(ge=0)] = 0.0
    """Expected complex patient bonus points, 0 to the policy's maximum (10)."""
    specialties: tuple[Text, ...] | None = None
    """The practice's specialties, as CMS names them in its MVP list (e.g. ["Family Medicine"]). Given, plan and swap
    leave out the MVPs CMS lists only for other specialties (reports list them apart); not given, every MVP is planned."""
    multispecialty: Flag | None = None
    """true: clinicians of more than one specialty without a single clinical focus (from 2026 such a group, unless small, reports an MVP as subgroups); false: single-specialty. Reports say what an MVP takes accordingly."""
    baseline: BaselineFiles
    """The baseline: a table (CSV or Excel), a QRDA III (.xml, .xml.gz) or QPP submission JSON file, or a
    list of them, relative to this file."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> PracticeTable:
        policy = (info.context or {}).get("policy")
        if policy is not None and self.complex_patient_bonus > policy.complex_patient_bonus_maximum:
            raise _problem(
                f"expected at most {policy.complex_patient_bonus_maximum}, got {quoted(self.complex_patient_bonus)}",
                "complex_patient_bonus",
            )
        folder = (info.context or {}).get("folder")
        if folder is not None:
            for name in baseline_names(self.baseline):
                try:
                    path = baseline_path(folder, name)
                    exists = path.is_file()
                except (OSError, ValueError):  # a NUL character, a name too long for the system
                    raise _problem(f"{quoted(name)} cannot be a file name", "baseline") from None
                if not exists:
                    raise _problem(f"the baseline table {clipped(str(path))} does not exist", "baseline")
        return self


def baseline_names(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """The file names a scenario's ``baseline`` gives: one, or a list."""
    return (value,) if isinstance(value, str) else tuple(value)


def baseline_path(folder: Path, name: str) -> Path:
    """The baseline table a scenario file in ``folder`` names (relative to that folder)."""
    return Path(name) if Path(name).is_absolute() else (folder / name).resolve()


class QualityTable(_Table):
    """[quality]: last year's quality achievement and what is reported this year."""

    prior_year_achievement_percent: Percent | None = None
    """Last year's quality category achievement, percent (for the improvement score)."""
    reported: tuple[ReportedPair, ...] | None = None
    """What `score` scores and `swap` starts from: [measure id, collection type] pairs, like [["236", "ecqm"]]."""

    @model_validator(mode="after")
    def _check(self) -> QualityTable:
        pairs = self.reported or ()
        for pair in pairs:
            if pairs.count(pair) > 1:
                raise _problem(f'["{pair[0]}", "{pair[1]}"] is listed twice', "reported")
        return self


class CostMeasureEntry(_Table):
    """An expected cost measure result."""

    measure_id: Text
    """The cost measure's id, e.g. TPCC_1."""
    expected_value: Annotated[Number, Field(ge=0)]
    """The expected value in the measure's unit (dollars)."""
    cases: Annotated[WholeNumber, Field(ge=0)]
    """The expected number of cases (episodes or beneficiaries)."""


def _one_mode(table: _Table, category: str, measures: str) -> None:
    modes = [mode for mode in CATEGORY_MODES if table.given(mode) and not (mode == "reweighted" and not table.reweighted)]  # type: ignore[attr-defined]
    if len(modes) > 1:
        raise _problem(f"give only one of {', '.join(CATEGORY_MODES)} (found {' and '.join(modes)})", modes[1])
    if not modes and table.model_fields_set:
        raise _problem(f"give the {category} score, reweighted = true, or a {measures}", "score")


class CostTable(_Table):
    """[cost]: the cost category, by one of score, reweighted or measures (absent: reweighted)."""

    score: Percent | None = None
    """The cost category's score, percent."""
    reweighted: Flag = False
    """true: the category is reweighted to 0% (not scored)."""
    measures: Annotated[tuple[CostMeasureEntry, ...], Field(json_schema_extra={"minItems": 1})] | None = None
    """Expected cost measure results, like [{ measure_id = "TPCC_1", expected_value = 1650.0, cases = 180 }]."""
    prior_score: Annotated[Number, Field(ge=1, le=100)] | None = None
    """With measures: last year's cost category score, percent, for the category-level improvement score."""

    @model_validator(mode="after")
    def _check(self) -> CostTable:
        if self.measures == ():
            raise _problem(
                'expected a list of tables like [{ measure_id = "TPCC_1", expected_value = 1650.0, cases = 180 }]', "measures"
            )
        _one_mode(self, "cost", "measures list")
        if self.prior_score is not None and not self.measures:
            raise _problem("applies with a measures list; a given score already includes any improvement", "prior_score")
        return self


class ResponseFraction(_Table):
    """A PI measure's numerator and denominator."""

    numerator: Annotated[WholeNumber, Field(ge=0)]
    """Patients or actions counted in the numerator."""
    denominator: Annotated[WholeNumber, Field(ge=1)]
    """Patients or actions in the denominator."""

    @model_validator(mode="after")
    def _check(self) -> ResponseFraction:
        if self.numerator > self.denominator:
            raise _problem(f"exceeds the denominator ({self.numerator} > {self.denominator})", "numerator")
        return self


def _response(value: Any, handler: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _problem(f"expected a number, got {quoted(value)}")
        if value < 0:
            raise _problem(f"expected at least 0, got {quoted(value)}")
        if value > 100:
            raise _problem(f"expected at most 100, got {quoted(value)}")
        return float(value)
    if isinstance(value, Mapping):
        fraction = handler(value)
        return 100.0 * fraction.numerator / fraction.denominator
    raise _problem(f"expected true/false, a rate in percent, or {{ numerator, denominator }}, got {quoted(value)}")


Response = Annotated[
    ResponseFraction,
    WrapValidator(_response, json_schema_input_type=Flag | Percent | ResponseFraction),
]
"""A PI measure's result: true/false, a rate in percent, or { numerator, denominator } (read as its rate)."""


class InteroperabilityTable(_Table):
    """[promoting_interoperability]: the PI category, by one of score, reweighted or measures (absent: reweighted)."""

    score: Percent | None = None
    """The PI category's score, percent."""
    reweighted: Flag = False
    """true: the category is reweighted to 0% (hardship exception, not scored)."""
    measures: dict[str, Response] | None = None
    """Measure results by id: { PI_EP_1 = true, PI_HIE_1 = { numerator = 90, denominator = 100 }, ... }."""

    @model_validator(mode="after")
    def _check(self) -> InteroperabilityTable:
        _one_mode(self, "PI", "measures table")
        return self


class ActivitiesTable(_Table):
    """[improvement_activities]: attested and available activity ids."""

    attested: tuple[IdText, ...] = ()
    """What `score` scores, e.g. ["IA_BE_6"]."""
    available: tuple[IdText, ...] = ()
    """What `plan` may choose from (default: the attested ones)."""


class ScalingFactorTable(_Table):
    """The positive adjustment's scaling factor: a low, a default and a high estimate."""

    low: Number | None = None
    """The low estimate (default: the policy's scaling_factor_low)."""
    default: Number | None = None
    """The estimate reports lead with (default: the policy's scaling_factor_default)."""
    high: Number | None = None
    """The high estimate (default: the policy's scaling_factor_high)."""


class PaymentTable(_Table):
    """[payment]: the payment adjustment's scaling factor."""

    scaling_factor: ScalingFactorTable | None = None
    """{ low = 0.117, default = 0.178, high = 0.239 }; each above 0 and at most 3, low <= default <= high."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> PaymentTable:
        policy = (info.context or {}).get("policy")
        factors = self.scaling_factor or ScalingFactorTable()
        if policy is not None:
            try:
                scaling_factors(policy, low=factors.low, default=factors.default, high=factors.high)
            except ValueError as error:
                raise _problem(str(error), "scaling_factor") from None
        return self


class OptimizeTable(_Table):
    """[optimize]: what to maximise, over which pathways and measures, with how many draws."""

    objective: Objective = "expected_payment"
    """What to maximise: expected_payment, expected_score or threshold_probability."""
    pathways: Pathways = None
    """The pathways to plan: "all", or a list such as ["traditional", "M0005"]."""
    max_quality_measures: Annotated[WholeNumber, Field(ge=1, le=30)] = 6
    """Quality measures to report at most; more than six lets the plan hedge (CMS counts the best six)."""
    draws: Annotated[WholeNumber, Field(ge=0, le=100_000)] = 1000
    """Forecast draws (0: deterministic, rates as observed)."""
    seed: Annotated[WholeNumber, Field(ge=0)] = 1
    """The forecast's random seed."""
    require: tuple[MeasureChoice, ...] = ()
    """Measures the plan must report: ids, or [id, collection type] pairs."""
    exclude: tuple[MeasureChoice, ...] = ()
    """Measures the plan must not report: ids, or [id, collection type] pairs."""
    collection_types: tuple[CollectionType, ...] | None = None
    """The collection types the plan may use (default: all)."""
    effort_budget_hours: Annotated[Number, Field(ge=0)] | None = None
    """Reporting effort allowed, hours (with the baseline's effort_hours column)."""
    time_limit_seconds: Annotated[Number, Field(ge=0.1)] | None = None
    """Seconds per pathway solve; the report then says time_limit and the gap."""
    solver: Solver | None = None
    """A MILP solver, highs or cbc, to solve concave pathways by outer approximation as an independent
    check (default: none; branch and bound and enumeration are exact without one)."""


class ForecastTable(_Table):
    """[forecast]: the forecast's assumptions (not CMS rules); a key left out keeps its default."""

    persistence: Annotated[Number, Field(ge=0.0, le=1.0)] | None = None
    """Share of a rate's place in CMS's national distribution kept into next year; the rest regresses to the
    national median (default 0.9)."""
    position_drift: Annotated[Number, Field(ge=0.0, le=3.0)] | None = None
    """Standard deviation of the year-to-year change of that place, normal-score scale (default 0.35)."""
    shared_change: Annotated[Number, Field(ge=0.0, le=1.0)] | None = None
    """Share of the year-to-year change common to all of the practice's measures (default 0.3)."""
    bad_year_probability: Annotated[Number, Field(ge=0.0, le=1.0)] | None = None
    """Chance that a measure has a bad year: staff change, EHR change (default 0.15)."""
    bad_year_loss: Annotated[Number, Field(ge=0.0, le=0.5)] | None = None
    """Average share of the rate lost in a bad year (default 0.2)."""
    volume_spread: Annotated[Number, Field(ge=0.0, le=2.0)] | None = None
    """Log standard deviation of the practice's case volume next year (default 0.15)."""
    completeness_spread: Annotated[Number, Field(ge=0.0, le=3.0)] | None = None
    """Spread of next year's data completeness around this year's, logit scale (default 0.25)."""
    rate_drift: Annotated[Number, Field(ge=0.0, le=3.0)] | None = None
    """Measures without a benchmark: between-year drift of a rate, logit scale (default 0.15)."""
    benchmark_probability: Annotated[Number, Field(ge=0.0, le=1.0)] | None = None
    """Chance a measure without a historical benchmark gets one (default 0.5)."""
    prior_met: Annotated[Number, Field(ge=0.01, le=100.0)] | None = None
    """Measures without a benchmark: Beta prior on the baseline's met count (default 0.5: Jeffreys)."""
    prior_not_met: Annotated[Number, Field(ge=0.01, le=100.0)] | None = None
    """Measures without a benchmark: Beta prior on the baseline's not-met count (default 0.5: Jeffreys)."""


def _ranges(model: type[BaseModel]) -> dict[str, tuple[float, float]]:
    properties = model.model_json_schema(schema_generator=_EditorSchema)["properties"]
    return {name: (schema["minimum"], schema["maximum"]) for name, schema in properties.items()}


FORECAST_LIMITS: Mapping[str, tuple[float, float]] = _ranges(ForecastTable)
"""The ``[forecast]`` keys and their ranges, as :class:`ForecastTable` declares them."""


def _policy_json_type(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, tuple):
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "object"}


def _with_range(schema: dict[str, Any], valid: Any) -> dict[str, Any]:
    """A policy key's JSON type with its valid values (each value of a table)."""
    bounds: dict[str, Any] = {}
    if valid.choices:
        bounds["enum"] = list(valid.choices)
    if valid.lowest is not None:
        bounds["exclusiveMinimum" if valid.above else "minimum"] = valid.lowest
    if valid.highest is not None:
        bounds["maximum"] = valid.highest
    if schema.get("type") == "object":
        return {**schema, "additionalProperties": {"type": "number", **bounds}}
    return {**schema, **bounds}


def _policy_table() -> type[_Table]:
    """[policy]: one optional key per rule parameter (values are checked by :meth:`Policy.with_overrides`)."""
    defaults = Policy()
    fields: dict[str, Any] = {}
    for name in Policy.__dataclass_fields__:
        if name == "performance_year":
            continue
        info = PARAMETER_SOURCES.get(name)
        status = "" if info is None or info.confirmed else " UNCONFIRMED."
        description = f"Source: {info.source}.{status}" if info is not None else None
        schema = _policy_json_type(getattr(defaults, name))
        if info is not None and info.valid is not None:  # the parameter's valid values, as with_overrides checks them
            schema = _with_range(schema, info.valid)
        fields[name] = (Any, Field(default=None, description=description, json_schema_extra=schema))
    from pydantic import create_model

    model = create_model("PolicyTable", __base__=_Table, **fields)
    model.__doc__ = "[policy]: overrides of the scoring rules' parameters, by name (see the README's table)."
    return model


PolicyTable = _policy_table()


class ScenarioTables(_Table):
    """A mips-optimizer scenario: one practice in one performance year, its inputs and what to optimise."""

    performance_year: Annotated[WholeNumber, Field(ge=2017)]
    """The performance year, e.g. 2026."""
    title: Text | None = None
    """The scenario's title in reports (default: the practice's name)."""
    description: Text | None = None
    """A few sentences for the reader of the report."""
    pathway: Text = TRADITIONAL
    """What `score` and `swap` score: traditional, or an MVP id such as M0005."""
    practice: PracticeTable
    quality: QualityTable | None = None
    cost: CostTable | None = None
    promoting_interoperability: InteroperabilityTable | None = None
    improvement_activities: ActivitiesTable | None = None
    payment: PaymentTable | None = None
    policy: PolicyTable | None = None  # type: ignore[valid-type]
    optimize: OptimizeTable | None = None
    forecast: ForecastTable | None = None
    expected_change: dict[str, Annotated[Number, Field(ge=-100, le=100)]] | None = None
    """Planned change of a measure's rate, percentage points, by measure id: { "236" = 5.0 }."""


class WhatIfEntry(_Table):
    """A [[what_if]] variant for `compare`: its tables merge over the file's, key by key."""

    name: Text
    """The variant's name in reports."""
    rescore_only: Flag = False
    """true: keep the base plan's selection and only re-score it under this variant."""
    kind: WhatIfKind | None = None
    """decision: a choice the practice makes (measures, pathway, activities, what to optimise), ranked against the base; assumption: a circumstance (PI reweighted, a low scaling factor, a rate change), shown as a sensitivity of the plan. Default: decision when the variant changes only [optimize], pathway, [improvement_activities] or [quality] reported; else assumption."""
    title: Any = None
    description: Any = None
    pathway: Any = None
    practice: Any = None
    quality: Any = None
    cost: Any = None
    promoting_interoperability: Any = None
    improvement_activities: Any = None
    payment: Any = None
    policy: Any = None
    optimize: Any = None
    forecast: Any = None
    expected_change: Any = None


VARIANT_KEYS: tuple[str, ...] = tuple(name for name in WhatIfEntry.model_fields if name not in ("name", "rescore_only", "kind"))
"""What a variant may override: every table and key of the file but the year and the variants."""


class ScenarioFile(ScenarioTables):
    """A mips-optimizer scenario file: one practice in one performance year, its inputs, what to
    optimise, and named what-if variants."""

    what_if: Annotated[list[WhatIfEntry], Field(max_length=MAX_WHAT_IFS)] = []
    """Named variants for `compare` (at most 200); each overrides any table above."""


# --- the problems, in the project's words ------------------------------------------------------


def _model_at(root: type[BaseModel], location: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The table model at ``location`` inside ``root``, if the location is a table."""
    annotation: Any = root
    for part in location:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not isinstance(part, str) or part not in annotation.model_fields:
                return None
            annotation = annotation.model_fields[part].annotation
        elif get_origin(annotation) in (list, tuple):
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``X | None`` and ``Annotated[X, ...]``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        arguments = get_args(annotation)
        others = [item for item in arguments if item is not type(None)]
        if type(None) in arguments and len(others) == 1:
            annotation = others[0]
            continue
        return annotation


REPLACED_KEYS: Mapping[tuple[str, str], str] = {
    ("cost", "improvement_percent"): (
        "was replaced by prior_score (last year's cost category score): the cost improvement score is computed from it "
        "at the category level, 42 CFR 414.1380(b)(2)(iv)"
    ),
}
"""Keys a former version of the file knew, by (table, key), and what replaced them."""


def _unknown_key(name: Any, known: list[str]) -> str:
    return f"is not a known setting{suggestion(name, sorted(known), 'known keys')}"


def _message(root: type[BaseModel], error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    """The location and the one-line message of a validation error of ``root``."""
    location = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == _ERROR:
        key = context.get("key")
        return ((*location, key) if key else location), str(context["message"])
    if kind == "missing":
        model = _model_at(root, location)
        return location, "is required (a table)" if model is not None else "is required"
    if kind == "extra_forbidden":
        if tuple(location[-2:]) in REPLACED_KEYS:
            return location, REPLACED_KEYS[tuple(location[-2:])]  # type: ignore[index]
        model = _model_at(root, location[:-1])
        known = list(model.model_fields) if model is not None else []
        return location, _unknown_key(location[-1], known)
    if kind in ("greater_than_equal", "greater_than"):
        return location, f"expected at least {context.get('ge', context.get('gt'))}, got {quoted(value)}"
    if kind in ("less_than_equal", "less_than"):
        return location, f"expected at most {context.get('le', context.get('lt'))}, got {quoted(value)}"
    if kind == "too_long":
        return location, f"expected at most {context.get('max_length')} items, got {context.get('actual_length')}"
    expected = {
        "int_type": "a whole number",
        "float_type": "a number",
        "finite_number": "a number",
        "bool_type": "true or false",
        "string_type": "text",
        "string_pattern_mismatch": "text",
        "model_type": "a table",
        "dict_type": "a table",
        "list_type": "a list",
        "tuple_type": "a list",
    }.get(kind)
    if expected is not None:
        return location, f"expected {expected}, got {quoted(value)}"
    return location, f"{error['msg']}, got {quoted(value)}"


def check_tables(
    model: type[BaseModel], raw: Mapping[str, Any], *, policy: Policy | None, folder: Path | None
) -> tuple[BaseModel | None, list[tuple[tuple[str | int, ...], str]]]:
    """Validate the parsed tables; returns the model (None when there are problems) and every
    problem as (location, message), in the file's order."""
    try:
        return model.model_validate(raw, context={"policy": policy, "folder": folder}), []
    except ValidationError as error:
        return None, [_message(model, item) for item in error.errors(include_url=False)]


def check_option(name: str, key: str, value: Any) -> Any:
    """A command-line override of an ``[optimize]`` key, checked against the key's type and range.

    Raises
    ------
    InputError
        ``option --seed: expected at least 0, got -1``.
    """
    valid, problems = check_tables(OptimizeTable, {key: value}, policy=None, folder=None)
    if problems:
        raise InputError(f"option {name}: {problems[0][1]}")
    return getattr(valid, key)


# --- the JSON Schema --------------------------------------------------------------------------


def _optional_keys(schema: dict[str, Any], definitions: dict[str, Any], suffix: str) -> dict[str, Any]:
    """A copy of a table's schema in which no key is required (a variant sets only what it changes);
    tables it refers to are copied the same way under ``<name><suffix>``."""
    result = copy.deepcopy(schema)
    result.pop("required", None)
    result.pop("default", None)
    for name, prop in list(result.get("properties", {}).items()):
        reference = prop.get("$ref", "")
        if reference.startswith("#/$defs/"):
            target = reference.removeprefix("#/$defs/")
            if f"{target}{suffix}" not in definitions:
                definitions[f"{target}{suffix}"] = _optional_keys(definitions[target], definitions, suffix)
            result["properties"][name] = {**prop, "$ref": f"#/$defs/{target}{suffix}"}
    return result


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (for editors: completion, hover documentation, checks)."""
    schema = ScenarioFile.model_json_schema(schema_generator=_EditorSchema)
    definitions = schema["$defs"]
    change = {key: value for key, value in schema["properties"].items() if key in VARIANT_KEYS}
    variant = definitions["WhatIfEntry"]
    variant["properties"] = {
        "name": variant["properties"]["name"],
        "rescore_only": variant["properties"]["rescore_only"],
        "kind": variant["properties"]["kind"],
        **_optional_keys({"properties": change}, definitions, "Change")["properties"],
    }
    schema["title"] = "mips-optimizer scenario file"
    return schema
