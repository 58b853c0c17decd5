"""Plain-language reasons for a plan: why each measure and collection type, and what was left out.

Every sentence is read off the forecast and the catalog (expected points per candidate, the
7-point cap, the chance of missing the case minimum); nothing here scores anything.
"""

from __future__ import annotations

from collections.abc import Sequence



from optimizer.collection_types import DESCRIPTIONS
from optimizer.forecast import Forecast
from optimizer.forecast.candidates import Candidate
from optimizer.planning.plan import Outlook, PathwayPlan

CASE_RISK_NOTICE = 0.05
"""Mention the chance of not being scored when it is at least this large."""


def collection_type_name(collection_type: str) -> str:
    """``eCQM``, ``MIPS CQM``, ``Medicare Part B claims`` …"""
    return DESCRIPTIONS.get(collection_type, collection_type).split(" (")[0]


def _expected(forecast: Forecast, candidate: Candidate) -> float:
    return float(forecast.points[:, forecast.column(candidate.key)].mean())


def _probability_unscored(forecast: Forecast, candidate: Candidate) -> float:
    return float(1.0 - forecast.scored[:, forecast.column(candidate.key)].mean())


def _cap_text(candidate: Candidate) -> str:
    return " (capped at 7 points: topped out)" if candidate.benchmark is not None and candidate.benchmark.seven_point_cap else ""


def measure_reasons(plan: PathwayPlan, forecast: Forecast) -> list[str]:
    """Reasons for the selected measures of a pathway plan, then for notable measures left out."""
    outlook = plan.outlook
    if outlook is None:
        return [f"No feasible selection: {plan.infeasible_reason}."]
    eligible = plan.candidates.eligible
    chosen_keys = {candidate.key for candidate in outlook.selected}
    reasons = []
    for measure in outlook.measures:
        candidate = measure.candidate
        others = [other for other in eligible if other.measure_id == candidate.measure_id and other.key != candidate.key]
        if others:
            comparisons = ", ".join(
                f"{collection_type_name(other.collection_type)} {_expected(forecast, other):.2f}{_cap_text(other)}" for other in others
            )
            reasons.append(
                f"{candidate.measure_id} as {collection_type_name(candidate.collection_type)}: {measure.expected_points:.2f} expected "
                f"points{_cap_text(candidate)}, against {comparisons}."
            )
        elif candidate.benchmark is not None and candidate.benchmark.seven_point_cap:
            reasons.append(f"{candidate.measure_id} is topped out and capped at 7 points for {collection_type_name(candidate.collection_type)}.")
        if candidate.benchmark is None and not candidate.is_cahps and candidate.collection_type != "admin_claims":
            reasons.append(f"{candidate.measure_id} has no historical benchmark ({candidate.benchmark_note}); its points are uncertain.")
        unscored = 1.0 - measure.probability_scored
        if unscored >= CASE_RISK_NOTICE:
            reasons.append(
                f"{candidate.measure_id}: {unscored:.0%} chance of not being scored (case minimum of {candidate.case_minimum}, "
                "data completeness or benchmark)."
            )
        if measure.probability_counted < 0.999 and len(outlook.selected) > plan.pathway.required_measures:
            reasons.append(f"{candidate.measure_id} is counted in {measure.probability_counted:.0%} of the forecast draws (a hedge).")
    if any(candidate.is_outcome for candidate in outlook.selected):
        outcomes = [candidate.measure_id for candidate in outlook.selected if candidate.is_outcome]
        verb = "is one" if len(outcomes) == 1 else "are outcome measures"
        reasons.append(f"CMS requires an outcome measure among those reported: {' and '.join(outcomes)} {verb}.")
    reasons.extend(left_out_reasons(eligible, outlook, forecast, chosen_keys))
    return reasons


def left_out_reasons(
    eligible: Sequence[Candidate], outlook: Outlook, forecast: Forecast, chosen_keys: set[tuple[str, str]]
) -> list[str]:
    """Why the strongest measures not chosen were left out (up to three)."""
    chosen_measures = {key[0] for key in chosen_keys}
    lowest_chosen = min((measure.expected_points for measure in outlook.measures), default=0.0)
    best_type: dict[str, Candidate] = {}  # each measure once, in its collection type worth the most
    for candidate in eligible:
        if candidate.measure_id in chosen_measures:
            continue
        if candidate.measure_id not in best_type or _expected(forecast, candidate) > _expected(forecast, best_type[candidate.measure_id]):
            best_type[candidate.measure_id] = candidate
    left_out = sorted(best_type.values(), key=lambda candidate: -_expected(forecast, candidate))
    reasons = []
    for candidate in left_out[:3]:
        expected = _expected(forecast, candidate)
        unscored = _probability_unscored(forecast, candidate)
        detail = f"{expected:.2f} expected points"
        if unscored >= CASE_RISK_NOTICE:
            detail += f", {unscored:.0%} chance of not being scored"
        if candidate.benchmark is not None and candidate.benchmark.seven_point_cap:
            detail += ", capped at 7"
        verdict = "worth less than the chosen set" if expected <= lowest_chosen else "adds less to the counted total than it costs in risk or effort"
        title = candidate.title if len(candidate.title) <= 50 else candidate.title[:49].rsplit(" ", 1)[0].rstrip(" ,;:-(") + "…"
        reasons.append(f"Left out {candidate.measure_id} ({title}, {collection_type_name(candidate.collection_type)}): {detail}; {verdict}.")
    return reasons


