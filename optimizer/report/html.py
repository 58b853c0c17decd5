"""Self-contained HTML reports: one file each, inline CSS and inline SVG, no scripts, no requests.

Each renderer takes the same JSON-ready document as the JSON/Markdown/CSV formats (``plan``,
``score``, ``compare``, ``swap``), so the numbers cannot disagree with them; numbers are formatted
with :mod:`optimizer.report.formatting`. The page shell and style sheet live in :func:`page` only.
Key numbers carry ``data-testid`` attributes so tests (and people) can find them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from optimizer.collection_types import DESCRIPTIONS
from optimizer.planning.reasons import collection_type_name
from optimizer.report.compare_report import change_text
from optimizer.report.formatting import CATEGORY_TITLES, dollars, number, percent, performance_rate, signed_percent
from optimizer.report.plan_report import assumptions_footer, pessimistic_sentence, solver_note
from optimizer.report.svg_charts import bar_chart_svg, histogram_svg, line_chart_svg
from optimizer.text_safety import html_text

# ---------------------------------------------------------------------------------------------
# Shared shell: markup helpers, the style sheet and the page.


class Markup(str):
    """A string that is already HTML (helpers escape everything else)."""


def esc(value: object) -> Markup:
    """``value`` as HTML: markup passes through, anything else is escaped."""
    return value if isinstance(value, Markup) else Markup(html_text("" if value is None else str(value)))


def element(name: str, content: object = "", **attributes: object) -> Markup:
    """``<name attr="…">content</name>``; ``class_`` → ``class``, ``data_testid`` → ``data-testid``."""
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{html_text(str(value))}"'
        for key, value in attributes.items()
        if value is not None and value is not False
    )
    return Markup(f"<{name}{rendered}>{esc(content)}</{name}>")


def join(parts: Iterable[object], separator: str = "") -> Markup:
    return Markup(esc(separator).join(esc(part) for part in parts))


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[object] | str],
    *,
    align: str | None = None,
    caption: str | None = None,
    row_classes: Sequence[str | None] | None = None,
    row_testids: Sequence[str | None] | None = None,
    testid: str | None = None,
) -> Markup:
    """A table; ``align`` holds ``l``/``r`` per column (``r`` = numeric, right-aligned).

    A row given as a string (or markup) is a group heading spanning every column.
    """
    align = align or "l" * len(header)
    classes = ["num" if side == "r" else None for side in align]
    head = join(element("th", title, scope="col", class_=css) for title, css in zip(header, classes))
    body = []
    for index, row in enumerate(rows):
        if isinstance(row, str):  # a group heading spanning the table
            body.append(element("tr", element("th", row, colspan=len(header), scope="colgroup"), class_="group"))
            continue
        cells = join(element("td", cell, class_=css) for cell, css in zip(row, classes))
        body.append(
            element(
                "tr",
                cells,
                class_=row_classes[index] if row_classes else None,
                data_testid=row_testids[index] if row_testids else None,
            )
        )
    parts = [element("caption", caption) if caption else "", element("thead", element("tr", head)), element("tbody", join(body))]
    return element("div", element("table", join(parts), data_testid=testid), class_="table-wrap")


def stat(label: str, value: str, testid: str, detail: object = "") -> Markup:
    """One key figure of the highlighted box."""
    return element(
        "div",
        join(
            [
                element("div", label, class_="stat-label"),
                element("div", value, class_="stat-value", data_testid=testid),
                element("div", detail, class_="stat-detail") if detail else "",
            ]
        ),
        class_="stat",
    )


def chart(svg: str, caption: object = "", *, testid: str, css_class: str = "chart-figure") -> Markup:
    """An inline SVG chart with its caption, kept on one printed page."""
    return element(
        "figure",
        join([Markup(svg), element("figcaption", caption) if caption else ""]),
        class_=css_class,
        data_testid=testid,
    )


def section(title: str, *content: object, section_id: str, lead: object = "") -> Markup:
    parts: list[object] = [element("h2", title, id=f"{section_id}-heading")]
    if lead:
        parts.append(element("p", lead, class_="lead"))
    parts += content
    return element("section", join(parts), id=section_id, aria_labelledby=f"{section_id}-heading")


def bullet_list(items: Iterable[object], testid: str | None = None) -> Markup:
    return element("ul", join(element("li", item) for item in items), data_testid=testid)


STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; --soft: #f4f6f8; --accent: #1c4f8c;
        --highlight: #c05621; --good: #2f855a; --box: #eef4fb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #ffffff;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; }
header.page-header { border-bottom: 2px solid var(--accent); padding-bottom: 10px; margin-bottom: 20px; }
h1 { font-size: 26px; line-height: 1.2; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
p { margin: 6px 0; }
.meta { color: var(--muted); margin: 0; font-size: 14px; }
.meta span + span::before { content: " · "; }
.lead { color: var(--muted); max-width: 75ch; }
.recommendation { border: 2px solid var(--accent); border-left-width: 8px; background: var(--box);
                  border-radius: 6px; padding: 16px 20px 14px; margin: 8px 0 12px; }
.recommendation .eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
                           font-weight: 700; color: var(--accent); margin: 0; }
.recommendation h2 { border: 0; margin: 2px 0 12px; padding: 0; font-size: 22px; }
.recommendation .code { color: var(--muted); font-weight: 600; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 10px; margin: 0 0 10px; }
.stat { background: #ffffff; border: 1px solid var(--line); border-radius: 5px; padding: 10px 12px; }
.stat-label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.stat-value { font-size: 28px; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; margin: 2px 0; }
.stat-detail { font-size: 13px; color: var(--muted); }
.selection { margin: 4px 0 0; }
.reason { margin: 6px 0 12px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 6px 0 10px; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding: 0 0 4px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted);
     border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.recommended td { background: #fdf3ea; font-weight: 600; }
tr.infeasible td { color: var(--muted); }
tr.current td { background: var(--soft); }
tr.group th { text-transform: none; letter-spacing: 0; font-size: 14px; color: var(--ink); padding-top: 12px; }
tr.group th .stat-detail { display: inline; margin-left: 8px; font-weight: 400; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 0 6px; border-radius: 9px;
         border: 1px solid currentColor; color: var(--highlight); margin-left: 4px; white-space: nowrap; }
.badge.priority { color: var(--good); }
figure { margin: 8px 0 14px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; max-width: 80ch; }
svg.chart { display: block; max-width: 100%; height: auto; }
.chart-figure { max-width: 700px; }
.small-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 5px; padding: 10px 10px 4px; margin: 0; }
.card h3 .sub { color: var(--muted); font-weight: 400; }
.card .card-title { font-size: 12px; color: var(--muted); margin: 0 0 4px; min-height: 4.35em; }
.narrow { max-width: 640px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; align-items: start; }
.pair .chart-figure { max-width: none; }
ul { padding-left: 22px; margin: 6px 0; }
li { margin: 3px 0; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@page { size: auto; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; background: none; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 18pt; }
  h2 { font-size: 13pt; margin-top: 16pt; break-after: avoid; page-break-after: avoid; }
  .recommendation { background: none; border-color: #000000; }
  .stat { border-color: #999999; }
  .stats { grid-template-columns: none; grid-auto-flow: column; grid-auto-columns: 1fr; gap: 6pt; }
  .stat { padding: 5pt 7pt; }
  .stat-label { font-size: 7.5pt; }
  .stat-value { font-size: 17pt; }
  .stat-detail { font-size: 8.5pt; }
  tr.recommended td { background: none; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: 3pt 4pt; }
  th, th.num, td.num { white-space: normal; }
  th { font-size: 7.5pt; }
  .badge { font-size: 7pt; }
  table, tr, figure, .card, .recommendation, .stat, svg.chart { break-inside: avoid; page-break-inside: avoid; }
  .pair { grid-template-columns: 1fr; }
  .small-multiples { grid-template-columns: repeat(3, 1fr); }
  .chart-figure { max-width: 170mm; }
  a { color: inherit; text-decoration: none; }
}
"""


def page(title: str, header: object, body: Iterable[object], *, kind: str, footer: object = "") -> str:
    """The one page shell: doctype, charset, a strict no-network CSP, the style sheet, the body."""
    content = join(
        [
            element("header", header, class_="page-header"),
            join(body, "\n"),
            element("footer", footer) if footer else "",
        ],
        "\n",
    )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f'<meta name="generator" content="mips-optimizer">\n<title>{html_text(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n"
        f'<body class="report report-{html_text(kind)}">\n<main>\n{content}\n</main>\n</body>\n</html>\n'
    )


def page_header(title: str, meta: Iterable[object]) -> Markup:
    return join([element("h1", title), element("p", join(element("span", item) for item in meta if item), class_="meta")])


# ---------------------------------------------------------------------------------------------
# Pieces shared by the plan, compare and swap reports.


def probability(value: float | None) -> str:
    """A chance as ``83%`` (same as the Markdown report)."""
    return "—" if value is None else percent(100 * value, 0)


def interval(bounds: Sequence[float] | None) -> str:
    return "—" if not bounds else f"{number(bounds[0])}–{number(bounds[1])}"


def measure_label(measure: Mapping[str, Any]) -> str:
    return f"{measure['measure_id']} ({collection_type_name(measure['collection_type'])})"


_SHORT_TYPES = {"ecqm": "eCQM", "mips_cqm": "MIPS CQM", "medicare_part_b_claims": "claims", "qcdr": "QCDR", "cahps": "CAHPS"}
_TYPE_CODE = re.compile(r"\(([a-z_]+)\)")


def pretty_types(text: str) -> str:
    """``236 (medicare_part_b_claims)`` → ``236 (Medicare Part B claims)`` in labels built by other modules."""
    return _TYPE_CODE.sub(lambda match: f"({collection_type_name(match.group(1))})" if match.group(1) in DESCRIPTIONS else match.group(0), text)


def short_types(text: str) -> str:
    """``236 (medicare_part_b_claims)`` → ``236 claims`` (chart labels and dense cells)."""
    return _TYPE_CODE.sub(lambda match: _SHORT_TYPES.get(match.group(1), match.group(0)), text).replace("  ", " ")


def compact_selection(measures: Sequence[Mapping[str, Any]]) -> str:
    """``001 eCQM, 236 claims`` for a dense table cell."""
    return ", ".join(f"{m['measure_id']} {_SHORT_TYPES.get(m['collection_type'], m['collection_type'])}" for m in measures) or "none"


def selection_text(entry: Mapping[str, Any]) -> Markup:
    measures = ", ".join(measure_label(measure) for measure in entry.get("quality_measures") or []) or "none"
    activities = ", ".join(entry.get("improvement_activities") or []) or "none"
    return join(
        [element("strong", "Quality measures: "), measures, "; ", element("strong", "improvement activities: "), activities, "."]
    )


def threshold_label(threshold: float) -> str:
    return f"threshold {number(threshold, 0)}"


def points_small_multiples(measures: Sequence[Mapping[str, Any]]) -> Markup:
    """One histogram of achievement points (0–10) per measure, with its mean marked."""
    cards = []
    for measure in measures:
        histogram = measure.get("points_histogram")
        if not histogram:
            continue
        name = collection_type_name(measure["collection_type"])
        svg = histogram_svg(
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
        heading = element("h3", join([measure["measure_id"], " ", element("span", f"· {name}", class_="sub")]))
        detail = (
            f"10th–90th percentile {number(measure['points_p10'])}–{number(measure['points_p90'])}; "
            f"counted in {probability(measure['probability_counted'])} of draws"
        )
        cards.append(
            element(
                "figure",
                join([heading, element("p", measure.get("title", ""), class_="card-title"), Markup(svg), element("figcaption", detail)]),
                class_="card",
                data_testid=f"chart-points-{measure['measure_id']}-{measure['collection_type']}",
            )
        )
    return element("div", join(cards), class_="small-multiples") if cards else Markup("")


def measure_flags(measure: Mapping[str, Any]) -> Markup:
    flags = []
    if measure.get("outcome_or_high_priority"):
        flags.append(element("span", "outcome/HP", class_="badge priority"))
    if measure.get("seven_point_cap"):
        flags.append(element("span", "7-point cap", class_="badge"))
    return join(flags, " ")


def plan_measures_table(measures: Sequence[Mapping[str, Any]], testid: str) -> Markup:
    rows = [
        [
            element("strong", measure["measure_id"]),
            collection_type_name(measure["collection_type"]),
            join([measure.get("title", ""), " ", measure_flags(measure)]),
            number(measure["expected_points"]),
            f"{number(measure['points_p10'])}–{number(measure['points_p90'])}" if "points_p10" in measure else "—",
            probability(measure.get("probability_counted")),
            probability(measure.get("probability_scored")),
            number(measure["effort_hours"], 0) if measure.get("effort_hours") is not None else "—",
        ]
        for measure in measures
    ]
    return table(
        ["Measure", "Collection type", "Title", "Expected points", "10th–90th pct", "Counted", "Scored", "Effort (h)"],
        rows,
        align="lllrrrrr",
        testid=testid,
        row_testids=[f"measure-{m['measure_id']}-{m['collection_type']}" for m in measures],
    )


def compact_measures_table(measures: Sequence[Mapping[str, Any]]) -> Markup:
    rows = [
        [measure["measure_id"], collection_type_name(measure["collection_type"]), number(measure.get("expected_points")),
         probability(measure.get("probability_counted"))]
        for measure in measures
    ]
    return table(["Measure", "Collection type", "Expected points", "Counted"], rows, align="llrr")


def stats_grid(stats: Iterable[object]) -> Markup:
    return element("div", join(stats), class_="stats")


def headline_stats(
    entry: Mapping[str, Any], threshold: float, *, by_scaling: Mapping[str, float] | None = None, with_percent: bool = True
) -> list[Markup]:
    """The four key figures of a selection: score (80% interval), chance of the threshold, dollars, percent."""
    stats = [
        stat(
            "Expected final score",
            number(entry["expected_final_score"]),
            "expected-final-score",
            join(["80% interval ", element("span", interval(entry.get("final_score_interval")), data_testid="final-score-interval")]),
        ),
        stat(
            f"Chance of reaching {number(threshold, 0)}",
            probability(entry["probability_at_or_above_threshold"]),
            "probability-threshold",
            "share of forecast draws at or above the performance threshold",
        ),
    ]
    scaling_detail: object = "payment adjustment at the default scaling factor"
    if by_scaling:
        scaling_detail = join(
            [
                element("span", dollars(by_scaling["low"]), data_testid="expected-dollars-low"),
                " at a low and ",
                element("span", dollars(by_scaling["high"]), data_testid="expected-dollars-high"),
                " at a high scaling factor",
            ]
        )
    stats.append(stat("Expected dollars a year", dollars(entry["expected_payment_adjustment_dollars"]), "expected-dollars", scaling_detail))
    if with_percent and entry.get("expected_payment_adjustment_percent") is not None:
        stats.append(
            stat(
                "Expected adjustment (%)",
                signed_percent(entry["expected_payment_adjustment_percent"]),
                "expected-percent",
                "of Medicare Part B payments, two years later",
            )
        )
    return stats


def final_score_chart(histogram: Mapping[str, Any], entry: Mapping[str, Any], threshold: float, draws: object) -> Markup:
    svg = histogram_svg(
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
    return chart(svg, caption, testid="chart-final-score")


def payment_curve_chart(curve: Mapping[str, Sequence[float]], scaling: Mapping[str, float], entry: Mapping[str, Any],
                        threshold: float) -> Markup:
    series = {
        f"{case} scaling factor ({scaling[case]:.3f})" if case in scaling else case: curve[case]
        for case in ("low", "default", "high")
        if case in curve
    }
    label = f"this plan: {number(entry['expected_final_score'])}, {signed_percent(entry['expected_payment_adjustment_percent'])}"
    svg = line_chart_svg(
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
    return chart(svg, caption, testid="chart-payment-curve")


def short_label(code: str, title: str, limit: int = 34) -> str:
    label = f"{code} {title}".strip()
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# plan


def _pathway_order(entry: Mapping[str, Any], recommended: str) -> tuple[int, int, float]:
    return (not entry["feasible"], entry["pathway"] != recommended, -(entry.get("objective_value") or -1e18))


def _pathway_section(document: Mapping[str, Any]) -> Markup:
    best = document["recommended"]["pathway"]
    threshold = document["performance_threshold"]
    entries = sorted(document["pathways"], key=lambda entry: _pathway_order(entry, best))
    rows, classes, testids = [], [], []
    for entry in entries:
        name = join([element("strong", entry["pathway"]), " ★" if entry["pathway"] == best else ""])
        testids.append(f"pathway-{entry['pathway']}")
        if not entry["feasible"]:
            rows.append([name, entry["title"], "—", "—", "—", "—", "—", f"infeasible: {entry.get('infeasible_reason') or 'no feasible selection'}"])
            classes.append("infeasible")
            continue
        rows.append(
            [
                name,
                entry["title"],
                number(entry["expected_final_score"]),
                interval(entry.get("final_score_interval")),
                probability(entry["probability_at_or_above_threshold"]),
                dollars(entry["expected_payment_adjustment_dollars"]),
                str(len(entry["quality_measures"])),
                ", ".join(measure["measure_id"] for measure in entry["quality_measures"]),
            ]
        )
        classes.append("recommended" if entry["pathway"] == best else None)
    comparison = table(
        ["Pathway", "Title", "Expected score", "80% interval", f"P(≥{number(threshold, 0)})", "Expected $", "Measures", "Selection"],
        rows,
        align="llrrrrrl",
        row_classes=classes,
        row_testids=testids,
        testid="pathway-table",
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
    infeasible = len(entries) - len(feasible)
    charts = element(
        "div",
        join(
            [
                chart(scores, "Whiskers: 80% interval; dashed line: the performance threshold.", testid="chart-pathway-scores"),
                chart(money, "Expected dollars a year at the default scaling factor.", testid="chart-pathway-dollars"),
            ]
        ),
        class_="pair",
    )
    lead = "Each pathway's best selection, recommended first (★)."
    if infeasible:
        lead += f" {infeasible} pathway{'s are' if infeasible > 1 else ' is'} infeasible for this practice and left out of the charts."
    return section("Every pathway", comparison, charts, section_id="pathways", lead=lead)


def _runner_up_section(best: Mapping[str, Any], threshold: float) -> Markup:
    runner_up = best.get("runner_up")
    if runner_up is None:
        return Markup("")
    lead = join(
        [
            "The best selection in ",
            best["pathway"],
            " that differs from the recommendation: ",
            element("strong", dollars(runner_up["expected_payment_shortfall_dollars"]).lstrip("+"), data_testid="runner-up-shortfall"),
            " a year less expected payment adjustment.",
        ]
    )
    rows = [
        [
            "Expected final score",
            number(best["expected_final_score"]),
            element("span", number(runner_up["expected_final_score"]), data_testid="runner-up-final-score"),
        ],
        ["80% interval", interval(best["final_score_interval"]), interval(runner_up["final_score_interval"])],
        [
            f"Chance of reaching {number(threshold, 0)}",
            probability(best["probability_at_or_above_threshold"]),
            probability(runner_up["probability_at_or_above_threshold"]),
        ],
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
    return section(
        "Runner-up",
        element("div", table(["", "Recommended", "Runner-up"], rows, align="lrr", testid="runner-up-table"), class_="narrow"),
        element("p", join([element("strong", "The runner-up "), "; ".join(difference) or "has the same measures", "."])),
        element("p", selection_text(runner_up), class_="selection"),
        section_id="runner-up",
        lead=lead,
    )


def render_plan_html(document: Mapping[str, Any]) -> str:
    """The plan document as one self-contained HTML page."""
    best = document["recommended"]
    threshold = document["performance_threshold"]
    title = f"MIPS {document['performance_year']} plan: {document['scenario']}"
    header = page_header(
        title,
        [
            f"Practice: {document['practice']}",
            f"performance year {document['performance_year']}",
            "small practice" if document.get("small_practice") else "",
            f"objective: {str(document['objective']).replace('_', ' ')}",
            f"{document['draws']} forecast draws (seed {document['seed']})",
            f"planned in {document['seconds']:.1f} s" if document.get("seconds") is not None else "",
        ],
    )
    heading = join(
        [
            "Report ",
            element("span", best["title"], data_testid="recommended-pathway-title"),
            " ",
            element("span", join(["(", element("span", best["pathway"], data_testid="recommended-pathway"), ")"]), class_="code"),
        ]
    )
    recommendation = element(
        "section",
        join(
            [
                element("p", "Recommendation", class_="eyebrow"),
                element("h2", heading, id="recommendation-heading"),
                stats_grid(headline_stats(best, threshold, by_scaling=best.get("expected_payment_adjustment_dollars_by_scaling"))),
                element("p", selection_text(best), class_="selection"),
                element("p", document.get("forecast_assumptions", ""), class_="assumptions"),
            ]
        ),
        class_="recommendation",
        data_testid="recommendation",
        aria_labelledby="recommendation-heading",
    )
    body: list[object] = [recommendation]
    body.append(
        section(
            "Quality measures",
            plan_measures_table(best["quality_measures"], "measures-table"),
            element("p", join([element("strong", "Improvement activities: "), ", ".join(best["improvement_activities"]) or "none"])),
            section_id="measures",
        )
    )
    multiples = points_small_multiples(best["quality_measures"])
    if multiples:
        body.append(
            section(
                "Points distributions",
                multiples,
                section_id="points",
                lead="Forecast achievement points of each selected measure over the draws (0 when not scored); the dashed line is the mean.",
            )
        )
    charts: list[object] = []
    if best.get("final_score_histogram"):
        charts.append(final_score_chart(best["final_score_histogram"], best, threshold, document["draws"]))
    if document.get("payment_curve") and best.get("expected_payment_adjustment_percent") is not None:
        charts.append(payment_curve_chart(document["payment_curve"], document.get("scaling_factor", {}), best, threshold))
    if charts:
        body.append(section("Final score and payment", *charts, section_id="final-score"))
    if best.get("reasons"):
        body.append(section("Why this selection", bullet_list(best["reasons"], "reasons"), section_id="reasons"))
    body.append(_runner_up_section(best, threshold))
    pessimistic = pessimistic_sentence(dict(document))
    if pessimistic is not None:
        body.append(section("If the forecast is more pessimistic", element("p", pessimistic), section_id="pessimistic"))
    body.append(_pathway_section(document))
    if document.get("notes"):
        body.append(section("Notes", bullet_list(document["notes"], "notes"), section_id="notes"))
    footer = (
        "Scores are forecasts for the performance year from the baseline counts; dollars are a year of the adjustment on "
        f"{dollars(document['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges "
        f"(scaling factor low {document['scaling_factor']['low']:.3f}, default {document['scaling_factor']['default']:.3f}, "
        f"high {document['scaling_factor']['high']:.3f}). {solver_note(document)} Generated by mips-optimizer."
    )
    return page(title, header, body, kind="plan", footer=footer)


# ---------------------------------------------------------------------------------------------
# score


def render_score_html(result_or_document: Any) -> str:
    """A score as one self-contained HTML page; takes a ``ScoreResult`` or its ``score_to_dict`` document."""
    if isinstance(result_or_document, Mapping):
        document = result_or_document
    else:
        from optimizer.report.score_report import score_to_dict

        document = score_to_dict(result_or_document)
    threshold = document["performance_threshold"]
    final = document["final_score"]
    payment = document["payment_adjustment"]
    title = f"MIPS {document['performance_year']} score: {document['practice']}"
    header = page_header(
        title,
        [
            f"Pathway: {document['pathway']}",
            f"performance year {document['performance_year']}",
            "small practice" if document.get("small_practice") else "",
            f"performance threshold {number(threshold, 0)}",
        ],
    )
    verdict = "at or above" if final >= threshold else "below"
    stats = [
        stat("Final score", number(final), "final-score", f"{verdict} the performance threshold of {number(threshold, 0)}"),
        stat(
            "Payment adjustment",
            signed_percent(payment["percent"]["default"]),
            "payment-percent",
            f"low {signed_percent(payment['percent']['low'])} · high {signed_percent(payment['percent']['high'])}",
        ),
        stat(
            "Dollars a year",
            dollars(payment["dollars"]["default"]),
            "payment-dollars",
            join(
                [
                    element("span", dollars(payment["dollars"]["low"]), data_testid="payment-dollars-low"),
                    " at a low and ",
                    element("span", dollars(payment["dollars"]["high"]), data_testid="payment-dollars-high"),
                    " at a high scaling factor",
                ]
            ),
        ),
        stat("Quality", percent(document["categories"]["quality"]["percent"], 2), "quality-percent", "quality category score"),
    ]
    notes_inline = []
    if document.get("final_score_set_to_threshold"):
        notes_inline.append("The final score is set to the performance threshold.")
    if document.get("complex_patient_bonus"):
        notes_inline.append(f"Includes a complex patient bonus of {number(document['complex_patient_bonus'])}.")
    summary = element(
        "section",
        join(
            [
                element("p", "Score", class_="eyebrow"),
                element(
                    "h2",
                    join(["Final score ", element("span", number(final)), f" ({verdict} {number(threshold, 0)})"]),
                    id="recommendation-heading",
                ),
                stats_grid(stats),
                element("p", " ".join(notes_inline), class_="selection") if notes_inline else "",
            ]
        ),
        class_="recommendation",
        data_testid="recommendation",
        aria_labelledby="recommendation-heading",
    )
    quality = document["quality"]
    measures = list(quality["measures"]) + list(quality["calculated_measures"])
    rows = [
        [
            element("strong", measure["measure_id"]),
            collection_type_name(measure["collection_type"]),
            join(
                [
                    measure["title"],
                    " ",
                    measure_flags(measure),
                    element("div", measure["note"], class_="stat-detail", data_testid=f"note-{measure['measure_id']}") if measure.get("note") else "",
                ]
            ),
            performance_rate(measure["performance_rate"], measure["collection_type"]),
            f"{measure['case_count']:,}",
            percent(measure["data_completeness"], 1) if measure.get("data_completeness") is not None else "—",
            "—" if measure["decile"] is None else str(measure["decile"]),
            number(measure["achievement_points"]),
            "yes" if measure["counted"] else "no",
        ]
        for measure in measures
    ]
    measure_table = table(
        ["Measure", "Collection type", "Title", "Rate", "Cases", "Data completeness", "Decile", "Points", "Counted"],
        rows,
        align="lllrrrrrl",
        testid="measures-table",
    )
    quality_line = (
        f"Quality: {number(quality['measure_points'])} measure points"
        + (f" + {number(quality['bonus'], 0)} small-practice bonus" if quality["bonus"] else "")
        + f" over {number(quality['denominator'], 0)}"
        + (f", plus {number(quality['improvement_percent'])} improvement points" if quality["improvement_percent"] else "")
        + f" = {percent(document['categories']['quality']['percent'], 2)}."
    )
    points_chart = bar_chart_svg(
        [f"{m['measure_id']} {collection_type_name(m['collection_type'])}" for m in measures],
        [m["achievement_points"] for m in measures],
        width=640,
        x_label="achievement points (0–10)",
        title="Achievement points by measure",
        value_format=number,
    ) if measures else ""
    category_rows = []
    labels, contributions = [], []
    for category, entry in document["categories"].items():
        category_rows.append(
            [
                CATEGORY_TITLES.get(category, category),
                "reweighted" if entry["reweighted"] else percent(entry["percent"], 2),
                f"{entry['weight'] * 100:.0f}%",
                number(entry["contribution"]),
            ]
        )
        labels.append(CATEGORY_TITLES.get(category, category))
        contributions.append(entry["contribution"])
    if document.get("complex_patient_bonus"):
        category_rows.append(["Complex patient bonus", "", "", number(document["complex_patient_bonus"])])
    category_rows.append([element("strong", "Final score"), "", "", element("strong", number(final))])
    category_chart = bar_chart_svg(
        labels, contributions, width=640, x_label="points toward the final score", title="Final score points by category",
        value_format=number,
    )
    activities = document["improvement_activities"]
    activity_line = (
        f"Improvement activities counted: {', '.join(activities['counted']) or 'none'} "
        f"({activities['required_for_full_credit']} needed for full credit)."
    )
    interoperability = document.get("promoting_interoperability")
    pi_parts: list[object] = []
    if interoperability:
        pi_rows = [[name, number(points)] for name, points in interoperability["points"].items()]
        if interoperability.get("bonus"):
            pi_rows.append(["Bonus", number(interoperability["bonus"])])
        pi_parts.append(table(["Promoting Interoperability measure", "Points"], pi_rows, align="lr"))
        if interoperability.get("failed"):
            pi_parts.append(element("p", "Promoting Interoperability scores 0: " + "; ".join(interoperability["failed"]) + "."))
    payment_rows = [
        [case, f"{payment['scaling_factor'][case]:.3f}", signed_percent(payment["percent"][case]), dollars(payment["dollars"][case])]
        for case in ("low", "default", "high")
    ]
    body: list[object] = [
        summary,
        section(
            "Quality measures",
            measure_table,
            element("p", quality_line),
            chart(points_chart, testid="chart-measure-points") if points_chart else "",
            section_id="measures",
        ),
        section(
            "Categories",
            table(["Category", "Score", "Weight", "Points"], category_rows, align="lrrr", testid="categories-table"),
            chart(category_chart, testid="chart-categories"),
            element("p", activity_line),
            *pi_parts,
            section_id="categories",
        ),
        section(
            "Payment adjustment (two years later)",
            table(["Scaling", "Factor", "Adjustment", "Dollars a year"], payment_rows, align="lrrr", testid="payment-table"),
            element(
                "p",
                f"Dollars are on {dollars(payment['medicare_part_b_allowed']).lstrip('+')} of Medicare Part B allowed charges. "
                "The positive side depends on CMS's budget-neutrality scaling factor, known only after the year.",
            ),
            section_id="payment",
        ),
    ]
    if document.get("notes"):
        body.append(section("Notes", bullet_list(document["notes"], "notes"), section_id="notes"))
    return page(title, header, body, kind="score", footer="Generated by mips-optimizer.")


# ---------------------------------------------------------------------------------------------
# compare


def _variant_name(variant: Mapping[str, Any]) -> str:
    """``(base)`` or the variant's name, as in the Markdown report."""
    return str(variant.get("variant") or "(base)")


def _scenario_base(variant: Mapping[str, Any]) -> str:
    return str(variant["scenario"]).split(" — ")[0]


def _merit(entry: Mapping[str, Any]) -> float:
    """What the objective ranks by (expected dollars when the document has no objective value)."""
    value = entry.get("objective_value")
    return float(value if value is not None else entry.get("expected_payment_adjustment_dollars") or 0.0)


def render_compare_html(document: Mapping[str, Any]) -> str:
    """A what-if comparison of scenario variants as one self-contained HTML page."""
    threshold = document["performance_threshold"]
    variants = list(document["variants"])
    files: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, variant in enumerate(variants):
        files.setdefault(str(variant["file"]), []).append((index, variant))
    objective = str(document.get("objective") or "expected_payment").replace("_", " ")
    mode = "each file's base selection re-scored under every variant" if document.get("rescore_only") else "every variant re-optimized"
    title = "What-if comparison: " + ", ".join(dict.fromkeys(_scenario_base(variant) for variant in variants))
    header = page_header(
        title,
        [
            f"{len(variants)} variant{'s' if len(variants) != 1 else ''} of {len(files)} scenario file{'s' if len(files) != 1 else ''}",
            mode,
            f"objective: {objective}",
            f"performance threshold {number(threshold, 0)}",
        ],
    )
    # The box: the best variant of each file by the objective, against that file's base.
    best_rows, best_indexes = [], set()
    for group in files.values():
        feasible = [(index, variant) for index, variant in group if variant["feasible"]]
        base = next((variant for _, variant in group if variant.get("variant") is None and variant["feasible"]), None)
        if not feasible:
            best_rows.append([_scenario_base(group[0][1]), "no feasible variant", "—", "—", "—", "—", "—"])
            continue
        index, best = max(feasible, key=lambda item: _merit(item[1]))
        best_indexes.add(index)
        versus = (
            dollars(best["expected_payment_adjustment_dollars"] - base["expected_payment_adjustment_dollars"])
            if base is not None and best is not base
            else "—"
        )
        best_rows.append(
            [
                _scenario_base(best),
                element("strong", _variant_name(best)),
                best["pathway"],
                number(best["expected_final_score"]),
                probability(best["probability_at_or_above_threshold"]),
                dollars(best["expected_payment_adjustment_dollars"]),
                versus,
            ]
        )
    box: list[object] = [
        element("p", "What-if comparison", class_="eyebrow"),
        element("h2", f"Best variant by {objective}", id="recommendation-heading"),
    ]
    if len(files) == 1 and best_indexes:
        best = variants[next(iter(best_indexes))]
        box.append(
            element(
                "p",
                join(
                    [
                        element("strong", _variant_name(best), data_testid="best-variant"),
                        ": report ",
                        best["title"],
                        " (",
                        element("span", best["pathway"], data_testid="recommended-pathway"),
                        ")",
                    ]
                ),
                class_="reason",
            )
        )
        box.append(stats_grid(headline_stats(best, threshold, by_scaling=best.get("expected_payment_adjustment_dollars_by_scaling"))))
        box.append(element("p", selection_text(best), class_="selection"))
    box.append(
        table(
            ["Scenario", "Best variant", "Pathway", "Expected score", f"P(≥{number(threshold, 0)})", "Expected $", "vs base"],
            best_rows,
            align="lllrrrr",
            testid="best-table",
            row_testids=[f"best-{index}" for index in range(len(best_rows))],
        )
    )
    body: list[object] = [
        element("section", join(box), class_="recommendation", data_testid="recommendation", aria_labelledby="recommendation-heading")
    ]
    rows: list[Sequence[object] | str] = []
    classes: list[str | None] = []
    testids: list[str | None] = []
    for group in files.values():
        first = group[0][1]
        rows.append(join([_scenario_base(first), " ", element("span", first["file"], class_="stat-detail")]))
        classes.append(None)
        testids.append(None)
        for index, variant in group:
            name = (
                f"{index + 1}. {_variant_name(variant)}"
                + (" (re-scored)" if variant.get("rescored_only") else "")
                + (" ★" if index in best_indexes else "")
            )
            testids.append(f"variant-{index}")
            if variant.get("failed"):
                rows.append([name, "—", f"failed: {variant.get('error')}", "—", "—", "—", "—", "—"])
                classes.append("infeasible")
                continue
            if not variant["feasible"]:
                rows.append([name, variant["pathway"], f"infeasible: {variant.get('infeasible_reason') or 'no feasible selection'}", "—", "—", "—", "—", "—"])
                classes.append("infeasible")
                continue
            rows.append(
                [
                    name,
                    variant["pathway"],
                    compact_selection(variant["quality_measures"]),
                    number(variant["expected_final_score"]),
                    interval(variant.get("final_score_interval")),
                    probability(variant["probability_at_or_above_threshold"]),
                    dollars(variant["expected_payment_adjustment_dollars"]),
                    short_types(change_text(variant)),
                ]
            )
            classes.append("recommended" if index in best_indexes else None)
    variant_table = table(
        ["Variant", "Pathway", "Quality measures", "Expected score", "80% interval", f"P(≥{number(threshold, 0)})",
         "Expected $", "Selection vs base"],
        rows,
        align="lllrrrrl",
        row_classes=classes,
        row_testids=testids,
        testid="variants-table",
    )
    body.append(
        section(
            "Every variant",
            variant_table,
            section_id="variants",
            lead=f"Changes are against the base scenario of the same file; {mode}; ★ marks each file's best variant.",
        )
    )
    feasible = [(index, variant) for index, variant in enumerate(variants) if variant["feasible"]]
    if feasible:
        several = len(files) > 1
        labels = [
            short_label(f"{index + 1}.", (f"{_scenario_base(variant)}: " if several else "") + _variant_name(variant), 40)
            for index, variant in feasible
        ]
        highlights = {label for label, (index, _) in zip(labels, feasible) if index in best_indexes}
        scores = bar_chart_svg(
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
        )
        money = bar_chart_svg(
            labels,
            [variant["expected_payment_adjustment_dollars"] for _, variant in feasible],
            width=680,
            x_label="expected payment adjustment ($ a year)",
            title="Expected payment adjustment by variant",
            highlight=highlights,
            value_format=dollars,
            label_limit=40,
        )
        body.append(
            section(
                "Charts",
                chart(scores, "Numbers are the rows of the table above. Whiskers: 80% interval; dashed line: the performance threshold.",
                      testid="chart-variant-scores"),
                chart(money, "Expected dollars a year at the default scaling factor.", testid="chart-variant-dollars"),
                section_id="charts",
            )
        )
    return page(title, header, body, kind="compare", footer=f"{assumptions_footer(document)}Generated by mips-optimizer.")


# ---------------------------------------------------------------------------------------------
# swap


def _optional(value: float | None, formatter: Any) -> str:
    return "—" if value is None else formatter(value)


def _dollar_range(bounds: Sequence[float]) -> str:
    return f"{dollars(bounds[0])} to {dollars(bounds[1])}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if not text or text[-1] in ".!?" else ".")


def render_swap_html(document: Mapping[str, Any]) -> str:
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
    title = f"Mid-year swap evaluation: {document['scenario']} ({when})"
    header = page_header(
        title,
        [
            f"as of {document['as_of']}" if document.get("as_of") else "",
            f"{number(document['months_elapsed'], 1)} months of data",
            f"pathway {document['pathway']}" if document.get("pathway") else "",
            f"objective: {str(document['objective']).replace('_', ' ')}" if document.get("objective") else "",
            f"performance threshold {number(threshold, 0)}",
        ],
    )
    box: list[object] = [
        element("p", "Recommendation", class_="eyebrow"),
        element("h2", element("span", pretty_types(chosen_name or "—"), data_testid="recommended-option"), id="recommendation-heading"),
        element("p", _sentence(str(recommendation.get("reason") or "")), class_="reason", data_testid="recommendation-reason"),
    ]
    if chosen is not None and chosen.get("expected_final_score") is not None:
        extra = []
        if chosen["action"] != "keep" and chosen.get("gain_dollars_mean") is not None:
            extra.append(
                stat(
                    "Gain over keeping",
                    dollars(chosen["gain_dollars_mean"]),
                    "gain-dollars",
                    join(["a year; 10th–90th percentile ", _optional(chosen.get("gain_dollars_interval"), _dollar_range)]),
                )
            )
            if chosen.get("probability_better") is not None:
                extra.append(stat("Chance it beats keeping", probability(chosen["probability_better"]), "probability-better", "share of forecast draws"))
        box.append(stats_grid([*headline_stats(chosen, threshold, with_percent=not extra), *extra]))
        box.append(element("p", selection_text(chosen), class_="selection"))
    body: list[object] = [
        element("section", join(box), class_="recommendation", data_testid="recommendation", aria_labelledby="recommendation-heading")
    ]
    rows, classes = [], []
    for number_, option in enumerate(options, start=1):
        is_keep = option["action"] == "keep"
        rows.append(
            [
                str(number_),
                join([element("strong", pretty_types(option["name"])), " ★" if option["name"] == chosen_name else ""]),
                _optional(option.get("expected_final_score"), number),
                interval(option.get("final_score_interval")),
                probability(option.get("probability_at_or_above_threshold")),
                _optional(option.get("expected_payment_adjustment_dollars"), dollars),
                "—" if is_keep else _optional(option.get("gain_dollars_mean"), dollars),
                "—" if is_keep else _optional(option.get("gain_dollars_interval"), _dollar_range),
                "—" if is_keep else probability(option.get("probability_better")),
            ]
        )
        classes.append("recommended" if option["name"] == chosen_name else ("current" if is_keep else None))
    options_table = table(
        ["#", "Option", "Expected score", "80% interval", f"P(≥{number(threshold, 0)})", "Expected $", "Gain vs keep",
         "Gain 10th–90th", "P(better)"],
        rows,
        align="rlrrrrrrr",
        row_classes=classes,
        row_testids=[f"option-{index}" for index in range(len(options))],
        testid="options-table",
    )
    body.append(
        section("Options", options_table, section_id="options",
                lead="Gains are dollars a year against keeping the current plan, over the same forecast draws; ★ is the recommendation.")
    )
    if options:
        labels = [short_label(f"{index}.", _swap_short(option), 44) for index, option in enumerate(options, start=1)]
        chosen_labels = {label for label, option in zip(labels, options) if option["name"] == chosen_name}
        charts = [
            chart(
                bar_chart_svg(
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
                ),
                "Numbers are the rows of the table above. Whiskers: 80% interval; dashed line: the performance threshold.",
                testid="chart-option-scores",
            )
        ]
        gains = [(label, option) for label, option in zip(labels, options) if option["action"] != "keep" and option.get("gain_dollars_mean") is not None]
        if gains:
            charts.append(
                chart(
                    bar_chart_svg(
                        [label for label, _ in gains],
                        [option["gain_dollars_mean"] for _, option in gains],
                        width=680,
                        x_label="gain over keeping ($ a year)",
                        title="Expected gain over keeping the current plan by option",
                        highlight=chosen_labels,
                        value_format=dollars,
                        intervals=[tuple(option["gain_dollars_interval"]) if option.get("gain_dollars_interval") else None for _, option in gains],
                        label_limit=44,
                    ),
                    "Whiskers: 10th–90th percentile of the gain over the forecast draws.",
                    testid="chart-option-gains",
                )
            )
        body.append(section("Charts", *charts, section_id="charts"))
    cards = []
    for heading, option in (("Recommended", chosen), ("Current plan", current)):
        if option is None or (heading == "Current plan" and option is chosen):
            continue
        cards.append(
            element(
                "div",
                join(
                    [
                        element("h3", f"{heading}: {pretty_types(option['name'])}"),
                        compact_measures_table(option["quality_measures"]),
                        element("p", join([element("strong", "Improvement activities: "), ", ".join(option.get("improvement_activities") or []) or "none"])),
                    ]
                ),
                class_="card",
            )
        )
    if cards:
        body.append(section("Measures", element("div", join(cards), class_="pair"), section_id="option-measures"))
    projections = document.get("projections") or []
    if projections:
        projection_rows = [
            [
                element("strong", row["measure_id"]),
                collection_type_name(row["collection_type"]),
                "yes" if row.get("reported") else "",
                percent(row.get("projected_rate"), 1),
                number(row.get("projected_cases"), 0),
                number(row.get("expected_points")),
                probability(row.get("probability_scored")),
            ]
            for row in projections
        ]
        body.append(
            section(
                "Year-end projection",
                table(["Measure", "Collection type", "Reported now", "Projected rate", "Projected cases", "Expected points", "P(scored)"],
                      projection_rows, align="lllrrrr", testid="projections-table"),
                section_id="projections",
                lead="Each measure's full-year rate and cases projected from the year-to-date data.",
            )
        )
    if infeasible:
        by_reason: dict[str, list[str]] = {}
        for option in infeasible:
            by_reason.setdefault(str(option.get("infeasible_reason") or "not feasible"), []).append(pretty_types(option["name"]))
        items = [join([element("strong", _sentence(reason)), " ", ", ".join(names), "."]) for reason, names in by_reason.items()]
        body.append(section("Not feasible mid-year", bullet_list(items, "infeasible-options"), section_id="infeasible"))
    return page(title, header, body, kind="swap", footer=f"{assumptions_footer(document)}Generated by mips-optimizer.")


def _swap_short(option: Mapping[str, Any]) -> str:
    """``keep`` / ``swap −047 claims +317 eCQM`` (chart labels; the table has the full names)."""
    action = {"replan": "re-plan"}.get(str(option["action"]), str(option["action"]))
    parts = [f"−{short_types(item)}" for item in option.get("removed") or []] + [f"+{short_types(item)}" for item in option.get("added") or []]
    return " ".join([action, *parts])
