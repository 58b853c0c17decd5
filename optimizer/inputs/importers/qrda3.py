"""QRDA Category III (an EHR's aggregate eCQM results) → baseline rows of collection type ``ecqm``.

Where things are (every element is recognised by its ``templateId/@root``; versions vary between
real files), from CMS's converter CMSgov/qpp-conversion-tool and ``shared/docs/import-formats.md`` §1:

* the measure section (``…27.2.3``) and its reporting parameters act (``…17.3.8``): the period,
  whose first day gives the performance year (never the document's creation time);
* each measure (``…27.3.1`` / ``…27.3.17``), named by its version-specific eCQM UUID
  (``reference/externalDocument/id[@root='2.16.840.1.113883.4.738']/@extension``), looked up in the
  measures data of the file's own year;
* each population (Measure Data ``…27.3.5``): its code (``value/@code``), its UUID
  (``reference/externalObservation/id/@root``) and its count, the population's **direct-child**
  Aggregate Count (``entryRelationship/observation[…27.3.3]/value/@value``). Reporting stratifiers
  and supplemental data (sex, ethnicity, race, payer) carry their own counts one level deeper and are
  ignored.

Counts, as the converter maps them: eligible population = DENOM, met = NUMER, exclusions = DENEX,
exceptions = DENEXCEP, not met = DENOM − NUMER − DENEX − DENEXCEP (refused when negative).
Single-rate measures are read by population code and summed over their population criteria (007,
143, 438 have several; the converter sums them too); a population UUID that is not CMS's is a note.
Multi-rate measures are grouped into strata by population UUID and scored by their
``overallAlgorithm`` (:mod:`scored_counts`); when the UUIDs do not match CMS's the measure is refused
(guessing the grouping could swap strata), except ``weightedAverage``, whose scored counts are the
sum over every population whatever the grouping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from optimizer.catalog.manifest import known_years
from optimizer.collection_types import ECQM
from optimizer.inputs.importers.measure_lookup import DataFolder, MeasureFacts, MeasureLookup, Stratum, lookup_for_year
from optimizer.inputs.importers.problems import ZERO, Counts, FileImport, ImportedRow
from optimizer.inputs.importers.reporting_period import parse_hl7_date, period_months
from optimizer.inputs.importers.safe_reading import UnreadableFile, parse_xml
from optimizer.inputs.importers.scored_counts import scored_counts

HL7 = "{urn:hl7-org:v3}"
QRDA3_DOCUMENT = "2.16.840.1.113883.10.20.27.1.1"
MEASURE_SECTION = "2.16.840.1.113883.10.20.27.2.3"
REPORTING_PARAMETERS = "2.16.840.1.113883.10.20.17.3.8"
MEASURE_REFERENCES = ("2.16.840.1.113883.10.20.27.3.1", "2.16.840.1.113883.10.20.27.3.17")
MEASURE_DATA = "2.16.840.1.113883.10.20.27.3.5"
AGGREGATE_COUNT = "2.16.840.1.113883.10.20.27.3.3"
ECQM_UUID_ROOT = "2.16.840.1.113883.4.738"
PROGRAM_ROOT = "2.16.840.1.113883.3.249.7"
MVP_ROOT = "2.16.840.1.113883.3.249.5.6"
COUNTED_CODES = ("DENOM", "NUMER", "DENEX", "DENEXCEP")
IGNORED_CODES = ("NUMEX",)


def _tag(name: str) -> str:
    return f"{HL7}{name}"


def _roots(element: Element) -> set[str]:
    return {template.get("root", "") for template in element.findall(_tag("templateId"))}


def _children(element: Element, path: str, root: str | tuple[str, ...]) -> Iterator[Element]:
    roots = (root,) if isinstance(root, str) else root
    for child in element.findall("/".join(_tag(part) for part in path.split("/"))):
        if _roots(child) & set(roots):
            yield child


def _id_extension(element: Element, path: str, root: str) -> str | None:
    for identifier in element.findall("/".join(_tag(part) for part in path.split("/"))):
        if identifier.get("root") == root and identifier.get("extension"):
            return identifier.get("extension")
    return None


@dataclass(frozen=True)
class Population:
    """One Measure Data entry: its code, UUID and count (None when the count was refused)."""

    code: str
    uuid: str
    count: int | None


def read_qrda3(file: str, data: bytes, *, year: int | None, measure_map: dict[str, str] | None, data_dir: DataFolder = None) -> FileImport:
    """Read one QRDA III document (already unpacked) into baseline rows, notes and problems."""
    result = FileImport(file)
    try:
        document = parse_xml(data)
    except UnreadableFile as error:
        result.problem("", str(error))
        return result
    if document.tag != _tag("ClinicalDocument") or QRDA3_DOCUMENT not in _roots(document):
        result.problem("", "not a QRDA Category III document (no HL7 ClinicalDocument with templateId 2.16.840.1.113883.10.20.27.1.1)")
        return result
    program = _id_extension(document, "informationRecipient/intendedRecipient/id", PROGRAM_ROOT)
    mvp = _id_extension(document, "participant/associatedEntity/id", MVP_ROOT)
    sections = [
        section
        for section in document.findall("/".join(_tag(part) for part in "component/structuredBody/component/section".split("/")))
        if MEASURE_SECTION in _roots(section)
    ]
    if len(sections) != 1:
        result.problem("measure section", f"expected one QRDA III measure section (templateId {MEASURE_SECTION}), found {len(sections)}")
        return result
    section = sections[0]
    months, file_year = _read_period(section, result)
    if months is None:
        return result
    result.note("", f"program {program or '(none)'}" + (f", MVP {mvp}" if mvp else "") + f", reporting period {result.period[0]} to {result.period[1]}")
    lookup = _lookup(result, file_year, year, measure_map, data_dir)
    seen: dict[str, int] = {}
    for position, organizer in enumerate(_children(section, "entry/organizer", MEASURE_REFERENCES), start=1):
        _read_measure(result, organizer, position, seen, lookup, months)
    if not seen:
        result.problem("measure section", "no measures (converter code 81)")
    return result


def _read_period(section: Element, result: FileImport) -> tuple[int | None, int]:
    acts = list(_children(section, "entry/act", REPORTING_PARAMETERS))
    if len(acts) != 1:
        result.problem("reporting period", f"expected one reporting parameters act (templateId {REPORTING_PARAMETERS}) in the measure section, found {len(acts)} (converter codes 29-32)")
        return None, 0
    low = acts[0].find(f"{_tag('effectiveTime')}/{_tag('low')}")
    high = acts[0].find(f"{_tag('effectiveTime')}/{_tag('high')}")
    first = parse_hl7_date(None if low is None else low.get("value"))
    last = parse_hl7_date(None if high is None else high.get("value"))
    if first is None or last is None or last < first:
        values = (None if low is None else low.get("value"), None if high is None else high.get("value"))
        result.problem("reporting period", f"low/high {values[0]!r} … {values[1]!r} is not a period of HL7 dates like 20250101 (converter code 69)")
        return None, 0
    if first.year != last.year:
        result.problem("reporting period", f"{first} to {last} spans two performance years")
        return None, 0
    result.period = (first.isoformat(), last.isoformat())
    return period_months(first, last), first.year


def _lookup(result: FileImport, file_year: int, year: int | None, measure_map: dict[str, str] | None, data_dir: DataFolder) -> MeasureLookup | None:
    years = known_years()
    if year is not None:
        if year != file_year:
            result.note("", f"reporting period is in {file_year}; measures looked up in the {year} measures data as --year asks")
        result.performance_year = year
        return lookup_for_year(year, measure_map, data_dir)
    result.performance_year = file_year
    if file_year not in years:
        supported = ", ".join(str(item) for item in years)
        result.problem(
            "reporting period",
            f"performance year {file_year} has no CMS measures data in the project ({supported}); "
            "give --year YEAR to read its eCQM UUIDs with that year's measures data",
        )
        return None
    return lookup_for_year(file_year, measure_map, data_dir)


def _read_measure(result: FileImport, organizer: Element, position: int, seen: dict[str, int], lookup: MeasureLookup | None, months: int) -> None:
    uuid = _id_extension(organizer, "reference/externalDocument/id", ECQM_UUID_ROOT)
    title = " ".join((organizer.findtext(f"{_tag('reference')}/{_tag('externalDocument')}/{_tag('text')}") or "").split())
    where = f"measure {uuid} ({title})" if title else f"measure {uuid}"
    if not uuid:
        result.problem(f"measure #{position}", "no eCQM UUID (reference/externalDocument/id with root 2.16.840.1.113883.4.738)")
        return
    key = uuid.lower()
    if key in seen:
        result.problem(where, f"the same measure appears twice (measures #{seen[key]} and #{position}; converter code 71)")
        return
    seen[key] = position
    measure, found_in = lookup.by_uuid(uuid) if lookup is not None else (None, "")
    if measure is not None:
        where = f"measure {measure.label()} (UUID {uuid})"
    populations = _read_populations(result, organizer, where)
    if populations is None or lookup is None:
        return
    if measure is None:
        if lookup.year_has_uuids:
            result.problem(where, f"unknown eCQM UUID in the {lookup.year} measures data (converter code 6); a file's UUIDs change every year, so check its year, or map it with --measure-map CSV")
        else:
            result.problem(
                where,
                f"the {lookup.year} measures data at the pinned tag has no eCQM UUIDs; name the measure with --measure-map CSV "
                "(columns emeasure_uuid,measure_id)",
            )
        return
    if ECQM not in measure.collection_types:
        result.problem(where, f"measure {measure.measure_id} is not offered as an eCQM in {lookup.year} (it allows {', '.join(measure.collection_types)})")
        return
    counts = _measure_counts(result, where, measure, populations, lookup)
    if counts is None:
        return
    detail = f"{measure.emeasure_id or 'eCQM'} UUID {uuid} via {found_in}"
    result.rows.append(ImportedRow(result.file, measure.measure_id, ECQM, counts, months, detail=detail))


def _read_populations(result: FileImport, organizer: Element, where: str) -> list[Population] | None:
    populations: list[Population] = []
    usable = True
    for observation in _children(organizer, "component/observation", MEASURE_DATA):
        value = observation.find(_tag("value"))
        code = (value.get("code", "") if value is not None else "").upper()
        code = "IPOP" if code == "IPP" else code
        uuid = ""
        for identifier in observation.findall(f"{_tag('reference')}/{_tag('externalObservation')}/{_tag('id')}"):
            uuid = (identifier.get("root") or "").upper()
        if code in IGNORED_CODES:
            continue
        if code not in ("IPOP", *COUNTED_CODES):
            result.note(where, f"population code {code or '(none)'!r} ignored (not a proportion measure's population)")
            continue
        label = f"{code} population {uuid}" if uuid else f"{code} population"
        counts = list(_children(observation, "entryRelationship/observation", AGGREGATE_COUNT))
        values = [item.get("value") for count in counts for item in count.findall(_tag("value"))]
        count: int | None = None
        if len(values) != 1:
            result.problem(f"{where}, {label}, Aggregate Count", f"{len(values)} aggregate counts, expected exactly one (converter code 8)")
        elif not _is_whole(values[0]):
            result.problem(f"{where}, {label}, Aggregate Count", f"{values[0]!r} is not a whole number (converter code 9)")
        elif int(values[0]) < 0:
            result.problem(f"{where}, {label}, Aggregate Count", f"count {values[0]} is negative (converter code 53)")
        else:
            count = int(values[0])
        usable = usable and count is not None
        populations.append(Population(code, uuid, count))
    if not populations:
        result.problem(where, "no population data (converter code 7)")
        return None
    return populations if usable else None


def _is_whole(text: str | None) -> bool:
    value = (text or "").strip()
    return value.lstrip("+-").isdigit()


def _counts(where: str, result: FileImport, by_code: dict[str, int], stratum: str = "") -> Counts | None:
    denominator, numerator = by_code.get("DENOM"), by_code.get("NUMER")
    label = f"{where}, stratum {stratum!r}" if stratum else where
    if denominator is None or numerator is None:
        missing = " and ".join(code for code in ("DENOM", "NUMER") if by_code.get(code) is None)
        result.problem(label, f"no {missing} population (converter code 14)")
        return None
    exclusions, exceptions = by_code.get("DENEX", 0), by_code.get("DENEXCEP", 0)
    not_met = denominator - numerator - exclusions - exceptions
    if not_met < 0:
        result.problem(
            f"{label}, performance not met",
            f"NUMER {numerator} + DENEX {exclusions} + DENEXCEP {exceptions} > DENOM {denominator}: performance not met would be {not_met}",
        )
        return None
    initial = by_code.get("IPOP")
    if initial is not None and denominator > initial:
        result.problem(f"{label}, DENOM", f"DENOM {denominator} exceeds IPOP {initial} (converter code 13)")
        return None
    return Counts(denominator, numerator, not_met, exclusions, exceptions)


def _measure_counts(result: FileImport, where: str, measure: MeasureFacts, populations: list[Population], lookup: MeasureLookup) -> Counts | None:
    criteria = measure.criteria
    if measure.is_multi_rate:
        grouped, unmatched = _group(populations, criteria)
        if grouped is not None:
            strata: dict[str, Counts] = {}
            for stratum in measure.strata:
                if not stratum.uuids:
                    strata[stratum.name] = ZERO  # the converter sends such strata as zeros (370's adults)
                    continue
                counts = _counts(where, result, grouped[stratum.position], stratum.name)
                if counts is None:
                    return None
                strata[stratum.name] = counts
            counts, why = scored_counts(measure.overall_algorithm, strata)
            if counts is None:
                result.problem(where, why)
            return counts
        if measure.overall_algorithm != "weightedAverage":
            reason = (
                f"population UUIDs {', '.join(unmatched)} are not CMS's {lookup.year} UUIDs for this measure"
                if criteria
                else f"the {lookup.year} measures data has no population UUIDs for it"
            )
            result.problem(
                where,
                f"{measure.metric_type} ({measure.overall_algorithm}): {reason}, so its populations cannot be grouped into strata (converter code 59)",
            )
            return None
        result.note(where, "population UUIDs not CMS's; weightedAverage scores the sum over every population, so they are summed")
    return _single_rate_counts(result, where, measure, populations, lookup)


def _group(populations: list[Population], criteria: tuple[Stratum, ...]) -> tuple[dict[int, dict[str, int]] | None, list[str]]:
    """Populations grouped into CMS's criteria by UUID, or ``(None, the unmatched UUIDs)``."""
    owner = {stratum.uuids[code]: (stratum.position, code) for stratum in criteria for code in stratum.uuids}
    grouped: dict[int, dict[str, int]] = {stratum.position: {} for stratum in criteria}
    unmatched = []
    for population in populations:
        position, code = owner.get(population.uuid, (None, None))
        if position is None or code != population.code or population.code in grouped[position]:
            if population.code != "IPOP":
                unmatched.append(f"{population.code} {population.uuid or '(none)'}")
            continue
        grouped[position][population.code] = int(population.count or 0)
    if unmatched or not criteria or any("DENOM" not in counts for counts in grouped.values()):
        return None, unmatched or ["(a criteria has no populations)"]
    return grouped, []


def _single_rate_counts(result: FileImport, where: str, measure: MeasureFacts, populations: list[Population], lookup: MeasureLookup) -> Counts | None:
    criteria = measure.criteria
    known = {(code, uuid) for stratum in criteria for code, uuid in stratum.uuids.items()}
    allowed = max(1, len(criteria))
    totals: dict[str, int] = {}
    occurrences: dict[str, int] = {}
    for population in populations:
        occurrences[population.code] = occurrences.get(population.code, 0) + 1
        totals[population.code] = totals.get(population.code, 0) + int(population.count or 0)
        if criteria and (population.code, population.uuid) not in known:
            result.note(where, f"{population.code} population UUID {population.uuid or '(none)'} is not CMS's {lookup.year} UUID for it; read by its code")
    for code, number in occurrences.items():
        if number > allowed:
            result.problem(f"{where}, {code}", f"{number} {code} populations, the measure has {allowed} population criteria (converter code 14)")
            return None
    if len(criteria) > 1:
        result.note(where, f"{occurrences.get('DENOM', 0)} population criteria summed into one rate")
    return _counts(where, result, totals)
