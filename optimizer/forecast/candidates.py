"""Candidates: the (measure, collection type) pairs a practice could report, with what scores them.

A :class:`Candidate` joins a baseline row to CMS's catalog (benchmark, new-measure floor, case
minimum, outcome / high-priority flags) and scores any performance rate with the rules, so that
``score`` (observed rates) and the optimizer (thousands of forecast draws) use one code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from optimizer.collection_types import ADMIN_CLAIMS, CAHPS
from optimizer.forecast.prior import NationalPrior, national_prior
from optimizer.rules.measure_points import (
    PERCENTILE_KEYS,
    Benchmark,
    achievement_points,
    decile,
    decile_points,
    new_measure_floor,
)
from optimizer.rules.parameters import Policy

CAHPS_MEASURE_ID = "321"


def benchmark_from_row(row: pd.Series | None) -> Benchmark | None:
    """The rules' :class:`Benchmark` for a catalog benchmark row (None stays None)."""
    if row is None:
        return None
    return Benchmark(
        percentiles=tuple(float(row[key]) for key in PERCENTILE_KEYS),
        is_inverse=bool(row["is_inverse"]),
        seven_point_cap=bool(row["seven_point_cap"]),
    )


@dataclass(frozen=True)
class Candidate:
    """One (measure, collection type) the practice could report, with its baseline and scoring facts."""

    measure_id: str
    collection_type: str
    title: str
    measure_type: str
    is_outcome: bool
    is_high_priority: bool
    is_inverse: bool
    benchmark: Benchmark | None
    benchmark_note: str
    floor: float
    case_minimum: int
    first_performance_year: int | None
    effort_hours: float
    baseline: pd.Series
    components: tuple[tuple[str, Benchmark | None, pd.Series], ...] = ()
    national: NationalPrior | None = None
    """How practices' rates of this measure and collection type are spread nationally (the forecast's
    prior), None without a benchmark row."""

    @property
    def key(self) -> tuple[str, str]:
        """``(measure_id, collection_type)``."""
        return (self.measure_id, self.collection_type)

    @property
    def label(self) -> str:
        """``236 (ecqm)``."""
        return f"{self.measure_id} ({self.collection_type})"

    @property
    def is_priority(self) -> bool:
        """Outcome or high-priority: satisfies the scoring rule of §2.10."""
        return self.is_outcome or self.is_high_priority

    @property
    def is_cahps(self) -> bool:
        """The CAHPS for MIPS survey, scored from its summary survey measures."""
        return self.collection_type == CAHPS

    def points(
        self,
        rate: npt.ArrayLike,
        case_count: npt.ArrayLike,
        data_completeness: npt.ArrayLike,
        *,
        small_practice: bool,
        policy: Policy,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Achievement points and outcome codes for rates [percent] (element-wise)."""
        return achievement_points(
            rate,
            case_count,
            data_completeness,
            self.benchmark,
            small_practice=small_practice,
            floor=self.floor,
            case_minimum=self.case_minimum,
            policy=policy,
            administrative_claims=self.collection_type == ADMIN_CLAIMS,
        )

    def meets_data_completeness(self, policy: Policy) -> bool:
        """The baseline's data completeness reaches the threshold (CAHPS and CMS-calculated rows: 100%)."""
        return bool(float(self.baseline["data_completeness"]) >= policy.data_completeness_threshold)

    def cahps_points(self, component_scores: Sequence[npt.ArrayLike], *, small_practice: bool, policy: Policy) -> np.ndarray:
        """CAHPS points: the mean of the benchmarked summary survey measures' points (§2.7, UNCONFIRMED)."""
        scored = [
            decile_points(score, benchmark, policy)
            for (_, benchmark, _), score in zip(self.components, component_scores, strict=True)
            if benchmark is not None
        ]
        if not scored:
            from optimizer.rules.measure_points import not_scoreable_points

            return np.asarray(not_scoreable_points(small_practice, policy))
        return np.mean(np.stack(np.broadcast_arrays(*scored)), axis=0)

    def decile(self, rate: float) -> int | None:
        """The benchmark decile of a rate, None without a benchmark."""
        if self.benchmark is None or not np.isfinite(rate):
            return None
        return int(decile(rate, self.benchmark))


def case_minimum(measure_id: str, collection_type: str, policy: Policy) -> int:
    """20 cases, or an administrative-claims measure's own minimum (docs/rules-2026.md §2.7)."""
    if collection_type == ADMIN_CLAIMS:
        return int(policy.admin_claims_case_minimums.get(measure_id, policy.case_minimum))
    return policy.case_minimum


def _no_benchmark_note(catalog: object, measure_id: str, collection_type: str) -> str:
    reason = catalog.benchmark_exclusion(measure_id, collection_type)  # type: ignore[attr-defined]
    if reason:
        return f"no historical benchmark: {reason}"
    return f"no benchmark in benchmarks/{catalog.performance_year}.json"  # type: ignore[attr-defined]


def build_candidate(catalog: object, baseline_row: pd.Series, policy: Policy, cahps_rows: pd.DataFrame | None = None) -> Candidate:
    """The candidate for one baseline row (or for CAHPS, from its summary-survey-measure rows)."""
    measure_id = str(baseline_row["measure_id"])
    collection_type = str(baseline_row["collection_type"])
    measure = catalog.quality_measure(measure_id)  # type: ignore[attr-defined]
    benchmark_row = catalog.benchmark(measure_id, collection_type)  # type: ignore[attr-defined]
    benchmark = benchmark_from_row(benchmark_row)
    components: tuple[tuple[str, Benchmark | None, pd.Series], ...] = ()
    if cahps_rows is not None:
        components = tuple(
            (str(row["measure_id"]), benchmark_from_row(catalog.benchmark(str(row["measure_id"]), CAHPS)), row)  # type: ignore[attr-defined]
            for _, row in cahps_rows.iterrows()
        )
    note = "" if benchmark is not None or components else _no_benchmark_note(catalog, measure_id, collection_type)
    first_year = measure["first_performance_year"]
    first_year = None if pd.isna(first_year) else int(first_year)
    return Candidate(
        measure_id=measure_id,
        collection_type=collection_type,
        title=str(measure["title"]),
        measure_type=str(measure["measure_type"]),
        is_outcome=bool(measure["is_outcome"]),
        is_high_priority=bool(measure["is_high_priority"]),
        is_inverse=bool(measure["is_inverse"]),
        benchmark=benchmark,
        benchmark_note=note,
        floor=new_measure_floor(first_year, catalog.performance_year, policy),  # type: ignore[attr-defined]
        case_minimum=case_minimum(measure_id, collection_type, policy),
        first_performance_year=first_year,
        effort_hours=float(baseline_row.get("effort_hours", 0.0) or 0.0),
        baseline=baseline_row,
        components=components,
        national=None if collection_type in (ADMIN_CLAIMS, CAHPS) else national_prior(benchmark_row),
    )


def build_candidates(catalog: object, baseline: pd.DataFrame, policy: Policy) -> list[Candidate]:
    """Every candidate of a checked baseline: one per row, CAHPS summary measures folded into 321."""
    candidates = []
    cahps_rows = baseline[baseline["collection_type"] == CAHPS]
    for _, row in baseline[baseline["collection_type"] != CAHPS].iterrows():
        candidates.append(build_candidate(catalog, row, policy))
    if not cahps_rows.empty:
        first = cahps_rows.iloc[0].copy()
        first["measure_id"] = CAHPS_MEASURE_ID
        first["effort_hours"] = float(cahps_rows["effort_hours"].sum())
        candidates.append(build_candidate(catalog, first, policy, cahps_rows=cahps_rows))
    return candidates
