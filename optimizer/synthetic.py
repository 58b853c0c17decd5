"""Made-up but plausible baseline tables, for demos, tests and the benchmark scripts (and one
hostile workbook, :func:`write_workbook_with_a_big_cell`).

A practice's rates are placed at random positions inside the 2026 benchmarks of each collection
type (so they look like real practices' rates), with case counts from a few to a few thousand.
Nothing here is real practice data.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.collection_types import CAHPS, ECQM, MEDICARE_PART_B_CLAIMS, MIPS_CQM
from optimizer.forecast.candidates import CAHPS_MEASURE_ID
from optimizer.rules.measure_points import PERCENTILE_KEYS

REPORTABLE = (ECQM, MIPS_CQM, MEDICARE_PART_B_CLAIMS)
CAHPS_SUMMARY_MEASURES = ("CAHPS_1", "CAHPS_2", "CAHPS_3", "CAHPS_4", "CAHPS_5", "CAHPS_6", "CAHPS_8", "CAHPS_9", "CAHPS_11")


def _rate_inside(row: pd.Series | None, position: float, is_inverse: bool) -> float:
    """A rate at a percentile position (0–1) of a benchmark row, or a plausible one without a benchmark."""
    if row is None:
        return 100 * (0.1 + 0.35 * position) if is_inverse else 100 * (0.55 + 0.4 * position)
    values = np.array([row[key] for key in PERCENTILE_KEYS], dtype=float)
    grid = np.array([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99], dtype=float) / 100
    quantile = 1 - position if is_inverse else position
    return float(np.clip(np.interp(quantile, grid, np.nan_to_num(values, nan=values[~np.isnan(values)][0])), 0, 100))


def synthetic_baseline(
    catalog: object,
    measure_ids: Iterable[str],
    *,
    seed: int = 2026,
    collection_types: Iterable[str] = REPORTABLE,
    include_cahps: bool = True,
) -> pd.DataFrame:
    """A baseline table (the reader's columns) for the given measures and collection types."""
    rng = np.random.default_rng(seed)
    wanted = tuple(collection_types)
    rows = []
    for measure_id in measure_ids:
        measure = catalog.quality_measure(measure_id)  # type: ignore[attr-defined]
        if measure is None or not (measure["is_traditional_mips"] or measure["mvp_ids"]):
            continue
        if measure_id == CAHPS_MEASURE_ID:
            if include_cahps:
                for summary in CAHPS_SUMMARY_MEASURES:
                    benchmark = catalog.benchmark(summary, CAHPS)  # type: ignore[attr-defined]
                    rows.append({"measure_id": summary, "collection_type": CAHPS, "eligible_population": int(rng.integers(150, 400)),
                                 "performance_rate": round(_rate_inside(benchmark, rng.uniform(0.2, 0.8), False), 2), "effort_hours": 2})
            continue
        position = rng.beta(2.2, 1.8)
        eligible = int(np.clip(rng.lognormal(np.log(260), 1.0), 8, 6000))
        for collection_type in measure["collection_types"]:
            if collection_type not in wanted:
                continue
            benchmark = catalog.benchmark(measure_id, collection_type)  # type: ignore[attr-defined]
            rate = _rate_inside(benchmark, float(np.clip(position + rng.normal(0, 0.08), 0, 1)), bool(measure["is_inverse"]))
            completeness = rng.uniform(0.78, 1.0) if collection_type != MEDICARE_PART_B_CLAIMS else rng.uniform(0.7, 0.98)
            population = eligible if collection_type != MEDICARE_PART_B_CLAIMS else max(5, int(eligible * 0.35))
            reported = int(round(population * completeness))
            exclusions = int(round(reported * rng.uniform(0.0, 0.05)))
            cases = max(0, reported - exclusions)
            met = int(round(cases * rate / 100))
            rows.append(
                {
                    "measure_id": measure_id,
                    "collection_type": collection_type,
                    "eligible_population": population,
                    "performance_met": met,
                    "performance_not_met": cases - met,
                    "exclusions": exclusions,
                    "exceptions": 0,
                    "effort_hours": {ECQM: 3, MIPS_CQM: 6, MEDICARE_PART_B_CLAIMS: 8}[collection_type],
                }
            )
    return pd.DataFrame(rows)


def family_medicine_measures(catalog: object) -> list[str]:
    """Every quality measure in CMS's family medicine specialty set that traditional MIPS or an MVP allows."""
    measures = catalog.quality_measures  # type: ignore[attr-defined]
    in_set = measures[measures["measure_sets"].apply(lambda sets: "familyMedicine" in sets)]
    return [str(measure_id) for measure_id in in_set["measure_id"] if not str(measure_id).endswith("SSP")]


def write_workbook_with_a_big_cell(path: Path, rows: Sequence[Sequence[object]], characters: int, column: int | None = None) -> Path:
    """A hostile workbook for tests and benchmarks: ``rows`` (header first) with a cell of
    ``characters`` letters in data row 1, at ``column`` (else in an extra ``notes`` column).

    The cell is streamed straight into the zip (openpyxl itself cuts cells to Excel's limit), so a
    file of a few hundred kilobytes can unpack to gigabytes.
    """
    from openpyxl import Workbook

    marker = "PLACEHOLDER-FOR-A-BIG-CELL"
    table = [list(row) for row in rows]
    if column is None:
        table[0].append("notes")
        table[1].append(marker)
    else:
        table[1][column] = marker
    workbook = Workbook()
    for row in table:
        workbook.active.append(row)
    plain = io.BytesIO()
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if marker.encode() not in data:
                target.writestr(member, data)
                continue
            before, after = data.split(marker.encode())
            with target.open(member.filename, "w", force_zip64=True) as stream:
                stream.write(before)
                for _ in range(characters >> 20):
                    stream.write(b"A" * (1 << 20))
                stream.write(b"A" * (characters % (1 << 20)))
                stream.write(after)
    return path
