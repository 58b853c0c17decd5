"""Find a quality measure as a file names it: by QPP id, or by its version-specific eCQM UUID.

The facts come from the catalog of the file's own performance year (the bundle, or fetched files):
``eMeasureUuid`` changes every year, so a 2024 file is read with 2024 data. A user's measure map
(``--measure-map``, a CSV with columns ``emeasure_uuid,measure_id``) adds UUIDs the year's data
lacks (2026 at the pinned tag has none).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from optimizer.errors import InputError
from optimizer.inputs.baseline import normalise_measure_id

POPULATION_UUID_COLUMNS: dict[str, str] = {
    "IPOP": "initial_population_uuid",
    "DENOM": "denominator_uuid",
    "NUMER": "numerator_uuid",
    "DENEX": "denominator_exclusion_uuid",
    "DENEXCEP": "denominator_exception_uuid",
}
"""QRDA population code → the column of ``quality_strata`` holding its UUID."""


@dataclass(frozen=True)
class Stratum:
    """One performance stratum (multi-rate measure) or population criteria (eCQM) of a measure."""

    position: int
    name: str
    uuids: dict[str, str]
    """Population code → UUID (upper case), for the codes CMS gives one."""


@dataclass(frozen=True)
class MeasureFacts:
    """What the importers need to know about one quality measure in one year."""

    measure_id: str
    title: str
    emeasure_id: str
    metric_type: str
    overall_algorithm: str
    collection_types: tuple[str, ...]
    strata: tuple[Stratum, ...]

    @property
    def is_multi_rate(self) -> bool:
        return self.metric_type in ("multiPerformanceRate", "registryMultiPerformanceRate")

    @property
    def criteria(self) -> tuple[Stratum, ...]:
        """The strata that carry eCQM population UUIDs."""
        return tuple(stratum for stratum in self.strata if stratum.uuids)

    def label(self) -> str:
        return f"{self.measure_id} ({self.emeasure_id})" if self.emeasure_id else self.measure_id


class MeasureLookup:
    """The quality measures of one performance year, by id and by eCQM UUID."""

    def __init__(self, catalog: Any, measure_map: dict[str, str] | None = None) -> None:
        self.year = int(catalog.performance_year)
        self._catalog = catalog
        self._by_uuid = {
            uuid: measure_id
            for uuid, measure_id in zip(catalog.quality_measures["emeasure_uuid"], catalog.quality_measures["measure_id"], strict=True)
            if uuid
        }
        self.year_has_uuids = bool(self._by_uuid)
        self._measure_map = dict(measure_map or {})
        self._strata: dict[str, list[Stratum]] = {}
        for row in catalog.quality_strata.itertuples(index=False):
            uuids = {code: getattr(row, column) for code, column in POPULATION_UUID_COLUMNS.items() if getattr(row, column)}
            self._strata.setdefault(row.measure_id, []).append(Stratum(int(row.position), row.name, uuids))

    def by_id(self, measure_id: str) -> MeasureFacts | None:
        """The measure with this QPP id, or None when the year has no such quality measure."""
        row = self._catalog.quality_measure(normalise_measure_id(measure_id))
        if row is None:
            return None
        return MeasureFacts(
            measure_id=str(row["measure_id"]),
            title=str(row["title"]),
            emeasure_id=str(row["emeasure_id"]),
            metric_type=str(row["metric_type"]),
            overall_algorithm=str(row["overall_algorithm"]),
            collection_types=tuple(row["collection_types"]),
            strata=tuple(self._strata.get(str(row["measure_id"]), ())),
        )

    def by_uuid(self, uuid: str) -> tuple[MeasureFacts | None, str]:
        """The measure a version-specific eCQM UUID names (case-insensitive), and how it was found."""
        key = uuid.strip().lower()
        if key in self._measure_map:
            return self.by_id(self._measure_map[key]), "the measure map"
        if key in self._by_uuid:
            return self.by_id(self._by_uuid[key]), f"the {self.year} measures data"
        return None, ""


DataFolder = str | os.PathLike[str] | None
"""The data folder CMS's files are read from (None: the default one, or the bundle)."""


@cache
def _catalog(year: int, data_dir: str | None) -> Any:
    from optimizer.catalog import read_catalog

    return read_catalog(year, data_dir=data_dir)


def lookup_for_year(year: int, measure_map: dict[str, str] | None = None, data_dir: DataFolder = None) -> MeasureLookup:
    """The lookup of a performance year (its catalog read once per process and data folder: the run's
    ``--data-dir``, so an imported file is read with the same CMS data as the plan)."""
    return MeasureLookup(_catalog(year, None if data_dir is None else os.fspath(data_dir)), measure_map)


def read_measure_map(path: str | Path) -> dict[str, str]:
    """A user's map from eCQM UUID to QPP measure id: a CSV with columns ``emeasure_uuid,measure_id``."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("the measure map does not exist (expected a CSV with columns emeasure_uuid,measure_id)", file=file)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
            header = [str(name).strip().lower() for name in (rows[0].keys() if rows else [])]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"cannot be read as a CSV file ({error})", file=file) from None
    if not rows:
        raise InputError("the measure map has no rows (expected columns emeasure_uuid,measure_id)", file=file)
    for column in ("emeasure_uuid", "measure_id"):
        if column not in header:
            raise InputError(f"missing column {column!r}; expected columns emeasure_uuid,measure_id", file=file, field=column)
    mapping: dict[str, str] = {}
    for position, raw in enumerate(rows, start=2):
        values = {str(key).strip().lower(): (value or "").strip() for key, value in raw.items() if key is not None}
        uuid, measure_id = values["emeasure_uuid"].lower(), values["measure_id"]
        if not uuid:
            raise InputError("is empty; expected a version-specific eCQM UUID", file=file, row=position, field="emeasure_uuid")
        if not measure_id:
            raise InputError("is empty; expected a QPP measure id such as 236", file=file, row=position, field="measure_id")
        if uuid in mapping:
            raise InputError(f"UUID {uuid} is mapped twice", file=file, row=position, field="emeasure_uuid")
        mapping[uuid] = normalise_measure_id(measure_id)
    return mapping
