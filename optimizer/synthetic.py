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


PORTFOLIO_SPECIALTIES = (
    "familyMedicine", "internalMedicine", "cardiology", "orthopedicSurgery", "obstetricsGynecology", "oncology",
    "neurology", "urology", "ophthalmology", "gastroenterology", "dermatology", "endocrinology", "pulmonology",
    "rheumatology", "mentalBehavioralHealth", "geriatrics", "otolaryngology", "nephrology",
)
"""CMS specialty measure sets a made-up portfolio draws its practices from."""
PORTFOLIO_ACTIVITIES = ("IA_BE_6", "IA_PSPA_28", "IA_AHW_1", "IA_EPA_2", "IA_BMH_4", "IA_CC_13", "IA_PM_16", "IA_ERP_2")
_PRACTICE_FILE = """performance_year = 2026
title = "{title}"

[practice]
name = "{title}"
clinicians = {clinicians}
special_status = {special_status}
medicare_part_b_allowed = {allowed}
cehrt = {cehrt}
baseline = "{baseline}"

[quality]
{prior}reported = {reported}

[cost]
score = {cost}

[promoting_interoperability]
{interoperability}

[improvement_activities]
attested = {attested}
available = {available}

[optimize]
objective = "expected_payment"
pathways = "all"
draws = {draws}
seed = {seed}
"""


def _toml_list(values: Iterable[object]) -> str:
    return "[" + ", ".join(f'"{value}"' if isinstance(value, str) else _toml_list(value) for value in values) + "]"  # type: ignore[arg-type]


def write_synthetic_practice(folder: Path, index: int, catalog: object, *, seed: int = 2026, draws: int = 1000) -> Path:
    """Write a made-up but plausible practice (scenario TOML and baseline CSV) into ``folder``; returns
    the scenario file.

    The practice (seeded by ``seed`` and ``index``) has one of :data:`PORTFOLIO_SPECIALTIES`: 5–14 of
    that specialty set's measures (:func:`synthetic_baseline` rows in each collection type), 2–60
    clinicians (rural one time in five; certified EHR nine times in ten), $100k–$300k of Part B
    allowed charges a clinician, a cost score of 30–85, a Promoting Interoperability score of 50–100
    (reweighted one time in ten), a prior-year quality score one time in four, and a current
    selection: six of its traditional-MIPS measures picked at random (as an eCQM where it has one,
    else a MIPS CQM) with one or two of its available activities attested. Claims rows only for
    practices of 15 or fewer clinicians, eCQM rows only with certified EHR technology.
    """
    rng = np.random.default_rng([seed, index])
    specialty = str(rng.choice(PORTFOLIO_SPECIALTIES))
    measures = catalog.quality_measures  # type: ignore[attr-defined]
    in_set = [str(measure_id) for measure_id, sets in zip(measures["measure_id"], measures["measure_sets"]) if specialty in sets]
    chosen = [str(measure_id) for measure_id in rng.choice(in_set, size=min(len(in_set), int(rng.integers(5, 15))), replace=False)]
    clinicians = int(rng.integers(2, 61))
    cehrt = bool(rng.random() < 0.9)
    kinds = tuple(kind for kind in REPORTABLE if (cehrt or kind != ECQM) and (clinicians <= 15 or kind != MEDICARE_PART_B_CLAIMS))
    baseline = synthetic_baseline(catalog, chosen, seed=int(rng.integers(1 << 31)), collection_types=kinds, include_cahps=clinicians >= 16)
    name = f"practice-{index:04d}"
    baseline.to_csv(folder / f"{name}-2025.csv", index=False)
    rows = baseline[baseline["collection_type"].isin(kinds)]
    preference = {kind: rank for rank, kind in enumerate(kinds)}  # eCQM, then MIPS CQM, then claims
    current: dict[str, str] = {}
    for measure_id, collection_type in zip(rows["measure_id"], rows["collection_type"]):
        if not catalog.quality_measure(measure_id)["is_traditional_mips"]:  # type: ignore[attr-defined]
            continue
        if measure_id not in current or preference[collection_type] < preference[current[measure_id]]:
            current[measure_id] = collection_type
    picked = rng.permutation(sorted(current))[:6]
    available = [str(activity) for activity in rng.choice(PORTFOLIO_ACTIVITIES, size=int(rng.integers(2, 5)), replace=False)]
    reweighted = rng.random() < 0.1
    path = folder / f"{name}.toml"
    path.write_text(
        _PRACTICE_FILE.format(
            title=f"Made-up {specialty} practice {index}",
            clinicians=clinicians,
            special_status=_toml_list(["rural"] if rng.random() < 0.2 else []),
            allowed=int(clinicians * rng.uniform(100_000, 300_000)),
            cehrt=str(cehrt).lower(),
            baseline=f"{name}-2025.csv",
            prior=f"prior_year_achievement_percent = {rng.uniform(40, 90):.1f}\n" if rng.random() < 0.25 else "",
            reported=_toml_list([[str(measure_id), current[str(measure_id)]] for measure_id in picked]),
            cost=round(float(rng.uniform(30, 85)), 1),
            interoperability="reweighted = true" if reweighted else f"score = {rng.uniform(50, 100):.1f}",
            attested=_toml_list(available[: int(rng.integers(1, 3))]),
            available=_toml_list(available),
            draws=draws,
            seed=index,
        ),
        encoding="utf-8",
    )
    return path
