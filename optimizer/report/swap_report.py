"""The ``swap`` report: keep the plan or change it mid-year (Markdown, JSON, CSV)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.forecast import assumptions_sentence
from optimizer.planning.resolve import forecast_settings
from optimizer.report.formatting import dollars, markdown_table, number, percent, render_rows_csv
from optimizer.report.plan_report import outlook_to_dict
from optimizer.planning.swap import SwapOption, SwapResult


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


def swap_to_dict(result: SwapResult) -> dict[str, Any]:
    """The swap evaluation as JSON-ready data."""
    threshold = result.scenario.policy.performance_threshold
    return {
        "kind": "swap",
        "scenario": result.scenario.name,
        "pathway": result.scenario.pathway,
        "objective": result.scenario.optimize.objective,
        "as_of": result.as_of,
        "months_elapsed": result.months_elapsed,
        "performance_threshold": threshold,
        "projections": list(result.projections),
        "options": [_option_dict(option, threshold) for option in result.options],
        "infeasible_options": [_option_dict(option, threshold) for option in result.infeasible],
        "recommendation": {"option": result.recommendation, "reason": result.reason},
        "forecast_assumptions": assumptions_sentence(forecast_settings(result.scenario)),
    }


def render_swap_markdown(document: dict[str, Any]) -> str:
    """The swap evaluation as Markdown."""
    threshold = document["performance_threshold"]
    recommendation = document["recommendation"]
    when = document["as_of"] or f"{document['months_elapsed']:g} months in"
    lines = [
        f"# Mid-year swap evaluation: {document['scenario']} ({when})",
        "",
        f"**Recommendation: {recommendation['option']}** — {recommendation['reason']}.",
        "",
        "## Options",
        "",
    ]
    rows = [
        [
            option["name"],
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
            f"{row['measure_id']} ({row['collection_type']})",
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
                lines.append(f"- {option['name']}: {option['infeasible_reason']}")
    return "\n".join(lines) + "\n"


SWAP_CSV_COLUMNS = (
    "name", "action", "removed", "added", "feasible", "infeasible_reason", "expected_final_score",
    "probability_at_or_above_threshold", "expected_payment_adjustment_dollars", "gain_dollars_mean", "probability_better",
)


def render_swap_csv(document: dict[str, Any]) -> str:
    """The options as CSV, feasible first."""
    rows = [
        {**option, "removed": " ".join(option["removed"]), "added": " ".join(option["added"])}
        for option in document["options"] + document["infeasible_options"]
    ]
    return render_rows_csv(rows, SWAP_CSV_COLUMNS)
