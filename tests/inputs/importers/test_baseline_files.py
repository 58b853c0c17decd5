"""A scenario's ``baseline`` (and ``swap --ytd``) may name QPP JSON or QRDA III files, one or a list.

Through the real command line: ``score`` on a scenario whose baseline is a submission built from
Riverside's baseline table equals ``score`` on the table itself, also with the rows split over a
list of files; ``swap --ytd`` with a year-to-date submission equals ``swap`` with the same table as CSV.
Everything but the provenance's list of input files (their names and SHA-256s differ by design).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.inputs.baseline import read_baseline
from submission_builder import submission_from_baseline

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
SCENARIO = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "optimizer", *arguments], capture_output=True, text=True, timeout=300, check=False)


def scenario_with_baseline(folder: Path, baseline: str, name: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8")
    text, replaced = re.subn(r'^baseline = .*$', f"baseline = {baseline}", text, flags=re.MULTILINE)
    assert replaced == 1
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, document: object) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path.name


def without_inputs(document: dict) -> dict:
    """The report without the files it read (each report lists its own inputs and their SHA-256s)."""
    provenance = document["provenance"]
    assert provenance["inputs"] and all(item["sha256"] for item in provenance["inputs"])
    return {**document, "provenance": {key: value for key, value in provenance.items() if key != "inputs"}}


def score(path: Path) -> dict:
    result = run("score", str(path), "--format", "json")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return without_inputs(json.loads(result.stdout))


def test_score_on_imported_files_equals_score_on_the_table(tmp_path: Path) -> None:
    table = read_baseline(BASELINE)
    assert set(table["collection_type"]) <= {"ecqm", "mips_cqm", "medicare_part_b_claims"}
    (tmp_path / BASELINE.name).write_bytes(BASELINE.read_bytes())
    from_table = score(scenario_with_baseline(tmp_path, f'"{BASELINE.name}"', "table"))

    whole = write_json(tmp_path / "riverside-2025.json", submission_from_baseline(table, 2025, "2025-01-01", "2025-12-31"))
    assert score(scenario_with_baseline(tmp_path, f'"{whole}"', "one-file")) == from_table

    ecqm = write_json(tmp_path / "ehr.json", submission_from_baseline(table[table["collection_type"] == "ecqm"], 2025, "2025-01-01", "2025-12-31"))
    others = write_json(tmp_path / "registry.json", submission_from_baseline(table[table["collection_type"] != "ecqm"], 2025, "2025-01-01", "2025-12-31"))
    assert score(scenario_with_baseline(tmp_path, f'["{ecqm}", "{others}"]', "two-files")) == from_table

    claims_table = tmp_path / "claims.csv"
    table[table["collection_type"] != "ecqm"][["measure_id", "collection_type", "eligible_population", "performance_met",
                                               "performance_not_met", "exclusions", "exceptions"]].to_csv(claims_table, index=False)
    assert score(scenario_with_baseline(tmp_path, f'["{ecqm}", "claims.csv"]', "file-and-table")) == from_table


def test_swap_reads_a_year_to_date_submission(tmp_path: Path) -> None:
    table = read_baseline(YEAR_TO_DATE)
    assert set(table["period_months"]) == {6}
    ytd = tmp_path / "ytd-2026.json"
    write_json(ytd, submission_from_baseline(table, 2026, "2026-01-01", "2026-06-30"))  # six months: period_months 6
    # Claims counts in a submission come from the quality codes on the claims: the importer sets codes_on_claims.
    csv_table = tmp_path / "ytd-2026.csv"
    table = table.assign(codes_on_claims=table["collection_type"] == "medicare_part_b_claims")
    table[["measure_id", "collection_type", "eligible_population", "performance_met", "performance_not_met", "exclusions",
           "exceptions", "period_months", "codes_on_claims"]].to_csv(csv_table, index=False)
    common = ("--as-of", "2026-07-01", "--draws", "50", "--format", "json")
    from_table = run("swap", str(SCENARIO), "--ytd", str(csv_table), *common)
    from_json = run("swap", str(SCENARIO), "--ytd", str(ytd), *common)
    assert (from_table.returncode, from_table.stderr) == (0, "")
    assert (from_json.returncode, from_json.stderr) == (0, "")
    assert without_inputs(json.loads(from_json.stdout)) == without_inputs(json.loads(from_table.stdout))


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ("12", "field 'practice.baseline': expected a file name or a list of them"),
        ('["missing.json"]', "field 'practice.baseline': the baseline table {folder}/missing.json does not exist"),
        ('["refused.json"]', "{folder}/refused.json: performanceYear: 'soon' is not a year; give --year YEAR"),
    ],
)
def test_bad_baselines_are_one_line(tmp_path: Path, baseline: str, message: str) -> None:
    write_json(tmp_path / "refused.json", {"performanceYear": "soon", "measurementSets": []})
    result = run("score", str(scenario_with_baseline(tmp_path, baseline, "bad")))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message.format(folder=tmp_path) in result.stderr


def test_imported_files_are_read_with_the_runs_data_folder(tmp_path: Path) -> None:
    """`--data-dir` holds for the measures data an imported file is read with, as it does for the plan's
    own catalog: a data folder whose fetched 2025 measures file was changed after it was fetched stops
    `score` (whose 2026 catalog is the bundle: the folder holds no 2026 files) and `import` with the
    one-line checksum error naming that file; without `--data-dir` the same scenario scores."""
    from optimizer.catalog.locations import cached_path
    from optimizer.catalog.manifest import read_manifest

    data_dir = tmp_path / "data"
    manifest = read_manifest(2025)
    changed = cached_path(manifest, manifest.files[0].path, data_dir)
    changed.parent.mkdir(parents=True)
    changed.write_text("{}", encoding="utf-8")
    table = read_baseline(BASELINE)
    submission = write_json(tmp_path / "riverside-2025.json", submission_from_baseline(table, 2025, "2025-01-01", "2025-12-31"))
    scenario = scenario_with_baseline(tmp_path, f'"{submission}"', "imported")
    assert run("score", str(scenario), "--format", "json").returncode == 0
    for arguments in (
        ["score", str(scenario), "--format", "json", "--data-dir", str(data_dir)],
        ["import", str(tmp_path / submission), "--output", str(tmp_path / "out.csv"), "--data-dir", str(data_dir)],
    ):
        result = run(*arguments)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) >= 1, result.stderr
        assert str(changed) in lines[0] and "recorded 1" in lines[0]
    assert not (tmp_path / "out.csv").exists()
