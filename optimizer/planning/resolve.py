"""Resolve a scenario, once, into the small frozen values each stage below planning takes.

The forecast takes :class:`~optimizer.forecast.settings.ForecastSettings` and the practice's size;
scoring takes :class:`~optimizer.scoring.facts.PracticeFacts`, the :class:`~optimizer.rules.parameters.Policy`,
the payment's :class:`~optimizer.rules.payment.ScalingFactors` and the cost and Promoting
Interoperability settings; the selection takes :class:`~optimizer.selection.options.SelectionOptions`.
Below planning no module sees the :class:`~optimizer.inputs.scenario.Scenario` itself
(``tests/test_layers.py`` checks the imports).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from optimizer.forecast.settings import ForecastSettings
from optimizer.inputs.scenario import Scenario
from optimizer.rules.parameters import Policy
from optimizer.rules.payment import ScalingFactors
from optimizer.scoring.facts import CostSettings, InteroperabilitySettings, PracticeFacts
from optimizer.selection.options import SelectionOptions


@dataclass(frozen=True, eq=False)
class Resolved:
    """A scenario as the stages below planning take it: each field goes to the stages that use it."""

    practice: PracticeFacts
    policy: Policy
    scaling: ScalingFactors
    forecast: ForecastSettings
    options: SelectionOptions
    cost: CostSettings
    interoperability: InteroperabilitySettings
    baseline: pd.DataFrame
    """The checked baseline table the candidates are built from."""
    pathways: tuple[str, ...] | None
    """The pathways to plan (``[optimize] pathways``; None: traditional MIPS and every MVP with a candidate)."""
    specialties: tuple[str, ...] | None = None
    """The practice's specialties (``[practice] specialties``; None: not given, no MVP is left out for them)."""


def forecast_settings(scenario: Scenario) -> ForecastSettings:
    """The forecast's draws and seed (``[optimize]``) and assumptions (``[forecast]``, else the defaults)."""
    return ForecastSettings(draws=scenario.optimize.draws, seed=scenario.optimize.seed, **scenario.forecast)


def resolve(scenario: Scenario) -> Resolved:
    """The values each stage takes from a (checked) scenario."""
    policy = scenario.policy
    practice = scenario.practice
    optimize = scenario.optimize
    shared = {field.name: getattr(optimize, field.name) for field in fields(SelectionOptions) if field.name != "available_activities"}
    return Resolved(
        practice=PracticeFacts(
            clinicians=practice.clinicians,
            small_practice=practice.is_small(policy),
            special_status=practice.has_special_status(policy),
            cehrt=practice.cehrt,
            medicare_part_b_allowed=practice.medicare_part_b_allowed,
            complex_patient_bonus=practice.complex_patient_bonus,
            prior_year_achievement_percent=scenario.prior_year_achievement_percent,
        ),
        policy=policy,
        scaling=scenario.scaling,
        forecast=forecast_settings(scenario),
        options=SelectionOptions(**shared, available_activities=scenario.improvement_activities.available),
        cost=scenario.cost,
        interoperability=scenario.promoting_interoperability,
        baseline=scenario.baseline,
        pathways=optimize.pathways,
        specialties=practice.specialties,
    )
