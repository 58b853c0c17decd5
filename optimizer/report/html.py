"""Self-contained HTML reports from Jinja2 templates: one file each, inline CSS and SVG, no script, no request.

Each renderer takes the same JSON-ready document as the JSON/Markdown/CSV formats (``plan``,
``score``, ``compare``, ``swap``), so the numbers cannot disagree with them. The Python side builds
the template's context (numbers formatted by :mod:`optimizer.report.formatting`, charts drawn by
:mod:`optimizer.report.svg_charts`); the markup and the words live in ``templates/`` (package data).

Every value a template inserts passes through :func:`optimizer.text_safety.html_text` (the
environment's ``finalize``), so text from input files is escaped and its control characters
replaced; the templates run in Jinja2's immutable sandbox, so a ``--template-dir`` holding a
consultant's branding (``branding.html.j2``) can change the page but cannot reach Python.
Key numbers carry ``data-testid`` attributes so tests (and people) can find them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from optimizer.planning.reasons import collection_type_name
from optimizer.report.compare_report import best_decisions, change_text, sensitivity_text, variant_kind
from optimizer.report.formatting import CATEGORY_TITLES, category_rows, dollars, number, percent, performance_rate, pretty_types, signed_percent
from optimizer.report.plan_report import (
    activities_text as titled_activities,
    assumptions_footer,
    breakdown_rows,
    pathway_name,
    pessimistic_sentence,
    points_change,
    quality_sentence,
    quality_work_header,
    quality_work_lead,
    quality_work_note,
    quality_work_rows,
    readiness_split,
    selection_text as plan_selection_text,
    solver_note,
    unfillable_text,
    OTHER_SPECIALTIES_HEADING,
    other_specialties_lead,
    other_specialties_texts,
    versus_current_sentences,
)
from optimizer.report.provenance import provenance_lines
from optimizer.report.svg_charts import bar_chart_svg, histogram_svg, line_chart_svg
from optimizer.text_safety import html_text

# ---------------------------------------------------------------------------------------------
# The template environment.


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` value: markup (charts, rendered blocks) as it is, anything else as escaped text."""
    if value is None or isinstance(value, Markup):
        return "" if value is None else value
    return Markup(html_text(str(value)))


@lru_cache(maxsize=8)
def environment(template_dir: str | None = None) -> ImmutableSandboxedEnvironment:
    """The templates of ``template_dir`` (when given) in front of the package's own."""
    loaders = [PackageLoader("optimizer.report", "templates")]
    if template_dir is not None:
        loaders.insert(0, FileSystemLoader(template_dir))
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, context: Mapping[str, Any], template_dir: str | Path | None = None) -> str:
    """The page ``name`` rendered with ``context`` (``template_dir`` overrides templates by name)."""
    folder = None if template_dir is None else str(template_dir)
    return environment(folder).get_template(name).render(**context)


def svg(text: str) -> Markup:
    """A chart drawn by :mod:`optimizer.report.svg_charts` (which escapes its own text)."""
    return Markup(text)


# ---------------------------------------------------------------------------------------------
# Small formatting helpers shared by the pages.


def probability(value: float | None) -> str:
    """A chance as ``83%`` (same as the Markdown report)."""
    return "—" if value is None else percent(100 * value, 0)


def interval(bounds: Sequence[float] | None) -> str:
    return "—" if not bounds else f"{number(bounds[0])}–{number(bounds[1])}"


def measure_label(measure: Mapping[str, Any]) -> str:
    return f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})"


_SHORT_TYPES = {"ecqm": "eCQM", "mips_cqm": "MIPS CQM", "medicare_part_b_claims": "claims", "qcdr": "QCDR", "cahps": "CAHPS"}
_TYPE_CODE = re.compile(r"\(([a-z_]+)\)")


def short_types(text: str) -> str:
    """``236 (medicare_part_b_claims)`` → ``236 claims`` (chart labels and dense cells)."""
    return _TYPE_CODE.sub(lambda match: _SHORT_TYPES.get(match.group(1), match.group(0)), text).replace("  ", " ")


def compact_selection(measures: Sequence[Mapping[str, Any]]) -> str:
    """``001 eCQM, 236 claims`` for a dense table cell."""
    return ", ".join(f"{m['measure_id']} {_SHORT_TYPES.get(m['collection_type'], m['collection_type'])}" for m in measures) or "none"


def measures_text(entry: Mapping[str, Any]) -> str:
    return ", ".join(measure_label(measure) for measure in entry.get("quality_measures") or []) or "none"


def activities_text(entry: Mapping[str, Any]) -> str:
    return ", ".join(entry.get("improvement_activities") or []) or "none"


def threshold_label(threshold: float) -> str:
    return f"threshold {number(threshold, 0)}"


def short_label(code: str, title: str, limit: int = 34) -> str:
    label = f"{code} {title}".strip()
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if not text or text[-1] in ".!?" else ".")


def measure_badges(measure: Mapping[str, Any]) -> list[dict[str, str]]:
    badges = []
    if measure.get("outcome_or_high_priority"):
        badges.append({"text": "outcome/HP", "css": "priority"})
    if measure.get("seven_point_cap"):
        badges.append({"text": "7-point cap", "css": ""})
    return badges


def headline_stats(
    entry: Mapping[str, Any], threshold: float, *, by_scaling: Mapping[str, float] | None = None, with_percent: bool = True
) -> list[dict[str, Any]]:
    """The key figures of a selection: score (80% interval), chance of the threshold, dollars, percent."""
    stats: list[dict[str, Any]] = [
        {
            "label": "Expected final score",
            "value": number(entry["expected_final_score"]),
            "testid": "expected-final-score",
            "detail": {"strong": None, "text": "80% interval ", "suffix": Markup('<span data-testid="final-score-interval">{}</span>').format(
                _finalize(interval(entry.get("final_score_interval"))))},
        },
        {
            "label": f"Chance of reaching {number(threshold, 0)}",
            "value": probability(entry["probability_at_or_above_threshold"]),
            "testid": "probability-threshold",
            "detail": "share of forecast draws at or above the performance threshold",
        },
    ]
    detail: Any = "payment adjustment at the default scaling factor"
    if by_scaling:
        detail = {
            "text": "",
            "suffix": Markup('<span data-testid="expected-dollars-low">{}</span> at a low and <span data-testid="expected-dollars-high">{}</span>'
                             " at a high scaling factor").format(_finalize(dollars(by_scaling["low"])), _finalize(dollars(by_scaling["high"]))),
        }
    stats.append({"label": "Expected dollars a year", "value": dollars(entry["expected_payment_adjustment_dollars"]), "testid": "expected-dollars", "detail": detail})
    if with_percent and entry.get("expected_payment_adjustment_percent") is not None:
        stats.append(
            {
                "label": "Expected adjustment (%)",
                "value": signed_percent(entry["expected_payment_adjustment_percent"]),
                "testid": "expected-percent",
                "detail": "of Medicare Part B payments, two years later",
            }
        )
    return stats


def compact_measure_rows(measures: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    return [
        [measure["measure_id"], collection_type_name(measure["collection_type"]), number(measure.get("expected_points")),
         probability(measure.get("probability_counted"))]
        for measure in measures
    ]


def _common(document: Mapping[str, Any]) -> dict[str, Any]:
    """What every page's shell takes from a document: how it was made, and the words it uses."""
    return {"provenance_lines": provenance_lines(document.get("provenance")), "glossary_terms": document.get("glossary") or []}


# ---------------------------------------------------------------------------------------------
# plan


def _point_cards(measures: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One histogram of achievement points (0–10) per measure, with its mean marked."""
    cards = []
    for measure in measures:
        histogram = measure.get("points_histogram")
        if not histogram:
            continue
        name = collection_type_name(measure["collection_type"])
        chart = histogram_svg(
            histogram["bin_edges"],
            histogram["counts"],
            marker=measure["expected_points"],
            marker_label=f"mean {number(measure['expected_points'])}",
            width=260,
            height=150,
            x_label="achievement points",
            title=f"Forecast achievement points of measure {measure['measure_id']} ({name})",
            x_ticks=[0, 2, 4, 6, 8, 10],
        )
        cards.append(
            {
                "testid": f"chart-points-{measure['measure_id']}-{measure['collection_type']}",
                "measure_id": measure["measure_id"],
                "collection_type": name,
                "title": measure.get("title", ""),
                "svg": svg(chart),
                "caption": (
                    f"10th–90th percentile {number(measure['points_p10'])}–{number(measure['points_p90'])}; "
                    f"counted in {probability(measure['probability_counted'])} of draws"
                ),
            }
        )
    return cards


def _plan_measure_rows(measures: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "testid": f"measure-{measure['measure_id']}-{measure['collection_type']}",
            "cells": [
                {"strong": measure["measure_id"]},
                collection_type_name(measure["collection_type"]),
                {"text": measure.get("title", ""), "badges": measure_badges(measure)},
                number(measure["expected_points"]),
                f"{number(measure['points_p10'])}–{number(measure['points_p90'])}" if "points_p10" in measure else "—",
                probability(measure.get("probability_counted")),
                probability(measure.get("probability_scored")),
                number(measure["effort_hours"], 0) if measure.get("effort_hours") is not None else "—",
            ],
        }
        for measure in measures
    ]


def _final_score_chart(histogram: Mapping[str, Any], entry: Mapping[str, Any], threshold: float, draws: object) -> dict[str, Any]:
    chart = histogram_svg(
        histogram["bin_edges"],
        histogram["counts"],
        marker=threshold,
        marker_label=threshold_label(threshold),
        shade_from=threshold,
        width=680,
        height=220,
        x_label="final score",
        title="Forecast final score against the performance threshold",
    )
    caption = (
        f"{probability(entry['probability_at_or_above_threshold'])} of the {draws} forecast draws reach the performance "
        f"threshold of {number(threshold, 0)} (green bars); 80% interval {interval(entry['final_score_interval'])}, "
        f"expected {number(entry['expected_final_score'])}."
    )
    return {"svg": svg(chart), "caption": caption}


def _payment_curve_chart(curve: Mapping[str, Sequence[float]], scaling: Mapping[str, float], entry: Mapping[str, Any], threshold: float) -> dict[str, Any]:
    series = {
        f"{case} scaling factor ({scaling[case]:.3f})" if case in scaling else case: curve[case]
        for case in ("low", "default", "high")
        if case in curve
    }
    label = f"this plan: {number(entry['expected_final_score'])}, {signed_percent(entry['expected_payment_adjustment_percent'])}"
    chart = line_chart_svg(
        curve["final_score"],
        series,
        point=(entry["expected_final_score"], entry["expected_payment_adjustment_percent"], label),
        x_label="final score",
        y_label="payment adjustment (%)",
        width=680,
        height=300,
        title="Payment adjustment by final score at each scaling factor",
        y_tick_format=lambda value: f"{value:+g}%".replace("-", "−") if value else "0%",
        reference_x=(threshold, threshold_label(threshold)),
    )
    caption = (
        "Below the threshold the adjustment is negative (down to −9% at a score of 0); above it, the positive side is "
        "scaled for budget neutrality by a factor CMS sets after the year, so the three lines bracket it. The dot is this "
        "plan's expected final score and expected adjustment."
    )
    return {"svg": svg(chart), "caption": caption}


def _runner_up(best: Mapping[str, Any], threshold: float) -> dict[str, Any] | None:
    runner_up = best.get("runner_up")
    if runner_up is None:
        return None
    lead = Markup("The best selection in {} that differs from the recommendation: <strong data-testid=\"runner-up-shortfall\">{}</strong>"
                  " a year less expected payment adjustment.").format(
        _finalize(best["pathway"]), _finalize(dollars(runner_up["expected_payment_shortfall_dollars"]).lstrip("+")))
    rows = [
        ["Expected final score", number(best["expected_final_score"]), {"text": number(runner_up["expected_final_score"]), "testid": "runner-up-final-score"}],
        ["80% interval", interval(best["final_score_interval"]), interval(runner_up["final_score_interval"])],
        [f"Chance of reaching {number(threshold, 0)}", probability(best["probability_at_or_above_threshold"]),
         probability(runner_up["probability_at_or_above_threshold"])],
        ["Expected dollars a year", dollars(best["expected_payment_adjustment_dollars"]), dollars(runner_up["expected_payment_adjustment_dollars"])],
    ]
    chosen = {measure_label(m) for m in best["quality_measures"]}
    other = {measure_label(m) for m in runner_up["quality_measures"]}
    dropped = [measure_label(m) for m in best["quality_measures"] if measure_label(m) not in other]
    added = [measure_label(m) for m in runner_up["quality_measures"] if measure_label(m) not in chosen]
    difference = []
    if dropped or added:
        difference.append(f"reports {', '.join(added) or 'nothing new'} instead of {', '.join(dropped) or 'nothing'}")
    if set(best["improvement_activities"]) != set(runner_up["improvement_activities"]):
        difference.append(f"attests {', '.join(runner_up['improvement_activities']) or 'no activities'}")
    return {
        "lead": lead,
        "rows": rows,
        "difference": "; ".join(difference) or "has the same measures",
        "selection": measures_text(runner_up),
        "activities": activities_text(runner_up),
    }


def _pathway_order(entry: Mapping[str, Any], recommended: str) -> tuple[int, int, float]:
    return (not entry["feasible"], entry["pathway"] != recommended, -(entry.get("objective_value") or -1e18))


def _pathways(document: Mapping[str, Any]) -> dict[str, Any]:
    best = document["recommended"]["pathway"]
    threshold = document["performance_threshold"]
    ranked, apart = readiness_split(dict(document))
    entries = sorted(ranked, key=lambda entry: _pathway_order(entry, best))
    rows = []
    for entry in entries:
        name = {"strong": entry["pathway"], "suffix": " ★" if entry["pathway"] == best else ""}
        testid = f"pathway-{entry['pathway']}"
        if not entry["feasible"]:
            reason = f"infeasible: {entry.get('infeasible_reason') or 'no feasible selection'}"
            rows.append({"testid": testid, "css": "infeasible", "cells": [name, entry["title"], "—", "—", "—", "—", "—", reason]})
            continue
        rows.append(
            {
                "testid": testid,
                "css": "recommended" if entry["pathway"] == best else None,
                "cells": [
                    name,
                    entry["title"],
                    number(entry["expected_final_score"]),
                    interval(entry.get("final_score_interval")),
                    probability(entry["probability_at_or_above_threshold"]),
                    dollars(entry["expected_payment_adjustment_dollars"]),
                    str(len(entry["quality_measures"])),
                    ", ".join(measure["measure_id"] for measure in entry["quality_measures"]),
                ],
            }
        )
    feasible = [entry for entry in entries if entry["feasible"]]
    labels = [short_label(entry["pathway"], entry["title"]) for entry in feasible]
    highlight = next((label for label, entry in zip(labels, feasible) if entry["pathway"] == best), None)
    scores = bar_chart_svg(
        labels,
        [entry["expected_final_score"] for entry in feasible],
        width=540,
        x_label="expected final score",
        title="Expected final score by pathway",
        highlight=highlight,
        reference=(threshold, threshold_label(threshold)),
        value_format=number,
        intervals=[tuple(entry["final_score_interval"]) for entry in feasible],
    )
    money = bar_chart_svg(
        labels,
        [entry["expected_payment_adjustment_dollars"] for entry in feasible],
        width=540,
        x_label="expected payment adjustment ($ a year)",
        title="Expected payment adjustment by pathway",
        highlight=highlight,
        value_format=dollars,
    )
    lead = "Each pathway's best selection, recommended first (★)."
    infeasible = len(entries) - len(feasible)
    if infeasible:
        lead += f" {infeasible} pathway{'s are' if infeasible > 1 else ' is'} infeasible for this practice and left out of the charts."
    return {
        "heading": "Every pathway your data can fill" if apart else "Every pathway",
        "apart": [unfillable_text(entry) for entry in apart],
        "other_specialties_heading": OTHER_SPECIALTIES_HEADING,
        "other_specialties_lead": other_specialties_lead(dict(document)),
        "other_specialties": other_specialties_texts(dict(document)),
        "rows": rows,
        "lead": lead,
        "threshold_header": f"P(≥{number(threshold, 0)})",
        "scores_svg": svg(scores),
        "dollars_svg": svg(money),
    }


def _versus(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The box's comparison with what the practice reports now (None for a document without it)."""
    if "current" not in document:
        return None
    versus = document.get("versus_current")
    sentences = versus_current_sentences(dict(document))
    if versus is None or versus["same_selection"]:
        return {"today": " ".join(sentences).replace("**", ""), "stats": None, "sentence": None}
    current = document["current"]
    low, high = versus["gain_dollars_interval"]
    threshold = number(document["performance_threshold"], 0)
    stats = [
        {
            "label": "Gain over what you report now",
            "value": dollars(versus["expected_gain_dollars"]),
            "testid": "gain-over-current",
            "detail": f"a year on average; between {dollars(low)} and {dollars(high)} in 8 of 10 draws",
        },
        {
            "label": f"Chance of reaching {threshold}",
            "value": f"{probability(versus['probability_at_or_above_threshold_current'])} → {probability(versus['probability_at_or_above_threshold_recommended'])}",
            "testid": "threshold-change",
            "detail": points_change(versus["probability_at_or_above_threshold_change"]),
        },
        {
            "label": "Better than now",
            "value": probability(versus["probability_recommendation_better"]),
            "testid": "probability-better-than-current",
            "detail": f"of the forecast draws score higher (lower in {probability(versus['probability_recommendation_worse'])})",
        },
    ]
    today = (
        f"Now: {pathway_name(current)} with {plan_selection_text(current)}: expected final score "
        f"{number(current['expected_final_score'])}, {dollars(current['expected_payment_adjustment_dollars'])} a year."
    )
    below = sentences[2] if len(sentences) > 2 else None  # still more likely below the threshold than not
    return {"today": today, "stats": stats, "sentence": below}


def _breakdown(document: Mapping[str, Any]) -> dict[str, Any] | None:
    breakdown = document["recommended"].get("score_breakdown")
    if not breakdown:
        return None
    current = (document.get("current") or {}).get("score_breakdown")
    rows = breakdown_rows(breakdown)
    quality = [quality_sentence(breakdown)]
    if current:
        now = {row[0]: row for row in breakdown_rows(current)}
        rows = [[*row, *(now[row[0]][1:] if row[0] in now else ["", "", ""])] for row in rows]
        quality.append("Now — " + quality_sentence(current))
        header, align = ["Category", "Score", "Weight", "Points", "Now: score", "Now: weight", "Now: points"], "lrrrrrr"
    else:
        header, align = ["Category", "Score", "Weight", "Points"], "lrrr"
    return {"header": header, "align": align, "rows": rows, "quality": quality}


def _quality_work(document: Mapping[str, Any]) -> dict[str, Any] | None:
    work = document.get("quality_work")
    if not work or not work["measures"]:
        return None
    rows = [
        {
            "testid": f"quality-work-{row['measure_id']}-{row['collection_type_code']}",
            "cells": [{"strong": row["measure"]}, row["collection_type"], row["title"], row["in_plan"], row["gaps"], row["per_gap"], row["rate"], row["changes"]],
        }
        for row in quality_work_rows(dict(document))
    ]
    return {
        "lead": quality_work_lead(dict(document)),
        "header": quality_work_header(work),
        "rows": rows,
        "note": (
            quality_work_note(dict(document))
        ),
    }


def render_plan_html(document: Mapping[str, Any], template_dir: str | Path | None = None) -> str:
    """The plan document as one self-contained HTML page."""
    best = document["recommended"]
    threshold = document["performance_threshold"]
    titles = document.get("activity_titles")
    charts: dict[str, Any] = {"final_score_chart": None, "payment_chart": None}
    if best.get("final_score_histogram"):
        charts["final_score_chart"] = _final_score_chart(best["final_score_histogram"], best, threshold, document["draws"])
    if document.get("payment_curve") and best.get("expected_payment_adjustment_percent") is not None:
        charts["payment_chart"] = _payment_curve_chart(document["payment_curve"], document.get("scaling_factor", {}), best, threshold)
    context = {
        **_common(document),
        "kind": "plan",
        "title": f"MIPS {document['performance_year']} plan: {document['scenario']}",
        "meta": [
            f"Practice: {document['practice']}",
            f"performance year {document['performance_year']}",
            "small practice" if document.get("small_practice") else "",
            f"objective: {str(document['objective']).replace('_', ' ')}",
            f"{document['draws']} forecast draws (seed {document['seed']})",
            f"planned in {document['seconds']:.1f} s" if document.get("seconds") is not None else "",
        ],
        "best": {**best, "selection": measures_text(best), "activities": titled_activities(dict(best), titles)},
        "versus": _versus(document),
        "requirements": [item["text"] for item in best.get("mvp_requirements") or []],
        "breakdown": _breakdown(document),
        "quality_work": _quality_work(document),
        "headline": headline_stats(best, threshold, by_scaling=best.get("expected_payment_adjustment_dollars_by_scaling")),
        "assumptions": document.get("forecast_assumptions", ""),
        "measure_rows": _plan_measure_rows(best["quality_measures"]),
        "point_cards": _point_cards(best["quality_measures"]),
        **charts,
        "reasons": best.get("reasons") or [],
        "runner_up": _runner_up(best, threshold),
        "pessimistic": pessimistic_sentence(dict(document)),
        "pathways": _pathways(document),
        "notes": document.get("notes") or [],
        "footer": (
            "Scores are forecasts for the performance year from the baseline counts; dollars are a year of the adjustment on "
            f"{dollars(document['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges "
            f"(scaling factor low {document['scaling_factor']['low']:.3f}, default {document['scaling_factor']['default']:.3f}, "
            f"high {document['scaling_factor']['high']:.3f}). {solver_note(document)} Generated by mips-optimizer."
        ),
    }
    return render_template("plan.html.j2", context, template_dir)


# ---------------------------------------------------------------------------------------------
# score


def render_score_html(result_or_document: Any, template_dir: str | Path | None = None) -> str:
    """A score as one self-contained HTML page; takes a ``ScoreResult`` or its ``score_to_dict`` document."""
    if isinstance(result_or_document, Mapping):
        document = result_or_document
    else:
        from optimizer.report.score_report import score_to_dict

        document = score_to_dict(result_or_document)
    threshold = document["performance_threshold"]
    final = document["final_score"]
    payment = document["payment_adjustment"]
    verdict = "at or above" if final >= threshold else "below"
    headline = [
        {"label": "Final score", "value": number(final), "testid": "final-score", "detail": f"{verdict} the performance threshold of {number(threshold, 0)}"},
        {
            "label": "Payment adjustment",
            "value": signed_percent(payment["percent"]["default"]),
            "testid": "payment-percent",
            "detail": f"low {signed_percent(payment['percent']['low'])} · high {signed_percent(payment['percent']['high'])}",
        },
        {
            "label": "Dollars a year",
            "value": dollars(payment["dollars"]["default"]),
            "testid": "payment-dollars",
            "detail": {
                "text": "",
                "suffix": Markup('<span data-testid="payment-dollars-low">{}</span> at a low and <span data-testid="payment-dollars-high">{}</span>'
                                 " at a high scaling factor").format(_finalize(dollars(payment["dollars"]["low"])), _finalize(dollars(payment["dollars"]["high"]))),
            },
        },
        {"label": "Quality", "value": percent(document["categories"]["quality"]["percent"], 2), "testid": "quality-percent", "detail": "quality category score"},
    ]
    inline_notes = []
    if document.get("final_score_set_to_threshold"):
        inline_notes.append("The final score is set to the performance threshold.")
    if document.get("complex_patient_bonus"):
        inline_notes.append(f"Includes a complex patient bonus of {number(document['complex_patient_bonus'])}.")
    quality = document["quality"]
    measures = list(quality["measures"]) + list(quality["calculated_measures"])
    measure_rows = [
        [
            {"strong": measure["measure_id"]},
            collection_type_name(measure["collection_type"]),
            {"text": measure["title"], "badges": measure_badges(measure), "detail": measure.get("note") or None,
             "detail_testid": f"note-{measure['measure_id']}"},
            performance_rate(measure["performance_rate"], measure["collection_type"]),
            f"{measure['case_count']:,}",
            percent(measure["data_completeness"], 1) if measure.get("data_completeness") is not None else "—",
            "—" if measure["decile"] is None else str(measure["decile"]),
            number(measure["achievement_points"]),
            "yes" if measure["counted"] else "no",
        ]
        for measure in measures
    ]
    quality_line = (
        f"Quality: {number(quality['measure_points'])} measure points"
        + (f" + {number(quality['bonus'], 0)} small-practice bonus" if quality["bonus"] else "")
        + f" over {number(quality['denominator'], 0)}"
        + (f", plus {number(quality['improvement_percent'])} improvement points" if quality["improvement_percent"] else "")
        + f" = {percent(document['categories']['quality']['percent'], 2)}."
    )
    points_chart = svg(bar_chart_svg(
        [f"{m['measure_id']} {collection_type_name(m['collection_type'])}" for m in measures],
        [m["achievement_points"] for m in measures],
        width=640,
        x_label="achievement points (0–10)",
        title="Achievement points by measure",
        value_format=number,
    )) if measures else None
    rows_by_category: list[list[Any]] = list(category_rows(document["categories"], document.get("complex_patient_bonus") or 0.0))
    labels = [CATEGORY_TITLES.get(category, category) for category in document["categories"]]
    contributions = [entry["contribution"] for entry in document["categories"].values()]
    rows_by_category.append([{"strong": "Final score"}, "", "", {"strong": number(final)}])
    activities = document["improvement_activities"]
    interoperability = document.get("promoting_interoperability")
    interoperability_rows: list[list[str]] = []
    interoperability_failed = None
    if interoperability:
        interoperability_rows = [[name, number(points)] for name, points in interoperability["points"].items()]
        if interoperability.get("bonus"):
            interoperability_rows.append(["Bonus", number(interoperability["bonus"])])
        if interoperability.get("failed"):
            interoperability_failed = "Promoting Interoperability scores 0: " + "; ".join(interoperability["failed"]) + "."
    context = {
        **_common(document),
        "kind": "score",
        "title": f"MIPS {document['performance_year']} score: {document['practice']}",
        "meta": [
            f"Pathway: {document['pathway']}",
            f"performance year {document['performance_year']}",
            "small practice" if document.get("small_practice") else "",
            f"performance threshold {number(threshold, 0)}",
        ],
        "final": number(final),
        "verdict": verdict,
        "threshold": number(threshold, 0),
        "headline": headline,
        "inline_notes": inline_notes,
        "measure_rows": measure_rows,
        "quality_line": quality_line,
        "points_chart": points_chart,
        "category_rows": rows_by_category,
        "category_chart": svg(bar_chart_svg(labels, contributions, width=640, x_label="points toward the final score",
                                            title="Final score points by category", value_format=number)),
        "activity_line": (
            f"Improvement activities counted: {', '.join(activities['counted']) or 'none'} "
            f"({activities['required_for_full_credit']} needed for full credit)."
        ),
        "interoperability_rows": interoperability_rows,
        "interoperability_failed": interoperability_failed,
        "payment_rows": [
            [case, f"{payment['scaling_factor'][case]:.3f}", signed_percent(payment["percent"][case]), dollars(payment["dollars"][case])]
            for case in ("low", "default", "high")
        ],
        "payment_note": (
            f"Dollars are on {dollars(payment['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges. "
            "The positive side depends on CMS's budget-neutrality scaling factor, known only after the year."
        ),
        "notes": document.get("notes") or [],
    }
    return render_template("score.html.j2", context, template_dir)


# ---------------------------------------------------------------------------------------------
# compare


def _variant_name(variant: Mapping[str, Any]) -> str:
    """``(base)`` or the variant's name, as in the Markdown report."""
    return str(variant.get("variant") or "(base)")


def _scenario_base(variant: Mapping[str, Any]) -> str:
    return str(variant["scenario"]).split(" — ")[0]


def _circumstance_row(index: int, variant: Mapping[str, Any]) -> dict[str, Any]:
    """An assumption variant: the plan made for it, and what the base plan is worth under it."""
    name = f"{index + 1}. {_variant_name(variant)}" + (" (re-scored)" if variant.get("rescored_only") else "")
    testid = f"variant-{index}"
    if variant.get("failed") or not variant["feasible"]:
        reason = f"failed: {variant.get('error')}" if variant.get("failed") else f"infeasible: {variant.get('infeasible_reason')}"
        return {"testid": testid, "css": "infeasible", "cells": [name, variant.get("pathway") or "—", reason, "—", "—", "—", "—"]}
    return {
        "testid": testid,
        "cells": [
            name,
            variant["pathway"],
            compact_selection(variant["quality_measures"]),
            number(variant["expected_final_score"]),
            probability(variant["probability_at_or_above_threshold"]),
            dollars(variant["expected_payment_adjustment_dollars"]),
            short_types(sensitivity_text(variant)),
        ],
    }


def render_compare_html(document: Mapping[str, Any], template_dir: str | Path | None = None) -> str:
    """A what-if comparison of scenario variants as one self-contained HTML page."""
    threshold = document["performance_threshold"]
    variants = list(document["variants"])
    files: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, variant in enumerate(variants):
        files.setdefault(str(variant["file"]), []).append((index, variant))
    objective = str(document.get("objective") or "expected_payment").replace("_", " ")
    mode = "each file's base selection re-scored under every variant" if document.get("rescore_only") else "every variant re-optimized"
    # The box: the best choice of each file (the base or a decision variant), against that file's base.
    best_rows: list[dict[str, Any]] = []
    chosen = best_decisions(document)
    best_indexes: set[int] = set(chosen.values())
    for file, group in files.items():
        base = next((variant for _, variant in group if variant.get("variant") is None and variant["feasible"]), None)
        testid = f"best-{len(best_rows)}"
        if file not in chosen:
            best_rows.append({"testid": testid, "cells": [_scenario_base(group[0][1]), "no feasible variant", "—", "—", "—", "—", "—"]})
            continue
        best = variants[chosen[file]]
        versus = (
            dollars(best["expected_payment_adjustment_dollars"] - base["expected_payment_adjustment_dollars"])
            if base is not None and best is not base
            else "—"
        )
        best_rows.append(
            {
                "testid": testid,
                "cells": [
                    _scenario_base(best),
                    {"strong": _variant_name(best)},
                    best["pathway"],
                    number(best["expected_final_score"]),
                    probability(best["probability_at_or_above_threshold"]),
                    dollars(best["expected_payment_adjustment_dollars"]),
                    versus,
                ],
            }
        )
    single = None
    if len(files) == 1 and best_indexes:
        best = variants[next(iter(best_indexes))]
        single = {
            "name": _variant_name(best),
            "title": best["title"],
            "pathway": best["pathway"],
            "headline": headline_stats(best, threshold, by_scaling=best.get("expected_payment_adjustment_dollars_by_scaling")),
            "selection": measures_text(best),
            "activities": titled_activities(dict(best), document.get("activity_titles")),
        }
    rows: list[dict[str, Any]] = []
    circumstances: list[dict[str, Any]] = []
    for group in files.values():
        first = group[0][1]
        rows.append({"group": _scenario_base(first), "detail": first["file"]})
        for index, variant in group:
            if variant_kind(variant) == "assumption":
                circumstances.append(_circumstance_row(index, variant))
                continue
            name = (
                f"{index + 1}. {_variant_name(variant)}"
                + (" (re-scored)" if variant.get("rescored_only") else "")
                + (" ★" if index in best_indexes else "")
            )
            testid = f"variant-{index}"
            if variant.get("failed"):
                rows.append({"testid": testid, "css": "infeasible", "cells": [name, "—", f"failed: {variant.get('error')}", "—", "—", "—", "—", "—"]})
                continue
            if not variant["feasible"]:
                reason = f"infeasible: {variant.get('infeasible_reason') or 'no feasible selection'}"
                rows.append({"testid": testid, "css": "infeasible", "cells": [name, variant["pathway"], reason, "—", "—", "—", "—", "—"]})
                continue
            rows.append(
                {
                    "testid": testid,
                    "css": "recommended" if index in best_indexes else None,
                    "cells": [
                        name,
                        variant["pathway"],
                        compact_selection(variant["quality_measures"]),
                        number(variant["expected_final_score"]),
                        interval(variant.get("final_score_interval")),
                        probability(variant["probability_at_or_above_threshold"]),
                        dollars(variant["expected_payment_adjustment_dollars"]),
                        short_types(change_text(variant)),
                    ],
                }
            )
    charts = None
    feasible = [(index, variant) for index, variant in enumerate(variants) if variant["feasible"]]
    if feasible:
        several = len(files) > 1
        labels = [
            short_label(f"{index + 1}.", (f"{_scenario_base(variant)}: " if several else "") + _variant_name(variant), 40)
            for index, variant in feasible
        ]
        highlights = {label for label, (index, _) in zip(labels, feasible) if index in best_indexes}
        charts = {
            "scores": svg(bar_chart_svg(
                labels,
                [variant["expected_final_score"] for _, variant in feasible],
                width=680,
                x_label="expected final score",
                title="Expected final score by variant",
                highlight=highlights,
                reference=(threshold, threshold_label(threshold)),
                value_format=number,
                intervals=[tuple(variant["final_score_interval"]) if variant.get("final_score_interval") else None for _, variant in feasible],
                label_limit=40,
            )),
            "dollars": svg(bar_chart_svg(
                labels,
                [variant["expected_payment_adjustment_dollars"] for _, variant in feasible],
                width=680,
                x_label="expected payment adjustment ($ a year)",
                title="Expected payment adjustment by variant",
                highlight=highlights,
                value_format=dollars,
                label_limit=40,
            )),
        }
    context = {
        **_common(document),
        "kind": "compare",
        "title": "What-if comparison: " + ", ".join(dict.fromkeys(_scenario_base(variant) for variant in variants)),
        "meta": [
            f"{len(variants)} variant{'s' if len(variants) != 1 else ''} of {len(files)} scenario file{'s' if len(files) != 1 else ''}",
            mode,
            f"objective: {objective}",
            f"performance threshold {number(threshold, 0)}",
        ],
        "objective": objective,
        "single": single,
        "threshold_header": f"P(≥{number(threshold, 0)})",
        "best_rows": best_rows,
        "variant_rows": rows,
        "circumstance_rows": circumstances,
        "variants_lead": (
            f"The base plan and the variants that change a decision; changes are against the base scenario of the same file; {mode}; "
            "★ marks each file's best choice."
        ),
        "charts": charts,
        "footer": f"{assumptions_footer(document)}Generated by mips-optimizer.",
    }
    return render_template("compare.html.j2", context, template_dir)


# ---------------------------------------------------------------------------------------------
# swap


def _optional(value: float | None, formatter: Callable[[float], str]) -> str:
    return "—" if value is None else formatter(value)


def _dollar_range(bounds: Sequence[float]) -> str:
    return f"{dollars(bounds[0])} to {dollars(bounds[1])}"


def _swap_short(option: Mapping[str, Any]) -> str:
    """``keep`` / ``swap −047 claims +317 eCQM`` (chart labels; the table has the full names)."""
    action = {"replan": "re-plan"}.get(str(option["action"]), str(option["action"]))
    parts = [f"−{short_types(item)}" for item in option.get("removed") or []] + [f"+{short_types(item)}" for item in option.get("added") or []]
    return " ".join([action, *parts])


def render_swap_html(document: Mapping[str, Any], template_dir: str | Path | None = None) -> str:
    """A mid-year swap evaluation (keep, swap, add or re-plan) as one self-contained HTML page."""
    threshold = document["performance_threshold"]
    options = list(document["options"])
    infeasible = list(document.get("infeasible_options") or []) + [option for option in options if not option["feasible"]]
    options = [option for option in options if option["feasible"]]
    recommendation = document.get("recommendation") or {}
    chosen_name = recommendation.get("option")
    chosen = next((option for option in options if option["name"] == chosen_name), None)
    current = next((option for option in options if option["action"] == "keep"), None)
    when = document.get("as_of") or f"{number(document['months_elapsed'], 1)} months in"
    headline = None
    if chosen is not None and chosen.get("expected_final_score") is not None:
        extra = []
        if chosen["action"] != "keep" and chosen.get("gain_dollars_mean") is not None:
            extra.append(
                {
                    "label": "Gain over keeping",
                    "value": dollars(chosen["gain_dollars_mean"]),
                    "testid": "gain-dollars",
                    "detail": f"a year; 10th–90th percentile {_optional(chosen.get('gain_dollars_interval'), _dollar_range)}",
                }
            )
            if chosen.get("probability_better") is not None:
                extra.append({"label": "Chance it beats keeping", "value": probability(chosen["probability_better"]),
                              "testid": "probability-better", "detail": "share of forecast draws"})
        headline = [*headline_stats(chosen, threshold, with_percent=not extra), *extra]
    option_rows = []
    for number_, option in enumerate(options, start=1):
        is_keep = option["action"] == "keep"
        option_rows.append(
            {
                "testid": f"option-{number_ - 1}",
                "css": "recommended" if option["name"] == chosen_name else ("current" if is_keep else None),
                "cells": [
                    str(number_),
                    {"strong": pretty_types(option["name"]), "suffix": " ★" if option["name"] == chosen_name else ""},
                    _optional(option.get("expected_final_score"), number),
                    interval(option.get("final_score_interval")),
                    probability(option.get("probability_at_or_above_threshold")),
                    _optional(option.get("expected_payment_adjustment_dollars"), dollars),
                    "—" if is_keep else _optional(option.get("gain_dollars_mean"), dollars),
                    "—" if is_keep else _optional(option.get("gain_dollars_interval"), _dollar_range),
                    "—" if is_keep else probability(option.get("probability_better")),
                ],
            }
        )
    charts = None
    if options:
        labels = [short_label(f"{index}.", _swap_short(option), 44) for index, option in enumerate(options, start=1)]
        chosen_labels = {label for label, option in zip(labels, options) if option["name"] == chosen_name}
        charts = {
            "scores": svg(bar_chart_svg(
                labels,
                [option["expected_final_score"] for option in options],
                width=680,
                x_label="expected final score",
                title="Expected final score by option",
                highlight=chosen_labels,
                reference=(threshold, threshold_label(threshold)),
                value_format=number,
                intervals=[tuple(option["final_score_interval"]) if option.get("final_score_interval") else None for option in options],
                label_limit=44,
            )),
            "gains": None,
        }
        gains = [(label, option) for label, option in zip(labels, options) if option["action"] != "keep" and option.get("gain_dollars_mean") is not None]
        if gains:
            charts["gains"] = svg(bar_chart_svg(
                [label for label, _ in gains],
                [option["gain_dollars_mean"] for _, option in gains],
                width=680,
                x_label="gain over keeping ($ a year)",
                title="Expected gain over keeping the current plan by option",
                highlight=chosen_labels,
                value_format=dollars,
                intervals=[tuple(option["gain_dollars_interval"]) if option.get("gain_dollars_interval") else None for _, option in gains],
                label_limit=44,
            ))
    cards = []
    for heading, option in (("Recommended", chosen), ("Current plan", current)):
        if option is None or (heading == "Current plan" and option is chosen):
            continue
        cards.append({"heading": f"{heading}: {pretty_types(option['name'])}", "rows": compact_measure_rows(option["quality_measures"]),
                      "activities": activities_text(option)})
    projection_rows = [
        [
            {"strong": row["measure_id"]},
            collection_type_name(row["collection_type"]),
            "yes" if row.get("reported") else "",
            percent(row.get("projected_rate"), 1),
            number(row.get("projected_cases"), 0),
            number(row.get("expected_points")),
            probability(row.get("probability_scored")),
        ]
        for row in document.get("projections") or []
    ]
    by_reason: dict[str, list[str]] = {}
    for option in infeasible:
        by_reason.setdefault(str(option.get("infeasible_reason") or "not feasible"), []).append(pretty_types(option["name"]))
    context = {
        **_common(document),
        "kind": "swap",
        "title": f"Mid-year swap evaluation: {document['scenario']} ({when})",
        "meta": [
            f"as of {document['as_of']}" if document.get("as_of") else "",
            f"{number(document['months_elapsed'], 1)} months of data",
            f"pathway {document['pathway']}" if document.get("pathway") else "",
            f"objective: {str(document['objective']).replace('_', ' ')}" if document.get("objective") else "",
            f"performance threshold {number(threshold, 0)}",
        ],
        "chosen_name": pretty_types(chosen_name or "—"),
        "warnings": list(document.get("warnings") or []),
        "requirements": [item["text"] for item in document.get("mvp_requirements") or []],
        "reason": sentence(str(recommendation.get("reason") or "")),
        "headline": headline,
        "chosen": None if chosen is None else {"selection": measures_text(chosen), "activities": titled_activities(dict(chosen), document.get("activity_titles"))},
        "threshold_header": f"P(≥{number(threshold, 0)})",
        "option_rows": option_rows,
        "charts": charts,
        "cards": cards,
        "projection_rows": projection_rows,
        "infeasible": [{"reason": sentence(reason), "names": ", ".join(names)} for reason, names in by_reason.items()],
        "footer": f"{assumptions_footer(document)}Generated by mips-optimizer.",
    }
    return render_template("swap.html.j2", context, template_dir)
