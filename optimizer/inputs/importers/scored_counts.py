"""The counts CMS scores for a multi-rate measure, from its strata, by the measure's ``overallAlgorithm``.

Source: QPP Submissions API documentation (CMSgov/qpp-submissions-docs ``data.ts``,
``multiPerformanceRate.performanceRate`` and ``caseCount``), as summarised in
``shared/docs/import-formats.md`` §2.3:

=====================  =====================================================  ==========================
overallAlgorithm       scored rate                                            baseline row
=====================  =====================================================  ==========================
weightedAverage        Σ met / Σ (met + not met)                              the strata summed (exact)
overallStratumOnly     the ``overall`` stratum's rate                         that stratum (exact)
split                  the ``performance`` stratum's rate                     that stratum (exact)
simpleAverage          the mean of the strata's rates                         none: refused
=====================  =====================================================  ==========================

A simple average of rates is not the rate of any one set of counts, so such a measure is refused
with the rate CMS would score rather than turned into counts that score differently.
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.inputs.importers.problems import ZERO, Counts

NAMED_STRATUM = {"overallStratumOnly": "overall", "split": "performance"}


def scored_counts(overall_algorithm: str, strata: Mapping[str, Counts]) -> tuple[Counts | None, str]:
    """``(counts, "")`` for the baseline row, or ``(None, why not)``; ``strata`` maps CMS's stratum names to counts."""
    if overall_algorithm == "weightedAverage":
        return sum(strata.values(), ZERO), ""
    if overall_algorithm in NAMED_STRATUM:
        wanted = NAMED_STRATUM[overall_algorithm]
        for name, counts in strata.items():
            if name.lower() == wanted.lower():
                return counts, ""
        return None, f"{overall_algorithm} scores the {wanted!r} stratum, which is missing"
    if overall_algorithm == "simpleAverage":
        rates = [counts.rate for counts in strata.values() if counts.cases]
        average = sum(rates) / len(rates) if rates else float("nan")
        largest = max((counts.eligible_population for counts in strata.values()), default=0)
        return None, (
            f"simpleAverage: CMS scores the mean of the strata's rates ({average:.2f}%, case count {largest}), "
            "which no single set of counts reproduces; enter the measure by hand"
        )
    return None, f"overallAlgorithm {overall_algorithm or '(none)'!r} is not one the importer can score"
