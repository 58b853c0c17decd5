"""QRDA III reading on documents the tests build (``qrda_builder``): counts, refusals, XML safety, years.

The measure is 236 (CMS165v13) with the 2025 UUIDs of the project's bundled measures data. The
mutations are those of CMS's 2025 negative suite listed in ``shared/samples/README.md`` (converter
codes 6, 8, 9, 13, 14, 53, 71) plus the two the converter does not check (negative not met).
"""

from __future__ import annotations

import copy
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.catalog import read_catalog
from optimizer.inputs.importers import import_files
from optimizer.inputs.importers.safe_reading import UnreadableFile, read_capped
from qrda_builder import MeasureSpec, PopulationSpec, qrda3_document


@pytest.fixture(scope="module")
def measure_236() -> MeasureSpec:
    """236 with its 2025 eCQM UUID and population UUIDs, and counts IPOP 1000, DENOM 1000, DENEX 100, NUMER 800."""
    catalog = read_catalog(2025)
    uuid = catalog.quality_measure("236")["emeasure_uuid"]
    strata = catalog.quality_strata[catalog.quality_strata["measure_id"] == "236"].iloc[0]
    return MeasureSpec(
        uuid=uuid,
        title="Controlling High Blood Pressure",
        populations=[
            PopulationSpec("IPOP", strata["initial_population_uuid"], ["1000"]),
            PopulationSpec("DENOM", strata["denominator_uuid"], ["1000"]),
            PopulationSpec("DENEX", strata["denominator_exclusion_uuid"], ["100"]),
            PopulationSpec("NUMER", strata["numerator_uuid"], ["800"]),
        ],
    )


def write(tmp_path: Path, data: bytes, name: str = "ehr.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def with_count(measure: MeasureSpec, code: str, counts: list[str]) -> MeasureSpec:
    changed = copy.deepcopy(measure)
    for population in changed.populations:
        if population.code == code:
            population.counts = counts
    return changed


def test_a_valid_document_gives_the_counts_and_ignores_nested_counts(measure_236: MeasureSpec, tmp_path: Path) -> None:
    for name in ("ehr.xml", "ehr.xml.gz"):
        result = import_files([write(tmp_path, qrda3_document([measure_236]), name)])
        assert result.problems == []
        # eligible = DENOM 1000, met = NUMER 800, not met = 1000 − 800 − 100 − 0 = 100, exclusions = DENEX 100;
        # the supplemental counts (999) one level deeper are ignored.
        assert [(row.measure_id, row.collection_type, *row.counts.as_tuple(), row.period_months) for row in result.rows] == [
            ("236", "ecqm", 1000, 800, 100, 100, 0, 12)
        ]


@pytest.mark.parametrize(
    ("code", "counts", "expected"),
    [
        ("NUMER", ["800.99"], "NUMER population {uuid}, Aggregate Count: '800.99' is not a whole number (converter code 9)"),
        ("DENEX", ["-100"], "DENEX population {uuid}, Aggregate Count: count -100 is negative (converter code 53)"),
        ("DENOM", ["1000", "1000"], "DENOM population {uuid}, Aggregate Count: 2 aggregate counts, expected exactly one (converter code 8)"),
        ("DENOM", ["1001"], "DENOM: DENOM 1001 exceeds IPOP 1000 (converter code 13)"),
        ("NUMER", ["901"], "performance not met: NUMER 901 + DENEX 100 + DENEXCEP 0 > DENOM 1000: performance not met would be -1"),
        ("DENEX", ["1001"], "performance not met: NUMER 800 + DENEX 1001 + DENEXCEP 0 > DENOM 1000: performance not met would be -801"),
    ],
)
def test_bad_counts_are_refused_naming_file_measure_and_field(
    measure_236: MeasureSpec, tmp_path: Path, code: str, counts: list[str], expected: str
) -> None:
    path = write(tmp_path, qrda3_document([with_count(measure_236, code, counts)]))
    result = import_files([path])
    uuid = next(population.uuid for population in measure_236.populations if population.code == code)
    assert result.rows == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.startswith(f"{path}: measure ")
    assert "236" in problem
    assert problem.endswith(expected.format(uuid=uuid))


def test_a_population_twice_and_a_measure_twice(measure_236: MeasureSpec, tmp_path: Path) -> None:
    doubled = copy.deepcopy(measure_236)
    doubled.populations.append(copy.deepcopy(doubled.populations[1]))  # a second DENOM
    result = import_files([write(tmp_path, qrda3_document([doubled]))])
    assert result.rows == [] and len(result.problems) == 1
    assert result.problems[0].endswith("DENOM: 2 DENOM populations, the measure has 1 population criteria (converter code 14)")

    result = import_files([write(tmp_path, qrda3_document([measure_236, measure_236]), "twice.xml")])
    assert len(result.rows) == 1 and len(result.problems) == 1
    assert "the same measure appears twice (measures #1 and #2; converter code 71)" in result.problems[0]


def test_unknown_uuid_is_refused_not_guessed(measure_236: MeasureSpec, tmp_path: Path) -> None:
    unknown = copy.deepcopy(measure_236)
    unknown.uuid = "2c928083-0000-0000-0000-000000000000"
    result = import_files([write(tmp_path, qrda3_document([unknown]))])
    assert result.rows == []
    assert result.problems == [
        f"{tmp_path / 'ehr.xml'}: measure 2c928083-0000-0000-0000-000000000000 (Controlling High Blood Pressure): unknown eCQM UUID "
        "in the 2025 measures data (converter code 6); a file's UUIDs change every year, so check its year, or map it with --measure-map CSV"
    ]


BILLION_LAUGHS = """
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"""
EXTERNAL_ENTITY = """
<!DOCTYPE ClinicalDocument [<!ENTITY secret SYSTEM "file:///etc/passwd">]>"""


@pytest.mark.parametrize("prologue", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_a_doctype_is_refused_before_reading(measure_236: MeasureSpec, tmp_path: Path, prologue: str) -> None:
    data = qrda3_document([measure_236], prologue=prologue).replace(b"<text>Controlling", b"<text>&lol3;&secret;Controlling")
    result = import_files([write(tmp_path, data)])
    assert result.rows == []
    assert result.problems == [f"{tmp_path / 'ehr.xml'}: the XML declares a DOCTYPE, which a QRDA III file never has; refused before reading it"]


def test_not_xml_and_not_qrda(tmp_path: Path) -> None:
    # The converter's own two trivial negatives (codes 2 and 5).
    result = import_files([write(tmp_path, b"zhjkl;chzxkjzxjczkxczxb", "junk.xml")])
    assert len(result.problems) == 1 and "junk.xml: not an XML document (" in result.problems[0]
    not_qrda = b'<ClinicalDocument><templateId root="3.16.840.1.113883.10.20.27.1.2"/></ClinicalDocument>'
    result = import_files([write(tmp_path, not_qrda, "other.xml")])
    assert result.problems == [f"{tmp_path / 'other.xml'}: not a QRDA Category III document (no HL7 ClinicalDocument with templateId 2.16.840.1.113883.10.20.27.1.1)"]


def test_size_caps_on_the_file_and_on_gzip_content(tmp_path: Path) -> None:
    plain = tmp_path / "big.xml"
    plain.write_bytes(b" " * 2000)
    with pytest.raises(UnreadableFile, match="2,000 bytes, more than the importer's limit of 1,000"):
        read_capped(plain, limit=1000)
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b" " * 100_000))  # about 130 bytes packed
    assert bomb.stat().st_size < 1000
    with pytest.raises(UnreadableFile, match="unpacks to more than the importer's limit of 1,000 bytes"):
        read_capped(bomb, limit=1000)
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(b"not gzip")
    result = import_files([broken])
    assert len(result.problems) == 1 and "not a readable gzip file" in result.problems[0]


def test_2026_has_no_uuids_so_a_measure_map_names_the_measure(measure_236: MeasureSpec, tmp_path: Path) -> None:
    # A year-to-date 2026 export (January to June): 2026's measures data at the pinned tag has no eCQM UUIDs.
    year_to_date = copy.deepcopy(measure_236)
    year_to_date.uuid = "2c928083-aaaa-bbbb-cccc-000000002026"
    path = write(tmp_path, qrda3_document([year_to_date], first="20260101", last="20260630"), "ytd-2026.xml")
    refused = import_files([path])
    assert refused.rows == []
    assert len(refused.problems) == 1
    assert "the 2026 measures data at the pinned tag has no eCQM UUIDs; name the measure with --measure-map CSV" in refused.problems[0]

    mapping = tmp_path / "map.csv"
    mapping.write_text("emeasure_uuid,measure_id\n2C928083-AAAA-BBBB-CCCC-000000002026,236\n", encoding="utf-8")
    result = import_files([path], measure_map=mapping)
    assert result.problems == []
    assert [(row.measure_id, *row.counts.as_tuple(), row.period_months) for row in result.rows] == [("236", 1000, 800, 100, 100, 0, 6)]
    assert "via the measure map" in result.rows[0].detail

    # Through the command line, into a year-to-date table swap --ytd reads.
    output = tmp_path / "ytd.csv"
    run = subprocess.run(
        [sys.executable, "-m", "optimizer", "import", str(path), "--measure-map", str(mapping), "--output", str(output)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert output.read_text(encoding="utf-8") == (
        "measure_id,collection_type,eligible_population,performance_met,performance_not_met,exclusions,exceptions,period_months\n"
        "236,ecqm,1000,800,100,100,0,6\n"
    )


def test_bad_measure_maps_name_the_row(tmp_path: Path, measure_236: MeasureSpec) -> None:
    path = write(tmp_path, qrda3_document([measure_236]))
    mapping = tmp_path / "map.csv"
    mapping.write_text("emeasure_uuid,measure_id\nabc,236\nABC,001\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"map.csv, row 3, column 'emeasure_uuid': UUID abc is mapped twice"):
        import_files([path], measure_map=mapping)
    mapping.write_text("uuid,measure\n", encoding="utf-8")
    with pytest.raises(Exception, match="the measure map has no rows"):
        import_files([path], measure_map=mapping)
