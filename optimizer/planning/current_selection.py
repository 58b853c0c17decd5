"""What the practice's current selection is worth on a plan's own draws (the one computation).

The current selection is what the scenario file says the practice reports today: ``[quality]
reported`` in its ``pathway``, with its ``[improvement_activities] attested``. Scoring it on the
draws the plan was made on (not on new ones) makes "recommended vs current" a paired comparison:
the gain is the recommendation's advantage on the same simulated years, free of sampling noise
between two forecasts. ``portfolio``'s summary and the ``plan`` report use this function, so they
cannot disagree. :func:`improvement_over` gives the plan report's paired figures: the gain in
dollars by draw, its interval, and the share of draws in which the recommendation scores higher.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.planning.plan import Outlook, PathwayPlan, Plan, evaluate_selection
from optimizer.planning.resolve import resolve


def current_selection(run: Plan, catalog: object) -> PathwayPlan | None:
    """The scenario's current selection re-scored by the rules on ``run``'s forecast draws.

    Parameters
    ----------
    run
        A plan of the scenario (:func:`optimizer.planning.plan.plan_scenario`); its scenario's ``reported``,
        ``pathway`` and attested activities are the current selection, its ``forecast`` the draws.
    catalog
        The year's CMS catalog the plan was made with.

    Returns
    -------
    PathwayPlan or None
        None when the scenario lists no ``[quality] reported``. Otherwise the selection scored by
        :func:`optimizer.planning.plan.evaluate_selection` in the scenario's pathway: ``outlook`` holds its
        expected final score, interval, threshold probability and dollars on the same draws as the
        recommendation; when a listed measure cannot be reported in that pathway, ``outlook`` is
        None and ``infeasible_reason`` says which and why. Activities the pathway does not offer
        are left out, as :func:`~optimizer.planning.plan.evaluate_selection` does.
    """
    scenario = run.scenario
    if scenario.reported is None:
        return None
    forecast = run.forecast
    return evaluate_selection(
        resolve(scenario),
        catalog,
        scenario.pathway,
        scenario.reported,
        scenario.improvement_activities.attested,
        forecast.candidates,
        forecast,
    )


def payment_gain_dollars(run: Plan, current: PathwayPlan | None) -> float | None:
    """The recommendation's expected adjustment minus the current selection's [$ a year, same draws];
    None without a current selection that can be reported."""
    if current is None or current.outlook is None or run.recommended.outlook is None:
        return None
    return run.recommended.outlook.expected_payment_dollars() - current.outlook.expected_payment_dollars()


@dataclass(frozen=True)
class Improvement:
    """The recommendation against the current selection on the same draws (recommended − current)."""

    gain_dollars: np.ndarray
    """Per draw, the payment adjustment's difference [$ a year, default scaling factor]."""
    gain_score: np.ndarray
    """Per draw, the final score's difference [points]."""
    threshold: float

    @property
    def expected_gain_dollars(self) -> float:
        return float(np.mean(self.gain_dollars))

    @property
    def expected_gain_score(self) -> float:
        return float(np.mean(self.gain_score))

    def gain_dollars_interval(self, coverage: float = 0.8) -> tuple[float, float]:
        """Central interval of the dollar gain over the draws."""
        tail = (1 - coverage) / 2 * 100
        low, high = np.percentile(self.gain_dollars, [tail, 100 - tail])
        return float(low), float(high)

    @property
    def probability_better(self) -> float:
        """Share of draws in which the recommendation's final score is higher."""
        return float(np.mean(self.gain_score > 0))

    @property
    def probability_worse(self) -> float:
        """Share of draws in which it is lower (the rest are ties: the same score)."""
        return float(np.mean(self.gain_score < 0))


def improvement_over(current: Outlook, recommended: Outlook, threshold: float) -> Improvement:
    """The recommendation's gain over the current selection, draw by draw (both scored on the same draws)."""
    gain_dollars = np.atleast_1d(recommended.score.payment_dollars["default"] - current.score.payment_dollars["default"])
    gain_score = recommended.final_scores - current.final_scores
    return Improvement(np.asarray(gain_dollars, dtype=float), np.asarray(gain_score, dtype=float), threshold)
