"""The report commands' Excel workbooks: what each sheet of ``plan``, ``compare``, ``swap`` and ``score`` holds.

Rendered from the same JSON-ready document as every other format (so they cannot disagree), with
the sheet machinery of :mod:`optimizer.report.excel`: titled tables, number formats on every number,
frozen headers and Excel's own charts.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.planning.reasons import collection_type_name
from optimizer.report.compare_report import change_text
from optimizer.report.excel import (
    NUMBER_FORMATS,
    Column,
    add_bar_chart,
    add_key_figures,
    add_table,
    chart_anchor,
    new_workbook,
    save,
)
from optimizer.report.compare_report import best_decisions, variant_kind
from optimizer.report.formatting import CATEGORY_TITLES
from optimizer.report.plan_report import (
    activities_text,
    pessimistic_sentence,
    plan_rows,
    quality_work_lead,
    quality_work_note,
    readiness_split,
    versus_current_sentences,
)
from optimizer.report.provenance import provenance_lines

FIRST_DATA_ROW = 4
"""Tables start with a title (row 1), a note (row 2) and the header (row 3)."""


def _threshold(document: dict[str, Any]) -> str:
    return f"{document['performance_threshold']:g}"


def _selection(entry: dict[str, Any]) -> str:
    return ", ".join(f"{m['measure_id']} ({collection_type_name(m['collection_type'])})" for m in entry.get("quality_measures") or []) or "none"


# ---------------------------------------------------------------------------------------------
# plan


def _versus_figures(document: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """The recommendation against what the practice reports now (first lines of the summary)."""
    versus = document.get("versus_current")
    current = document.get("current")
    threshold = _threshold(document)
    figures: list[tuple[str, Any, str]] = []
    if current is not None and current.get("feasible"):
        figures += [
            ("Now: pathway and measures", f"{current['title']} ({current['pathway']}): {_selection(current)}", "text"),
            ("Now: expected final score", current["expected_final_score"], "score"),
            ("Now: expected payment adjustment, $ a year", current["expected_payment_adjustment_dollars"], "dollars"),
        ]
    if versus is not None and not versus["same_selection"]:
        low, high = versus["gain_dollars_interval"]
        figures += [
            ("Gain over what you report now, $ a year", versus["expected_gain_dollars"], "dollars"),
            ("… 10th percentile of the gain", low, "dollars"),
            ("… 90th percentile of the gain", high, "dollars"),
            (f"Chance of reaching {threshold} now", versus["probability_at_or_above_threshold_current"], "probability"),
            (f"Chance of reaching {threshold} with the recommendation", versus["probability_at_or_above_threshold_recommended"], "probability"),
            ("Share of draws in which the recommendation scores higher", versus["probability_recommendation_better"], "probability"),
            ("… lower", versus["probability_recommendation_worse"], "probability"),
        ]
    figures += [("Against what you report now", sentence.replace("**", ""), "text") for sentence in versus_current_sentences(document)]
    return figures


def _plan_summary(document: dict[str, Any]) -> list[tuple[str, Any, str]]:
    best = document["recommended"]
    threshold = _threshold(document)
    scaling = best["expected_payment_adjustment_dollars_by_scaling"]
    figures: list[tuple[str, Any, str]] = [
        ("Scenario", document["scenario"], "text"),
        ("Practice", document["practice"], "text"),
        ("Recommended pathway", f"{best['title']} ({best['pathway']})", "text"),
        ("Quality measures", _selection(best), "text"),
        ("Improvement activities", activities_text(best, document.get("activity_titles")), "text"),
        *_versus_figures(document),
        ("Expected final score", best["expected_final_score"], "score"),
        ("Final score, 10th percentile", best["final_score_interval"][0], "score"),
        ("Final score, 90th percentile", best["final_score_interval"][1], "score"),
        (f"Chance of reaching {threshold}", best["probability_at_or_above_threshold"], "probability"),
        ("Expected payment adjustment, $ a year", best["expected_payment_adjustment_dollars"], "dollars"),
        ("… at a low scaling factor", scaling["low"], "dollars"),
        ("… at a high scaling factor", scaling["high"], "dollars"),
        ("Expected payment adjustment, % of Part B payments", best["expected_payment_adjustment_percent"], "percent"),
        ("Objective", str(document["objective"]).replace("_", " "), "text"),
        ("Forecast draws", document["draws"], "count"),
        ("What the probabilities assume", document["forecast_assumptions"], "text"),
        ("On a pessimistic forecast", pessimistic_sentence(document) or "", "text"),
    ]
    figures += [("What reporting this MVP takes", item["text"], "text") for item in best.get("mvp_requirements") or []]
    figures += [("Reason", reason, "text") for reason in best.get("reasons", [])]
    return figures


MEASURE_COLUMNS = (
    Column("measure_id", "Measure", width=9),
    Column("collection_type_name", "Collection type", width=22),
    Column("title", "Title", width=50),
    Column("expected_points", "Expected points", "points"),
    Column("points_p10", "Points, 10th percentile", "points"),
    Column("points_p90", "Points, 90th percentile", "points"),
    Column("probability_counted", "Chance counted", "probability"),
    Column("probability_scored", "Chance scored", "probability"),
    Column("outcome_or_high_priority", "Outcome or high priority", "flag"),
    Column("seven_point_cap", "Capped at 7 points", "flag"),
    Column("effort_hours", "Effort (hours)", "hours"),
)

PATHWAY_COLUMNS = (
    Column("pathway", "Pathway", width=12),
    Column("title", "Title", width=44),
    Column("expected_final_score", "Expected final score", "score"),
    Column("final_score_p10", "Final score, 10th percentile", "score"),
    Column("final_score_p90", "Final score, 90th percentile", "score"),
    Column("probability_at_or_above_threshold", "Chance of reaching the threshold", "probability"),
    Column("expected_payment_adjustment_dollars", "Expected $ a year", "dollars"),
    Column("selection", "Measures", width=40),
    Column("status", "Status", width=40),
)

SELECTION_COLUMNS = (
    Column("selection", "Selection", width=18),
    Column("pathway", "Pathway", width=12),
    Column("measure_id", "Measure", width=9),
    Column("collection_type", "Collection type", width=22),
    Column("expected_points", "Expected points", "points"),
    Column("points_p10", "Points, 10th percentile", "points"),
    Column("points_p90", "Points, 90th percentile", "points"),
    Column("probability_counted", "Chance counted", "probability"),
    Column("improvement_activities", "Improvement activities", width=30),
    Column("expected_final_score", "Expected final score", "score"),
    Column("final_score_p10", "Final score, 10th percentile", "score"),
    Column("final_score_p90", "Final score, 90th percentile", "score"),
    Column("probability_at_or_above_threshold", "Chance of reaching the threshold", "probability"),
    Column("expected_payment_adjustment_dollars", "Expected $ a year", "dollars"),
    Column("gain_over_current_dollars", "Gain over what is reported now, $ a year", "dollars"),
)


def _pathway_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    best = document["recommended"]["pathway"]
    ranked, apart = readiness_split(document)
    order = lambda entry: (not entry["feasible"], entry["pathway"] != best, -(entry.get("objective_value") or -1e18))  # noqa: E731
    apart_ids = {entry["pathway"] for entry in apart}
    rows = []
    for entry in sorted(ranked, key=order) + sorted(apart, key=order):
        interval = entry.get("final_score_interval") or [None, None]
        rows.append(
            {
                **entry,
                "final_score_p10": interval[0],
                "final_score_p90": interval[1],
                "selection": ", ".join(measure["measure_id"] for measure in entry["quality_measures"]),
                "status": "recommended" if entry["pathway"] == best else (
                    f"your data has {len(entry.get('measures_with_data') or [])} of the {entry.get('required_measures')} measures it needs"
                    if entry["pathway"] in apart_ids else ("" if entry["feasible"] else f"infeasible: {entry.get('infeasible_reason')}")
                ),
            }
        )
    for entry in document.get("mvps_for_other_specialties") or []:  # not planned: last, not charted
        rows.append({"pathway": entry["pathway"], "title": entry["title"], "feasible": False, "selection": "", "status": f"not planned: {entry['reason']}"})
    return rows


def _histogram_rows(histogram: dict[str, list[float]]) -> list[dict[str, Any]]:
    edges, counts = histogram["bin_edges"], histogram["counts"]
    total = sum(counts) or 1
    return [
        {"from": low, "to": high, "label": f"{low:g}–{high:g}", "draws": count, "share": count / total}
        for low, high, count in zip(edges, edges[1:], counts)
    ]


BREAKDOWN_COLUMNS = (
    Column("category", "Category", width=28),
    Column("percent", "Category score", "percent"),
    Column("weight", "Weight", "probability"),
    Column("contribution", "Points toward the final score", "score"),
    Column("now_percent", "Now: category score", "percent"),
    Column("now_weight", "Now: weight", "probability"),
    Column("now_contribution", "Now: points", "score"),
)

QUALITY_WORK_COLUMNS = (
    Column("measure_id", "Measure", width=9),
    Column("collection_type_name", "Collection type", width=22),
    Column("title", "Title", width=44),
    Column("in_recommendation", "In the plan", "flag"),
    Column("care_gaps_closed", "Care gaps closed", "count"),
    Column("care_gaps_gain_dollars", "Gain, $ a year", "dollars"),
    Column("dollars_per_care_gap", "Per care gap, $ a year", "dollars"),
    Column("care_gaps_gain_final_score", "Expected final score change", "score"),
    Column("care_gaps_probability_change", "Change in the chance of reaching the threshold", "probability"),
    Column("care_gaps_change", "Changes the recommendation (care gaps)", width=30),
    Column("rate_points", "Rate raised, percentage points", "points"),
    Column("rate_patients", "About this many patients", "count"),
    Column("rate_gain_dollars", "Rate gain, $ a year", "dollars"),
    Column("rate_gain_final_score", "Rate: expected final score change", "score"),
    Column("rate_change", "Changes the recommendation (rate)", width=30),
)


def _change(change: dict[str, Any] | None) -> str:
    if change is None:
        return ""
    parts = ([f"switch to {change['pathway']}"] if change["pathway_changed"] else []) + [f"add {item}" for item in change["added"]]
    return "; ".join(parts + [f"drop {item}" for item in change["dropped"]])


def _breakdown_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    breakdown = document["recommended"].get("score_breakdown") or {}
    now = ((document.get("current") or {}).get("score_breakdown") or {}).get("categories", {})
    rows = []
    for category, entry in (breakdown.get("categories") or {}).items():
        other = now.get(category, {})
        rows.append(
            {
                "category": CATEGORY_TITLES.get(category, category),
                "percent": entry["percent"], "weight": entry["weight"], "contribution": entry["contribution"],
                "now_percent": other.get("percent"), "now_weight": other.get("weight"), "now_contribution": other.get("contribution"),
            }
        )
    if breakdown:
        quality = breakdown["quality"]
        rows += [
            {"category": "Complex patient bonus", "contribution": breakdown["complex_patient_bonus"]},
            {"category": "Final score (expected)", "contribution": breakdown["expected_final_score"],
             "now_contribution": ((document.get("current") or {}).get("score_breakdown") or {}).get("expected_final_score")},
            {"category": "Quality: measure points", "contribution": quality["measure_points"]},
            {"category": "Quality: small-practice bonus", "contribution": quality["bonus"]},
            {"category": "Quality: points available", "contribution": quality["denominator"]},
            {"category": "Quality: improvement points", "contribution": quality["improvement_percent"]},
        ]
    return rows


def _add_provenance_and_glossary(workbook: Workbook, document: dict[str, Any]) -> None:
    """The words used, and how the report was made (every workbook)."""
    terms = document.get("glossary") or []
    if terms:
        add_table(workbook, "Words used", "Words used in this report", (Column("term", "Term", width=24), Column("meaning", "Meaning", width=110)), terms)
    lines = provenance_lines(document.get("provenance"))
    if lines:
        add_key_figures(workbook, "Provenance", "How this report was made (enough to reproduce it)",
                        [(line["label"], line["value"], "text") for line in lines])


def plan_sheets(workbook: Workbook, document: dict[str, Any]) -> None:
    """Summary, Measures, Score breakdown, Quality work, Pathways (chart), MVPs, Final score (chart),
    All selections, Words used, Provenance."""
    best = document["recommended"]
    title = f"MIPS {document['performance_year']} plan: {document['scenario']}"
    money_note = f"Dollars are a year of the payment adjustment on ${document['medicare_part_b_allowed']:,.0f} of Medicare Part B allowed charges."
    add_key_figures(workbook, "Summary", title, _plan_summary(document), note=money_note)
    measures = [{**measure, "collection_type_name": collection_type_name(measure["collection_type"])} for measure in best["quality_measures"]]
    add_table(workbook, "Measures", f"Recommended quality measures ({best['pathway']})", MEASURE_COLUMNS, measures,
              note="Expected points and chances over the forecast draws; 'counted' means among the measures CMS adds up.")
    if best.get("score_breakdown"):
        add_table(workbook, "Score breakdown", "Where the score comes from", BREAKDOWN_COLUMNS, _breakdown_rows(document),
                  note="Expected values over the forecast draws; 'Now' is what the practice reports today.")
    work = document.get("quality_work")
    if work and work["measures"]:
        rows = [
            {**row, "collection_type_name": collection_type_name(row["collection_type"]),
             "care_gaps_change": _change(row["care_gaps_new_selection"]), "rate_change": _change(row["rate_new_selection"])}
            for row in work["measures"]
        ]
        add_table(workbook, "Quality work", "Where quality work pays", QUALITY_WORK_COLUMNS, rows,
                  note=f"{quality_work_lead(document)} {quality_work_note(document)}")
    pathway_rows = _pathway_rows(document)
    sheet = add_table(workbook, "Pathways", "Every pathway's best selection", PATHWAY_COLUMNS, pathway_rows,
                      note=f"Recommended first; MVPs the practice's data cannot fill last (not ranked, not charted); threshold {_threshold(document)}. {money_note}")
    feasible = sum(1 for row in pathway_rows if row["feasible"] and not row["status"].startswith("your data has"))
    add_bar_chart(sheet, title="Expected final score by pathway", category_column=1, value_column=3, first_row=FIRST_DATA_ROW,
                  last_row=FIRST_DATA_ROW + feasible - 1, anchor=chart_anchor(len(pathway_rows), 12), x_title="pathway",
                  y_title="expected final score", number_format=NUMBER_FORMATS["score"])
    histogram = best.get("final_score_histogram")
    if histogram:
        bins = _histogram_rows(histogram)
        columns = (Column("label", "Final score", width=12), Column("from", "From", "score"), Column("to", "To", "score"),
                   Column("draws", "Draws", "count"), Column("share", "Share of draws", "probability"))
        sheet = add_table(workbook, "Final score", "Forecast final score of the recommendation", columns, bins,
                          note=f"{document['draws']} forecast draws; the threshold is {_threshold(document)}.")
        add_bar_chart(sheet, title="Distribution of the final score", category_column=1, value_column=5, first_row=FIRST_DATA_ROW,
                      last_row=FIRST_DATA_ROW + len(bins) - 1, anchor=chart_anchor(len(bins), len(columns)), x_title="final score",
                      y_title="share of draws", number_format=NUMBER_FORMATS["probability"], horizontal=False)
    add_table(workbook, "All selections", "Every pathway × selected measure", SELECTION_COLUMNS, plan_rows(document),
              note="One row per pathway and measure (one row for a pathway without a feasible selection): the recommendation, "
              "what the practice reports now, then each pathway's best selection.")
    _add_provenance_and_glossary(workbook, document)


def plan_workbook(document: dict[str, Any]) -> bytes:
    """The plan as an Excel workbook."""
    workbook = new_workbook()
    plan_sheets(workbook, document)
    return save(workbook)


# ---------------------------------------------------------------------------------------------
# compare


COMPARE_COLUMNS = (
    Column("scenario", "Scenario", width=30),
    Column("variant_name", "Variant", width=30),
    Column("kind", "Kind", width=11),
    Column("best", "Best choice", "flag"),
    Column("rescored_only", "Re-scored only", "flag"),
    Column("pathway", "Pathway", width=12),
    Column("selection", "Quality measures", width=40),
    Column("activities", "Improvement activities", width=24),
    Column("expected_final_score", "Expected final score", "score"),
    Column("final_score_p10", "Final score, 10th percentile", "score"),
    Column("final_score_p90", "Final score, 90th percentile", "score"),
    Column("probability_at_or_above_threshold", "Chance of reaching the threshold", "probability"),
    Column("expected_payment_adjustment_dollars", "Expected $ a year", "dollars"),
    Column("change", "Selection vs base", width=36),
    Column("base_under", "The base plan under this circumstance, $ a year", "dollars"),
    Column("replanning_gain", "Planning again for it adds, $ a year", "dollars"),
    Column("file", "File", width=30),
    Column("error", "Error", width=40),
)


def compare_sheets(workbook: Workbook, document: dict[str, Any]) -> None:
    """One row per variant and a chart of the expected final score by variant."""
    rows = []
    best = set(best_decisions(document).values())
    for index, entry in enumerate(document["variants"]):
        interval = entry.get("final_score_interval") or [None, None]
        under = entry.get("base_selection_under_assumption") or {}
        rows.append(
            {
                **entry,
                "kind": variant_kind(entry),
                "best": index in best,
                "base_under": under.get("expected_payment_adjustment_dollars"),
                "replanning_gain": under.get("replanning_gain_dollars"),
                "scenario": str(entry["scenario"]).split(" — ")[0],
                "variant_name": entry["variant"] or "(base)",
                "selection": _selection(entry),
                "activities": ", ".join(entry.get("improvement_activities") or []),
                "final_score_p10": interval[0],
                "final_score_p90": interval[1],
                "change": "" if entry.get("failed") else change_text(entry),
            }
        )
    rows.sort(key=lambda row: (not row["feasible"], row["kind"] == "assumption"))  # the chart reads the feasible rows, first
    sheet = add_table(workbook, "Comparison", "What-if comparison", COMPARE_COLUMNS, rows,
                      note=f"Choices (the base and 'decision' variants) first; 'assumption' variants are circumstances, a sensitivity "
                      f"of the plan, never the best choice. Threshold {_threshold(document)}; dollars a year at the default scaling factor.")
    feasible = sum(1 for row in rows if row["feasible"])
    add_bar_chart(sheet, title="Expected final score by variant", category_column=2, value_column=9, first_row=FIRST_DATA_ROW,
                  last_row=FIRST_DATA_ROW + feasible - 1, anchor=chart_anchor(len(rows), len(COMPARE_COLUMNS)), x_title="variant",
                  y_title="expected final score", number_format=NUMBER_FORMATS["score"])
    _add_provenance_and_glossary(workbook, document)


def compare_workbook(document: dict[str, Any]) -> bytes:
    """The comparison as an Excel workbook."""
    workbook = new_workbook()
    compare_sheets(workbook, document)
    return save(workbook)


# ---------------------------------------------------------------------------------------------
# swap


OPTION_COLUMNS = (
    Column("name", "Option", width=48),
    Column("action", "Action", width=8),
    Column("expected_final_score", "Expected final score", "score"),
    Column("final_score_p10", "Final score, 10th percentile", "score"),
    Column("final_score_p90", "Final score, 90th percentile", "score"),
    Column("probability_at_or_above_threshold", "Chance of reaching the threshold", "probability"),
    Column("expected_payment_adjustment_dollars", "Expected $ a year", "dollars"),
    Column("gain_dollars_mean", "Gain over keeping, $ a year", "dollars"),
    Column("gain_p10", "Gain, 10th percentile", "dollars"),
    Column("gain_p90", "Gain, 90th percentile", "dollars"),
    Column("probability_better", "Chance it beats keeping", "probability"),
    Column("recommended", "Recommended", "flag"),
)

PROJECTION_COLUMNS = (
    Column("measure_id", "Measure", width=9),
    Column("collection_type_name", "Collection type", width=22),
    Column("reported", "Reported now", "flag"),
    Column("projected_rate", "Projected rate", "percent"),
    Column("projected_cases", "Projected cases", "count"),
    Column("expected_points", "Expected points", "points"),
    Column("probability_scored", "Chance scored", "probability"),
)


def swap_sheets(workbook: Workbook, document: dict[str, Any]) -> None:
    """Options (with a chart of the gain over keeping), Projection, Not feasible."""
    chosen = (document.get("recommendation") or {}).get("option")
    rows = []
    for option in document["options"]:
        interval = option.get("final_score_interval") or [None, None]
        gains = option.get("gain_dollars_interval") or [None, None]
        keep = option["action"] == "keep"
        rows.append(
            {
                **option,
                "final_score_p10": interval[0],
                "final_score_p90": interval[1],
                "gain_dollars_mean": None if keep else option.get("gain_dollars_mean"),
                "gain_p10": None if keep else gains[0],
                "gain_p90": None if keep else gains[1],
                "probability_better": None if keep else option.get("probability_better"),
                "recommended": option["name"] == chosen,
            }
        )
    rows.sort(key=lambda row: row["action"] == "keep")  # the chart reads the options that change something, first
    when = document.get("as_of") or f"{document['months_elapsed']:g} months in"
    sheet = add_table(workbook, "Options", f"{document['scenario']}: mid-year swap evaluation ({when})", OPTION_COLUMNS, rows,
                      note=f"Recommendation: {chosen}: {(document.get('recommendation') or {}).get('reason')}. "
                      "Gains are against keeping the current plan, over the same forecast draws.")
    changes = sum(1 for row in rows if row["action"] != "keep")
    add_bar_chart(sheet, title="Expected gain over keeping the current plan", category_column=1, value_column=8, first_row=FIRST_DATA_ROW,
                  last_row=FIRST_DATA_ROW + changes - 1, anchor=chart_anchor(len(rows), len(OPTION_COLUMNS)), x_title="option",
                  y_title="$ a year", number_format=NUMBER_FORMATS["dollars"])
    projections = [{**row, "collection_type_name": collection_type_name(row["collection_type"])} for row in document["projections"]]
    add_table(workbook, "Projection", "Year-end projection of each measure", PROJECTION_COLUMNS, projections,
              note="Full-year rate and cases projected from the year-to-date data.")
    infeasible = [{"name": option["name"], "reason": option["infeasible_reason"]} for option in document["infeasible_options"]]
    add_table(workbook, "Not feasible", "Options that cannot be taken mid-year", (Column("name", "Option", width=48), Column("reason", "Why not", width=80)),
              infeasible)
    checks = [{"warning": warning} for warning in document.get("warnings") or []]
    if checks or document.get("mvp_requirements"):
        rows = checks + [{"warning": item["text"]} for item in document.get("mvp_requirements") or []]
        add_table(workbook, "Check first", "Before acting: the year-to-date file and what the recommendation takes",
                  (Column("warning", "Check", width=140),), rows)
    _add_provenance_and_glossary(workbook, document)


def swap_workbook(document: dict[str, Any]) -> bytes:
    """The swap evaluation as an Excel workbook."""
    workbook = new_workbook()
    swap_sheets(workbook, document)
    return save(workbook)


# ---------------------------------------------------------------------------------------------
# score


SCORE_MEASURE_COLUMNS = (
    Column("measure_id", "Measure", width=9),
    Column("collection_type_name", "Collection type", width=22),
    Column("title", "Title", width=50),
    Column("performance_rate", "Performance rate", "percent"),
    Column("case_count", "Cases", "count"),
    Column("data_completeness", "Data completeness", "percent"),
    Column("decile", "Decile", "count"),
    Column("achievement_points", "Points", "points"),
    Column("counted", "Counted", "flag"),
    Column("outcome_or_high_priority", "Outcome or high priority", "flag"),
    Column("note", "Why", width=60),
)

CATEGORY_COLUMNS = (
    Column("category", "Category", width=28),
    Column("percent", "Category score", "percent"),
    Column("weight", "Weight", "probability"),
    Column("contribution", "Points toward the final score", "score"),
    Column("status", "Status", width=14),
)


def score_sheets(workbook: Workbook, document: dict[str, Any]) -> None:
    """Score (key figures), Categories (with a chart of each category's points), Measures."""
    payment = document["payment_adjustment"]
    quality = document["quality"]
    figures: list[tuple[str, Any, str]] = [
        ("Practice", document["practice"], "text"),
        ("Pathway", f"{document['pathway_title']} ({document['pathway']})", "text"),
        ("Final score", document["final_score"], "score"),
        ("Performance threshold", document["performance_threshold"], "score"),
        *((f"Payment adjustment, % ({case} scaling factor)", payment["percent"][case], "percent") for case in ("low", "default", "high")),
        *((f"Payment adjustment, $ a year ({case} scaling factor)", payment["dollars"][case], "dollars") for case in ("low", "default", "high")),
        ("Quality: measure points", quality["measure_points"], "points"),
        ("Quality: small-practice bonus", quality["bonus"], "points"),
        ("Quality: points available (denominator)", quality["denominator"], "points"),
        ("Quality: improvement score (percentage points)", quality["improvement_percent"], "points"),
        ("Complex patient bonus", document["complex_patient_bonus"], "points"),
        *(("Note", note, "text") for note in document["notes"]),
    ]
    add_key_figures(workbook, "Score", f"MIPS {document['performance_year']} score: {document['practice']}", figures,
                    note=f"Dollars are on ${payment['medicare_part_b_allowed']:,.0f} of Medicare Part B allowed charges.")
    categories = [
        {
            "category": CATEGORY_TITLES.get(name, name),
            "percent": entry["percent"],
            "weight": entry["weight"],
            "contribution": entry["contribution"],
            "status": "reweighted" if entry["reweighted"] else "",
        }
        for name, entry in document["categories"].items()
    ]
    sheet = add_table(workbook, "Categories", "Where the final score comes from", CATEGORY_COLUMNS, categories,
                      note="Each category's score times its weight gives its points toward the final score.")
    add_bar_chart(sheet, title="Points toward the final score by category", category_column=1, value_column=4, first_row=FIRST_DATA_ROW,
                  last_row=FIRST_DATA_ROW + len(categories) - 1, anchor=chart_anchor(len(categories), len(CATEGORY_COLUMNS)),
                  x_title="category", y_title="points", number_format=NUMBER_FORMATS["score"])
    measures = [
        {
            **measure,
            "collection_type_name": collection_type_name(measure["collection_type"]),
            "_kinds": {"performance_rate": "rate"} if measure["collection_type"] == ADMIN_CLAIMS else {},
        }
        for measure in quality["measures"] + quality["calculated_measures"]
    ]
    add_table(workbook, "Measures", "Quality measures as CMS scores them", SCORE_MEASURE_COLUMNS, measures)
    _add_provenance_and_glossary(workbook, document)


def score_workbook(document: dict[str, Any]) -> bytes:
    """The score as an Excel workbook."""
    workbook = new_workbook()
    score_sheets(workbook, document)
    return save(workbook)
