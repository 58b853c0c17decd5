"""Where quality work pays: the expected dollars of closing care gaps or raising a measure's rate.

Practices improve by closing care gaps (a patient who should have had the screening, the test, the
controlled blood pressure, and did not) and by fixing documentation. For each selected measure and
the best measures left out, two improvements are valued on the plan's own draws:

* **ten care gaps closed**: ten patients moved from "not met" to "met" in that measure's baseline
  row (from "met" to "not met" for an inverse measure, where meeting it is the bad outcome; fewer
  when fewer are left), as if the baseline file said so;
* **the rate five points better**: five percentage points added to the measure's planned change
  (``[expected_change]``, every collection type of the measure), as if the scenario said so.

Only the changed candidates are forecast again: every candidate's draws come from its own random
stream (seed and key), so the others' draws stay exactly as they were. Every pathway that can
report the measure is then planned again, because an improvement can change what is recommended;
the value is the re-planned recommendation's expected payment adjustment minus the plan's. So it
equals the difference of two plans, one of them with the counts (or the planned change) moved,
which is how the tests check it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from optimizer.collection_types import ADMIN_CLAIMS
from optimizer.forecast import Forecast, forecast_candidates
from optimizer.forecast.candidates import Candidate
from optimizer.planning.plan import Outlook, PathwayPlan, Plan, plan_pathway, proxy_benchmarks
from optimizer.planning.resolve import Resolved, resolve
from optimizer.rules.parameters import TRADITIONAL, Policy

CARE_GAPS = 10
"""Patients moved from not met to met (a practical month's work for a care team)."""
RATE_POINTS = 5.0
"""Percentage points added to a measure's planned rate."""
UNSELECTED_SHOWN = 4
"""How many measures left out of the recommendation are valued (those with the most expected points)."""


@dataclass(frozen=True)
class Outcome:
    """What one improvement does: the re-planned recommendation against the plan's."""

    gain_dollars: float
    """Expected payment adjustment of the re-planned recommendation minus the plan's [$ a year]."""
    gain_score: float
    """Expected final score's change [points]."""
    gain_probability: float
    """Change in the chance of reaching the performance threshold [fraction]."""
    recommendation: Outlook
    pathway: str
    changes_selection: bool
    """The re-planned recommendation reports other measures (or another pathway)."""


@dataclass(frozen=True)
class QualityWork:
    """One measure's improvements: ten care gaps closed and the rate five points better."""

    candidate: Candidate
    selected: bool
    gaps_closed: int
    """Patients actually moved (fewer than ten when fewer are left to move)."""
    care_gaps: Outcome | None
    """None when no gap is left (every patient already meets the measure)."""
    rate: Outcome

    @property
    def dollars_per_gap(self) -> float | None:
        """Expected dollars a year per care gap closed."""
        return None if self.care_gaps is None or self.gaps_closed == 0 else self.care_gaps.gain_dollars / self.gaps_closed

    @property
    def patients_for_rate(self) -> int:
        """About how many patients five points of the rate are (of a year's cases)."""
        row = self.candidate.baseline
        return int(round(RATE_POINTS / 100 * float(row["case_count"]) * 12 / float(row["period_months"])))


def with_gaps_closed(candidate: Candidate, gaps: int = CARE_GAPS) -> tuple[Candidate, int]:
    """The candidate with ``gaps`` patients moved to the better side of its measure (and how many moved)."""
    row = candidate.baseline.copy()
    met, not_met = int(row["performance_met"]), int(row["performance_not_met"])
    if candidate.is_inverse:
        moved = min(gaps, met)
        met, not_met = met - moved, not_met + moved
    else:
        moved = min(gaps, not_met)
        met, not_met = met + moved, not_met - moved
    cases = met + not_met
    row["performance_met"], row["performance_not_met"] = met, not_met
    row["performance_rate"] = 100.0 * met / cases if cases else float("nan")
    return replace(candidate, baseline=row), moved


def with_rate_raised(candidate: Candidate, points: float = RATE_POINTS) -> Candidate:
    """The candidate with its planned change moved ``points`` percentage points the better way."""
    row = candidate.baseline.copy()
    row["expected_change"] = float(row["expected_change"]) + (-points if candidate.is_inverse else points)
    return replace(candidate, baseline=row)


def reforecast(forecast: Forecast, changed: Sequence[Candidate], *, small_practice: bool, policy: Policy, catalog: object) -> Forecast:
    """``forecast`` with the ``changed`` candidates (same keys) drawn again and every other column kept."""
    fresh = forecast_candidates(
        changed, small_practice=small_practice, policy=policy, settings=forecast.settings,
        proxies=proxy_benchmarks(changed, catalog),
    )
    columns = [forecast.column(candidate.key) for candidate in changed]
    candidates = list(forecast.candidates)
    arrays = {name: getattr(forecast, name).copy() for name in ("points", "rates", "cases", "scored")}
    completeness = None if forecast.completeness is None else forecast.completeness.copy()
    for position, (column, candidate) in enumerate(zip(columns, changed, strict=True)):
        candidates[column] = candidate
        for name, array in arrays.items():
            array[:, column] = getattr(fresh, name)[:, position]
        if completeness is not None and fresh.completeness is not None:
            completeness[:, column] = fresh.completeness[:, position]
    return replace(forecast, candidates=tuple(candidates), completeness=completeness, **arrays)


def _replanned(run: Plan, resolved: Resolved, catalog: object, forecast: Forecast, changed: Sequence[Candidate]) -> PathwayPlan:
    """The recommendation when ``changed`` candidates replace theirs: the pathways that can report one
    of them are planned again, the others keep their plans (their draws did not change)."""
    keys = {candidate.key for candidate in changed}
    candidates = list(forecast.candidates)
    plans = []
    for plan in run.pathways:
        if keys & {candidate.key for candidate in plan.candidates.pool}:
            plan = plan_pathway(resolved, plan.pathway, candidates, forecast, catalog)
        plans.append(plan)
    feasible = [plan for plan in plans if plan.outlook is not None]
    return max(feasible, key=lambda plan: (plan.outlook.objective_value, plan.pathway.pathway_id == TRADITIONAL))  # type: ignore[union-attr]


def _selection(plan: PathwayPlan) -> tuple[str, frozenset[tuple[str, str]]]:
    return plan.pathway.pathway_id, frozenset(candidate.key for candidate in plan.outlook.selected)  # type: ignore[union-attr]


def _outcome(run: Plan, resolved: Resolved, catalog: object, changed: Sequence[Candidate]) -> Outcome:
    forecast = reforecast(run.forecast, changed, small_practice=resolved.practice.small_practice, policy=resolved.policy, catalog=catalog)
    best = _replanned(run, resolved, catalog, forecast, changed)
    before, after = run.recommended.outlook, best.outlook
    threshold = resolved.policy.performance_threshold
    return Outcome(
        gain_dollars=after.expected_payment_dollars() - before.expected_payment_dollars(),  # type: ignore[union-attr]
        gain_score=after.expected_final_score - before.expected_final_score,  # type: ignore[union-attr]
        gain_probability=after.probability_at_or_above(threshold) - before.probability_at_or_above(threshold),  # type: ignore[union-attr]
        recommendation=after,  # type: ignore[arg-type]
        pathway=best.pathway.pathway_id,
        changes_selection=_selection(best) != _selection(run.recommended),
    )


def improvable(candidate: Candidate) -> bool:
    """A measure whose rate the practice's own care moves (not CAHPS, not calculated by CMS from claims)."""
    return candidate.collection_type != ADMIN_CLAIMS and not candidate.is_cahps and float(candidate.baseline["case_count"]) > 0


def measures_to_value(run: Plan, unselected: int = UNSELECTED_SHOWN) -> list[tuple[Candidate, bool]]:
    """The recommendation's measures, then the ``unselected`` measures left out with the most expected
    points (each in its best collection type)."""
    outlook = run.recommended.outlook
    chosen = [candidate for candidate in outlook.selected if improvable(candidate)]  # type: ignore[union-attr]
    chosen_ids = {candidate.measure_id for candidate in outlook.selected}  # type: ignore[union-attr]
    forecast = run.forecast
    expected = {candidate.key: float(np.mean(forecast.points[:, column])) for column, candidate in enumerate(forecast.candidates)}
    best_per_measure: dict[str, Candidate] = {}
    for candidate in forecast.candidates:
        if candidate.measure_id in chosen_ids or not improvable(candidate):
            continue
        current = best_per_measure.get(candidate.measure_id)
        if current is None or expected[candidate.key] > expected[current.key]:
            best_per_measure[candidate.measure_id] = candidate
    left_out = sorted(best_per_measure.values(), key=lambda candidate: (-expected[candidate.key], candidate.key))[:unselected]
    return [(candidate, True) for candidate in chosen] + [(candidate, False) for candidate in left_out]


def value_quality_work(
    run: Plan, catalog: object, progress: Callable[[str], None] | None = None, unselected: int = UNSELECTED_SHOWN
) -> tuple[QualityWork, ...]:
    """Ten care gaps and five rate points valued for the recommendation's measures and the best left out,
    ranked by expected dollars per care gap (most first)."""
    if run.recommended.outlook is None:
        return ()
    resolved = resolve(run.scenario)
    results = []
    for candidate, selected in measures_to_value(run, unselected):
        if progress is not None:
            progress(f"valuing quality work on measure {candidate.measure_id}")
        closed, moved = with_gaps_closed(candidate)
        care_gaps = _outcome(run, resolved, catalog, [closed]) if moved else None
        raised = [with_rate_raised(other) for other in run.forecast.candidates if other.measure_id == candidate.measure_id and improvable(other)]
        results.append(QualityWork(candidate, selected, moved, care_gaps, _outcome(run, resolved, catalog, raised)))
    return tuple(sorted(results, key=lambda work: (-(work.dollars_per_gap if work.dollars_per_gap is not None else -np.inf), not work.selected)))
