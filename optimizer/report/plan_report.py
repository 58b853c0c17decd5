"""The ``plan`` report: one JSON-ready document, rendered as Markdown, JSON, CSV (and HTML/xlsx elsewhere).

``plan_to_dict`` is the only place that turns a :class:`~optimizer.planning.plan.Plan` into numbers for
people; every format renders that document, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.forecast import assumptions_sentence
from optimizer.planning.care_gaps import CARE_GAPS, RATE_POINTS, QualityWork
from optimizer.planning.current_selection import improvement_over
from optimizer.planning.mvp_readiness import mvp_readiness
from optimizer.planning.plan import Outlook, PathwayPlan, PessimisticCheck, Plan
from optimizer.planning.reasons import collection_type_name, measure_reasons
from optimizer.report.formatting import category_rows, dollars, markdown_table, number, percent, render_rows_csv, short_title
from optimizer.report.glossary import PLAN_TERMS, glossary
from optimizer.report.provenance import PROVENANCE_CSV_COLUMNS, provenance_columns, provenance_lines
from optimizer.rules.mvp_requirements import mvp_requirements
from optimizer.rules.parameters import CATEGORIES
from optimizer.rules.payment import payment_adjustment_percent
from optimizer.scoring.selection_score import SCALING_CASES, SelectionScore

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


def _mean(value: Any) -> float:
    return float(np.mean(np.asarray(value, dtype=float)))


def score_breakdown(score: SelectionScore) -> dict[str, Any]:
    """Where a selection's final score comes from, averaged over the draws: each category's score,
    weight and points, and the quality category's parts — read off the rules' result objects
    (:class:`optimizer.rules.FinalScore`, :class:`optimizer.rules.QualityScore`)."""
    final = score.final
    quality = score.quality
    denominators = np.atleast_1d(np.asarray(quality.denominator, dtype=float))
    return {
        "categories": {
            category: {
                "percent": None if final.percents.get(category) is None else _mean(final.percents[category]),
                "weight": final.weights[category],
                "contribution": _mean(final.contributions[category]),
                "reweighted": final.percents.get(category) is None,
            }
            for category in CATEGORIES
        },
        "complex_patient_bonus": final.complex_patient_bonus,
        "final_score_set_to_threshold": final.set_to_threshold,
        "expected_final_score": _mean(final.score),
        "quality": {
            "measure_points": _mean(quality.measure_points),
            "bonus": _mean(quality.bonus),
            "numerator": _mean(np.asarray(quality.measure_points) + np.asarray(quality.bonus)),
            "denominator": float(denominators.mean()),
            "denominator_range": [float(denominators.min()), float(denominators.max())],
            "achievement_percent": _mean(quality.achievement_percent),
            "improvement_percent": _mean(quality.improvement_percent),
            "percent": _mean(quality.percent),
        },
    }


def readiness_to_dict(plan: PathwayPlan) -> dict[str, Any]:
    """For an MVP: whether the practice's data can fill its required measures."""
    readiness = mvp_readiness(plan)
    if readiness is None:
        return {}
    return {
        "required_measures": readiness.required,
        "measures_with_data": list(readiness.measures_with_data),
        "can_fill": readiness.can_fill,
    }


def pathway_to_dict(plan: PathwayPlan, run: Plan, recommended: bool, timings: bool = False) -> dict[str, Any]:
    """One pathway's plan (or why it has none), with reasons; the recommended one carries its runner-up
    (the solve's seconds only with ``timings``)."""
    threshold = run.scenario.policy.performance_threshold
    document: dict[str, Any] = {"pathway": plan.pathway.pathway_id, "title": plan.pathway.title, "feasible": plan.feasible}
    document.update(readiness_to_dict(plan))
    if plan.outlook is None:
        document.update(quality_measures=[], improvement_activities=[], expected_final_score=None, infeasible_reason=plan.infeasible_reason)
        return document
    document.update(outlook_to_dict(plan.outlook, threshold, with_distributions=recommended))
    if recommended:
        document["score_breakdown"] = score_breakdown(plan.outlook.score)
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


def _keys_text(keys: Any) -> list[str]:
    return [f"{measure_id} ({collection_type_name(collection_type)})" for measure_id, collection_type in keys]


def current_to_dict(run: Plan, current: PathwayPlan | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The current selection (as a pathway entry) and the recommendation's gain over it, paired by draw."""
    if current is None:
        return None, None
    threshold = run.scenario.policy.performance_threshold
    entry: dict[str, Any] = {"pathway": current.pathway.pathway_id, "title": current.pathway.title, "feasible": current.feasible}
    if current.outlook is None:
        entry.update(quality_measures=[], improvement_activities=[], expected_final_score=None, infeasible_reason=current.infeasible_reason)
        return entry, None
    entry.update(outlook_to_dict(current.outlook, threshold))
    entry["score_breakdown"] = score_breakdown(current.outlook.score)
    recommended = run.recommended.outlook
    gain = improvement_over(current.outlook, recommended, threshold)  # type: ignore[arg-type]
    low, high = gain.gain_dollars_interval()
    same = (
        current.pathway.pathway_id == run.recommended.pathway.pathway_id
        and {c.key for c in current.outlook.selected} == {c.key for c in recommended.selected}  # type: ignore[union-attr]
        and set(current.outlook.activities) == set(recommended.activities)  # type: ignore[union-attr]
    )
    versus = {
        "same_selection": same,
        "expected_gain_dollars": gain.expected_gain_dollars,
        "gain_dollars_interval": [low, high],
        "expected_gain_final_score": gain.expected_gain_score,
        "probability_at_or_above_threshold_current": current.outlook.probability_at_or_above(threshold),
        "probability_at_or_above_threshold_recommended": recommended.probability_at_or_above(threshold),  # type: ignore[union-attr]
        "probability_at_or_above_threshold_change": (
            recommended.probability_at_or_above(threshold) - current.outlook.probability_at_or_above(threshold)  # type: ignore[union-attr]
        ),
        "probability_recommendation_better": gain.probability_better,
        "probability_recommendation_worse": gain.probability_worse,
        "added": _keys_text(c.key for c in recommended.selected if c.key not in {k.key for k in current.outlook.selected}),  # type: ignore[union-attr]
        "dropped": _keys_text(c.key for c in current.outlook.selected if c.key not in {k.key for k in recommended.selected}),  # type: ignore[union-attr]
    }
    return entry, versus


def _new_selection(run: Plan, work_outcome: Any) -> dict[str, Any] | None:
    """What the re-planned recommendation reports differently (None when it is the same)."""
    if not work_outcome.changes_selection:
        return None
    before = {c.key for c in run.recommended.outlook.selected}  # type: ignore[union-attr]
    after = {c.key for c in work_outcome.recommendation.selected}
    return {
        "pathway": work_outcome.pathway,
        "pathway_changed": work_outcome.pathway != run.recommended.pathway.pathway_id,
        "added": _keys_text(sorted(after - before)),
        "dropped": _keys_text(sorted(before - after)),
    }


def quality_work_to_dict(run: Plan, work: tuple[QualityWork, ...] | None) -> dict[str, Any] | None:
    """Where quality work pays: per measure, ten care gaps closed and the rate five points better."""
    if work is None:
        return None
    rows = []
    for item in work:
        candidate = item.candidate
        gaps = item.care_gaps
        rows.append(
            {
                "measure_id": candidate.measure_id,
                "collection_type": candidate.collection_type,
                "title": candidate.title,
                "in_recommendation": item.selected,
                "inverse": candidate.is_inverse,
                "care_gaps_closed": item.gaps_closed,
                "care_gaps_gain_dollars": None if gaps is None else gaps.gain_dollars,
                "dollars_per_care_gap": item.dollars_per_gap,
                "care_gaps_gain_final_score": None if gaps is None else gaps.gain_score,
                "care_gaps_probability_change": None if gaps is None else gaps.gain_probability,
                "care_gaps_new_selection": None if gaps is None else _new_selection(run, gaps),
                "rate_points": RATE_POINTS,
                "rate_patients": item.patients_for_rate,
                "rate_gain_dollars": item.rate.gain_dollars,
                "rate_gain_final_score": item.rate.gain_score,
                "rate_probability_change": item.rate.gain_probability,
                "rate_new_selection": _new_selection(run, item.rate),
            }
        )
    return {"care_gaps": CARE_GAPS, "rate_points": RATE_POINTS, "measures": rows}


def requirements_to_dict(plan: PathwayPlan, scenario: Any) -> list[dict[str, Any]]:
    """What reporting a pathway plan's MVP takes (empty for traditional MIPS)."""
    if not plan.pathway.is_mvp or plan.outlook is None:
        return []
    selected = plan.outlook.selected
    requirements = mvp_requirements(
        scenario.performance_year,
        reports_cahps=any(candidate.is_cahps for candidate in selected),
        outcome_admin_claims_measures=tuple(c.measure_id for c in selected if c.measure_id in plan.pathway.admin_claims_measure_ids),
        clinicians=scenario.practice.clinicians,
        small_practice=scenario.small_practice,
        multispecialty=scenario.practice.multispecialty,
    )
    return [{"key": item.key, "text": item.text, "source": item.source, "confirmed": item.confirmed} for item in requirements]


def activity_titles(run: Plan, catalog: Any, *entries: Any) -> dict[str, str]:
    """The title of every improvement activity a plan document names (ids the catalog lacks are left out)."""
    if catalog is None:
        return {}
    ids: set[str] = set()
    for plan in run.pathways:
        if plan.outlook is not None:
            ids.update(plan.outlook.activities)
    for entry in entries:
        if entry:
            ids.update(entry.get("improvement_activities") or [])
    table = catalog.improvement_activities
    titles = dict(zip(table["measure_id"].astype(str), table["title"].astype(str), strict=True))
    return {activity: titles[activity] for activity in sorted(ids) if activity in titles}


def plan_to_dict(
    run: Plan,
    timings: bool = False,
    *,
    catalog: Any = None,
    current: PathwayPlan | None = None,
    quality_work: tuple[QualityWork, ...] | None = None,
) -> dict[str, Any]:
    """The plan as JSON-ready data (unrounded).

    The same scenario and seed give the same document, byte for byte once rendered; how long the
    run took (``seconds``, overall and per pathway solve) is added only with ``timings``. With
    ``current`` (:func:`optimizer.planning.current_selection.current_selection`) it leads with
    the recommendation's gain over what the practice reports now; with ``quality_work``
    (:func:`optimizer.planning.care_gaps.value_quality_work`) it says where quality work pays;
    ``catalog`` gives the activities' titles.
    """
    scenario = run.scenario
    recommended = pathway_to_dict(run.recommended, run, recommended=True, timings=timings)
    check = pessimistic_to_dict(run.pessimistic_check, scenario.policy.performance_threshold)
    others = [
        pathway_to_dict(plan, run, recommended=False, timings=timings) if plan is not run.recommended else recommended
        for plan in run.pathways
    ]
    current_entry, versus = current_to_dict(run, current)
    recommended["mvp_requirements"] = requirements_to_dict(run.recommended, scenario)
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
        "versus_current": versus,
        "recommended": recommended,
        "current": current_entry,
        "quality_work": quality_work_to_dict(run, quality_work),
        "pessimistic_check": check,
        "pathways": others,
        "activity_titles": activity_titles(run, catalog, current_entry),
        "payment_curve": payment_curve(run),
        "glossary": glossary(PLAN_TERMS, scenario.policy),
        "notes": list(run.notes),
    }
    if run.other_specialties:
        document["practice_specialties"] = list(scenario.practice.specialties or ())
        document["mvps_for_other_specialties"] = [
            {"pathway": other.pathway_id, "title": other.title, "specialties": list(other.specialties), "reason": other.reason}
            for other in run.other_specialties
        ]
    if timings:
        document["seconds"] = run.seconds
    return document


def activity_label(activity_id: str, titles: dict[str, str] | None) -> str:
    """``IA_BE_6 (Use of certified EHR to capture patient reported outcomes)``."""
    title = (titles or {}).get(activity_id)
    return f"{activity_id} ({title})" if title else activity_id


def activities_text(entry: dict[str, Any], titles: dict[str, str] | None) -> str:
    labels = [activity_label(activity, titles) for activity in entry.get("improvement_activities") or []]
    return " and ".join(labels) or "none"


def measure_label(measure: dict[str, Any]) -> str:
    """``236 (eCQM)``."""
    return f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})"


def selection_text(entry: dict[str, Any]) -> str:
    return ", ".join(measure_label(measure) for measure in entry.get("quality_measures") or []) or "no measures"


def pathway_name(entry: dict[str, Any]) -> str:
    """``the MVP Value in Primary Care (M0005)`` / ``traditional MIPS``."""
    if entry["pathway"] == "traditional":
        return "traditional MIPS"
    return f"the MVP {entry['title']} ({entry['pathway']})"


def _chance(value: float) -> str:
    return percent(100 * value, 0)


def points_change(value: float) -> str:
    """A change of a chance, in percentage points: ``+43 percentage points``."""
    return f"{100 * value:+.0f} percentage points".replace("-", "−")


def versus_current_sentences(document: dict[str, Any]) -> list[str]:
    """The recommendation against what the practice reports now, in plain words (empty without a current selection)."""
    current = document.get("current")
    if current is None:
        return ["The scenario does not say what the practice reports now ([quality] reported), so the plan is not compared with it."]
    threshold = number(document["performance_threshold"], 0)
    today = f"What you report now ({pathway_name(current)}: {selection_text(current)})"
    if not current["feasible"]:
        return [f"{today} cannot be scored as it stands: {current['infeasible_reason']}."]
    versus = document["versus_current"]
    if versus["same_selection"]:
        return [f"{today} is already the best selection: keep it."]
    low, high = versus["gain_dollars_interval"]
    before, after = versus["probability_at_or_above_threshold_current"], versus["probability_at_or_above_threshold_recommended"]
    if _chance(before) == _chance(after):
        chance = f"keeps the chance of reaching {threshold} at {_chance(after)}"
    else:
        chance = (
            f"{'raises' if after > before else 'lowers'} the chance of reaching {threshold} from {_chance(before)} to {_chance(after)} "
            f"({points_change(versus['probability_at_or_above_threshold_change'])})"
        )
    sentences = [
        f"{today} is worth {dollars(current['expected_payment_adjustment_dollars'])} a year, an expected final score of "
        f"{number(current['expected_final_score'])} and a {_chance(current['probability_at_or_above_threshold'])} chance of reaching {threshold}.",
        f"The recommendation gains **{dollars(versus['expected_gain_dollars'])} a year** on average (between {dollars(low)} and "
        f"{dollars(high)} in 8 of 10 forecast draws), {chance}, and scores higher than what you report now in "
        f"{_chance(versus['probability_recommendation_better'])} of the draws (lower in {_chance(versus['probability_recommendation_worse'])}).",
    ]
    best = document["recommended"]
    if best["probability_at_or_above_threshold"] < 0.5:
        further = ": see where quality work pays below" if (document.get("quality_work") or {}).get("measures") else ""
        sentences.append(
            f"Even so, a final score below {threshold} (a payment cut) stays more likely than not "
            f"({_chance(1 - best['probability_at_or_above_threshold'])} of the draws){further}."
        )
    return sentences


def _change_text(change: dict[str, Any] | None) -> str:
    if change is None:
        return ""
    parts = []
    if change["pathway_changed"]:
        parts.append(f"switch to {change['pathway']}")
    if change["added"]:
        parts.append("add " + ", ".join(change["added"]))
    if change["dropped"]:
        parts.append("drop " + ", ".join(change["dropped"]))
    return "; ".join(parts)


def quality_work_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The quality-work table's rows, formatted (Markdown, HTML)."""
    rows = []
    for row in (document.get("quality_work") or {}).get("measures", []):
        gaps = row["care_gaps_gain_dollars"]
        changes = "; ".join(
            part for part in (
                f"10 gaps: {_change_text(row['care_gaps_new_selection'])}" if row["care_gaps_new_selection"] else "",
                f"+5 points: {_change_text(row['rate_new_selection'])}" if row["rate_new_selection"] else "",
            ) if part
        )
        rows.append(
            {
                "measure": row["measure_id"],
                "collection_type": collection_type_name(row["collection_type"]),
                "title": short_title(row["title"], 48),
                "in_plan": "yes" if row["in_recommendation"] else "no",
                "gaps": "no gaps left" if gaps is None else f"{dollars(gaps)}" + (f" ({row['care_gaps_closed']} gaps)" if row["care_gaps_closed"] != 10 else ""),
                "per_gap": "—" if row["dollars_per_care_gap"] is None else dollars(row["dollars_per_care_gap"]),
                "rate": f"{dollars(row['rate_gain_dollars'])} (≈ {row['rate_patients']:,} patients)",
                "changes": changes or "no",
                "measure_id": row["measure_id"],
                "collection_type_code": row["collection_type"],
            }
        )
    return rows


def quality_work_header(work: dict[str, Any]) -> list[str]:
    """The quality-work table's header (the dollars are a year of the payment adjustment)."""
    return ["Measure", "Collection type", "Title", "In the plan", f"{work['care_gaps']} care gaps closed", "Per care gap",
            f"Rate +{work['rate_points']:g} points", "Changes the recommendation"]


def quality_work_note(document: dict[str, Any]) -> str:
    """How the quality-work figures are made."""
    work = document["quality_work"]
    return (
        f"Dollars a year of expected payment adjustment. Each figure is the plan made again with the change ({work['care_gaps']} "
        "patients moved to the better side of the measure in last year's counts, or the measure's planned rate change raised "
        f"{work['rate_points']:g} points, about the number of patients shown) minus this plan, on the same forecast draws; "
        "ranked by dollars per care gap."
    )


def quality_work_lead(document: dict[str, Any]) -> str:
    """One sentence on where quality work pays most (or that it was not valued)."""
    work = document.get("quality_work")
    if not work or not work["measures"]:
        return ""
    best = work["measures"][0]
    if not best["dollars_per_care_gap"]:
        text = (
            f"Closing {work['care_gaps']} care gaps in any of these measures does not change the expected payment: the plan's "
            "measures are near their best points, or the gain does not move the final score."
        )
    else:
        direction = "fewer patients with the poor result" if best["inverse"] else "more patients meeting it"
        text = (
            f"Quality work pays most on {best['measure_id']} ({short_title(best['title'], 60)}): {best['care_gaps_closed']} {direction} "
            f"are worth about {dollars(best['care_gaps_gain_dollars'])} a year, {dollars(best['dollars_per_care_gap'])} per care gap closed."
        )
    outside = [row for row in work["measures"] if not row["in_recommendation"]]
    movers = [row["measure_id"] for row in outside if row["care_gaps_new_selection"] or row["rate_new_selection"]]
    if outside and not movers:
        text += (
            f" Work on the measures left out pays only if it brings one into the plan; for the {len(outside)} closest "
            f"({', '.join(row['measure_id'] for row in outside)}), neither {work['care_gaps']} care gaps nor "
            f"{work['rate_points']:g} points does."
        )
    elif movers:
        text += f" Improving {', '.join(movers)} would change what is recommended (last column)."
    return text


def readiness_split(document: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pathways to rank (traditional MIPS, MVPs the data can fill, the recommendation) and the MVPs listed apart."""
    best = document["recommended"]["pathway"]
    ranked, apart = [], []
    for entry in document["pathways"]:
        if entry.get("can_fill", True) or entry["pathway"] == best:
            ranked.append(entry)
        else:
            apart.append(entry)
    ranked.sort(key=lambda item: -(item.get("objective_value") if item.get("objective_value") is not None else -1e18))
    return ranked, apart


def unfillable_text(entry: dict[str, Any]) -> str:
    have = entry.get("measures_with_data") or []
    return (
        f"{entry['pathway']} {entry['title']}: needs {entry['required_measures']} of its measures, your data has "
        f"{len(have)}{' (' + ', '.join(have) + ')' if have else ''}"
    )


OTHER_SPECIALTIES_HEADING = "MVPs for other specialties"


def other_specialties_lead(document: dict[str, Any]) -> str:
    """Why the plan leaves out MVPs for other specialties (empty when it leaves none out)."""
    if not document.get("mvps_for_other_specialties"):
        return ""
    return (
        f"CMS lists these MVPs for specialties other than the practice's ({', '.join(document['practice_specialties'])}), "
        "so they were not planned:"
    )


def other_specialties_texts(document: dict[str, Any]) -> list[str]:
    """One line per MVP left out for its specialties: ``M1503 Title: CMS lists it for …``."""
    return [f"{entry['pathway']} {entry['title']}: {entry['reason']}" for entry in document.get("mvps_for_other_specialties") or []]


def render_plan_markdown(document: dict[str, Any]) -> str:
    """The plan as Markdown: what to do and what it gains over today, what it takes, the measures, where
    the score comes from, where quality work pays, why, the alternatives, the words used, how it was made."""
    best = document["recommended"]
    threshold = document["performance_threshold"]
    titles = document.get("activity_titles")
    scaling = best["expected_payment_adjustment_dollars_by_scaling"]
    lines = [
        f"# MIPS {document['performance_year']} plan: {document['scenario']}",
        "",
        f"**What to do:** {'register for and ' if best['pathway'] != 'traditional' else ''}report {pathway_name(best)} with "
        f"{selection_text(best)}, and attest {activities_text(best, titles)}.",
        "",
        *[line for sentence in versus_current_sentences(document) for line in (sentence, "")],
        f"With the recommendation: {_headline(best, threshold)} ({dollars(scaling['low'])} at a low and {dollars(scaling['high'])} "
        "at a high scaling factor).",
    ]
    requirements = best.get("mvp_requirements") or []
    if requirements:
        lines += ["", "## What reporting this MVP takes", "", *[f"- {item['text']}" for item in requirements]]
    lines += [
        "",
        "## Quality measures",
        "",
        markdown_table(
            ["Measure", "Collection type", "Title", "Expected points", "10th–90th pct", "Counted", "Outcome or high priority"],
            _measure_rows(best),
            "lllrrrl",
        ),
        "",
        f"Improvement activities: {activities_text(best, titles)}.",
    ]
    lines += breakdown_lines(document)
    work = document.get("quality_work")
    if work and work["measures"]:
        rows = [
            [row["measure"], row["collection_type"], row["title"], row["in_plan"], row["gaps"], row["per_gap"], row["rate"], row["changes"]]
            for row in quality_work_rows(document)
        ]
        lines += [
            "",
            "## Where quality work pays",
            "",
            quality_work_lead(document),
            "",
            markdown_table(quality_work_header(work), rows, "lllrrrrl"),
            "",
            quality_work_note(document),
        ]
    lines += ["", "## Why", "", *[f"- {reason}" for reason in best.get("reasons", [])]]
    runner_up = best.get("runner_up")
    if runner_up is not None:
        lines += [
            "",
            "## Runner-up",
            "",
            f"{selection_text(runner_up)}; activities {activities_text(runner_up, titles)}: {_headline(runner_up, threshold)} — "
            f"{dollars(runner_up['expected_payment_shortfall_dollars']).lstrip('+')} a year less than the recommendation.",
        ]
    lines += pessimistic_lines(document)
    ranked, apart = readiness_split(document)
    rows = []
    for entry in ranked:
        if not entry["feasible"]:
            rows.append([entry["pathway"], short_title(entry["title"], 40), "—", "—", "—", "—", f"infeasible: {entry['infeasible_reason']}"])
            continue
        rows.append(
            [
                entry["pathway"] + (" ★" if entry["pathway"] == best["pathway"] else ""),
                short_title(entry["title"], 40),
                number(entry["expected_final_score"]),
                percent(100 * entry["probability_at_or_above_threshold"], 0),
                dollars(entry["expected_payment_adjustment_dollars"]),
                str(len(entry["quality_measures"])),
                ", ".join(measure["measure_id"] for measure in entry["quality_measures"]),
            ]
        )
    lines += [
        "",
        "## Every pathway your data can fill",
        "",
        markdown_table(["Pathway", "Title", "Expected score", f"P(≥{threshold:g})", "Expected $", "Measures", "Selection"], rows, "llrrrrl"),
    ]
    if apart:
        lines += [
            "",
            "### MVPs your data cannot fill",
            "",
            "These MVPs need more of their own measures than the baseline has data for; the missing ones would score zero, "
            "so they are not options this year without collecting new measures:",
            "",
            *[f"- {unfillable_text(entry)}" for entry in apart],
        ]
    if other_specialties_texts(document):
        lines += [
            "",
            f"### {OTHER_SPECIALTIES_HEADING}",
            "",
            other_specialties_lead(document),
            "",
            *[f"- {text}" for text in other_specialties_texts(document)],
        ]
    lines += [
        "",
        "Scores are forecasts for the performance year from the baseline counts; dollars are a year of the "
        f"adjustment on {dollars(document['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges.",
        "",
        solver_note(document) if all_proven(document) else f"**{solver_note(document)}**",
    ]
    lines += [f"- {note}" for note in document["notes"]]
    lines += [
        "",
        f"Objective: {document['objective'].replace('_', ' ')}; {document['draws']} forecast draws (seed {document['seed']})"
        + (f"; planned in {document['seconds']:.1f} s." if "seconds" in document else ".")
        + f" {document['forecast_assumptions']}",
    ]
    lines += glossary_lines(document) + provenance_markdown(document)
    return "\n".join(lines) + "\n"


def _measure_rows(entry: dict[str, Any]) -> list[list[str]]:
    return [
        [
            measure["measure_id"],
            collection_type_name(measure["collection_type"]),
            short_title(measure["title"], 58),
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


def breakdown_rows(breakdown: dict[str, Any]) -> list[list[str]]:
    """Category, score, weight, points rows of a score breakdown (then the bonus and the total)."""
    rows = category_rows(breakdown["categories"], breakdown["complex_patient_bonus"])
    return [*rows, ["Final score (expected)", "", "", number(breakdown["expected_final_score"])]]


def quality_sentence(breakdown: dict[str, Any]) -> str:
    """The quality category's parts in one sentence."""
    quality = breakdown["quality"]
    low, high = quality["denominator_range"]
    denominator = number(quality["denominator"], 0) if low == high else f"{number(low, 0)}–{number(high, 0)} (expected {number(quality['denominator'], 1)})"
    return (
        f"Quality: {number(quality['measure_points'])} measure points"
        + (f" + {number(quality['bonus'], 0)} small-practice bonus = {number(quality['numerator'])}" if quality["bonus"] else "")
        + f" out of {denominator} available"
        + (f", plus {number(quality['improvement_percent'])} improvement points" if quality["improvement_percent"] else "")
        + f" = {percent(quality['percent'], 2)} (expected over the draws)."
    )


def breakdown_lines(document: dict[str, Any]) -> list[str]:
    """Where the score comes from (the recommendation, and the current selection when there is one)."""
    best = document["recommended"]
    breakdown = best.get("score_breakdown")
    if not breakdown:
        return []
    current = document.get("current")
    current_breakdown = current.get("score_breakdown") if current else None
    lines = ["", "## Where the score comes from", ""]
    if current_breakdown:
        now = {row[0]: row for row in breakdown_rows(current_breakdown)}
        rows = [
            [row[0], row[1], row[2], row[3], *(now[row[0]][1:] if row[0] in now else ["", "", ""])]
            for row in breakdown_rows(breakdown)
        ]
        lines.append(markdown_table(["Category", "Score", "Weight", "Points", "Now: score", "Now: weight", "Now: points"], rows, "lrrrrrr"))
    else:
        lines.append(markdown_table(["Category", "Score", "Weight", "Points"], breakdown_rows(breakdown), "lrrr"))
    lines += ["", quality_sentence(breakdown)]
    if current_breakdown:
        lines += ["", "Now — " + quality_sentence(current_breakdown)]
    lines += ["", "Each category's score times its weight gives its points; their sum (plus any complex patient bonus) is the final score."]
    return lines


def glossary_lines(document: dict[str, Any]) -> list[str]:
    """The words used, explained (Markdown)."""
    terms = document.get("glossary") or []
    return ["", "## Words used here", "", *[f"- **{item['term']}**: {item['meaning']}" for item in terms]] if terms else []


def provenance_markdown(document: dict[str, Any]) -> list[str]:
    """How the report was made (Markdown)."""
    lines = provenance_lines(document.get("provenance"))
    return ["", "## How this report was made", "", *[f"- {item['label']}: {item['value']}" for item in lines]] if lines else []


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
    "selection",
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
    "gain_over_current_dollars",
    "probability_better_than_current",
    "can_fill",
)


def plan_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per pathway × selected measure (one row for an infeasible pathway): the recommendation
    first (with its gain over the current selection), then the current selection, then the other pathways."""
    best = document["recommended"]["pathway"]
    versus = document.get("versus_current") or {}
    current = document.get("current")
    entries = [("recommended", entry) for entry in document["pathways"] if entry["pathway"] == best]
    entries += [("current", current)] if current is not None else []
    entries += [("best of its pathway", entry) for entry in document["pathways"] if entry["pathway"] != best]
    rows = []
    for role, entry in entries:
        feasible = entry["feasible"]
        shared = {
            "selection": role,
            "pathway": entry["pathway"],
            "recommended": role == "recommended",
            "improvement_activities": " ".join(entry.get("improvement_activities", [])),
            "expected_final_score": entry.get("expected_final_score"),
            "final_score_p10": entry["final_score_interval"][0] if feasible else None,
            "final_score_p90": entry["final_score_interval"][1] if feasible else None,
            "probability_at_or_above_threshold": entry.get("probability_at_or_above_threshold"),
            "expected_payment_adjustment_dollars": entry.get("expected_payment_adjustment_dollars"),
            "gain_over_current_dollars": versus.get("expected_gain_dollars") if role == "recommended" else None,
            "probability_better_than_current": versus.get("probability_recommendation_better") if role == "recommended" else None,
            "can_fill": entry.get("can_fill"),
        }
        for measure in entry["quality_measures"] or [{}]:
            rows.append({**shared, **{key: measure.get(key) for key in ("measure_id", "collection_type", "expected_points", "points_p10", "points_p90", "probability_counted")}})
    return rows


def render_plan_csv(document: dict[str, Any]) -> str:
    """The plan as CSV: one row per pathway × measure, the recommendation first; the provenance on every row."""
    shared = provenance_columns(document.get("provenance"))
    return render_rows_csv([{**row, **shared} for row in plan_rows(document)], PLAN_CSV_COLUMNS + tuple(PROVENANCE_CSV_COLUMNS))
