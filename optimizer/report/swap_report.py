"""The ``swap`` report: keep the plan or change it mid-year (Markdown, JSON, CSV)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.forecast import assumptions_sentence
from optimizer.planning.resolve import forecast_settings
from optimizer.planning.swap import SwapOption, SwapResult
from optimizer.report.formatting import dollars, markdown_table, number, percent, pretty_types, render_rows_csv
from optimizer.report.glossary import SWAP_TERMS, glossary
from optimizer.report.plan_report import glossary_lines, outlook_to_dict, provenance_markdown, requirements_to_dict
from optimizer.report.provenance import PROVENANCE_CSV_COLUMNS, provenance_columns


def _option_dict(option: SwapOption, threshold: float) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": option.name,
        "action": option.action,
        "removed": list(option.removed),
        "added": list(option.added),
        "feasible": option.plan is not None and option.plan.outlook is not None,
        "infeasible_reason": option.infeasible_reason,
    }
    if entry["feasible"]:
        entry.update(outlook_to_dict(option.plan.outlook, threshold))  # type: ignore[union-attr]
        gain = option.gain_dollars
        entry["gain_dollars_mean"] = float(np.mean(gain))
        entry["gain_dollars_interval"] = [float(np.percentile(gain, 10)), float(np.percentile(gain, 90))]
        entry["gain_objective_mean"] = float(np.mean(option.gain_objective))
        entry["probability_better"] = float(np.mean(option.gain_objective > 0))
    else:
        entry.update(
            quality_measures=[], improvement_activities=[], expected_final_score=None, final_score_interval=None,
            probability_at_or_above_threshold=None, expected_payment_adjustment_dollars=None,
            gain_dollars_mean=None, gain_dollars_interval=None, gain_objective_mean=None, probability_better=None,
        )
    return entry


def swap_to_dict(result: SwapResult, catalog: Any = None) -> dict[str, Any]:
    """The swap evaluation as JSON-ready data (``catalog`` gives the activities' titles)."""
    threshold = result.scenario.policy.performance_threshold
    named = {a for option in result.options if option.plan is not None and option.plan.outlook is not None for a in option.plan.outlook.activities}
    titles = {}
    if catalog is not None:
        table = catalog.improvement_activities
        known = dict(zip(table["measure_id"].astype(str), table["title"].astype(str), strict=True))
        titles = {activity: known[activity] for activity in sorted(named) if activity in known}
    return {
        "kind": "swap",
        "scenario": result.scenario.name,
        "pathway": result.scenario.pathway,
        "objective": result.scenario.optimize.objective,
        "as_of": result.as_of,
        "as_of_date": None if result.as_of_date is None else result.as_of_date.isoformat(),
        "months_elapsed": result.months_elapsed,
        "warnings": list(result.warnings),
        "performance_threshold": threshold,
        "projections": list(result.projections),
        "options": [_option_dict(option, threshold) for option in result.options],
        "infeasible_options": [_option_dict(option, threshold) for option in result.infeasible],
        "recommendation": {"option": result.recommendation, "reason": result.reason},
        "mvp_requirements": _requirements(result),
        "forecast_assumptions": assumptions_sentence(forecast_settings(result.scenario)),
        "activity_titles": titles,
        "glossary": glossary(SWAP_TERMS, result.scenario.policy),
    }


def _requirements(result: SwapResult) -> list[dict[str, Any]]:
    """What the recommended option takes when it switches to an MVP (registration and the rest)."""
    chosen = next((option for option in result.options if option.name == result.recommendation), None)
    if chosen is None or chosen.plan is None or chosen.action != "switch":
        return []
    return requirements_to_dict(chosen.plan, result.scenario)


def render_swap_markdown(document: dict[str, Any]) -> str:
    """The swap evaluation as Markdown."""
    threshold = document["performance_threshold"]
    recommendation = document["recommendation"]
    when = document["as_of"] or f"{document['months_elapsed']:g} months in"
    lines = [
        f"# Mid-year swap evaluation: {document['scenario']} ({when})",
        "",
        f"**Recommendation: {pretty_types(recommendation['option'])}** — {recommendation['reason']}.",
        "",
    ]
    if document.get("warnings"):
        lines += ["**Check the year-to-date file:**", "", *[f"- {warning}" for warning in document["warnings"]], ""]
    if document.get("mvp_requirements"):
        lines += ["## What switching to this MVP takes", "", *[f"- {item['text']}" for item in document["mvp_requirements"]], ""]
    lines += ["## Options", ""]
    rows = [
        [
            pretty_types(option["name"]),
            number(option["expected_final_score"]),
            percent(100 * option["probability_at_or_above_threshold"], 0),
            dollars(option["expected_payment_adjustment_dollars"]),
            "—" if option["action"] == "keep" else f"{dollars(option['gain_dollars_mean'])} ({dollars(option['gain_dollars_interval'][0])} to {dollars(option['gain_dollars_interval'][1])})",
            "—" if option["action"] == "keep" else percent(100 * option["probability_better"], 0),
        ]
        for option in document["options"]
    ]
    lines.append(markdown_table(["Option", "Expected score", f"P(≥{threshold:g})", "Expected $", "Gain (10th–90th pct)", "P(better)"], rows, "lrrrrr"))
    lines += ["", document["forecast_assumptions"]]
    lines += ["", "## Year-end projection", ""]
    projection_rows = [
        [
            pretty_types(f"{row['measure_id']} ({row['collection_type']})"),
            "yes" if row["reported"] else "",
            percent(row["projected_rate"], 1),
            number(row["projected_cases"], 0),
            number(row["expected_points"]),
            percent(100 * row["probability_scored"], 0),
        ]
        for row in document["projections"]
    ]
    lines.append(markdown_table(["Measure", "Reported", "Projected rate", "Projected cases", "Expected points", "P(scored)"], projection_rows, "llrrrr"))
    if document["infeasible_options"]:
        lines += ["", "## Not feasible mid-year", ""]
        seen = set()
        for option in document["infeasible_options"]:
            if option["infeasible_reason"] not in seen:
                seen.add(option["infeasible_reason"])
                lines.append(f"- {pretty_types(option['name'])}: {option['infeasible_reason']}")
    lines += glossary_lines(document) + provenance_markdown(document)
    return "\n".join(lines) + "\n"


SWAP_CSV_COLUMNS = (
    "name", "action", "removed", "added", "feasible", "infeasible_reason", "expected_final_score",
    "probability_at_or_above_threshold", "expected_payment_adjustment_dollars", "gain_dollars_mean", "probability_better",
)


def render_swap_csv(document: dict[str, Any]) -> str:
    """The options as CSV, feasible first (the provenance on every row)."""
    shared = provenance_columns(document.get("provenance"))
    rows = [
        {**option, "removed": " ".join(option["removed"]), "added": " ".join(option["added"]), **shared}
        for option in document["options"] + document["infeasible_options"]
    ]
    return render_rows_csv(rows, SWAP_CSV_COLUMNS + tuple(PROVENANCE_CSV_COLUMNS))
