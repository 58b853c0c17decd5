"""Reporting pathways: traditional MIPS and each MVP, and which candidates each one allows.

References
----------
docs/rules-2026.md §12 (what the optimizer must respect), §6 (MVPs: four measures from the
MVP's list, one activity from its list, its cost measures, population-health measures 479/484),
§2.7 and §2.9 (administrative-claims measures CMS scores: 479 for groups of 16+ clinicians).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.collection_types import ADMIN_CLAIMS, ECQM, MEDICARE_PART_B_CLAIMS
from optimizer.forecast.candidates import CAHPS_MEASURE_ID, Candidate
from optimizer.rules.parameters import TRADITIONAL, Policy
from optimizer.scoring.facts import PracticeFacts

TRADITIONAL_ADMIN_CLAIMS_MEASURES: tuple[str, ...] = ("479",)
"""Administrative-claims quality measures CMS adds to traditional MIPS (docs/rules-2026.md §2.9: 479 for
groups of 16+ clinicians ⇒ denominator 70; whether 484 is scored there is UNCONFIRMED)."""


@dataclass(frozen=True)
class Pathway:
    """What a pathway asks for and allows."""

    pathway_id: str
    title: str
    required_measures: int
    quality_measure_ids: frozenset[str] | None
    admin_claims_measure_ids: frozenset[str]
    activity_ids: frozenset[str] | None
    cost_measure_ids: frozenset[str] | None
    population_health_measure_ids: tuple[str, ...]

    @property
    def is_mvp(self) -> bool:
        """An MVP rather than traditional MIPS."""
        return self.pathway_id != TRADITIONAL


def traditional_pathway(policy: Policy) -> Pathway:
    """Traditional MIPS: six measures, any traditional-MIPS measure, two activities (docs/rules-2026.md §2.9, §4)."""
    return Pathway(
        pathway_id=TRADITIONAL,
        title="Traditional MIPS",
        required_measures=policy.traditional_required_measures,
        quality_measure_ids=None,
        admin_claims_measure_ids=frozenset(),
        activity_ids=None,
        cost_measure_ids=None,
        population_health_measure_ids=(),
    )


def mvp_pathway(catalog: object, mvp_id: str, policy: Policy) -> Pathway:
    """An MVP: its quality measures (and admin-claims measures), activities, cost and foundation measures."""
    definition = catalog.mvp_definition(mvp_id)  # type: ignore[attr-defined]
    if definition is None:
        raise KeyError(mvp_id)
    return Pathway(
        pathway_id=mvp_id,
        title=definition.title,
        required_measures=policy.mvp_required_measures,
        quality_measure_ids=frozenset(definition.quality),
        admin_claims_measure_ids=frozenset(definition.admin_claims),
        activity_ids=frozenset(definition.activities),
        cost_measure_ids=frozenset(definition.cost),
        population_health_measure_ids=definition.foundation_quality,
    )


def read_pathway(catalog: object, pathway_id: str, policy: Policy) -> Pathway:
    """``traditional`` or an MVP id of the catalog's year."""
    if pathway_id == TRADITIONAL:
        return traditional_pathway(policy)
    return mvp_pathway(catalog, pathway_id, policy)


def collection_type_allowed(collection_type: str, practice: PracticeFacts) -> str | None:
    """Why a practice may not use a collection type, or None when it may (docs/rules-2026.md §12)."""
    if collection_type == MEDICARE_PART_B_CLAIMS and not practice.small_practice:
        return "Medicare Part B claims measures are for small practices only"
    if collection_type == ECQM and not practice.cehrt:
        return "eCQMs need certified EHR technology"
    return None


def candidate_exclusion(candidate: Candidate, pathway: Pathway, catalog: object, practice: PracticeFacts) -> str | None:
    """Why a candidate cannot be reported in a pathway (None when it can)."""
    measure = catalog.quality_measure(candidate.measure_id)  # type: ignore[attr-defined]
    if candidate.collection_type == ADMIN_CLAIMS:
        if not pathway.is_mvp or candidate.measure_id not in pathway.admin_claims_measure_ids:
            return f"{candidate.measure_id} is calculated by CMS from claims, not reported"
        return None
    if pathway.is_mvp:
        if candidate.measure_id not in (pathway.quality_measure_ids or ()):
            return f"{candidate.measure_id} is not in MVP {pathway.pathway_id}"
    elif not bool(measure["is_traditional_mips"]) and candidate.measure_id != CAHPS_MEASURE_ID:
        return f"{candidate.measure_id} is for MVPs only, not traditional MIPS"
    return collection_type_allowed(candidate.collection_type, practice)


def extra_scored_measures(candidates: Iterable[Candidate], pathway: Pathway, practice: PracticeFacts, policy: Policy) -> list[Candidate]:
    """Measures CMS scores beyond the reported ones: 479 in traditional MIPS (groups of 16+),
    or an MVP's population-health measures (docs/rules-2026.md §2.9, §6, §11)."""
    wanted = pathway.population_health_measure_ids if pathway.is_mvp else TRADITIONAL_ADMIN_CLAIMS_MEASURES
    extra = []
    for candidate in candidates:
        if candidate.collection_type != ADMIN_CLAIMS or candidate.measure_id not in wanted:
            continue
        minimum_clinicians = policy.admin_claims_minimum_clinicians.get(candidate.measure_id, 1)
        if not pathway.is_mvp and practice.clinicians < minimum_clinicians:
            continue
        extra.append(candidate)
    return extra
