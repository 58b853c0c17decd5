"""Build QPP submission JSON from a baseline table, the way a registry or EHR vendor would send it."""

from __future__ import annotations

from typing import Any

import pandas as pd

METHODS = {"ecqm": "electronicHealthRecord", "mips_cqm": "registry", "qcdr": "registry", "medicare_part_b_claims": "claims"}


def measurement(row: Any) -> dict[str, Any]:
    return {
        "measureId": row.measure_id,
        "value": {
            "isEndToEndReported": row.collection_type == "ecqm",
            "eligiblePopulation": int(row.eligible_population),
            "performanceMet": int(row.performance_met),
            "performanceNotMet": int(row.performance_not_met),
            "eligiblePopulationExclusion": int(row.exclusions),
            "eligiblePopulationException": int(row.exceptions),
        },
    }


def submission_from_baseline(table: pd.DataFrame, year: int, start: str, end: str) -> dict[str, Any]:
    """A submission with one quality measurement set per submission method (rows of CMS-calculated types left out)."""
    sets = []
    for method in dict.fromkeys(METHODS.values()):
        rows = [row for row in table.itertuples() if METHODS.get(row.collection_type) == method]
        if rows:
            sets.append({
                "category": "quality",
                "submissionMethod": method,
                "programName": "mips",
                "performanceStart": start,
                "performanceEnd": end,
                "measurements": [measurement(row) for row in rows],
            })
    sets.append({"category": "ia", "submissionMethod": "registry", "measurements": [{"measureId": "IA_BE_6", "value": True}]})
    return {"entityType": "group", "taxpayerIdentificationNumber": "000123456", "performanceYear": year, "measurementSets": sets}
