"""The ``plan`` report: one JSON-ready document, rendered as Markdown, JSON, CSV (and HTML/xlsx elsewhere).

``plan_to_dict`` is the only place that turns a :class:`~optimizer.plan.Plan` into numbers for
people; every format renders that document, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.forecast import assumptions_sentence
from optimizer.plan import Outlook, PathwayPlan, PessimisticCheck, Plan
from optimizer.reasons import collection_type_name, measure_reasons
from optimizer.report.formatting import dollars, markdown_table, number, percent, render_rows_csv
from optimizer.rules.payment import payment_adjustment_percent
from optimizer.scoring import SCALING_CASES

HISTOGRAM_BINS = 20


def _histogram(values: np.ndarray, low: float, high: float, bins: int = HISTOGRAM_BINS) -> dict[str, list[float]]:
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return {"bin_edges": [float(edge) for edge in edges], "counts": [int(count) for count in counts]}


def final_score_histogram(scores: np.ndarray, threshold: float) -> dict[str, list[float]]:
    """The final score's draws in one-point bins from the lowest to the highest draw, the
    performance threshold always inside (so a chart shows where the draws fall against it)."""
    low = max(0.0, float(np.floor(min(float(np.min(scores)), threshold - 1.0))))
    high = min(100.0, float(np.ceil(max(float(np.max(scores)), threshold + 1.0))))
    return _histogram(scores, low, high, bins=max(1, int(round(high - low))))


def outlook_to_dict(outlook: Outlook, threshold: float, with_distributions: bool = False) -> dict[str, Any]:
    """A selection's forecast: measures, activities, final score, threshold chance and dollars."""
    low, high = outlook.final_score_interval()
    document: dict[str, Any] = {
        "quality_measures": [
            {
                "measure_id": measure.candidate.measure_id,
                "collection_type": measure.candidate.collection_type,
                "title": measure.candidate.title,
                "outcome_or_high_priority": measure.candidate.is_priority,
                "expected_points": measure.expected_points,
                "points_p10": measure.points_p10,
                "points_p90": measure.points_p90,
                "probability_counted": measure.probability_counted,
                "probability_scored": measure.probability_scored,
                "seven_point_cap": bool(measure.candidate.benchmark is not None and measure.candidate.benchmark.seven_point_cap),
                "effort_hours": measure.candidate.effort_hours,
            }
            for measure in outlook.measures
        ],
        "improvement_activities": list(outlook.activities),
        "expected_final_score": outlook.expected_final_score,
        "final_score_interval": [low, high],
        "probability_at_or_above_threshold": outlook.probability_at_or_above(threshold),
        "expected_quality_percent": float(np.mean(outlook.score.quality.percent)),
        "expected_payment_adjustment_percent": outlook.expected_payment_percent(),
        "expected_payment_adjustment_dollars": outlook.expected_payment_dollars(),
        "expected_payment_adjustment_dollars_by_scaling": {case: outlook.expected_payment_dollars(case) for case in SCALING_CASES},
        "objective_value": outlook.objective_value,
    }
    if with_distributions:
        document["final_score_histogram"] = final_score_histogram(outlook.final_scores, threshold)
        for position, measure in enumerate(document["quality_measures"]):
            measure["points_histogram"] = _histogram(outlook.points[:, position], 0.0, 10.0)
    return document


def pathway_to_dict(plan: PathwayPlan, run: Plan, recommended: bool, timings: bool = False) -> dict[str, Any]:
    """One pathway's plan (or why it has none), with reasons; the recommended one carries its runner-up
    (the solve's seconds only with ``timings``)."""
    threshold = run.scenario.policy.performance_threshold
    document: dict[str, Any] = {"pathway": plan.pathway.pathway_id, "title": plan.pathway.title, "feasible": plan.feasible}
    if plan.outlook is None:
        document.update(quality_measures=[], improvement_activities=[], expected_final_score=None, infeasible_reason=plan.infeasible_reason)
        return document
    document.update(outlook_to_dict(plan.outlook, threshold, with_distributions=recommended))
    document["reasons"] = measure_reasons(plan, run.forecast)
    if plan.solve is not None:
        document["solver"] = {"status": plan.solve.status, "optimality_gap": plan.solve.gap, "method": plan.solve.method}
        if timings:
            document["solver"]["seconds"] = plan.solve.seconds
    if recommended and plan.runner_up is not None:
        runner_up = outlook_to_dict(plan.runner_up, threshold)
        runner_up["objective_shortfall"] = plan.outlook.objective_value - plan.runner_up.objective_value
        runner_up["expected_payment_shortfall_dollars"] = (
            plan.outlook.expected_payment_dollars() - plan.runner_up.expected_payment_dollars()
        )
        document["runner_up"] = runner_up
    return document


def payment_curve(run: Plan, steps: int = 101) -> dict[str, Any]:
    """The adjustment [percent] over final scores 0–100 at each scaling factor (for charts)."""
    scores = np.linspace(0.0, 100.0, steps)
    factors = run.scenario.scaling.as_dict()
    return {
        "final_score": [float(score) for score in scores],
        **{case: [float(value) for value in payment_adjustment_percent(scores, factors[case], run.scenario.policy)] for case in SCALING_CASES},
    }


def pessimistic_to_dict(check: PessimisticCheck | None, threshold: float) -> dict[str, Any] | None:
    """The recommendation under the pessimistic forecast: stays best?, margins over the runner-up and the better selection."""
    if check is None:
        return None
    mine = check.recommended
    document: dict[str, Any] = {
        "assumptions": assumptions_sentence(check.settings),
        "stays_best": check.stays_best,
        "replanned": check.replanned,
        "expected_final_score": mine.expected_final_score,
        "probability_at_or_above_threshold": mine.probability_at_or_above(threshold),
        "expected_payment_adjustment_dollars": mine.expected_payment_dollars(),
        "objective_value": mine.objective_value,
        "runner_up_objective_margin": check.runner_up_margin,
        "runner_up_payment_margin_dollars": None if check.runner_up is None else mine.expected_payment_dollars() - check.runner_up.expected_payment_dollars(),
        "better": None,
    }
    if check.better is not None:
        document["better"] = {
            "pathway": check.better_pathway,
            "quality_measures": [{"measure_id": c.measure_id, "collection_type": c.collection_type} for c in check.better.selected],
            "improvement_activities": list(check.better.activities),
            "objective_margin": mine.objective_value - check.better.objective_value,
            "payment_margin_dollars": mine.expected_payment_dollars() - check.better.expected_payment_dollars(),
        }
    return document


def plan_to_dict(run: Plan, timings: bool = False) -> dict[str, Any]:
    """The plan as JSON-ready data (unrounded).

    The same scenario and seed give the same document, byte for byte once rendered; how long the
    run took (``seconds``, overall and per pathway solve) is added only with ``timings``.
    """
    scenario = run.scenario
    recommended = pathway_to_dict(run.recommended, run, recommended=True, timings=timings)
    check = pessimistic_to_dict(run.pessimistic_check, scenario.policy.performance_threshold)
    others = [
        pathway_to_dict(plan, run, recommended=False, timings=timings) if plan is not run.recommended else recommended
        for plan in run.pathways
    ]
    document: dict[str, Any] = {
        "objective": run.objective,
        "scenario": scenario.name,
        "practice": scenario.practice.name,
        "performance_year": scenario.performance_year,
        "small_practice": scenario.small_practice,
        "performance_threshold": scenario.policy.performance_threshold,
        "medicare_part_b_allowed": scenario.practice.medicare_part_b_allowed,
        "scaling_factor": scenario.scaling.as_dict(),
        "draws": run.forecast.draw_count if scenario.optimize.draws else 0,
        "seed": scenario.optimize.seed,
        "forecast_assumptions": assumptions_sentence(run.forecast.settings),
        "recommended": recommended,
        "pessimistic_check": check,
        "pathways": others,
        "payment_curve": payment_curve(run),
        "notes": list(run.notes),
    }
    if timings:
        document["seconds"] = run.seconds
    return document


def _measure_rows(entry: dict[str, Any]) -> list[list[str]]:
    return [
        [
            measure["measure_id"],
            collection_type_name(measure["collection_type"]),
            measure["title"][:58],
            number(measure["expected_points"]),
            f"{number(measure['points_p10'])}–{number(measure['points_p90'])}",
            percent(100 * measure["probability_counted"], 0),
            "yes" if measure["outcome_or_high_priority"] else "",
        ]
        for measure in entry["quality_measures"]
    ]


def _headline(entry: dict[str, Any], threshold: float) -> str:
    low, high = entry["final_score_interval"]
    return (
        f"expected final score **{number(entry['expected_final_score'])}** (80% interval {number(low)}–{number(high)}), "
        f"**{percent(100 * entry['probability_at_or_above_threshold'], 0)}** chance of reaching {number(threshold, 0)}, "
        f"expected adjustment **{dollars(entry['expected_payment_adjustment_dollars'])}** a year"
    )


def render_plan_markdown(document: dict[str, Any]) -> str:
    """The plan as Markdown: recommendation, measures, reasons, runner-up, pathway comparison."""
    best = document["recommended"]
    threshold = document["performance_threshold"]
    scaling = best["expected_payment_adjustment_dollars_by_scaling"]
    lines = [
        f"# MIPS {document['performance_year']} plan: {document['scenario']}",
        "",
        f"**Report {best['title']}** ({best['pathway']}): {_headline(best, threshold)} "
        f"({dollars(scaling['low'])} at a low and {dollars(scaling['high'])} at a high scaling factor).",
        "",
        f"Objective: {document['objective'].replace('_', ' ')}; {document['draws']} forecast draws (seed {document['seed']})"
        + (f"; planned in {document['seconds']:.1f} s." if "seconds" in document else ".")
        + f" {document['forecast_assumptions']}",
        "",
        "## Quality measures",
        "",
        markdown_table(
            ["Measure", "Collection type", "Title", "Expected points", "10th–90th pct", "Counted", "Outcome/HP"],
            _measure_rows(best),
            "lllrrrl",
        ),
        "",
        f"Improvement activities: {', '.join(best['improvement_activities']) or 'none'}.",
        "",
        "## Why",
        "",
        *[f"- {reason}" for reason in best.get("reasons", [])],
    ]
    runner_up = best.get("runner_up")
    if runner_up is not None:
        labels = ", ".join(f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})" for measure in runner_up["quality_measures"])
        lines += [
            "",
            "## Runner-up",
            "",
            f"{labels}; activities {', '.join(runner_up['improvement_activities']) or 'none'}: {_headline(runner_up, threshold)} — "
            f"{dollars(runner_up['expected_payment_shortfall_dollars']).lstrip('+')} a year less than the recommendation.",
        ]
    lines += pessimistic_lines(document)
    rows = []
    for entry in sorted(document["pathways"], key=lambda item: -(item.get("objective_value") or -1e18)):
        if not entry["feasible"]:
            rows.append([entry["pathway"], entry["title"][:40], "—", "—", "—", "—", f"infeasible: {entry['infeasible_reason']}"])
            continue
        rows.append(
            [
                entry["pathway"] + (" ★" if entry["pathway"] == best["pathway"] else ""),
                entry["title"][:40],
                number(entry["expected_final_score"]),
                percent(100 * entry["probability_at_or_above_threshold"], 0),
                dollars(entry["expected_payment_adjustment_dollars"]),
                str(len(entry["quality_measures"])),
                ", ".join(measure["measure_id"] for measure in entry["quality_measures"]),
            ]
        )
    lines += [
        "",
        "## Every pathway",
        "",
        markdown_table(["Pathway", "Title", "Expected score", f"P(≥{threshold:g})", "Expected $", "Measures", "Selection"], rows, "llrrrrl"),
        "",
        "Scores are forecasts for the performance year from the baseline counts; dollars are a year of the "
        f"adjustment on {dollars(document['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges.",
        "",
        solver_note(document) if all_proven(document) else f"**{solver_note(document)}**",
    ]
    lines += [f"- {note}" for note in document["notes"]]
    return "\n".join(lines) + "\n"


def _selection_keys(entry: dict[str, Any]) -> set[tuple[str, str]]:
    return {(measure["measure_id"], measure["collection_type"]) for measure in entry["quality_measures"]}


def pessimistic_sentence(document: dict[str, Any]) -> str | None:
    """What happens to the recommendation on the pessimistic forecast, in plain words (None without draws)."""
    check = document.get("pessimistic_check")
    if check is None:
        return None
    objective = document["objective"]

    def margin(value: float) -> str:
        if objective == "expected_payment":
            return f"{dollars(abs(value)).lstrip('+')} a year"
        if objective == "expected_score":
            return f"{abs(value):.2f} points of expected final score"
        return f"{100 * abs(value):.1f} percentage points of the chance of reaching {number(document['performance_threshold'], 0)}"

    runner_up = document["recommended"].get("runner_up")
    lead = ""
    if check["runner_up_objective_margin"] is not None:
        value = check["runner_up_objective_margin"]
        lead = f"; it {'leads' if value >= 0 else 'trails'} the runner-up by {margin(value)}"
    if check["stays_best"]:
        verdict = "the recommendation stays best"
    elif runner_up is not None and _selection_keys(check["better"]) == _selection_keys(runner_up) and check["better"]["pathway"] == document["recommended"]["pathway"]:
        verdict, lead = f"the recommendation is no longer best: the runner-up is worth {margin(check['better']['objective_margin'])} more", ""
    else:
        better = check["better"]
        labels = ", ".join(f"{m['measure_id']} ({collection_type_name(m['collection_type'])})" for m in better["quality_measures"])
        verdict = f"the recommendation is no longer best: {better['pathway']} with {labels} is worth {margin(better['objective_margin'])} more"
    compared = "" if check.get("replanned", True) else " among the runner-up and the other pathways' plans (its pathway's slow solve is not repeated)"
    return (
        f"On a pessimistic variant of the forecast {verdict}{compared}{lead} (expected final score {number(check['expected_final_score'])}, "
        f"{percent(100 * check['probability_at_or_above_threshold'], 0)} chance of reaching {number(document['performance_threshold'], 0)}, "
        f"{dollars(check['expected_payment_adjustment_dollars'])} a year). {check['assumptions']}"
    )


def assumptions_text(document: dict[str, Any]) -> str:
    """The sentence on what a report's probabilities assume (a comparison: each distinct one, with its variants)."""
    if "variants" not in document:
        return document.get("forecast_assumptions") or ""
    by_sentence: dict[str, list[str]] = {}
    for variant in document["variants"]:
        if variant.get("forecast_assumptions"):
            by_sentence.setdefault(variant["forecast_assumptions"], []).append(variant["variant"] or "base")
    if len(by_sentence) <= 1:
        return next(iter(by_sentence), "")
    return " ".join(f"{', '.join(names)}: {sentence}" for sentence, names in by_sentence.items())


def assumptions_footer(document: dict[str, Any]) -> str:
    """:func:`assumptions_text` followed by a space, or nothing."""
    text = assumptions_text(document)
    return f"{text} " if text else ""


def pessimistic_lines(document: dict[str, Any]) -> list[str]:
    """The Markdown section on the recommendation under the pessimistic forecast (none without draws)."""
    sentence = pessimistic_sentence(document)
    return [] if sentence is None else ["", "## If the forecast is more pessimistic", "", sentence]


def all_proven(document: dict[str, Any]) -> bool:
    """Whether every solved pathway's selection is proven best."""
    return all(entry["solver"]["status"] == "optimal" for entry in document["pathways"] if entry.get("solver"))


def solver_note(document: dict[str, Any]) -> str:
    """Whether every pathway's selection is proven best, and how each was found (plain text)."""
    solved = [entry for entry in document["pathways"] if entry.get("solver")]
    methods: dict[str, int] = {}
    for entry in solved:
        methods[entry["solver"]["method"]] = methods.get(entry["solver"]["method"], 0) + 1
    how = ", ".join(f"{method} {count}" for method, count in methods.items())
    stopped = [entry for entry in solved if entry["solver"]["status"] != "optimal"]
    if all_proven(document):
        took = f"; {document['seconds']:.1f} s in all" if "seconds" in document else ""
        return f"Every pathway's selection is proven best ({how}{took})."
    def gap(entry: dict[str, Any]) -> str:
        value = entry["solver"]["optimality_gap"]
        return "gap unknown" if value is None else f"gap {100 * value:.3f}%"

    detail = "; ".join(f"{entry['pathway']} ({gap(entry)})" for entry in stopped)
    return f"Not proven best: the time limit stopped {detail}. Raise time_limit_seconds for a proof ({how})."


PLAN_CSV_COLUMNS = (
    "pathway",
    "recommended",
    "measure_id",
    "collection_type",
    "expected_points",
    "points_p10",
    "points_p90",
    "probability_counted",
    "improvement_activities",
    "expected_final_score",
    "final_score_p10",
    "final_score_p90",
    "probability_at_or_above_threshold",
    "expected_payment_adjustment_dollars",
)


def plan_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per pathway × selected measure (one row for an infeasible pathway)."""
    rows = []
    for entry in document["pathways"]:
        shared = {
            "pathway": entry["pathway"],
            "recommended": entry["pathway"] == document["recommended"]["pathway"],
            "improvement_activities": " ".join(entry.get("improvement_activities", [])),
            "expected_final_score": entry.get("expected_final_score"),
            "final_score_p10": entry["final_score_interval"][0] if entry["feasible"] else None,
            "final_score_p90": entry["final_score_interval"][1] if entry["feasible"] else None,
            "probability_at_or_above_threshold": entry.get("probability_at_or_above_threshold"),
            "expected_payment_adjustment_dollars": entry.get("expected_payment_adjustment_dollars"),
        }
        for measure in entry["quality_measures"] or [{}]:
            rows.append({**shared, **{key: measure.get(key) for key in ("measure_id", "collection_type", "expected_points", "points_p10", "points_p90", "probability_counted")}})
    return rows


def render_plan_csv(document: dict[str, Any]) -> str:
    """The plan as CSV: one row per pathway × measure."""
    return render_rows_csv(plan_rows(document), PLAN_CSV_COLUMNS)
