"""The forecast's assumptions (not CMS rules): defaults, the pessimistic variant and the sentence reports print.

Every field but ``draws`` and ``seed`` is a key of a scenario's ``[forecast]`` table. The defaults are
justified in README.md, "The forecast", and checked by ``perf/calibration.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ForecastSettings:
    """Assumptions of the forecast; set from the scenario's ``[optimize]`` (draws, seed) and ``[forecast]`` tables."""

    draws: int = 1000
    seed: int = 1
    persistence: float = 0.9
    """Share of a practice's position in the national distribution (its normal score) kept into next year;
    the rest regresses to the national median."""
    position_drift: float = 0.35
    """Standard deviation of the year-to-year change of that normal score."""
    shared_change: float = 0.3
    """Share of the year-to-year change (variance) common to all of a practice's measures."""
    bad_year_probability: float = 0.15
    """Chance that a measure has a bad year (staff change, EHR change, a broken workflow)."""
    bad_year_loss: float = 0.2
    """Average share of the rate ('better is larger') lost in a bad year; the loss is U(0, 2 × this)."""
    volume_spread: float = 0.15
    """Log standard deviation of the practice's case volume next year (a lognormal factor, mean 1)."""
    completeness_spread: float = 0.25
    """Standard deviation of next year's data completeness around this year's, logit scale."""
    rate_drift: float = 0.15
    """Fallback (no benchmark row): between-year drift of the rate, logit scale."""
    benchmark_probability: float = 0.5
    """Chance a measure without a historical benchmark gets a performance-period benchmark."""
    prior_met: float = 0.5
    """Fallback: Beta prior on the baseline counts (0.5 and 0.5: Jeffreys)."""
    prior_not_met: float = 0.5


PESSIMISM = 1.5
"""The pessimistic variant multiplies every spread by this and doubles the bad-year probability."""


def pessimistic(settings: ForecastSettings) -> ForecastSettings:
    """The settings made more pessimistic: 1.5 × the regression (1 − persistence), the drifts, the volume
    and completeness spreads; bad years twice as likely and 1.5 × as deep (at most 0.5); a benchmark for a
    measure without one half as likely."""
    return replace(
        settings,
        persistence=max(0.0, 1 - PESSIMISM * (1 - settings.persistence)),
        position_drift=PESSIMISM * settings.position_drift,
        rate_drift=PESSIMISM * settings.rate_drift,
        volume_spread=PESSIMISM * settings.volume_spread,
        completeness_spread=PESSIMISM * settings.completeness_spread,
        bad_year_probability=min(1.0, 2 * settings.bad_year_probability),
        bad_year_loss=min(0.5, PESSIMISM * settings.bad_year_loss),
        benchmark_probability=settings.benchmark_probability / 2,
    )


def assumptions_sentence(settings: ForecastSettings) -> str:
    """One plain sentence on what the forecast's probabilities assume."""
    if settings.draws == 0:
        return "Deterministic forecast: last year's rates and volumes taken as next year's; no probabilities."
    return (
        f"Probabilities assume the forecast's model of the performance year: each rate keeps {settings.persistence:.0%} of its "
        f"place in CMS's national distribution and regresses toward it otherwise, moving by a drift of "
        f"{settings.position_drift:g} (normal-score scale), each measure "
        f"has a {settings.bad_year_probability:.0%} chance of a bad year (about {settings.bad_year_loss:.0%} of its "
        f"rate lost), case volumes vary by about {settings.volume_spread:.0%} and data completeness by a logit "
        f"spread of {settings.completeness_spread:g}, and cost, Promoting Interoperability and improvement "
        f"activities are as given."
    )
