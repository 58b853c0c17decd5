"""The ``compare`` report: every variant of every scenario file side by side (Markdown, JSON, CSV)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimizer.planning.compare import Compared, ComparedVariant, FailedVariant, changes
from optimizer.forecast import assumptions_sentence
from optimizer.planning.resolve import forecast_settings
from optimizer.planning.reasons import collection_type_name
from optimizer.report.formatting import dollars, markdown_table, number, percent, render_rows_csv
from optimizer.report.glossary import COMPARE_TERMS, glossary
from optimizer.report.plan_report import assumptions_text, glossary_lines, outlook_to_dict, provenance_markdown
from optimizer.report.provenance import PROVENANCE_CSV_COLUMNS, provenance_columns
from optimizer.rules.parameters import Policy


NOT_PLANNED: dict[str, Any] = {
    "quality_measures": [], "improvement_activities": [], "expected_final_score": None, "final_score_interval": None,
    "probability_at_or_above_threshold": None, "expected_payment_adjustment_dollars": None,
}


def _failed_entry(result: FailedVariant) -> dict[str, Any]:
    return {
        "file": result.file,
        "scenario": result.scenario,
        "variant": result.variant,
        "kind": None if result.variant is None else "unknown",
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


def _base_selection(result: ComparedVariant, threshold: float, base: dict[str, Any] | None) -> dict[str, Any] | None:
    """An assumption variant: the base's selection under it, and what planning again would add."""
    plan = result.base_selection
    if plan is None or plan.outlook is None:
        return None
    entry = {
        "expected_final_score": plan.outlook.expected_final_score,
        "final_score_interval": list(plan.outlook.final_score_interval()),
        "probability_at_or_above_threshold": plan.outlook.probability_at_or_above(threshold),
        "expected_payment_adjustment_dollars": plan.outlook.expected_payment_dollars(),
        "change_from_base_dollars": None,
        "replanning_gain_dollars": None,
    }
    if base is not None and base.get("expected_payment_adjustment_dollars") is not None:
        entry["change_from_base_dollars"] = entry["expected_payment_adjustment_dollars"] - base["expected_payment_adjustment_dollars"]
    if result.plan.outlook is not None:
        entry["replanning_gain_dollars"] = result.plan.outlook.expected_payment_dollars() - entry["expected_payment_adjustment_dollars"]
    return entry


def variant_kind(entry: Mapping[str, Any]) -> str:
    """``base``, ``decision``, ``assumption`` (or ``unknown`` for a variant that could not be read)."""
    return "base" if entry.get("variant") is None else str(entry.get("kind") or "decision")


def compare_to_dict(results: list[Compared], *, rescore_only: bool, activity_titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The comparison as JSON-ready data, one entry per variant (bases first within each file); a
    variant that failed has ``failed`` true and its one-line ``error``.

    Each variant has its ``kind``: a ``decision`` (a choice the practice makes, ranked against the
    base) or an ``assumption`` (a circumstance: shown as a sensitivity of the plan, with the base's
    own selection scored under it in ``base_selection_under_assumption``)."""
    variants = []
    planned = [result for result in results if not isinstance(result, FailedVariant)]
    threshold = planned[0].scenario.policy.performance_threshold if planned else 75.0
    bases: dict[str, dict[str, Any]] = {}
    for result in results:
        if isinstance(result, FailedVariant):
            variants.append(_failed_entry(result))
            continue
        plan = result.plan
        entry: dict[str, Any] = {
            "file": str(result.scenario.file),
            "scenario": result.scenario.name,
            "variant": result.scenario.variant,
            "kind": None if result.scenario.variant is None else result.scenario.variant_kind,
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
        entry["draws"] = result.scenario.optimize.draws
        entry["seed"] = result.scenario.optimize.seed
        entry["forecast_assumptions"] = assumptions_sentence(forecast_settings(result.scenario))
        if result.scenario.variant is None:
            bases[entry["file"]] = entry
        entry["base_selection_under_assumption"] = _base_selection(result, threshold, bases.get(entry["file"]))
        variants.append(entry)
    return {
        "kind": "compare",
        "rescore_only": rescore_only,
        "objective": planned[0].scenario.optimize.objective if planned else None,
        "performance_threshold": threshold,
        "failed": sum(1 for entry in variants if entry["failed"]),
        "variants": variants,
        "activity_titles": dict(activity_titles or {}),
        "glossary": glossary(COMPARE_TERMS, planned[0].scenario.policy if planned else Policy()),
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


def _scenario_name(entry: Mapping[str, Any]) -> str:
    return str(entry["scenario"]).split(" — ")[0]


def best_decisions(document: Mapping[str, Any]) -> dict[str, int]:
    """Per file, the index of its best feasible choice (the base or a decision variant) by the objective;
    assumption variants are circumstances, not choices, and never 'best'."""
    best: dict[str, tuple[float, int]] = {}
    for index, entry in enumerate(document["variants"]):
        if not entry["feasible"] or variant_kind(entry) not in ("base", "decision"):
            continue
        merit = entry.get("objective_value")
        merit = float(merit if merit is not None else entry.get("expected_payment_adjustment_dollars") or 0.0)
        if entry["file"] not in best or merit > best[entry["file"]][0]:
            best[entry["file"]] = (merit, index)
    return {file: index for file, (_, index) in best.items()}


def sensitivity_text(entry: Mapping[str, Any]) -> str:
    """What an assumption does to the plan, in words (Markdown and HTML)."""
    under = entry.get("base_selection_under_assumption")
    if entry.get("rescored_only") or under is None:
        return "this row is the base plan re-scored under it"
    worth = dollars(under["expected_payment_adjustment_dollars"])
    against = "" if under.get("change_from_base_dollars") is None else f", {dollars(under['change_from_base_dollars'])} against the base"
    gain = under.get("replanning_gain_dollars")
    if gain is None or abs(gain) < 0.5:
        return f"the base plan stays best: {worth} a year{against}"
    return f"the base plan: {worth} a year{against}; planning for it adds {dollars(gain)} ({change_text(entry)})"


def render_compare_markdown(document: dict[str, Any]) -> str:
    """The comparison: the choices ranked (base and decision variants), then the circumstances as a
    sensitivity of each plan, then each variant's selection."""
    threshold = document["performance_threshold"]
    best = set(best_decisions(document).values())
    choices, circumstances = [], []
    for index, entry in enumerate(document["variants"]):
        name = (entry["variant"] or "(base)") + (" (re-scored)" if entry["rescored_only"] else "") + (" ★" if index in best else "")
        if entry["failed"]:
            row = [_scenario_name(entry), name, "—", "—", "—", "—", f"failed: {entry['error']}"]
        elif not entry["feasible"]:
            row = [_scenario_name(entry), name, entry["pathway"], "—", "—", "—", f"infeasible: {entry['infeasible_reason']}"]
        else:
            row = [
                _scenario_name(entry),
                name,
                entry["pathway"],
                number(entry["expected_final_score"]),
                percent(100 * entry["probability_at_or_above_threshold"], 0),
                dollars(entry["expected_payment_adjustment_dollars"]),
                change_text(entry) if variant_kind(entry) != "assumption" else sensitivity_text(entry),
            ]
        (circumstances if variant_kind(entry) == "assumption" else choices).append(row)
    lines = [
        "# What-if comparison",
        "",
        "## Choices",
        "",
        "The base plan and the variants that change a decision (measures, pathway, activities, what to optimise); ★ marks each "
        "file's best choice.",
        "",
        markdown_table(["Scenario", "Variant", "Pathway", "Expected score", f"P(≥{threshold:g})", "Expected $", "Selection vs base"], choices, "lllrrrl"),
    ]
    if circumstances:
        lines += [
            "",
            "## If circumstances change",
            "",
            "Variants that change a circumstance the practice does not choose (Promoting Interoperability reweighted, a low "
            "scaling factor, a rate change, a policy): a sensitivity of the plan, not an option to pick. Each row is the plan "
            "made for that circumstance; the last column says what the base plan is worth under it.",
            "",
            markdown_table(["Scenario", "Variant", "Pathway", "Expected score", f"P(≥{threshold:g})", "Expected $", "The base plan under it"],
                           circumstances, "lllrrrl"),
        ]
    lines += ["", assumptions_text(document), ""]
    if document["failed"]:
        count = document["failed"]
        lines += [f"{count} variant{'s' if count != 1 else ''} failed; {'their rows say' if count != 1 else 'its row says'} why.", ""]
    titles = document.get("activity_titles") or {}
    lines += ["## Selections", ""]
    for entry in document["variants"]:
        if entry["failed"]:
            lines.append(f"- **{entry['scenario']}**: failed")
            continue
        measures = ", ".join(
            f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})" for measure in entry["quality_measures"]
        )
        activities = "; ".join(f"{a} ({titles[a]})" if a in titles else a for a in entry["improvement_activities"])
        lines.append(f"- **{entry['scenario']}**: {entry['pathway']} — {measures or 'none'}; activities {activities or 'none'}")
    lines += glossary_lines(document) + provenance_markdown(document)
    return "\n".join(lines) + "\n"


COMPARE_CSV_COLUMNS = (
    "file",
    "scenario",
    "variant",
    "kind",
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
    "base_plan_under_assumption_dollars",
    "replanning_gain_dollars",
    "error",
)


def compare_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per variant."""
    return [
        {
            **{key: entry.get(key) for key in COMPARE_CSV_COLUMNS},
            "kind": variant_kind(entry),
            "base_plan_under_assumption_dollars": (entry.get("base_selection_under_assumption") or {}).get("expected_payment_adjustment_dollars"),
            "replanning_gain_dollars": (entry.get("base_selection_under_assumption") or {}).get("replanning_gain_dollars"),
            "measures": " ".join(f"{m['measure_id']}:{m['collection_type']}" for m in entry["quality_measures"]),
            "improvement_activities": " ".join(entry["improvement_activities"]),
            "added": " ".join(entry["changes"]["added"]),
            "removed": " ".join(entry["changes"]["removed"]),
            "pathway_changed": entry["changes"]["pathway_changed"],
        }
        for entry in document["variants"]
    ]


def render_compare_csv(document: dict[str, Any]) -> str:
    """The comparison as CSV, one row per variant (the provenance on every row)."""
    shared = provenance_columns(document.get("provenance"))
    return render_rows_csv([{**row, **shared} for row in compare_rows(document)], COMPARE_CSV_COLUMNS + tuple(PROVENANCE_CSV_COLUMNS))
