"""Every shared sample file imports to exactly the rows, or the refusals, ``expected.json`` gives.

Expected numbers come from ``shared/samples/expected.json`` (worked out by hand and with a reader
that follows CMS's converter; the README beside it explains each). One deliberate difference,
explained at ``CORRECTIONS``. Each file is also imported through the real command line: the rows
it writes equal the library's, and a refused file writes nothing.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from optimizer.inputs.importers import ImportResult, import_files

COUNT_KEYS = ("eligible_population", "performance_met", "performance_not_met", "exclusions", "exceptions")

CORRECTIONS: dict[tuple[str, str], dict[str, int]] = {
    # expected.json gives 318 (CMS139v13) as DENOM 1000, NUMER 800, not met 200, exclusions 0. The file's
    # 318 organizer has a population with value/@code="DENEX" whose direct Aggregate Count is 50 (its UUID
    # 88313CAE-… is not CMS's; its DENOM carries CMS's DENEX UUID B58EC200-…). Read by population code, as
    # the same file's 134 (also non-CMS DENOM/DENEX UUIDs) is read in expected.json, and by expected.json's
    # own rule not met = DENOM − NUMER − DENEX − DENEXCEP = 1000 − 800 − 50 − 0 = 150, exclusions 50.
    ("qrda3/2025MIPSGroupSampleQRDA-III-v1.0.xml.gz", "318"): {"performance_not_met": 150, "exclusions": 50},
}


def expected_rows(name: str, rows: list[dict[str, Any]]) -> list[tuple]:
    result = []
    for row in rows:
        values = {key: row[key] for key in COUNT_KEYS}
        values.update(CORRECTIONS.get((name, row["measure_id"]), {}))
        result.append((row["measure_id"], row["collection_type"], *(values[key] for key in COUNT_KEYS)))
    return result


def imported_rows(result: ImportResult) -> list[tuple]:
    return [(row.measure_id, row.collection_type, *row.counts.as_tuple()) for row in result.rows]


def months_of(period: list[str]) -> int:
    first, last = (int(part) for part in period[0].split("-")[:2]), (int(part) for part in period[1].split("-")[:2])
    (first_year, first_month), (last_year, last_month) = first, last
    return (last_year - first_year) * 12 + last_month - first_month + 1


def assert_one_line_each(result: ImportResult) -> None:
    for line in result.problems + result.notes:
        assert "\n" not in line


# ----------------------------------------------------------------------------- QRDA III


@pytest.mark.parametrize(
    "name",
    [
        "qrda3/valid-QRDA-III-latest.xml",
        "qrda3/valid-QRDA-III-latest-2024.xml",
        "qrda3/MultiStrata_SinglePerformanceRate-sample.xml",
        "qrda3/Mvp_Mips-Group-Sample.xml",
    ],
)
def test_qrda3_files_give_their_rows(samples: Path, expected: dict[str, Any], name: str) -> None:
    case = expected[name]
    result = import_files([samples / name])
    assert result.problems == []
    assert imported_rows(result) == expected_rows(name, case["rows"])
    assert [row.period_months for row in result.rows] == [months_of(case["period"])] * len(case["rows"])
    for row, wanted in zip(result.rows, case["rows"], strict=True):
        assert math.isclose(row.counts.rate, wanted["performance_rate"], abs_tol=1e-6)
        assert wanted["emeasure_id"] in row.detail
    assert result.files[0].performance_year == case["performance_year"]
    assert result.files[0].period == tuple(case["period"])
    assert any(f"program {case['program']}" in note for note in result.notes)
    if "mvp_id" in case:
        assert any(f"MVP {case['mvp_id']}" in note for note in result.notes)
    assert_one_line_each(result)


def test_the_2024_file_needs_the_2024_uuids(samples: Path) -> None:
    # Read with 2025's data (as an importer that ignores the file's year would), both UUIDs are unknown.
    result = import_files([samples / "qrda3/valid-QRDA-III-latest-2024.xml"], year=2025)
    assert result.rows == []
    assert len(result.problems) == 2
    assert all("unknown eCQM UUID in the 2025 measures data (converter code 6)" in line for line in result.problems)
    assert "2c928085-806c-39a2-0180-7092fa9b0145" in result.problems[0] and "2c928084-83d3-1b44-0183-eb75dc8a03db" in result.problems[1]


def test_bad_counts_are_never_numbers(samples: Path, expected: dict[str, Any]) -> None:
    name = "qrda3/angerMeasureDataValidations.xml"
    result = import_files([samples / name])
    assert result.rows == [] and expected[name]["rows"] == []
    assert len(result.problems) == len(expected[name]["errors"]) == 4
    # First the year (no 2017 data), then each bad count, naming the file, the measure and the population.
    assert "performance year 2017 has no CMS measures data in the project (2024, 2025, 2026)" in result.problems[0]
    measure = "measure 40280381-51f0-825b-0152-2273af5a150b (Depression Utilization of the PHQ-9 Tool)"
    assert all(line.startswith(str(samples / name)) for line in result.problems)
    assert all(measure in line for line in result.problems[1:])
    wanted = {
        "DENOM population 04BF53CE-6993-4EA2-BFE5-66E36172B388, Aggregate Count: 'error' is not a whole number (converter code 9)",
        "NUMER population 631C0B49-83F4-4A54-96C4-7E0766B2407C, Aggregate Count: 2 aggregate counts, expected exactly one (converter code 8)",
        "DENEXCEP population 58347456-D1F3-4BBB-9B35-5D42825A0AB3, Aggregate Count: count -1 is negative (converter code 53)",
    }
    assert {line.split(f"{measure}, ")[1] for line in result.problems[1:]} == wanted
    assert_one_line_each(result)


def test_cms_2025_sample_reads_direct_counts_and_refuses_226_and_366(samples: Path, expected: dict[str, Any]) -> None:
    name = "qrda3/2025MIPSGroupSampleQRDA-III-v1.0.xml.gz"
    case = expected[name]
    result = import_files([samples / name])
    assert imported_rows(result) == expected_rows(name, case["rows"])
    assert len(result.problems) == len(case["errors"]) == 2
    refused_226, refused_366 = result.problems
    assert "measure 226 (CMS138v13)" in refused_226 and "split" in refused_226 and "converter code 59" in refused_226
    assert "DENOM 26CCD818-574C-4325-9BA8-3992BAB67070" in refused_226 and "DENEXCEP E3DA4ECF-8EE9-4578-B3EB-D269973F8EFB" in refused_226
    assert "measure 366 (CMS136v14)" in refused_366 and "stratum '30Days', performance not met" in refused_366
    assert "NUMER 98 + DENEX 30 + DENEXCEP 0 > DENOM 125: performance not met would be -3" in refused_366
    # The UUID warnings expected.json gives (001's IPOP is 2024's; 134's DENOM and DENEX are not CMS's 2025 ones).
    assert any("measure 001 (CMS122v13)" in note and "IPOP population UUID F09F8D18" in note for note in result.notes)
    assert any("measure 134 (CMS2v14)" in note and "DENOM population UUID 696066C7" in note for note in result.notes)
    assert any("measure 134 (CMS2v14)" in note and "DENEX population UUID E52F7FAE" in note for note in result.notes)
    assert_one_line_each(result)


# ----------------------------------------------------------------------------- QPP JSON


def test_placeholder_year_is_refused_then_read_with_a_year(samples: Path, expected: dict[str, Any]) -> None:
    name = "qpp-json/submission-example-quality.json"
    case = expected[name]
    refused = import_files([samples / name])
    assert refused.rows == []
    assert refused.problems == [f"{samples / name}: performanceYear: '< performanceYearToBeReported >' is not a year; give --year YEAR"]
    for year in (2025, 2026):
        result = import_files([samples / name], year=year)
        assert imported_rows(result) == expected_rows(name, case["rows_if_year_given"])
        assert result.rows[0].period_months == 12
        assert len(result.problems) == len(case["refused_measurements_if_year_given"]) == 2
        refused_305, refused_acrad15 = result.problems
        assert "measure 305 (mips_cqm" in refused_305
        assert f"submissionMethod: measure 305 is not offered as mips_cqm (registry) in {year}; it allows ecqm" in refused_305
        assert "measure ACRAD15 (qcdr" in refused_acrad15
        if year == 2025:  # a QCDR nonProportion measure in 2025; CMS dropped it for 2026
            assert "cannot be expressed as the baseline's counts" in refused_acrad15
        else:
            assert "measureId: ACRAD15 is not a 2026 quality measure" in refused_acrad15
        assert_one_line_each(result)


def test_api_envelope_partial_year_and_skipped_sets(samples: Path, expected: dict[str, Any]) -> None:
    name = "qpp-json/scoring-example-submission-input.json"
    case = expected[name]
    refused = import_files([samples / name])
    assert refused.problems == [
        f"{samples / name}: performanceYear: performance year 2017 has no CMS measures data in the project (2024, 2025, 2026); "
        "give --year YEAR to read it with that year's measures data"
    ]
    result = import_files([samples / name], year=2025)
    # 110 and 192 are not 2025 quality measures (expected.json marks them unknown in the catalog): refused.
    known = [row for row in case["rows_if_year_overridden"] if "catalog_2026" not in row]
    assert imported_rows(result) == expected_rows(name, known)
    assert {row.period_months for row in result.rows} == {5}
    assert [line.split("measureId: ")[1] for line in result.problems] == ["110 is not a 2025 quality measure", "192 is not a 2025 quality measure"]
    assert any("ia set skipped" in note for note in result.notes) and any("aci set skipped" in note for note in result.notes)


def test_stated_rates_that_contradict_the_counts_are_ignored(samples: Path, expected: dict[str, Any]) -> None:
    name = "qpp-json/qpp-file-upload-api-client-test-file.json"
    case = expected[name]
    assert "performance year 2021 has no CMS measures data" in import_files([samples / name]).problems[0]
    result = import_files([samples / name], year=2025)
    assert result.problems == []
    assert imported_rows(result) == expected_rows(name, case["rows_if_year_overridden"])
    assert [row.counts.rate for row in result.rows] == [row["performance_rate"] for row in case["rows_if_year_overridden"]] == [90.0, 90.0]
    assert all(row.performance_rate is None for row in result.rows)  # MIPS CQM: CMS computes the rate
    ignored = [note for note in result.notes if "stated performanceRate 100 contradicts the counts (90.00); ignored" in note]
    assert len(ignored) == 2
    assert any("pi set skipped" in note for note in result.notes) and any("ia set skipped" in note for note in result.notes)


def test_an_api_error_response_is_not_a_submission(samples: Path) -> None:
    name = "qpp-json/submissionErrorFixture.json"
    for year in (None, 2026):
        result = import_files([samples / name], year=year)
        assert result.rows == []
        assert result.problems == [
            f"{samples / name}: not a submission: a QPP Submissions API error response "
            "(ValidationError: invalid measureId IA_EPA_00 at measurementSets[0].measurements[0].measureId)"
        ]


# ----------------------------------------------------------------------------- the command line


ALL_FILES = [
    ("qrda3/valid-QRDA-III-latest.xml", None, 0),
    ("qrda3/valid-QRDA-III-latest-2024.xml", None, 0),
    ("qrda3/MultiStrata_SinglePerformanceRate-sample.xml", None, 0),
    ("qrda3/Mvp_Mips-Group-Sample.xml", None, 0),
    ("qrda3/angerMeasureDataValidations.xml", None, 1),
    ("qrda3/2025MIPSGroupSampleQRDA-III-v1.0.xml.gz", None, 1),
    ("qpp-json/submission-example-quality.json", "2025", 1),
    ("qpp-json/scoring-example-submission-input.json", None, 1),
    ("qpp-json/qpp-file-upload-api-client-test-file.json", "2025", 0),
    ("qpp-json/submissionErrorFixture.json", None, 1),
]


@pytest.mark.parametrize(("name", "year", "code"), ALL_FILES)
def test_every_sample_through_the_command_line(samples: Path, tmp_path: Path, name: str, year: str | None, code: int) -> None:
    output = tmp_path / "baseline.csv"
    command = [sys.executable, "-m", "optimizer", "import", str(samples / name), "--output", str(output)]
    command += ["--year", year] if year else []
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    library = import_files([samples / name], year=int(year) if year else None)
    assert run.returncode == code
    errors = [line for line in run.stderr.splitlines() if line.startswith("mips-optimizer: error: ")]
    assert errors == [f"mips-optimizer: error: {problem}" for problem in library.problems]
    if code:
        assert not output.exists() and run.stdout == ""
        return
    with output.open(newline="") as stream:
        written = [(row["measure_id"], row["collection_type"], *(int(row[key]) for key in COUNT_KEYS)) for row in csv.DictReader(stream)]
    assert written == imported_rows(library)
    assert run.stdout == f"wrote {len(written)} baseline rows to {output} (period_months 12)\n"
