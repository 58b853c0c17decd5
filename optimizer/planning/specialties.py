"""Which MVPs fit the practice's specialties: the one place planning applies CMS's specialty list.

CMS's MVP data lists, for each MVP, the specialties it is most applicable to
(``specialtiesMostApplicableTo`` in mvp.json, :attr:`optimizer.catalog.read.MvpDefinition.specialties`).
When the scenario names the practice's specialties (``[practice] specialties``), an MVP CMS lists only
for other specialties is not planned, swapped to or recommended: a consultant would not offer a family
practice the vascular surgery MVP because one of its measures happens to be in the baseline. Reports
list such MVPs apart. Without the practice's specialties, or for an MVP CMS lists none for, nothing is
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OtherSpecialtyMvp:
    """An MVP left out because CMS lists it for other specialties than the practice's."""

    pathway_id: str
    title: str
    specialties: tuple[str, ...]
    """The specialties CMS lists it for."""

    @property
    def reason(self) -> str:
        """``CMS lists it for Vascular Surgery, Nurse Practitioner and Physician Assistants``."""
        names = list(self.specialties)
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"CMS lists it for {listed}"


def for_other_specialties(mvp_specialties: Sequence[str], practice_specialties: Sequence[str] | None) -> bool:
    """Whether CMS lists an MVP only for specialties the practice does not have (False when either list is
    not known: no practice specialties given, or none in CMS's data for the MVP)."""
    if not practice_specialties or not mvp_specialties:
        return False
    return not set(mvp_specialties) & set(practice_specialties)


def other_specialty_mvp(catalog: object, pathway_id: str, practice_specialties: Sequence[str] | None) -> OtherSpecialtyMvp | None:
    """The MVP ``pathway_id`` when CMS lists it for other specialties than the practice's; else None
    (traditional MIPS and every MVP that fits)."""
    definition = catalog.mvp_definition(pathway_id)  # type: ignore[attr-defined]
    if definition is None or not for_other_specialties(definition.specialties, practice_specialties):
        return None
    return OtherSpecialtyMvp(definition.mvp_id, definition.title, definition.specialties)
