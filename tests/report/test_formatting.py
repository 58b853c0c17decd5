"""Display formats: a measure's rate in CMS's own unit."""

from __future__ import annotations

from optimizer.report.formatting import performance_rate


def test_rates_are_percent_except_cms_calculated_administrative_claims_results() -> None:
    # eCQM / MIPS CQM / claims rates are percentages of the denominator (236: 468 of 638 = 73.35%)
    assert performance_rate(73.354231, "ecqm") == "73.35%"
    # 479's result is CMS's risk-standardised readmission rate as a fraction (benchmarks 0.13–0.19):
    # 0.158 is 15.8 readmissions per 100, not 0.16%
    assert performance_rate(0.158, "admin_claims") == "0.1580"
    assert performance_rate(None, "admin_claims") == "—"
