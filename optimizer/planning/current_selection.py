"""The practice's current selection, scored on the same draws as a plan, and what the plan gains over it.

"Current" is what the scenario says the practice reports now: ``[quality] reported`` and
``[improvement_activities] attested``, in the scenario's ``pathway``. Scored on the plan's own
forecast draws, the difference is paired draw by draw: the gain in dollars and in the chance of
reaching the threshold, and the share of draws in which the recommendation scores higher. A
practice manager's first question — what do we gain over what we do now? — is answered by these
numbers, not by two independently noisy means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.forecast import Forecast
from optimizer.plan import Outlook, PathwayPlan, evaluate_selection
from optimizer.scenario import Scenario


def score_current_selection(scenario: Scenario, catalog: object, forecast: Forecast) -> PathwayPlan | None:
    """The current selection (``[quality] reported`` + attested activities, in ``pathway``) re-scored
    by the rules on ``forecast``'s draws; None when the scenario lists no reported measures.

    The result has no outlook (and says why in ``infeasible_reason``) when a reported measure cannot
    be reported in that pathway.
    """
    if not scenario.reported:
        return None
    return evaluate_selection(
        scenario,
        catalog,
        scenario.pathway,
        tuple(scenario.reported),
        tuple(scenario.improvement_activities.attested),
        forecast.candidates,
        forecast,
    )


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
