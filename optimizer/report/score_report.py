"""The ``score`` report: what a consultant pastes into a client email, and its JSON twin."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.collection_types import DESCRIPTIONS
from optimizer.report.formatting import (
    category_rows,
    short_title,
    dollars,
    markdown_table,
    number,
    percent,
    performance_rate,
    render_rows_csv,
    signed_percent,
)
from optimizer.rules.parameters import CATEGORIES, QUALITY, IMPROVEMENT_ACTIVITIES
from optimizer.planning.score import MeasureScore, ScoreResult
from optimizer.report.glossary import SCORE_TERMS, glossary
from optimizer.report.provenance import PROVENANCE_CSV_COLUMNS, provenance_columns
from optimizer.scoring.selection_score import SCALING_CASES


def _scalar(value: Any) -> float:
    return float(np.asarray(value))


def _category_percents(result: ScoreResult) -> dict[str, float | None]:
    return {
        QUALITY: _scalar(result.selection.quality.percent),
        "cost": result.fixed.cost_percent,
        IMPROVEMENT_ACTIVITIES: result.selection.activities_percent,
        "promoting_interoperability": result.fixed.interoperability_percent,
    }


def _measure_dict(measure: MeasureScore) -> dict[str, Any]:
    return {
        "measure_id": measure.measure_id,
        "collection_type": measure.collection_type,
        "title": measure.title,
        "performance_rate": None if np.isnan(measure.performance_rate) else measure.performance_rate,
        "case_count": measure.case_count,
        "data_completeness": measure.data_completeness,
        "decile": measure.decile,
        "achievement_points": measure.points,
        "outcome": measure.outcome,
        "counted": measure.counted,
        "outcome_or_high_priority": measure.is_priority,
        "note": measure.note,
    }


def score_to_dict(result: ScoreResult, catalog: Any = None) -> dict[str, Any]:
    """The score as JSON-ready data; weights are fractions, scores unrounded (``catalog`` gives the
    activities' titles)."""
    selection = result.selection
    quality = selection.quality
    final = selection.final
    percents = _category_percents(result)
    categories = {
        category: {
            "percent": percents[category],
            "weight": final.weights[category],
            "contribution": _scalar(final.contributions[category]),
            "reweighted": percents[category] is None,
        }
        for category in CATEGORIES
    }
    scenario = result.scenario
    return {
        "performance_year": scenario.performance_year,
        "practice": scenario.practice.name,
        "pathway": result.pathway.pathway_id,
        "pathway_title": result.pathway.title,
        "small_practice": scenario.small_practice,
        "final_score": _scalar(final.score),
        "final_score_set_to_threshold": final.set_to_threshold,
        "complex_patient_bonus": final.complex_patient_bonus,
        "performance_threshold": scenario.policy.performance_threshold,
        "categories": categories,
        "quality": {
            "measures": [_measure_dict(measure) for measure in result.measures],
            "calculated_measures": [_measure_dict(measure) for measure in result.extra_measures],
            "measure_points": _scalar(quality.measure_points),
            "numerator": _scalar(quality.measure_points) + _scalar(quality.bonus),
            "denominator": _scalar(quality.denominator),
            "bonus": _scalar(quality.bonus),
            "achievement_percent": _scalar(quality.achievement_percent),
            "improvement_percent": _scalar(quality.improvement_percent),
        },
        "cost": {"measure_points": dict(result.fixed.cost_points)},
        "improvement_activities": {
            "counted": list(result.activities),
            "required_for_full_credit": result.activities_required,
        },
        "promoting_interoperability": None
        if result.fixed.interoperability is None
        else {
            "points": dict(result.fixed.interoperability.points),
            "bonus": result.fixed.interoperability.bonus,
            "failed": list(result.fixed.interoperability.failed),
        },
        "payment_adjustment": {
            "scaling_factor": scenario.scaling.as_dict(),
            "percent": {case: _scalar(selection.payment_percent[case]) for case in SCALING_CASES},
            "dollars": {case: _scalar(selection.payment_dollars[case]) for case in SCALING_CASES},
            "medicare_part_b_allowed": scenario.practice.medicare_part_b_allowed,
        },
        "notes": list(result.notes),
        "activity_titles": _activity_titles(catalog, result.scenario.improvement_activities.attested),
        "glossary": glossary(SCORE_TERMS, scenario.policy),
    }


def _activity_titles(catalog: Any, activities: Any) -> dict[str, str]:
    if catalog is None:
        return {}
    table = catalog.improvement_activities
    titles = dict(zip(table["measure_id"].astype(str), table["title"].astype(str), strict=True))
    return {activity: titles[activity] for activity in sorted(set(activities)) if activity in titles}


def _verdict(data: dict[str, Any]) -> str:
    """Above or below the threshold, and what it means for payments, in words."""
    threshold = number(data["performance_threshold"], 0)
    payment = data["payment_adjustment"]
    change = f"{signed_percent(payment['percent']['default'])} of Medicare Part B payments ({dollars(payment['dollars']['default'])} a year, two years later)"
    if data["final_score"] < data["performance_threshold"]:
        return f"below the performance threshold of {threshold}, so a payment cut of {change}."
    if data["final_score"] == data["performance_threshold"]:
        return f"exactly the performance threshold of {threshold}: no payment adjustment."
    return f"above the performance threshold of {threshold}, so a payment increase of about {change}, depending on CMS's scaling factor."


def render_score_markdown(data: dict[str, Any]) -> str:
    """The score document (:func:`score_to_dict`) as Markdown for a client email."""
    lines = [
        f"# MIPS {data['performance_year']} score: {data['practice']}",
        "",
        f"**Final score {number(data['final_score'])}** ({data['pathway_title']}{', small practice' if data['small_practice'] else ''}): "
        + _verdict(data),
        "",
        "## Quality measures",
        "",
    ]
    rows = []
    for measure in data["quality"]["measures"] + data["quality"]["calculated_measures"]:
        rows.append(
            [
                measure["measure_id"],
                DESCRIPTIONS.get(measure["collection_type"], measure["collection_type"]).split(" (")[0],
                short_title(measure["title"], 60),
                performance_rate(measure["performance_rate"], measure["collection_type"]),
                str(measure["case_count"]),
                "—" if measure["decile"] is None else str(measure["decile"]),
                number(measure["achievement_points"]),
                "yes" if measure["counted"] else "no",
                measure["note"] or ("outcome / high priority" if measure["outcome_or_high_priority"] else ""),
            ]
        )
    lines.append(
        markdown_table(
            ["Measure", "Collection type", "Title", "Rate", "Cases", "Decile", "Points", "Counted", "Why"],
            rows,
            "lllrrrrll",
        )
    )
    quality = data["quality"]
    lines += [
        "",
        f"Quality: {number(quality['measure_points'])} measure points"
        + (f" + {number(quality['bonus'], 0)} small-practice bonus" if quality["bonus"] else "")
        + f" over {number(quality['denominator'], 0)}"
        + (f", plus {number(quality['improvement_percent'])} improvement points" if quality["improvement_percent"] else "")
        + f" = {percent(data['categories']['quality']['percent'], 2)}.",
        "",
        "## Categories",
        "",
    ]
    rows = category_rows(data["categories"], data["complex_patient_bonus"])
    rows.append(["**Final score**", "", "", f"**{number(data['final_score'])}**"])
    lines.append(markdown_table(["Category", "Score", "Weight", "Points"], rows, "lrrr"))
    activities = data["improvement_activities"]
    titles = data.get("activity_titles") or {}
    counted = " and ".join(f"{activity} ({titles[activity]})" if activity in titles else activity for activity in activities["counted"])
    lines += [
        "",
        f"Improvement activities counted: {counted or 'none'} "
        f"({activities['required_for_full_credit']} needed for full credit).",
    ]
    if data["promoting_interoperability"] and data["promoting_interoperability"]["failed"]:
        lines.append("Promoting Interoperability scores 0: " + "; ".join(data["promoting_interoperability"]["failed"]) + ".")
    payment = data["payment_adjustment"]
    lines += ["", "## Payment adjustment (two years later)", ""]
    payment_rows = [
        [
            case,
            f"{payment['scaling_factor'][case]:.3f}",
            signed_percent(payment["percent"][case]),
            dollars(payment["dollars"][case]),
        ]
        for case in SCALING_CASES
    ]
    lines.append(markdown_table(["Scaling", "Factor", "Adjustment", "Dollars a year"], payment_rows, "lrrr"))
    lines += [
        "",
        f"Dollars are on {dollars(payment['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges. "
        "The positive side depends on CMS's budget-neutrality scaling factor, known only after the year.",
    ]
    for note in data["notes"]:
        lines.append(f"- {note}")
    from optimizer.report.plan_report import glossary_lines, provenance_markdown

    lines += glossary_lines(data) + provenance_markdown(data)
    return "\n".join(lines) + "\n"


SCORE_CSV_COLUMNS = (
    "measure_id",
    "collection_type",
    "title",
    "performance_rate",
    "case_count",
    "data_completeness",
    "decile",
    "achievement_points",
    "outcome",
    "counted",
    "outcome_or_high_priority",
    "note",
    "final_score",
    "quality_percent",
)


def render_score_csv(data: dict[str, Any]) -> str:
    """The measures table as CSV (one row per measure) with the final score and the provenance on every row."""
    shared = {"final_score": data["final_score"], "quality_percent": data["categories"]["quality"]["percent"], **provenance_columns(data.get("provenance"))}
    rows = [{**measure, **shared} for measure in data["quality"]["measures"] + data["quality"]["calculated_measures"]]
    return render_rows_csv(rows, SCORE_CSV_COLUMNS + tuple(PROVENANCE_CSV_COLUMNS))
