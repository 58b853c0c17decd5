"""Forecast next year's results: draws of every candidate's rate, case count, completeness and points.

``prior`` (the national distribution of a benchmark row and the practice's place in it),
``next_year`` (persistence, bad years, volume, completeness), ``draws`` (every candidate's draws,
scored by the rules) and ``settings`` (the assumptions, the pessimistic variant, the sentence reports
print). The model is described in :mod:`optimizer.forecast.draws` and README.md, "The forecast".
"""

from optimizer.forecast.draws import NOT_SCORED, UNKNOWN_BENCHMARK, Forecast, forecast_candidates
from optimizer.forecast.prior import NationalPrior, national_prior
from optimizer.forecast.settings import ForecastSettings, assumptions_sentence, pessimistic

__all__ = [
    "NOT_SCORED",
    "UNKNOWN_BENCHMARK",
    "Forecast",
    "ForecastSettings",
    "NationalPrior",
    "assumptions_sentence",
    "forecast_candidates",
    "national_prior",
    "pessimistic",
]
