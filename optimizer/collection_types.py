"""One vocabulary for collection types, mapped from CMS's ``submissionMethod`` in one place.

CMS files MIPS CQMs, QCDR measures and Medicare CQMs all under ``registry``; QCDR measure
ids are not numeric and Medicare CQM ids end in ``SSP`` (qpp-measures-data
``scripts/constants.ts``, ``SUBMISSION_METHOD_MAP``; docs/rules-2026.md §2.1, §2.8).
"""

from __future__ import annotations

ECQM = "ecqm"
MIPS_CQM = "mips_cqm"
MEDICARE_PART_B_CLAIMS = "medicare_part_b_claims"
QCDR = "qcdr"
CAHPS = "cahps"
ADMIN_CLAIMS = "admin_claims"
MEDICARE_CQM = "medicare_cqm"

COLLECTION_TYPES: tuple[str, ...] = (
    ECQM,
    MIPS_CQM,
    MEDICARE_PART_B_CLAIMS,
    QCDR,
    CAHPS,
    ADMIN_CLAIMS,
    MEDICARE_CQM,
)
"""Every collection type, in the order reports list them."""

DESCRIPTIONS: dict[str, str] = {
    ECQM: "eCQM (electronic clinical quality measure, from certified EHR technology)",
    MIPS_CQM: "MIPS CQM (clinical quality measure through a registry)",
    MEDICARE_PART_B_CLAIMS: "Medicare Part B claims (small practices only)",
    QCDR: "QCDR measure (qualified clinical data registry)",
    CAHPS: "CAHPS for MIPS survey (certified survey vendor)",
    ADMIN_CLAIMS: "administrative claims (calculated by CMS)",
    MEDICARE_CQM: "Medicare CQM (ACOs in the APM Performance Pathway only)",
}

_DIRECT = {
    "electronicHealthRecord": ECQM,
    "claims": MEDICARE_PART_B_CLAIMS,
    "certifiedSurveyVendor": CAHPS,
    "administrativeClaims": ADMIN_CLAIMS,
}


def collection_type(submission_method: str, measure_id: str) -> str:
    """The user-facing collection type of a CMS ``submissionMethod`` for one measure.

    Parameters
    ----------
    submission_method
        CMS's value: ``electronicHealthRecord``, ``claims``, ``registry``,
        ``certifiedSurveyVendor``, ``administrativeClaims`` (``cmsWebInterface`` ended with 2024).
    measure_id
        The measure's id; it tells the three kinds of ``registry`` apart.

    Returns
    -------
    str
        One of :data:`COLLECTION_TYPES`, or ``cms_web_interface`` for 2024's retired type.

    Examples
    --------
    >>> collection_type("registry", "236"), collection_type("registry", "236SSP")
    ('mips_cqm', 'medicare_cqm')
    >>> collection_type("registry", "AAD6")
    'qcdr'
    """
    if submission_method in _DIRECT:
        return _DIRECT[submission_method]
    if submission_method == "registry":
        if measure_id.endswith("SSP"):
            return MEDICARE_CQM
        if measure_id.isdigit():
            return MIPS_CQM
        return QCDR
    if submission_method == "cmsWebInterface":
        return "cms_web_interface"
    raise ValueError(f"unknown CMS submissionMethod {submission_method!r} for measure {measure_id}")
