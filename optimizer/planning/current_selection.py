"""What the practice's current selection is worth on a plan's own draws (the one computation).

The current selection is what the scenario file says the practice reports today: ``[quality]
reported`` in its ``pathway``, with its ``[improvement_activities] attested``. Scoring it on the
draws the plan was made on (not on new ones) makes "recommended vs current" a paired comparison:
the gain is the recommendation's advantage on the same simulated years, free of sampling noise
between two forecasts. ``portfolio``'s summary and the ``plan`` report use this function, so they
cannot disagree.
"""

from __future__ import annotations

from optimizer.planning.plan import PathwayPlan, Plan, evaluate_selection
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
