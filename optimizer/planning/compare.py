"""What-if comparison: plan (or re-score) every variant of every scenario file, side by side.

The first entry of each file is its base scenario; its ``[[what_if]]`` variants follow. A variant
marked ``rescore_only`` (or every variant, with ``compare --rescore-only``) keeps the base's
recommended pathway and selection and is only scored again under the variant's assumptions.

One failing variant (or file) does not sink the run: it becomes a :class:`FailedVariant` row with
its one-line reason and the others are planned and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import MipsError
from optimizer.inputs.scenario import Scenario, check_optimize_overrides, check_scenario, with_optimize_overrides
from optimizer.planning.plan import PathwayPlan, Plan, evaluate_selection, plan_scenario, prepare_forecast
from optimizer.planning.resolve import resolve


@dataclass(frozen=True)
class ComparedVariant:
    """One variant's outcome: its recommended (or re-scored) pathway plan and the base it is compared to."""

    scenario: Scenario
    plan: PathwayPlan
    rescored: bool
    base_keys: tuple[tuple[str, str], ...]
    base_pathway: str | None
    """The base's recommended pathway; None when the base failed (nothing to compare with)."""
    full_plan: Plan | None
    base_selection: PathwayPlan | None = None
    """An assumption variant that was planned again: the base's own selection scored under the
    variant's assumptions too (what the plan is worth if the circumstance comes true)."""


@dataclass(frozen=True)
class FailedVariant:
    """A variant, or a whole scenario file (``variant`` None), that could not be read or planned."""

    file: str
    scenario: str
    variant: str | None
    reason: str
    rescore_only: bool = False


Compared = ComparedVariant | FailedVariant


def _keys(plan: PathwayPlan) -> tuple[tuple[str, str], ...]:
    return tuple(candidate.key for candidate in plan.outlook.selected) if plan.outlook is not None else ()


def read_variants(scenario: Scenario, catalog: Any) -> list[Scenario | FailedVariant]:
    """The file's ``[[what_if]]`` variants in their order, each checked against the catalog on its own;
    one that cannot be read (kept apart by ``read_scenario(..., variants_apart=True)``) or checked is
    its failure row."""
    failed = {read.position: read for read in scenario.failed_variants}
    readable = iter(scenario.variants)
    variants: list[Scenario | FailedVariant] = []
    for position in range(len(scenario.variants) + len(failed)):
        if position in failed:
            read = failed[position]
            variants.append(FailedVariant(str(scenario.file), f"{scenario.name} — {read.name}", read.name, read.reason))
            continue
        variant = next(readable)
        try:
            variants.append(check_scenario(variant, catalog))
        except MipsError as error:
            variants.append(_failed(variant, error))
    return variants


def compare_files(
    paths: Sequence[Path],
    read: Callable[[Path], tuple[Scenario, Any]],
    *,
    rescore_only: bool = False,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Compared]:
    """Compare scenario files; ``read`` gives a file's checked base scenario and catalog (a file it
    cannot read is one failure row)."""
    loaded: list[tuple[Scenario, Any] | FailedVariant] = []
    for path in paths:
        try:
            loaded.append(read(path))
        except MipsError as error:
            loaded.append(FailedVariant(str(path), Path(path).name, None, one_line(error)))
    return compare_scenarios(loaded, rescore_only=rescore_only, overrides=overrides, progress=progress)


def compare_scenarios(
    scenarios: Sequence[tuple[Scenario, Any] | FailedVariant],
    *,
    rescore_only: bool = False,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Compared]:
    """Plan each (scenario, catalog) and its variants; variants are compared to their file's base.

    A file that failed to load, a variant that cannot be read, and a plan that fails with a known
    error (:class:`~optimizer.errors.MipsError`) each become a :class:`FailedVariant`; a variant to
    re-score fails with its base.
    """
    overrides = overrides or {}
    check_optimize_overrides(overrides)  # a bad option fails the run, not each row
    jobs: list[tuple[Scenario, Any, list[Scenario | FailedVariant]] | FailedVariant] = []
    for entry in scenarios:
        if isinstance(entry, FailedVariant):
            jobs.append(entry)
            continue
        scenario, catalog = entry
        jobs.append((scenario, catalog, read_variants(scenario, catalog)))
    total = sum(1 if isinstance(job, FailedVariant) else 1 + len(job[2]) for job in jobs)
    done = 0
    results: list[Compared] = []

    def report(verb: str, name: str) -> None:
        if progress is not None:
            progress(f"[{done}/{total}] {verb} {name}")

    for job in jobs:
        done += 1
        if isinstance(job, FailedVariant):
            results.append(job)
            continue
        base, catalog, variants = job
        report("planning", base.name)
        base_result = _planned(base, catalog, overrides)
        results.append(base_result)
        for variant in variants:
            done += 1
            if isinstance(variant, FailedVariant):
                results.append(variant)
                continue
            if rescore_only or variant.rescore_only:
                report("re-scoring", variant.name)
                results.append(_rescored(variant, catalog, overrides, base_result))
            else:
                report("planning", variant.name)
                result = _planned(variant, catalog, overrides)
                if isinstance(result, ComparedVariant):
                    base_keys, base_pathway = (
                        (base_result.base_keys, base_result.base_pathway) if isinstance(base_result, ComparedVariant) else ((), None)
                    )
                    base_selection = None
                    if variant.variant_kind == "assumption":
                        rescored = _rescored(variant, catalog, overrides, base_result)
                        base_selection = rescored.plan if isinstance(rescored, ComparedVariant) else None
                    result = ComparedVariant(result.scenario, result.plan, False, base_keys, base_pathway, result.full_plan, base_selection)
                results.append(result)
    return results


def _failed(scenario: Scenario, error: MipsError) -> FailedVariant:
    return FailedVariant(str(scenario.file), scenario.name, scenario.variant, one_line(error), scenario.rescore_only)


def one_line(error: MipsError) -> str:
    """An error's problems in one line (a file with several problems lists them all)."""
    return "; ".join(error.lines())


def _planned(scenario: Scenario, catalog: Any, overrides: Mapping[str, Any]) -> Compared:
    """A scenario planned, compared with itself (a base), or its failure row."""
    try:
        run = plan_scenario(with_optimize_overrides(scenario, overrides), catalog)
    except MipsError as error:
        return _failed(scenario, error)
    recommended = run.recommended
    return ComparedVariant(run.scenario, recommended, False, _keys(recommended), recommended.pathway.pathway_id, run)


def _rescored(variant: Scenario, catalog: Any, overrides: Mapping[str, Any], base: Compared) -> Compared:
    """The base's recommended selection re-scored under the variant, or its failure row."""
    if not isinstance(base, ComparedVariant):
        return FailedVariant(
            str(variant.file), variant.name, variant.variant, "the base scenario failed, so it has no selection to re-score", True
        )
    try:
        scenario = with_optimize_overrides(variant, overrides)
        resolved = resolve(scenario)
        candidates, forecast = prepare_forecast(resolved, catalog)
        activities = base.plan.outlook.activities if base.plan.outlook is not None else ()
        rescored = evaluate_selection(resolved, catalog, base.base_pathway, base.base_keys, activities, candidates, forecast)
    except MipsError as error:
        return _failed(variant, error)
    return ComparedVariant(scenario, rescored, True, base.base_keys, base.base_pathway, None)


def label(key: tuple[str, str]) -> str:
    """``236 (ecqm)``."""
    return f"{key[0]} ({key[1]})"


def changes(result: ComparedVariant) -> dict[str, Any]:
    """What differs from the file's base selection: measures added and removed, pathway changed
    (``base_failed``: the base could not be planned, so nothing is compared)."""
    if result.base_pathway is None:
        return {"added": [], "removed": [], "pathway_changed": False, "base_failed": True}
    keys = _keys(result.plan)
    return {
        "added": [label(key) for key in keys if key not in result.base_keys],
        "removed": [label(key) for key in result.base_keys if key not in keys] if result.plan.outlook is not None else [],
        "pathway_changed": result.plan.pathway.pathway_id != result.base_pathway,
        "base_failed": False,
    }


