"""The improvement activities category (2026: activity counts, no weights).

References
----------
docs/rules-2026.md §4: from PY2025 two activities give full credit, one for a small, rural,
HPSA or non-patient-facing practice (CY2025 PFS final rule, DataBrackets); one activity in an MVP
(§6, best reading); IA_PCMH (patient-centred medical home) gives full credit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from optimizer.rules.parameters import Policy

IMPROVEMENT_ACTIVITIES_MAXIMUM = 100.0
"""The category's full credit [percent]."""

SPECIAL_STATUSES: tuple[str, ...] = ("small", "rural", "hpsa", "non_patient_facing")
"""Statuses that lower the activity requirement to one."""


class UnknownActivityError(ValueError):
    """An attested activity id that is not in the performance year's activity list."""

    def __init__(self, unknown: list[str]) -> None:
        self.unknown = unknown
        super().__init__(f"unknown improvement activity id(s): {', '.join(unknown)}")


def activities_required(*, special_status: bool, mvp: bool, policy: Policy) -> int:
    """Activities needed for full credit: 2; 1 with a special status; 1 in an MVP."""
    if mvp:
        return policy.mvp_activities_required
    if special_status:
        return policy.special_status_activities_required
    return policy.activities_required


def activity_credit(activity_id: str, required: int, policy: Policy) -> float:
    """Category percent one attested activity earns: 100 / required, 100 for a full-credit activity."""
    if activity_id in policy.full_credit_activities:
        return IMPROVEMENT_ACTIVITIES_MAXIMUM
    return IMPROVEMENT_ACTIVITIES_MAXIMUM / required


def improvement_activities_score(
    activity_ids: Iterable[str],
    *,
    known_activity_ids: Collection[str],
    special_status: bool,
    mvp: bool,
    policy: Policy,
) -> float:
    """The improvement activities category score [percent, 0–100].

    Raises
    ------
    UnknownActivityError
        When an id is not one of ``known_activity_ids``.

    Examples
    --------
    >>> improvement_activities_score(["IA_BE_6"], known_activity_ids={"IA_BE_6"},
    ...                              special_status=False, mvp=False, policy=Policy())
    50.0
    """
    chosen = list(dict.fromkeys(activity_ids))
    unknown = [activity_id for activity_id in chosen if activity_id not in known_activity_ids]
    if unknown:
        raise UnknownActivityError(unknown)
    required = activities_required(special_status=special_status, mvp=mvp, policy=policy)
    return min(IMPROVEMENT_ACTIVITIES_MAXIMUM, sum(activity_credit(activity_id, required, policy) for activity_id in chosen))
