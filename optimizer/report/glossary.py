"""The words the reports use, explained once for a practice manager (no CMS jargon left unexplained).

Every report carries the terms it uses (``glossary`` in its document), so each format can show a
short list at the end: Markdown and HTML a list, the workbook a sheet, JSON the same list.
"""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.rules.parameters import Policy

TERMS: dict[str, str] = {
    "pathway": (
        "The way the practice reports MIPS: traditional MIPS (six quality measures of its choice) or an MVP "
        "(MIPS Value Pathway: four measures from a specialty's list, registered for in advance)."
    ),
    "collection type": (
        "How a measure's data reaches CMS: eCQM (calculated by the certified EHR), MIPS CQM (sent by a registry), "
        "Medicare Part B claims (quality codes on the claims; small practices only), or calculated by CMS from claims. "
        "The same measure has a separate benchmark for each."
    ),
    "achievement points": "What CMS gives a measure, 1 to 10, by where its performance rate falls among other practices' (its decile).",
    "decile": "Which tenth of CMS's national benchmark a performance rate falls in: a rate in the 7th decile earns 7 to 7.9 points.",
    "counted": (
        "CMS adds up the best six measures (four in an MVP), one of them an outcome or high-priority measure; a measure "
        "reported beyond those is a hedge that counts only when it beats one of them."
    ),
    "outcome / high priority": (
        "Measures of results (outcome: e.g. blood pressure controlled) or of safety, care coordination, patient experience "
        "(high priority). CMS requires at least one among the measures reported."
    ),
    "capped": "A measure CMS finds 'topped out' (nearly everyone scores near 100%) earns at most {cap:g} points instead of 10.",
    "data completeness": (
        "The share of eligible patients the practice reports on; below {completeness:g}% the measure earns no points (3 for a small practice)."
    ),
    "case minimum": "At least {cases} patients (cases) in the year for a measure to be scored; below it the measure earns no points (3 for a small practice).",
    "care gap": "A patient the measure counts who did not get the care it asks for (the screening, the test, the control).",
    "performance threshold": "{threshold:g} points: a final score below it means a payment cut, above it a payment increase.",
    "scaling factor": (
        "CMS scales the payment increases after the year so that increases and cuts balance; the reports show a low, "
        "a middle (default) and a high value."
    ),
    "payment adjustment": (
        "The change to the practice's Medicare Part B payments two years later (2026 performance, 2028 payments): "
        "up to −9% below the threshold; above it, a share of up to 9% times the scaling factor."
    ),
    "forecast draws": (
        "The next year simulated many times from the practice's counts and CMS's national data; chances are the share "
        "of draws in which something happens."
    ),
    "80% interval": "The range the final score falls in for 8 of 10 draws (the lowest and highest tenth left out).",
    "improvement activities": "Activities the practice attests to (care management, patient engagement, …), identified by ids such as IA_BE_6.",
}
"""Each term the reports use and its plain meaning."""

PLAN_TERMS = (
    "pathway", "collection type", "achievement points", "counted", "outcome / high priority", "capped", "data completeness",
    "case minimum", "care gap", "performance threshold", "scaling factor", "payment adjustment", "forecast draws",
    "80% interval", "improvement activities",
)
SCORE_TERMS = (
    "pathway", "collection type", "achievement points", "decile", "counted", "outcome / high priority", "capped",
    "data completeness", "case minimum", "performance threshold", "scaling factor", "payment adjustment", "improvement activities",
)
COMPARE_TERMS = ("pathway", "collection type", "performance threshold", "scaling factor", "payment adjustment", "forecast draws", "80% interval")
SWAP_TERMS = (
    "pathway", "collection type", "achievement points", "data completeness", "case minimum", "performance threshold",
    "payment adjustment", "forecast draws", "80% interval",
)


def glossary(terms: Iterable[str], policy: Policy) -> list[dict[str, str]]:
    """The terms as ``{"term", "meaning"}`` entries, in the order given, with the policy's numbers."""
    numbers = {
        "threshold": policy.performance_threshold,
        "completeness": policy.data_completeness_threshold,
        "cases": policy.case_minimum,
        "cap": policy.seven_point_cap,
    }
    return [{"term": term, "meaning": TERMS[term].format(**numbers)} for term in terms]
