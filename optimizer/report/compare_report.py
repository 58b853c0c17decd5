"""The ``compare`` report: every variant of every scenario file side by side (Markdown, JSON, CSV)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimizer.planning.compare import Compared, FailedVariant, changes
from optimizer.forecast import assumptions_sentence
from optimizer.planning.resolve import forecast_settings
from optimizer.planning.reasons import collection_type_name
from optimizer.report.formatting import dollars, markdown_table, number, percent, render_rows_csv
from optimizer.report.plan_report import assumptions_text, outlook_to_dict


NOT_PLANNED: dict[str, Any] = {
    "quality_measures": [], "improvement_activities": [], "expected_final_score": None, "final_score_interval": None,
    "probability_at_or_above_threshold": None, "expected_payment_adjustment_dollars": None,
}


def _failed_entry(result: FailedVariant) -> dict[str, Any]:
    return {
        "file": result.file,
        "scenario": result.scenario,
        "variant": result.variant,
        "rescored_only": result.rescore_only,
        "objective": None,
        "pathway": None,
        "title": None,
        "feasible": False,
        "infeasible_reason": None,
        "failed": True,
        "error": result.reason,
        **NOT_PLANNED,
        "changes": {"added": [], "removed": [], "pathway_changed": False, "base_failed": False},
    }


def compare_to_dict(results: list[Compared], *, rescore_only: bool) -> dict[str, Any]:
    """The comparison as JSON-ready data, one entry per variant (bases first within each file); a
    variant that failed has ``failed`` true and its one-line ``error``."""
    variants = []
    planned = [result for result in results if not isinstance(result, FailedVariant)]
    threshold = planned[0].scenario.policy.performance_threshold if planned else 75.0
    for result in results:
        if isinstance(result, FailedVariant):
            variants.append(_failed_entry(result))
            continue
        plan = result.plan
        entry: dict[str, Any] = {
            "file": str(result.scenario.file),
            "scenario": result.scenario.name,
            "variant": result.scenario.variant,
            "rescored_only": result.rescored,
            "objective": result.scenario.optimize.objective,
            "pathway": plan.pathway.pathway_id,
            "title": plan.pathway.title,
            "feasible": plan.feasible,
            "infeasible_reason": plan.infeasible_reason,
            "failed": False,
            "error": None,
        }
        if plan.outlook is not None:
            entry.update(outlook_to_dict(plan.outlook, result.scenario.policy.performance_threshold))
        else:
            entry.update(NOT_PLANNED)
        entry["changes"] = changes(result)
        entry["forecast_assumptions"] = assumptions_sentence(forecast_settings(result.scenario))
        variants.append(entry)
    return {
        "kind": "compare",
        "rescore_only": rescore_only,
        "objective": planned[0].scenario.optimize.objective if planned else None,
        "performance_threshold": threshold,
        "failed": sum(1 for entry in variants if entry["failed"]),
        "variants": variants,
    }


def change_text(entry: Mapping[str, Any]) -> str:
    """What differs from the file's base selection, in words (Markdown and HTML reports)."""
    change = entry.get("changes") or {}
    if entry.get("variant") is None:
        return "base"
    if change.get("base_failed"):
        return "no base to compare (the base failed)"
    parts = []
    if change.get("pathway_changed"):
        parts.append(f"pathway → {entry['pathway']}")
    if change.get("added"):
        parts.append("+ " + ", ".join(change["added"]))
    if change.get("removed"):
        parts.append("− " + ", ".join(change["removed"]))
    return "; ".join(parts) or "same selection"


def render_compare_markdown(document: dict[str, Any]) -> str:
    """The comparison as one Markdown table plus each variant's selection."""
    threshold = document["performance_threshold"]
    rows = []
    for entry in document["variants"]:
        name = entry["variant"] or "(base)"
        mode = " (re-scored)" if entry["rescored_only"] else ""
        if entry["failed"]:
            rows.append([entry["scenario"].split(" — ")[0], name + mode, "—", "—", "—", "—", f"failed: {entry['error']}"])
            continue
        if not entry["feasible"]:
            rows.append([entry["scenario"].split(" — ")[0], name + mode, entry["pathway"], "—", "—", "—", f"infeasible: {entry['infeasible_reason']}"])
            continue
        rows.append(
            [
                entry["scenario"].split(" — ")[0],
                name + mode,
                entry["pathway"],
                number(entry["expected_final_score"]),
                percent(100 * entry["probability_at_or_above_threshold"], 0),
                dollars(entry["expected_payment_adjustment_dollars"]),
                change_text(entry),
            ]
        )
    lines = [
        "# What-if comparison",
        "",
        markdown_table(["Scenario", "Variant", "Pathway", "Expected score", f"P(≥{threshold:g})", "Expected $", "Selection vs base"], rows, "lllrrrl"),
        "",
        assumptions_text(document),
        "",
    ]
    if document["failed"]:
        count = document["failed"]
        lines += [f"{count} variant{'s' if count != 1 else ''} failed; {'their rows say' if count != 1 else 'its row says'} why.", ""]
    lines += ["## Selections", ""]
    for entry in document["variants"]:
        if entry["failed"]:
            lines.append(f"- **{entry['scenario']}**: failed")
            continue
        measures = ", ".join(
            f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})" for measure in entry["quality_measures"]
        )
        lines.append(
            f"- **{entry['scenario']}**: {entry['pathway']} — {measures or 'none'}; activities "
            f"{', '.join(entry['improvement_activities']) or 'none'}"
        )
    return "\n".join(lines) + "\n"


COMPARE_CSV_COLUMNS = (
    "file",
    "scenario",
    "variant",
    "rescored_only",
    "pathway",
    "measures",
    "improvement_activities",
    "expected_final_score",
    "probability_at_or_above_threshold",
    "expected_payment_adjustment_dollars",
    "added",
    "removed",
    "pathway_changed",
    "error",
)


def compare_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per variant."""
    return [
        {
            **{key: entry.get(key) for key in COMPARE_CSV_COLUMNS},
            "measures": " ".join(f"{m['measure_id']}:{m['collection_type']}" for m in entry["quality_measures"]),
            "improvement_activities": " ".join(entry["improvement_activities"]),
            "added": " ".join(entry["changes"]["added"]),
            "removed": " ".join(entry["changes"]["removed"]),
            "pathway_changed": entry["changes"]["pathway_changed"],
        }
        for entry in document["variants"]
    ]


def render_compare_csv(document: dict[str, Any]) -> str:
    """The comparison as CSV, one row per variant."""
    return render_rows_csv(compare_rows(document), COMPARE_CSV_COLUMNS)
