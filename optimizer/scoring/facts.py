"""What scoring takes from a scenario: the practice's facts and the categories given as they are.

Planning resolves a scenario into these once (:func:`optimizer.planning.resolve.resolve`); below
planning nothing sees the scenario itself. The scenario file's reader builds the cost and Promoting
Interoperability settings (:mod:`optimizer.inputs.scenario`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PracticeFacts:
    """The practice as the rules see it, its size and special status already decided under the policy."""

    clinicians: int
    small_practice: bool
    """15 or fewer clinicians, or declared small (docs/rules-2026.md §0)."""
    special_status: bool
    """Small, rural, HPSA or non-patient-facing: one improvement activity is enough (docs/rules-2026.md §4)."""
    cehrt: bool
    """Certified EHR technology: needed for eCQMs and Promoting Interoperability."""
    medicare_part_b_allowed: float
    """Medicare Part B allowed charges a year [$], the base of the payment adjustment."""
    complex_patient_bonus: float
    """Expected complex patient bonus [points of final score]."""
    prior_year_achievement_percent: float | None
    """Last year's quality achievement [percent], for the improvement score (None: none)."""


@dataclass(frozen=True)
class CostMeasureInput:
    """An expected cost measure result: the measure's value in its unit (dollars) and its cases."""

    measure_id: str
    expected_value: float
    cases: int


@dataclass(frozen=True)
class CostSettings:
    """The cost category: a given score, reweighted, or expected per-measure values."""

    score: float | None = None
    reweighted: bool = False
    measures: tuple[CostMeasureInput, ...] = ()
    prior_score: float | None = None
    """Last year's cost category score [percent], for the category-level improvement score (with ``measures``)."""


@dataclass(frozen=True)
class InteroperabilitySettings:
    """The PI category: a given score, reweighted, or measure results (rate [percent] or yes/no)."""

    score: float | None = None
    reweighted: bool = False
    measures: Mapping[str, float | bool] = field(default_factory=dict)
