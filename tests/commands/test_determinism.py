"""The same inputs and seed give byte-identical reports, through the real CLI (issue 10).

Each report command runs twice per format in separate processes with different string-hash
seeds (``PYTHONHASHSEED``), so an answer that depended on set or dict order, on the clock or on
anything but the inputs and the seed would differ. How long a run took varies from run to run,
so it is in a report only when ``plan --timings`` asks for it. The report's date is an input too
(``--report-date``, else ``SOURCE_DATE_EPOCH`` as reproducible builds set it, else today): the
runs here set ``SOURCE_DATE_EPOCH``, so two runs either side of midnight still match.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RIVERSIDE = SCENARIOS / "riverside-family-medicine.toml"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
COMMANDS = {
    "plan": ["plan", RIVERSIDE, "--draws", "40"],
    "compare": ["compare", RIVERSIDE, "--draws", "40"],
    "swap": ["swap", RIVERSIDE, "--ytd", YEAR_TO_DATE, "--as-of", "2026-07-01", "--draws", "40"],
    "score": ["score", SCENARIOS / "lakeside-multispecialty.toml"],
}
FORMATS = ("json", "csv", "md", "html")


@pytest.fixture(scope="module")
def reports(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> dict[tuple[str, str, str], bytes]:
    """Every command × format, once with each hash seed (two processes at a time)."""
    folder = tmp_path_factory.mktemp("determinism")

    def run(key: tuple[str, str, str]) -> bytes:
        command, report_format, hash_seed = key
        output = folder / f"{command}-{hash_seed}.{report_format}"
        result = cli(
            *COMMANDS[command], "--format", report_format, "--output", output, "--data-dir", data_dir,
            environment={"PYTHONHASHSEED": hash_seed, "SOURCE_DATE_EPOCH": "1767225600"},  # 2026-01-01, UTC
        )
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        return output.read_bytes()

    keys = [(command, report_format, seed) for command in COMMANDS for report_format in FORMATS for seed in ("1", "4242")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(keys, pool.map(run, keys)))


@pytest.mark.parametrize("report_format", FORMATS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_same_inputs_and_seed_give_the_same_bytes(command: str, report_format: str, reports: dict[tuple[str, str, str], bytes]) -> None:
    first, second = reports[(command, report_format, "1")], reports[(command, report_format, "4242")]
    assert first == second
    assert b"seconds" not in first and b"planned in" not in first


def test_timings_only_when_asked(data_dir: Path, tmp_path: Path, cli) -> None:
    result = cli(*COMMANDS["plan"], "--timings", "--format", "json", "--output", tmp_path / "plan.json", "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert document["seconds"] > 0
    assert all("seconds" in entry["solver"] for entry in document["pathways"] if entry.get("solver"))
    result = cli(*COMMANDS["plan"], "--timings", "--format", "md", "--output", tmp_path / "plan.md", "--data-dir", data_dir)
    assert result.returncode == 0 and "; planned in " in (tmp_path / "plan.md").read_text(encoding="utf-8")
