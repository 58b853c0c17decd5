"""What the user asks of the selection, resolved once from a scenario's ``[optimize]`` table by planning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SelectionOptions:
    """The objective, the limits a selection must respect, how to solve, and the activities it may attest.

    Every field but ``available_activities`` is the ``[optimize]`` key of the same name.
    """

    objective: str
    """``expected_payment``, ``expected_score`` or ``threshold_probability``."""
    draws: int
    """Draws of the forecast asked for (0: deterministic); the threshold objective's tie-break depends on it."""
    max_quality_measures: int
    require: tuple[tuple[str, str | None], ...]
    """Measures (or measure and collection type) every selection reports."""
    exclude: tuple[tuple[str, str | None], ...]
    collection_types: tuple[str, ...] | None
    """The collection types a selection may use (None: all)."""
    effort_budget_hours: float | None
    time_limit_seconds: float | None
    """Per pathway solve (None: no limit)."""
    solver: str | None
    """``highs`` or ``cbc`` (None: the best available)."""
    available_activities: tuple[str, ...]
    """The improvement activities the practice may attest (``[improvement_activities] available``)."""
