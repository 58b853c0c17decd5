"""The Promoting Interoperability category from measure results, attestations and exclusions.

References
----------
docs/rules-2026.md §5: e-Prescribing 10, PDMP query 10, health information exchange 15 + 15
(or 30 for bi-directional or TEFCA exchange), provider-to-patient exchange 25, public health and
clinical data exchange 25, bonus 5; proportion measures earn rate × points rounded to a whole
number (ION: 31% of 10 ⇒ 3, 38% ⇒ 4), at least 1 with a numerator of at least 1
(docs/rules-2026.md §5); all-or-nothing gates (CEHRT, required measures with a
numerator of at least 1 or 'yes' or an exclusion, required attestations 'yes'); exclusion
redistribution (UNCONFIRMED): e-Prescribing ⇒ provider-to-patient exchange, PDMP ⇒
e-Prescribing, one HIE measure ⇒ the other, both public-health measures ⇒ provider-to-patient
exchange. Point values (policy ``pi_points``) are confirmed by 42 CFR 414.1380(b)(4)(ii)(B)–(C) and
CMS's 2026 data (docs/rules-2026.md §5). The exclusion redistribution stays
UNCONFIRMED (item 3c): the hospital program sends an e-Prescribing exclusion's points to the health
information exchange objective, the likelier mapping for clinicians too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.rules.parameters import Policy

E_PRESCRIBING = "PI_EP_1"
PDMP_QUERY = "PI_EP_2"
HIE_SEND = "PI_HIE_1"
HIE_RECEIVE = "PI_HIE_4"
HIE_BIDIRECTIONAL = "PI_HIE_5"
HIE_TEFCA = "PI_HIE_6"
PATIENT_ACCESS = "PI_PEA_1"
IMMUNIZATION_REGISTRY = "PI_PHCDRR_1"
CASE_REPORTING = "PI_PHCDRR_3"
BONUS_MEASURES: tuple[str, ...] = ("PI_PHCDRR_2", "PI_PHCDRR_4", "PI_PHCDRR_5", "PI_PHCDRR_6")
PROPORTION_MEASURES: tuple[str, ...] = (E_PRESCRIBING, HIE_SEND, HIE_RECEIVE, PATIENT_ACCESS)
EXCLUSIONS: Mapping[str, tuple[str, ...]] = {
    E_PRESCRIBING: ("PI_LVPP_1",),
    PDMP_QUERY: ("PI_EP_2_EX_1", "PI_EP_2_EX_2"),
    HIE_SEND: ("PI_LVOTC_1",),
    HIE_RECEIVE: ("PI_LVITC_2",),
    IMMUNIZATION_REGISTRY: ("PI_PHCDRR_1_EX_1", "PI_PHCDRR_1_EX_2", "PI_PHCDRR_1_EX_3"),
    CASE_REPORTING: ("PI_PHCDRR_3_EX_1", "PI_PHCDRR_3_EX_2", "PI_PHCDRR_3_EX_3"),
}
"""Exclusion ids per required measure, as listed in measures-data.json's ``exclusion`` fields."""

Response = float | bool


def rounded_points(rate_percent: float, maximum_points: float) -> int:
    """A proportion measure's points: rate × maximum, rounded half up to a whole number, and at
    least 1 when the numerator is at least 1 (a rate above 0).

    References
    ----------
    docs/rules-2026.md §5 (ION: 31% of 10 ⇒ 3; AAO EyeNet: a measure whose points would round to 0
    with a numerator of at least 1 earns 1 point).

    Examples
    --------
    >>> rounded_points(31.0, 10), rounded_points(38.0, 10), rounded_points(3.0, 10), rounded_points(0.0, 10)
    (3, 4, 1, 0)
    """
    points = int(math.floor(rate_percent / 100.0 * maximum_points + 0.5 + 1e-9))
    return max(points, 1) if rate_percent > 0 else points


@dataclass(frozen=True)
class InteroperabilityScore:
    """The PI category: points per measure (after redistribution), the bonus and the percent.

    ``failed`` lists the gates that set the category to 0 (empty when scored).
    """

    points: Mapping[str, float]
    bonus: float
    percent: float
    failed: tuple[str, ...] = field(default_factory=tuple)


def _claimed(responses: Mapping[str, Response], measure_id: str) -> bool:
    return any(responses.get(exclusion) is True for exclusion in EXCLUSIONS.get(measure_id, ()))


def _rate(responses: Mapping[str, Response], measure_id: str) -> float | None:
    value = responses.get(measure_id)
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def _yes(responses: Mapping[str, Response], measure_id: str) -> bool:
    return responses.get(measure_id) is True


def promoting_interoperability_score(
    responses: Mapping[str, Response], *, cehrt: bool, policy: Policy
) -> InteroperabilityScore:
    """Score the PI category [percent, 0–100].

    Parameters
    ----------
    responses
        Measure id → performance rate [percent] for proportion measures (PI_EP_1, PI_HIE_1,
        PI_HIE_4, PI_PEA_1), ``True``/``False`` for boolean measures, attestations and
        exclusions (``True`` = exclusion claimed).
    cehrt
        The practice used certified EHR technology.

    Examples
    --------
    >>> full = {"PI_EP_1": 90.0, "PI_EP_2": True, "PI_HIE_5": True, "PI_PEA_1": 95.0,
    ...         "PI_PHCDRR_1": True, "PI_PHCDRR_3": True, "PI_PPHI_1": True, "PI_PPHI_2": True,
    ...         "PI_ONCDIR_1": True, "PI_INFBLO_1": True}
    >>> promoting_interoperability_score(full, cehrt=True, policy=Policy()).percent
    98.0
    """
    values = policy.pi_points
    failed: list[str] = []
    if not cehrt:
        failed.append("certified EHR technology not used")
    for attestation in policy.pi_required_attestations:
        if not _yes(responses, attestation):
            failed.append(f"{attestation} not attested 'yes'")

    patient_access_extra = 0.0
    e_prescribing_maximum = float(values[E_PRESCRIBING])
    points: dict[str, float] = {}

    # e-Prescribing objective: PDMP exclusion moves its points to e-Prescribing; an e-Prescribing
    # exclusion moves e-Prescribing's points (with PDMP's, if moved there) to patient access.
    if _claimed(responses, PDMP_QUERY):
        e_prescribing_maximum += float(values[PDMP_QUERY])
        points[PDMP_QUERY] = 0.0
    elif _yes(responses, PDMP_QUERY):
        points[PDMP_QUERY] = float(values[PDMP_QUERY])
    else:
        failed.append(f"{PDMP_QUERY} neither 'yes' nor excluded")
    if _claimed(responses, E_PRESCRIBING):
        patient_access_extra += e_prescribing_maximum
        points[E_PRESCRIBING] = 0.0
    else:
        rate = _rate(responses, E_PRESCRIBING)
        if rate is None or rate <= 0:
            failed.append(f"{E_PRESCRIBING} not reported with a numerator of at least 1, nor excluded")
        else:
            points[E_PRESCRIBING] = rounded_points(rate, e_prescribing_maximum)

    # Health information exchange: the best of the three ways to meet the objective.
    hie_options: list[tuple[float, dict[str, float]]] = []
    for boolean_measure in (HIE_BIDIRECTIONAL, HIE_TEFCA):
        if _yes(responses, boolean_measure):
            hie_options.append((float(values[boolean_measure]), {boolean_measure: float(values[boolean_measure])}))
    send_excluded, receive_excluded = _claimed(responses, HIE_SEND), _claimed(responses, HIE_RECEIVE)
    if send_excluded and receive_excluded:
        hie_options.append((0.0, {HIE_SEND: 0.0, HIE_RECEIVE: 0.0}))
    else:
        pair_total = float(values[HIE_SEND] + values[HIE_RECEIVE])
        send_rate, receive_rate = _rate(responses, HIE_SEND), _rate(responses, HIE_RECEIVE)
        pair: dict[str, float] | None = None
        if send_excluded and receive_rate is not None and receive_rate > 0:
            pair = {HIE_SEND: 0.0, HIE_RECEIVE: rounded_points(receive_rate, pair_total)}
        elif receive_excluded and send_rate is not None and send_rate > 0:
            pair = {HIE_SEND: rounded_points(send_rate, pair_total), HIE_RECEIVE: 0.0}
        elif send_rate is not None and send_rate > 0 and receive_rate is not None and receive_rate > 0:
            pair = {
                HIE_SEND: rounded_points(send_rate, values[HIE_SEND]),
                HIE_RECEIVE: rounded_points(receive_rate, values[HIE_RECEIVE]),
            }
        if pair is not None:
            hie_options.append((sum(pair.values()), pair))
    if not hie_options:
        failed.append("health information exchange not met (PI_HIE_1 and PI_HIE_4, or PI_HIE_5, or PI_HIE_6)")
    else:
        best = max(hie_options, key=lambda option: option[0])
        if send_excluded and receive_excluded and best[0] == 0.0:
            patient_access_extra += float(values[HIE_SEND] + values[HIE_RECEIVE])
        points.update(best[1])

    # Public health and clinical data exchange: both required measures 'yes' or excluded.
    public_health = float(values["public_health"])
    immunization_excluded = _claimed(responses, IMMUNIZATION_REGISTRY)
    case_reporting_excluded = _claimed(responses, CASE_REPORTING)
    for measure_id, excluded in ((IMMUNIZATION_REGISTRY, immunization_excluded), (CASE_REPORTING, case_reporting_excluded)):
        if not excluded and not _yes(responses, measure_id):
            failed.append(f"{measure_id} neither 'yes' nor excluded")
    if immunization_excluded and case_reporting_excluded:
        patient_access_extra += public_health
        points["public_health"] = 0.0
    else:
        points["public_health"] = public_health

    rate = _rate(responses, PATIENT_ACCESS)
    if rate is None or rate <= 0:
        failed.append(f"{PATIENT_ACCESS} not reported with a numerator of at least 1")
    else:
        points[PATIENT_ACCESS] = rounded_points(rate, values[PATIENT_ACCESS] + patient_access_extra)

    bonus = float(values["public_health_bonus"]) if any(_yes(responses, m) for m in BONUS_MEASURES) else 0.0
    if failed:
        return InteroperabilityScore(points=points, bonus=bonus, percent=0.0, failed=tuple(failed))
    percent = min(policy.pi_category_maximum, float(sum(points.values())) + bonus)
    return InteroperabilityScore(points=points, bonus=bonus, percent=percent)
