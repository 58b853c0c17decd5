"""Every report says how it was made, in every format (issue 15): tool version, CMS data (tag,
commit, bundle or fetched copy), performance year, date, draws, seed, forecast settings and each
input file's SHA-256 — read back from the real CLI's output the way each format's reader would.

The expected values come from the project itself (its version, the manifest of the pinned CMS
data, hashlib over the input files), not typed in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimizer import __version__
from optimizer.catalog.manifest import read_manifest
from optimizer.report.provenance import report_date

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
COMMANDS = {
    "plan": ["plan", RIVERSIDE, "--draws", "30", "--no-quality-work"],
    "compare": ["compare", RIVERSIDE, "--draws", "30"],
    "swap": ["swap", RIVERSIDE, "--ytd", YEAR_TO_DATE, "--as-of", "2026-07-01", "--draws", "30"],
    "score": ["score", RIVERSIDE],
}
DATE = "2026-03-15"


@pytest.fixture(scope="module")
def outputs(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("provenance")
    written = {}
    for command, arguments in COMMANDS.items():
        for suffix in ("json", "md", "csv", "html", "xlsx"):
            target = folder / f"{command}.{suffix}"
            result = cli(*arguments, "--report-date", DATE, "--output", target, "--data-dir", data_dir)
            assert result.returncode == 0, result.stderr.decode()[-2000:]
            written[f"{command}.{suffix}"] = target.read_bytes()
    return written


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_json_carries_the_whole_provenance(command: str, outputs: dict[str, bytes]) -> None:
    made = json.loads(outputs[f"{command}.json"])["provenance"]
    manifest = read_manifest(2026)
    assert made["tool_version"] == __version__
    assert made["cms_data"]["tag"] == manifest.tag and made["cms_data"]["commit"] == manifest.commit
    assert made["cms_data"]["read_from"] == "bundle"  # the data folder is empty: the bundled tables are read
    assert made["performance_year"] == 2026
    assert (made["report_date"], made["report_date_from"]) == (DATE, "--report-date")
    digests = {Path(item["file"]).name: item["sha256"] for item in made["inputs"]}
    assert digests[RIVERSIDE.name] == _sha256(RIVERSIDE) and digests[BASELINE.name] == _sha256(BASELINE)
    if command == "swap":
        assert digests[YEAR_TO_DATE.name] == _sha256(YEAR_TO_DATE)
    if command == "score":
        assert "draws" not in made  # score forecasts nothing
    else:
        assert made["draws"] == 30 and made["seed"] == 1
        assert made["forecast_settings"]["persistence"] == pytest.approx(0.9)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_other_format_shows_it(command: str, outputs: dict[str, bytes]) -> None:
    manifest = read_manifest(2026)
    markdown = outputs[f"{command}.md"].decode()
    section = markdown.split("## How this report was made")[1]
    assert f"Report date: {DATE}" in section and manifest.commit in section and _sha256(RIVERSIDE) in section

    page = outputs[f"{command}.html"].decode()
    assert f'data-testid="provenance-report-date">{DATE} (given with --report-date)</dd>' in page
    assert manifest.commit in page and _sha256(BASELINE) in page

    rows = list(csv.DictReader(io.StringIO(outputs[f"{command}.csv"].decode())))
    assert rows and all(row["report_date"] == DATE and row["cms_data_commit"] == manifest.commit for row in rows)
    assert all(_sha256(RIVERSIDE) in row["input_sha256"] for row in rows)
    assert all(row["draws"] == ("" if command == "score" else "30") for row in rows)

    workbook = load_workbook(io.BytesIO(outputs[f"{command}.xlsx"]))
    lines = {row[0]: row[1] for row in workbook["Provenance"].iter_rows(min_row=4, values_only=True)}
    assert lines["Report date"].startswith(DATE) and manifest.tag in lines["CMS data"]
    assert lines["Tool"] == f"mips-optimizer {__version__}"


def test_the_date_comes_from_the_option_else_source_date_epoch_else_today() -> None:
    import datetime

    assert report_date("2026-01-15", {}) == ("2026-01-15", "--report-date")
    assert report_date(None, {"SOURCE_DATE_EPOCH": "1767225600"}) == ("2026-01-01", "SOURCE_DATE_EPOCH")  # 2026-01-01T00:00:00Z
    assert report_date("2026-01-15", {"SOURCE_DATE_EPOCH": "1767225600"})[1] == "--report-date"
    assert report_date(None, {}) == (datetime.date.today().isoformat(), "today")


@pytest.mark.parametrize(("arguments", "environment", "words"), [
    (["--report-date", "15/01/2026"], {}, ("--report-date expects a date like 2026-01-15", "15/01/2026")),
    ([], {"SOURCE_DATE_EPOCH": "yesterday"}, ("SOURCE_DATE_EPOCH expects whole seconds",)),
])
def test_a_bad_date_is_one_error_line(arguments: list[str], environment: dict[str, str], words: tuple[str, ...],
                                      data_dir: Path, tmp_path: Path, cli, one_error_line) -> None:
    result = cli("score", RIVERSIDE, *arguments, "--output", tmp_path / "score.json", "--data-dir", data_dir, environment=environment)
    one_error_line(result, *words)
    assert not (tmp_path / "score.json").exists()


def test_a_fetched_copy_is_named_as_such(fetched_dir: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / "score.json"
    result = cli("score", RIVERSIDE, "--output", target, "--data-dir", fetched_dir)
    assert result.returncode == 0, result.stderr.decode()
    made = json.loads(target.read_text(encoding="utf-8"))["provenance"]
    assert made["cms_data"]["read_from"] == "fetched copy" and made["cms_data"]["commit"] == read_manifest(2026).commit
