"""Pure scoring rules of a performance year: no I/O, no solver; every rule cites its source.

One module per piece of the score: :mod:`measure_points` (quality measure achievement points),
:mod:`quality_category`, :mod:`cost`, :mod:`improvement_activities`,
:mod:`promoting_interoperability`, :mod:`final_score`, :mod:`payment`; their numbers come from
:mod:`parameters` (a :class:`Policy` per year, every parameter overridable by name).
"""

from optimizer.rules.cost import cost_case_minimum, cost_category_score, cost_improvement_percent, cost_measure_points
from optimizer.rules.final_score import FinalScore, category_weights, final_score, final_score_pieces
from optimizer.rules.improvement_activities import (
    SPECIAL_STATUSES,
    UnknownActivityError,
    activities_required,
    activity_credit,
    improvement_activities_score,
)
from optimizer.rules.measure_points import (
    PERCENTILE_KEYS,
    Benchmark,
    Outcome,
    achievement_points,
    benchmark_points,
    decile,
    decile_points,
    new_measure_floor,
    not_scoreable_points,
)
from optimizer.rules.parameters import (
    CATEGORIES,
    COST,
    IMPROVEMENT_ACTIVITIES,
    PARAMETER_SOURCES,
    PROMOTING_INTEROPERABILITY,
    QUALITY,
    Policy,
    policy_for_year,
)
from optimizer.rules.payment import (
    ScalingFactors,
    payment_adjustment_dollars,
    payment_adjustment_percent,
    payment_adjustment_pieces,
    scaling_factors,
)
from optimizer.rules.piecewise import LinearPiece, capped, evaluate
from optimizer.rules.promoting_interoperability import InteroperabilityScore, promoting_interoperability_score
from optimizer.rules.quality_category import (
    QualityScore,
    counted_measures,
    fully_participates,
    improvement_percent,
    improvement_pieces,
    population_health_points,
    quality_percent_pieces,
    quality_category_score,
    quality_denominator,
    scored_submissions,
    small_practice_bonus,
)

__all__ = [name for name in dir() if not name.startswith("_")]
