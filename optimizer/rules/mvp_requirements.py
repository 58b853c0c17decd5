"""What reporting an MVP (MIPS Value Pathway) takes beyond its measures: registration, the
population-health measure CMS adds, subgroups for a multispecialty group.

Facts, not scoring: the reports state them with a recommendation of an MVP, and ``swap`` uses the
registration window to say whether switching to an MVP is still allowed. Each fact carries its
source and whether that source confirms it for the 2026 performance year.

References
----------
.. [1] 42 CFR 414.1365(b)(1)-(2), MVP and subgroup registration (eCFR text as amended through the
   CY2023 rule, public mirror AlextheYounga/ecfr, ``section-414.1365.md``): registration "during a
   period that begins on April 1 and ends on November 30 of the applicable CY performance period
   or a later date specified by CMS"; with the CAHPS for MIPS survey, by June 30; at registration
   the participant selects the MVP, one population-health measure and any outcome-based
   administrative claims measure; a subgroup lists its TIN/NPIs and a plain-language name.
.. [2] docs/rules-2026.md §6: population-health
   measures 479/484 calculated by CMS from claims; from 2026 multispecialty groups must form
   subgroups to report an MVP, small multispecialty groups may report as a group (specialty
   composition attested at registration). The registration window is not in that file.
.. [3] docs/rules-2026.md §6 and §10 (item 5): the population-health measure is excluded from the
   quality score (denominator 40 instead of 50) when it has no benchmark or misses its case
   minimum; whether CY2025/CY2026 dropped the choice at registration is unconfirmed.
.. [4] QPP announcement "2026 MIPS Value Pathway (MVP) Registration Now Open" (April 2026, as
   republished by third parties; not in the project's rules documents): registration until
   November 30, 2026, 8 p.m. ET. Not confirmed against CMS's own page or the CY2026 rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

REGISTRATION_OPENS = (4, 1)
"""(month, day) the MVP registration period opens in the performance year [1]."""
REGISTRATION_CLOSES = (11, 30)
"""(month, day) it closes, unless CMS specifies a later date [1]; 2026: November 30 [4], unconfirmed."""
CAHPS_REGISTRATION_CLOSES = (6, 30)
"""(month, day) by which a group, subgroup or APM entity reporting the CAHPS for MIPS survey with an MVP registers [1]."""
REGISTRATION_DATES_CONFIRMED = False
"""The dates above are the regulation's default; the 2026 dates are not confirmed in the project's
rules documents (the CY2026 rule was not readable; see [4])."""


@dataclass(frozen=True)
class Requirement:
    """One thing an MVP asks of a practice, in plain words, with its source."""

    key: str
    text: str
    source: str
    confirmed: bool


def registration_window(performance_year: int) -> tuple[datetime.date, datetime.date]:
    """The MVP registration period of a performance year: April 1 to November 30 [1].

    >>> registration_window(2026)
    (datetime.date(2026, 4, 1), datetime.date(2026, 11, 30))
    """
    return datetime.date(performance_year, *REGISTRATION_OPENS), datetime.date(performance_year, *REGISTRATION_CLOSES)


def registration_status(as_of: datetime.date, performance_year: int) -> str:
    """``not yet open``, ``open`` or ``closed``: can a practice still register for an MVP on ``as_of``?

    >>> registration_status(datetime.date(2026, 7, 1), 2026)
    'open'
    >>> registration_status(datetime.date(2026, 12, 1), 2026)
    'closed'
    """
    opens, closes = registration_window(performance_year)
    if as_of < opens:
        return "not yet open"
    return "open" if as_of <= closes else "closed"


def _day(value: datetime.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def mvp_requirements(
    performance_year: int,
    *,
    reports_cahps: bool,
    outcome_admin_claims_measures: tuple[str, ...] = (),
    clinicians: int,
    small_practice: bool,
    multispecialty: bool | None,
) -> tuple[Requirement, ...]:
    """What reporting an MVP takes for this practice, beyond choosing its measures.

    Parameters
    ----------
    reports_cahps
        The selection includes the CAHPS for MIPS survey (earlier registration).
    outcome_admin_claims_measures
        Outcome-based administrative claims measures of the selection (480, 492): chosen at registration.
    clinicians, small_practice, multispecialty
        The group; ``multispecialty`` None when the scenario does not say.
    """
    opens, closes = registration_window(performance_year)
    confirmation = "" if REGISTRATION_DATES_CONFIRMED else (
        f" (the regulation's dates; this tool has not confirmed CMS's {performance_year} dates, so check them on qpp.cms.gov)"
    )
    requirements = [
        Requirement(
            "registration",
            f"Register for the MVP on the QPP website (a Security Official of the practice does it) between {_day(opens)} and "
            f"{_day(closes)}, or a later date CMS announces{confirmation}. Without registration the MVP cannot be reported; "
            "traditional MIPS needs none.",
            "42 CFR 414.1365(b)(1)",
            REGISTRATION_DATES_CONFIRMED,
        ),
        Requirement(
            "population_health",
            "CMS adds a population-health measure it calculates from Medicare claims (479 or 484); nothing to report. It counts "
            "when it meets its case minimum (quality is then scored out of 50 points instead of 40). The regulation asks the "
            "practice to name it at registration; whether CMS still asks in "
            f"{performance_year} is not confirmed.",
            "42 CFR 414.1365(b)(2)(i), (c)(4)(ii); docs/rules-2026.md §6, §10",
            False,
        ),
    ]
    if reports_cahps:
        cahps_closes = datetime.date(performance_year, *CAHPS_REGISTRATION_CLOSES)
        requirements.append(
            Requirement(
                "cahps",
                f"The CAHPS for MIPS patient survey needs registration by {_day(cahps_closes)} and a CMS-approved survey vendor.",
                "42 CFR 414.1365(b)(1)",
                REGISTRATION_DATES_CONFIRMED,
            )
        )
    if outcome_admin_claims_measures:
        requirements.append(
            Requirement(
                "outcome_admin_claims",
                f"Name measure {', '.join(outcome_admin_claims_measures)} (calculated by CMS from claims) at registration to be scored on it.",
                "42 CFR 414.1365(b)(2)(i)",
                True,
            )
        )
    if multispecialty is None and clinicians > 1:
        subgroup = (
            "From 2026 a group registering for an MVP attests whether it is single-specialty. A multispecialty group that is "
            "not a small practice must report the MVP as subgroups (each with its clinicians and a plain-language name); "
            "the scenario does not say which this practice is (set [practice] multispecialty)."
        )
    elif multispecialty and not small_practice:
        subgroup = (
            "This is a multispecialty group and not a small practice: from 2026 it must report the MVP as subgroups, each "
            "registering its clinicians (TIN/NPI) and a plain-language name, and attest its specialty composition. Each "
            "subgroup is scored on its own measures; this plan scores the group's data as one, so plan each subgroup with "
            "its own counts before registering."
        )
    elif multispecialty:
        subgroup = (
            "A small multispecialty practice may report the MVP as one group; it attests its specialty composition at registration."
        )
    else:
        subgroup = "A single-specialty group reports the MVP as one group; it attests its specialty composition at registration."
    requirements.append(Requirement("subgroups", subgroup, "docs/rules-2026.md §6 (CY2026 final rule, as summarised)", False))
    return tuple(requirements)
