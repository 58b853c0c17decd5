"""Which MVPs a practice can act on: whether its data can fill an MVP's required quality measures.

An MVP asks for four quality measures from its own list. A practice whose baseline has data for
fewer of them can still "plan" the MVP (the missing measures score zero), but that is not a choice
it can act on this year without starting to collect new measures; the reports list such MVPs
apart instead of ranking them among the real options.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.planning.plan import PathwayPlan


@dataclass(frozen=True)
class Readiness:
    """An MVP's required measure count against the measures the practice has data for."""

    pathway_id: str
    required: int
    measures_with_data: tuple[str, ...]
    """The MVP's quality measures (CMS-calculated outcome measures included) the baseline can report."""

    @property
    def can_fill(self) -> bool:
        """The data covers as many of the MVP's measures as it requires."""
        return len(self.measures_with_data) >= self.required

    @property
    def missing(self) -> int:
        """How many more of its measures the practice would need."""
        return max(0, self.required - len(self.measures_with_data))


def mvp_readiness(plan: PathwayPlan) -> Readiness | None:
    """Whether the practice's data can fill the MVP's required measures (None for traditional MIPS)."""
    if not plan.pathway.is_mvp:
        return None
    measures = tuple(sorted({candidate.measure_id for candidate in plan.candidates.pool}))
    return Readiness(plan.pathway.pathway_id, plan.pathway.required_measures, measures)
