"""The HTML reports without a browser: well-formed, self-contained, exact numbers, escaped text.

The documents below are built by hand in the shapes ``plan_to_dict``, ``score_to_dict`` and the
``compare``/``swap`` commands produce; every number in them is an arbitrary test input (not CMS
data, not a real forecast), chosen with many decimals so that the tests see the rounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from optimizer.report.formatting import dollars, number, percent, signed_percent
from optimizer.report.html import render_compare_html, render_plan_html, render_score_html, render_swap_html
from optimizer.report.svg_charts import bar_chart_svg, histogram_svg, line_chart_svg, nice_ticks

# ---------------------------------------------------------------------------------------------
# Hand-made documents (arbitrary test inputs).


def _histogram(low: float, high: float, counts: list[int]) -> dict[str, list[float]]:
    step = (high - low) / len(counts)
    return {"bin_edges": [low + step * index for index in range(len(counts) + 1)], "counts": counts}


def _measure(measure_id: str, collection_type: str, title: str, expected: float, histogram: bool = True, **extra: Any) -> dict[str, Any]:
    measure = {
        "measure_id": measure_id,
        "collection_type": collection_type,
        "title": title,
        "outcome_or_high_priority": extra.get("priority", False),
        "expected_points": expected,
        "points_p10": expected - 1.23456,
        "points_p90": min(10.0, expected + 0.98765),
        "probability_counted": extra.get("counted", 0.987654),
        "probability_scored": extra.get("scored", 0.954321),
        "seven_point_cap": extra.get("cap", False),
        "effort_hours": 4.0,
    }
    if histogram:
        measure["points_histogram"] = _histogram(0.0, 10.0, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 9, 20, 30, 18, 10, 5])
    return measure


def _outlook(score: float, probability: float, money: float, measures: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "quality_measures": measures,
        "improvement_activities": ["IA_TEST_1", "IA_TEST_2"],
        "expected_final_score": score,
        "final_score_interval": [score - 3.14159, score + 2.71828],
        "probability_at_or_above_threshold": probability,
        "expected_quality_percent": 71.23456,
        "expected_payment_adjustment_percent": money / 1_234_567.0 * 100,
        "expected_payment_adjustment_dollars": money,
        "expected_payment_adjustment_dollars_by_scaling": {"low": money * 0.61234, "default": money, "high": money * 1.38766},
        "objective_value": money / 1000,
    }


def plan_document(scenario: str = "Test Clinic (hand-made)") -> dict[str, Any]:
    """A plan document: a recommended MVP, a feasible and an infeasible alternative, a runner-up."""
    measures = [
        _measure("001", "ecqm", "Diabetes: test measure", 8.876543, priority=True),
        _measure("236", "medicare_part_b_claims", "Blood pressure test measure", 7.654321, priority=True, counted=0.8125),
        _measure("134", "ecqm", "Screening test measure", 6.999999, cap=True),
    ]
    recommended = {
        "pathway": "M0005",
        "title": "Value in Primary Care",
        "feasible": True,
        **_outlook(80.846, 0.912345, 5434.239, measures),
        "final_score_histogram": _histogram(0.0, 100.0, [0] * 13 + [2, 5, 40, 120, 30, 3, 0]),
        "reasons": ["001 as eCQM: 8.88 expected points.", "Left out 493: worth less than the chosen set."],
        "solver": {"status": "optimal", "optimality_gap": 0.0, "seconds": 0.42, "method": "full model"},
    }
    runner_up = _outlook(79.123456, 0.85432, 5248.0, [dict(measures[0], collection_type="medicare_part_b_claims"), *measures[1:]])
    runner_up["objective_shortfall"] = 0.186
    runner_up["expected_payment_shortfall_dollars"] = 186.239
    recommended["runner_up"] = runner_up
    traditional = {
        "pathway": "traditional",
        "title": "Traditional MIPS",
        "feasible": True,
        **_outlook(70.543210, 0.123456, -7754.98982, [_measure("047", "mips_cqm", "Advance care test", 5.5, histogram=False)]),
        "reasons": [],
    }
    infeasible = {
        "pathway": "G0053",
        "title": "Advancing Rheumatology Patient Care",
        "feasible": False,
        "quality_measures": [],
        "improvement_activities": [],
        "expected_final_score": None,
        "infeasible_reason": "no outcome measure available",
    }
    scores = [float(score) for score in range(101)]
    curve = {
        "final_score": scores,
        "low": [(-9 + 9 * score / 75) if score < 75 else 0.0117 * (score - 75) for score in scores],
        "default": [(-9 + 9 * score / 75) if score < 75 else 0.0178 * (score - 75) for score in scores],
        "high": [(-9 + 9 * score / 75) if score < 75 else 0.0239 * (score - 75) for score in scores],
    }
    return {
        "objective": "expected_payment",
        "scenario": scenario,
        "practice": "Test Clinic",
        "performance_year": 2026,
        "small_practice": True,
        "performance_threshold": 75.0,
        "medicare_part_b_allowed": 1_234_567.0,
        "scaling_factor": {"low": 0.117, "default": 0.178, "high": 0.239},
        "draws": 200,
        "seed": 7,
        "seconds": 1.234,
        "recommended": recommended,
        "pathways": [traditional, recommended, infeasible],
        "payment_curve": curve,
        "notes": ["A test note."],
    }


def score_document() -> dict[str, Any]:
    """A score document (score_to_dict's shape)."""

    def measure(measure_id: str, points: float, counted: bool = True, note: str = "") -> dict[str, Any]:
        return {
            "measure_id": measure_id, "collection_type": "ecqm", "title": f"Test measure {measure_id}",
            "performance_rate": 73.354231, "case_count": 1638, "data_completeness": 97.0297, "decile": 7,
            "achievement_points": points, "outcome": "benchmark", "counted": counted,
            "outcome_or_high_priority": measure_id == "236", "note": note,
        }

    return {
        "performance_year": 2026, "practice": "Test Clinic", "pathway": "traditional", "small_practice": True,
        "final_score": 74.368760, "final_score_set_to_threshold": False, "complex_patient_bonus": 2.0,
        "performance_threshold": 75.0,
        "categories": {
            "quality": {"percent": 74.229200, "weight": 0.3, "contribution": 22.268760, "reweighted": False},
            "cost": {"percent": 52.0, "weight": 0.3, "contribution": 15.6, "reweighted": False},
            "improvement_activities": {"percent": 100.0, "weight": 0.15, "contribution": 15.0, "reweighted": False},
            "promoting_interoperability": {"percent": 78.0, "weight": 0.25, "contribution": 19.5, "reweighted": False},
        },
        "quality": {
            "measures": [measure("236", 7.451410), measure("001", 9.412393), measure("047", 0.0, False, "below case minimum")],
            "calculated_measures": [], "measure_points": 38.308496, "numerator": 44.308496, "denominator": 60.0,
            "bonus": 6.0, "achievement_percent": 63.847494, "improvement_percent": 0.381706,
        },
        "cost": {"measure_points": {}},
        "improvement_activities": {"counted": ["IA_BE_6"], "required_for_full_credit": 1},
        "promoting_interoperability": {"points": {"e-Prescribing": 10.0, "Provide Patients Access": 25.0}, "bonus": 5.0, "failed": []},
        "payment_adjustment": {
            "scaling_factor": {"low": 0.117, "default": 0.178, "high": 0.239},
            "percent": {"low": -0.075749, "default": -0.075749, "high": -0.075749},
            "dollars": {"low": -1098.357440, "default": -1098.357440, "high": -1098.357440},
            "medicare_part_b_allowed": 1450000,
        },
        "notes": ["A score note."],
    }


def _variant(file: str, scenario: str, name: str | None, score: float | None, money: float | None, **changes: Any) -> dict[str, Any]:
    feasible = score is not None
    return {
        "file": file, "scenario": scenario if name is None else f"{scenario} — {name}", "variant": name,
        "rescored_only": False, "objective": "expected_payment",
        "pathway": "M0005" if feasible else "traditional", "title": "Value in Primary Care", "feasible": feasible,
        "infeasible_reason": None if feasible else "no measures reportable",
        **(_outlook(score, 0.6543, money, [_measure("001", "ecqm", "Diabetes: test measure", 8.123456, histogram=False)])
           if feasible else {"quality_measures": [], "improvement_activities": [], "expected_final_score": None,
                             "final_score_interval": None, "probability_at_or_above_threshold": None,
                             "expected_payment_adjustment_dollars": None}),
        "changes": {"added": changes.get("added", []), "removed": changes.get("removed", []), "pathway_changed": changes.get("pathway_changed", False)},
    }


def compare_document(two_files: bool = False) -> dict[str, Any]:
    """A compare document: a base, a better variant, an infeasible variant (and optionally a second file)."""
    variants = [
        _variant("scenarios/test.toml", "Test Clinic", None, 76.111111, 1234.5678),
        _variant("scenarios/test.toml", "Test Clinic", "more staff", 81.987654, 6543.21, added=["236 (ecqm)"], removed=["236 (medicare_part_b_claims)"]),
        _variant("scenarios/test.toml", "Test Clinic", "no EHR", None, None, pathway_changed=True),
    ]
    if two_files:
        variants.append(_variant("scenarios/other.toml", "Other Practice", None, 70.5, -4321.0))
    return {"kind": "compare", "rescore_only": False, "objective": "expected_payment", "performance_threshold": 75.0, "variants": variants}


def swap_document() -> dict[str, Any]:
    """A swap document: swap (recommended), add, keep; an infeasible option; year-end projections."""

    def option(name: str, action: str, score: float | None, gain: float | None, **extra: Any) -> dict[str, Any]:
        feasible = score is not None
        entry = {
            "name": name, "action": action, "removed": extra.get("removed", []), "added": extra.get("added", []),
            "feasible": feasible, "infeasible_reason": None if feasible else "claims measures need the quality codes since January",
        }
        if feasible:
            entry.update(_outlook(score, 0.55555, 1000 + gain, [_measure("001", "ecqm", "Diabetes: test measure", 8.5, histogram=False)]))
            entry.update(gain_dollars_mean=gain, gain_dollars_interval=[gain - 500.5, gain + 700.7], gain_objective_mean=gain / 1000,
                         probability_better=0.876543 if gain else 0.0)
        else:
            entry.update(quality_measures=[], improvement_activities=[], expected_final_score=None, final_score_interval=None,
                         probability_at_or_above_threshold=None, expected_payment_adjustment_dollars=None, gain_dollars_mean=None,
                         gain_dollars_interval=None, gain_objective_mean=None, probability_better=None)
        return entry

    return {
        "kind": "swap", "scenario": "Test Clinic", "pathway": "traditional", "objective": "expected_payment",
        "as_of": "2026-07-01", "months_elapsed": 6.0, "performance_threshold": 75.0,
        "projections": [
            {"measure_id": "236", "collection_type": "ecqm", "reported": True, "projected_rate": 71.810309, "projected_cases": 638.8,
             "expected_points": 6.937535, "probability_scored": 1.0},
            {"measure_id": "317", "collection_type": "ecqm", "reported": False, "projected_rate": 36.8, "projected_cases": 2099.4,
             "expected_points": 8.95, "probability_scored": 0.97},
        ],
        "options": [
            option("swap 134 (ecqm) for 236 (ecqm)", "swap", 77.654321, 2345.6789, removed=["134 (ecqm)"], added=["236 (ecqm)"]),
            option("add 226 (ecqm) as a hedge", "add", 75.1, -120.4, added=["226 (ecqm)"]),
            option("keep the current plan", "keep", 74.5, 0.0),
        ],
        "infeasible_options": [
            option("switch to 001 (medicare_part_b_claims)", "swap", None, None, removed=["001 (ecqm)"], added=["001 (medicare_part_b_claims)"]),
            option("switch to 236 (medicare_part_b_claims)", "swap", None, None, removed=["236 (ecqm)"], added=["236 (medicare_part_b_claims)"]),
        ],
        "recommendation": {"option": "swap 134 (ecqm) for 236 (ecqm)", "reason": "better in 88% of scenarios, $2,346 a year more on average"},
    }


# ---------------------------------------------------------------------------------------------
# A small DOM from the standard library's parser, checking tags close in order.

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attributes: dict[str, str | None], parent: Node | None = None) -> None:
        self.tag, self.attributes, self.parent = tag, attributes, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attributes: str) -> list[Node]:
        wanted = {key.replace("_", "-"): value for key, value in attributes.items()}
        return [
            node for node in self.iter()
            if (tag is None or node.tag == tag) and all(node.attributes.get(key) == value for key, value in wanted.items())
        ]

    def testid(self, name: str) -> Node:
        found = self.find_all(data_testid=name)
        assert len(found) == 1, f"expected one element with data-testid={name!r}, found {len(found)}"
        return found[0]

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.errors: list[str] = []
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs), self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            self.errors.append(f"end tag for void element <{tag}>")
            return
        if self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1].tag}> at {self.getpos()}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    """Parse ``page``, failing on misnested or unclosed tags."""
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.errors == [], builder.errors[:5]
    assert [node.tag for node in builder.stack] == ["#document"], f"unclosed: {[node.tag for node in builder.stack]}"
    assert [declaration.lower() for declaration in builder.declarations] == ["doctype html"]
    return builder.root


RENDERERS: dict[str, tuple[Callable[[Any], str], Callable[[], dict[str, Any]]]] = {
    "plan": (render_plan_html, plan_document),
    "score": (render_score_html, score_document),
    "compare": (render_compare_html, compare_document),
    "swap": (render_swap_html, swap_document),
}


def clean(text: str) -> str:
    return " ".join(text.split())


def page_title(tree: Node) -> str:
    """The document's <title> (SVG charts have their own)."""
    (head,) = tree.find_all("head")
    (title,) = head.find_all("title")
    return clean(title.text())


def cells(row: Node) -> list[str]:
    return [clean(cell.text()) for cell in row.find_all("td")]


# ---------------------------------------------------------------------------------------------
# Every page.


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_page_is_one_well_formed_html_document(kind: str) -> None:
    render, build = RENDERERS[kind]
    page = render(build())
    assert page.startswith("<!doctype html>\n")
    tree = parse(page)
    (html_element,) = tree.find_all("html")
    assert html_element.attributes.get("lang") == "en"
    assert len(tree.find_all("meta", charset="utf-8")) == 1
    (heading,) = tree.find_all("h1")
    assert page_title(tree) and page_title(tree) == clean(heading.text())
    # The recommendation (or summary) box comes first, before any table or chart.
    box = tree.testid("recommendation")
    elements = list(tree.iter())
    first_table = next(node for node in elements if node.tag == "table")
    assert elements.index(box) < elements.index(first_table)
    # One style sheet with the print rules; no inline style attributes anywhere.
    (style,) = tree.find_all("style")
    assert "@media print" in style.text() and "break-inside: avoid" in style.text()
    assert all("style" not in node.attributes for node in elements)


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_page_is_self_contained(kind: str) -> None:
    render, build = RENDERERS[kind]
    page = render(build())
    tree = parse(page)
    for node in tree.iter():
        for name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
            value = node.attributes.get(name)
            assert value is None or not re.match(r"\s*(https?:)?//", value), f"<{node.tag} {name}={value!r}>"
    assert not tree.find_all("script") and not tree.find_all("link") and not tree.find_all("img")
    assert not tree.find_all("iframe") and not tree.find_all("object") and not tree.find_all("embed")
    style = tree.find_all("style")[0].text()
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "http://" not in page and "https://" not in page
    csp = [node for node in tree.find_all("meta") if node.attributes.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in (csp[0].attributes["content"] or "")


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_chart_is_labelled(kind: str) -> None:
    render, build = RENDERERS[kind]
    tree = parse(render(build()))
    charts = tree.find_all("svg")
    assert charts
    for svg in charts:
        assert svg.attributes.get("role") == "img" and svg.attributes.get("aria-label")
        titles = [child for child in svg.children if isinstance(child, Node) and child.tag == "title"]
        assert titles and clean(titles[0].text()) == svg.attributes["aria-label"]
        assert svg.attributes.get("viewbox") and float(svg.attributes["width"]) > 0 and float(svg.attributes["height"]) > 0
        # Visible axis text (tick labels or an axis label), not only tooltips.
        assert [node for node in svg.find_all("text") if clean(node.text())]


# ---------------------------------------------------------------------------------------------
# plan


def test_plan_shows_the_key_numbers_as_formatted() -> None:
    document = plan_document()
    best = document["recommended"]
    tree = parse(render_plan_html(document))
    assert page_title(tree) == "MIPS 2026 plan: Test Clinic (hand-made)"
    expected = {
        "recommended-pathway": "M0005",
        "recommended-pathway-title": "Value in Primary Care",
        "expected-final-score": number(best["expected_final_score"]),
        "final-score-interval": f"{number(best['final_score_interval'][0])}–{number(best['final_score_interval'][1])}",
        "probability-threshold": percent(100 * best["probability_at_or_above_threshold"], 0),
        "expected-dollars": dollars(best["expected_payment_adjustment_dollars"]),
        "expected-dollars-low": dollars(best["expected_payment_adjustment_dollars_by_scaling"]["low"]),
        "expected-dollars-high": dollars(best["expected_payment_adjustment_dollars_by_scaling"]["high"]),
        "expected-percent": signed_percent(best["expected_payment_adjustment_percent"]),
        "runner-up-final-score": number(best["runner_up"]["expected_final_score"]),
        "runner-up-shortfall": "$186",
    }
    assert {name: clean(tree.testid(name).text()) for name in expected} == expected
    # The arbitrary inputs round visibly: 80.846 → 80.85, 91.2345% → 91%, 5434.239 → +$5,434.
    assert expected["expected-final-score"] == "80.85"
    assert expected["probability-threshold"] == "91%"
    assert expected["expected-dollars"] == "+$5,434"
    for name in ("expected-final-score", "probability-threshold", "expected-dollars", "recommended-pathway"):
        assert tree.testid(name).inside("section") and tree.testid("recommendation") in _ancestors(tree.testid(name))


def _ancestors(node: Node) -> list[Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def test_plan_measures_table_and_small_multiples() -> None:
    document = plan_document()
    tree = parse(render_plan_html(document))
    for measure in document["recommended"]["quality_measures"]:
        row = tree.testid(f"measure-{measure['measure_id']}-{measure['collection_type']}")
        cells = [clean(cell.text()) for cell in row.find_all("td")]
        assert cells[0] == measure["measure_id"]
        assert cells[3] == number(measure["expected_points"])
        assert cells[4] == f"{number(measure['points_p10'])}–{number(measure['points_p90'])}"
        assert cells[5] == percent(100 * measure["probability_counted"], 0)
        card = tree.testid(f"chart-points-{measure['measure_id']}-{measure['collection_type']}")
        (svg,) = card.find_all("svg")
        assert f"mean {number(measure['expected_points'])}" in [clean(text.text()) for text in svg.find_all("text")]
    row_236 = [clean(cell.text()) for cell in tree.testid("measure-236-medicare_part_b_claims").find_all("td")]
    assert row_236[1] == "Medicare Part B claims" and row_236[5] == "81%"
    assert "7-point cap" in clean(tree.testid("measure-134-ecqm").text())


def test_plan_charts_mark_the_threshold_and_the_expected_position() -> None:
    document = plan_document()
    tree = parse(render_plan_html(document))
    final = tree.testid("chart-final-score")
    assert "threshold 75" in [clean(text.text()) for text in final.find_all("text")]
    assert len(final.find_all("line", stroke_dasharray="4 3")) == 1
    payment = tree.testid("chart-payment-curve")
    assert len(payment.find_all("path")) == 3
    labels = [clean(text.text()) for text in payment.find_all("text")]
    assert "default scaling factor (0.178)" in labels
    assert "this plan: 80.85, " + signed_percent(document["recommended"]["expected_payment_adjustment_percent"]) in labels
    assert payment.find_all("circle")
    # Pathway charts: feasible pathways only, the recommendation highlighted; the infeasible one in the table.
    scores = tree.testid("chart-pathway-scores")
    assert len(scores.find_all("rect")) == 2
    assert "80.85" in [clean(text.text()) for text in scores.find_all("text")]
    money = [clean(text.text()) for text in tree.testid("chart-pathway-dollars").find_all("text")]
    assert "+$5,434" in money and "−$7,755" in money
    infeasible = clean(tree.testid("pathway-G0053").text())
    assert "infeasible: no outcome measure available" in infeasible
    rows = tree.testid("pathway-table").find_all("tr")[1:]
    assert [clean(row.find_all("td")[0].text()) for row in rows] == ["M0005 ★", "traditional", "G0053"]
    assert [clean(item.text()) for item in tree.testid("reasons").find_all("li")] == document["recommended"]["reasons"]


def test_text_from_the_document_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & <b>Clinic</b>'
    document = plan_document(scenario=hostile)
    document["recommended"]["quality_measures"][0]["title"] = "<img src=x onerror=alert(1)>"
    document["recommended"]["reasons"] = ["<script>bad()</script>"]
    document["notes"] = ['"quoted" <i>note</i>']
    page = render_plan_html(document)
    assert "<script" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;" in page
    tree = parse(page)
    assert not tree.find_all("script") and not tree.find_all("img") and not tree.find_all("b")
    assert page_title(tree) == clean(f"MIPS 2026 plan: {hostile}")
    assert clean(tree.find_all("h1")[0].text()) == clean(f"MIPS 2026 plan: {hostile}")
    assert clean(tree.testid("reasons").text()) == "<script>bad()</script>"
    for render, build in RENDERERS.values():
        built = build()
        for key in ("scenario", "practice"):
            if key in built:
                built[key] = hostile
        assert "<script" not in render(built)


def test_plan_without_runner_up_or_histograms_still_renders() -> None:
    document = plan_document()
    best = document["recommended"]
    del best["runner_up"], best["final_score_histogram"]
    for measure in best["quality_measures"]:
        del measure["points_histogram"]
    tree = parse(render_plan_html(document))
    assert not tree.find_all(data_testid="runner-up-table")
    assert not tree.find_all(data_testid="chart-final-score")
    assert tree.testid("chart-payment-curve")
    assert clean(tree.testid("expected-final-score").text()) == "80.85"


# ---------------------------------------------------------------------------------------------
# score, compare, swap


def test_score_page_numbers() -> None:
    document = score_document()
    tree = parse(render_score_html(document))
    payment = document["payment_adjustment"]
    assert page_title(tree) == "MIPS 2026 score: Test Clinic"
    assert clean(tree.testid("final-score").text()) == number(document["final_score"]) == "74.37"
    assert clean(tree.testid("payment-percent").text()) == signed_percent(payment["percent"]["default"]) == "−0.08%"
    assert clean(tree.testid("payment-dollars").text()) == dollars(payment["dollars"]["default"]) == "−$1,098"
    assert clean(tree.testid("payment-dollars-low").text()) == dollars(payment["dollars"]["low"])
    assert clean(tree.testid("quality-percent").text()) == "74.23%"
    measures = clean(tree.testid("measures-table").text())
    assert "73.35%" in measures and "1,638" in measures and "below case minimum" in measures
    categories = [cells(row) for row in tree.testid("categories-table").find_all("tr")]
    assert categories[1] == ["Quality", "74.23%", "30%", "22.27"]
    assert categories[-1] == ["Final score", "", "", "74.37"]


def test_score_page_accepts_a_score_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """``mips-optimizer score --format html`` passes the ScoreResult; it goes through score_to_dict."""
    from optimizer.report import score_report

    result = object()
    seen = []
    monkeypatch.setattr(score_report, "score_to_dict", lambda given: seen.append(given) or score_document())
    page = render_score_html(result)
    assert seen == [result]
    assert clean(parse(page).testid("final-score").text()) == "74.37"


def test_compare_page_numbers() -> None:
    document = compare_document()
    tree = parse(render_compare_html(document))
    best = document["variants"][1]
    assert page_title(tree) == "What-if comparison: Test Clinic"
    assert clean(tree.testid("best-variant").text()) == "more staff"
    assert clean(tree.testid("recommended-pathway").text()) == "M0005"
    assert clean(tree.testid("expected-final-score").text()) == number(best["expected_final_score"]) == "81.99"
    assert clean(tree.testid("expected-dollars").text()) == dollars(best["expected_payment_adjustment_dollars"]) == "+$6,543"
    assert clean(tree.testid("probability-threshold").text()) == "65%"
    assert cells(tree.testid("best-0")) == ["Test Clinic", "more staff", "M0005", "81.99", "65%", "+$6,543", "+$5,309"]
    rows = [cells(tree.testid(f"variant-{index}")) for index in range(3)]
    assert rows[0][0] == "1. (base)" and rows[0][-1] == "base"
    assert rows[1][0] == "2. more staff ★" and rows[1][-1] == "+ 236 eCQM; − 236 claims"
    assert rows[2][2] == "infeasible: no measures reportable"
    assert len(tree.testid("chart-variant-scores").find_all("rect")) == 2


def test_compare_page_with_two_files_picks_a_best_variant_per_file() -> None:
    tree = parse(render_compare_html(compare_document(two_files=True)))
    assert page_title(tree) == "What-if comparison: Test Clinic, Other Practice"
    assert not tree.find_all(data_testid="best-variant")  # dollars of different practices are not compared
    assert cells(tree.testid("best-0"))[:2] == ["Test Clinic", "more staff"]
    assert cells(tree.testid("best-1")) == ["Other Practice", "(base)", "M0005", "70.50", "65%", "−$4,321", "—"]
    groups = [clean(row.text()) for row in tree.testid("variants-table").find_all("tr") if row.attributes.get("class") == "group"]
    assert groups == ["Test Clinic scenarios/test.toml", "Other Practice scenarios/other.toml"]


def test_swap_page_numbers() -> None:
    document = swap_document()
    tree = parse(render_swap_html(document))
    chosen = document["options"][0]
    assert page_title(tree) == "Mid-year swap evaluation: Test Clinic (2026-07-01)"
    assert clean(tree.testid("recommended-option").text()) == "swap 134 (eCQM) for 236 (eCQM)"
    assert clean(tree.testid("recommendation-reason").text()) == "Better in 88% of scenarios, $2,346 a year more on average."
    assert clean(tree.testid("expected-final-score").text()) == number(chosen["expected_final_score"]) == "77.65"
    assert clean(tree.testid("gain-dollars").text()) == dollars(chosen["gain_dollars_mean"]) == "+$2,346"
    assert clean(tree.testid("probability-better").text()) == "88%"
    rows = [cells(row) for row in tree.testid("options-table").find_all("tr")[1:]]
    assert [row[1] for row in rows] == ["swap 134 (eCQM) for 236 (eCQM) ★", "add 226 (eCQM) as a hedge", "keep the current plan"]
    assert rows[0][6:] == ["+$2,346", "+$1,845 to +$3,046", "88%"]
    assert rows[2][6:] == ["—", "—", "—"]  # keeping is the baseline of the gains
    gains = [clean(text.text()) for text in tree.testid("chart-option-gains").find_all("text")]
    assert "+$2,346" in gains and "−$120" in gains
    assert len(tree.testid("chart-option-gains").find_all("rect")) == 2  # no bar for keeping itself
    projections = [cells(row) for row in tree.testid("projections-table").find_all("tr")[1:]]
    assert projections[0] == ["236", "eCQM", "yes", "71.8%", "639", "6.94", "100%"]
    (reason,) = tree.testid("infeasible-options").find_all("li")
    assert clean(reason.text()) == (
        "Claims measures need the quality codes since January. "
        "switch to 001 (Medicare Part B claims), switch to 236 (Medicare Part B claims)."
    )


# ---------------------------------------------------------------------------------------------
# The chart functions on their own.


def test_nice_ticks_cover_the_range_with_round_steps() -> None:
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 10, 5) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(-9, 2.151, 5) == [-10, -7.5, -5, -2.5, 0, 2.5]
    flat = nice_ticks(3, 3)
    assert len(flat) >= 2 and flat[0] <= 3 <= flat[-1]


def test_chart_functions_escape_text_and_check_shapes() -> None:
    svg = histogram_svg([0, 5, 10], [1, 3], marker=7.5, marker_label="<threshold>", x_label="a & b", title='"t" <x>')
    assert "<threshold>" not in svg and "&lt;threshold&gt;" in svg and "a &amp; b" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    parse("<!doctype html><html><body>" + svg + "</body></html>")
    with pytest.raises(ValueError):
        histogram_svg([0, 1], [1, 2])
    with pytest.raises(ValueError):
        line_chart_svg([0, 1], {"a": [1.0]})
    with pytest.raises(ValueError):
        bar_chart_svg(["a"], [1.0, 2.0])
    empty = histogram_svg([0, 1, 2], [0, 0], x_label="nothing")
    assert "no draws" in empty
    bars = bar_chart_svg(["<a>", "b"], [-5.0, 3.0], highlight="b", value_format=dollars)
    assert "&lt;a&gt;" in bars and "−$5" in bars and "+$3" in bars
