"""What-if comparison: plan (or re-score) every variant of every scenario file, side by side.

The first entry of each file is its base scenario; its ``[[what_if]]`` variants follow. A variant
marked ``rescore_only`` (or every variant, with ``compare --rescore-only``) keeps the base's
recommended pathway and selection and is only scored again under the variant's assumptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from typing import Any

from optimizer.plan import PathwayPlan, Plan, evaluate_selection, plan_scenario, prepare_forecast
from optimizer.scenario import Scenario, what_if_variants, with_optimize_overrides


@dataclass(frozen=True)
class ComparedVariant:
    """One variant's outcome: its recommended (or re-scored) pathway plan and the base it is compared to."""

    scenario: Scenario
    plan: PathwayPlan
    rescored: bool
    base_keys: tuple[tuple[str, str], ...]
    base_pathway: str
    full_plan: Plan | None


def _keys(plan: PathwayPlan) -> tuple[tuple[str, str], ...]:
    return tuple(candidate.key for candidate in plan.outlook.selected) if plan.outlook is not None else ()


def compare_scenarios(
    scenarios: Sequence[tuple[Scenario, Any]],
    *,
    rescore_only: bool = False,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ComparedVariant]:
    """Plan each checked (scenario, catalog) and its variants; variants are compared to their file's base."""
    jobs = []
    for scenario, catalog in scenarios:
        base = with_optimize_overrides(scenario, overrides or {})
        jobs.append((base, catalog, what_if_variants(base)))
    total = sum(1 + len(variants) for _, _, variants in jobs)
    done = 0
    results: list[ComparedVariant] = []
    for base, catalog, variants in jobs:
        done += 1
        if progress is not None:
            progress(f"[{done}/{total}] planning {base.name}")
        base_plan = plan_scenario(base, catalog)
        recommended = base_plan.recommended
        base_keys = _keys(recommended)
        base_pathway = recommended.pathway.pathway_id
        results.append(ComparedVariant(base, recommended, False, base_keys, base_pathway, base_plan))
        activities = recommended.outlook.activities if recommended.outlook is not None else ()
        for variant in variants:
            done += 1
            if rescore_only or variant.rescore_only:
                if progress is not None:
                    progress(f"[{done}/{total}] re-scoring {variant.name}")
                candidates, forecast = prepare_forecast(variant, catalog)
                rescored = evaluate_selection(variant, catalog, base_pathway, base_keys, activities, candidates, forecast)
                results.append(ComparedVariant(variant, rescored, True, base_keys, base_pathway, None))
            else:
                if progress is not None:
                    progress(f"[{done}/{total}] planning {variant.name}")
                variant_plan = plan_scenario(variant, catalog)
                results.append(ComparedVariant(variant, variant_plan.recommended, False, base_keys, base_pathway, variant_plan))
    return results


def label(key: tuple[str, str]) -> str:
    """``236 (ecqm)``."""
    return f"{key[0]} ({key[1]})"


def changes(result: ComparedVariant) -> dict[str, Any]:
    """What differs from the file's base selection: measures added and removed, pathway changed."""
    keys = _keys(result.plan)
    return {
        "added": [label(key) for key in keys if key not in result.base_keys],
        "removed": [label(key) for key in result.base_keys if key not in keys] if result.plan.outlook is not None else [],
        "pathway_changed": result.plan.pathway.pathway_id != result.base_pathway,
    }


