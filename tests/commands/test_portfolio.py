"""``portfolio``: every practice of a folder planned in parallel, one report each and a ranked summary.

Everything runs through the real command line in a subprocess. The expected numbers come from the
tool's other entry point, ``plan`` run on each file alone with the same seed and draws (the summary
must repeat them exactly), and from a practice whose current selection is set to its own
recommendation (worth exactly the same on the same draws: a gain of 0). The practices are the
bundled examples and made-up ones (:func:`optimizer.synthetic.write_synthetic_practice`).
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimizer.report.portfolio_report import SUMMARY_SHEET_COLUMNS

REPOSITORY = Path(__file__).resolve().parents[2]
SCENARIOS = REPOSITORY / "scenarios"
EXAMPLES = ("heartland-cardiology", "lakeside-multispecialty", "maple-street-internal-medicine", "riverside-family-medicine")
DRAWS = ("--draws", "60", "--seed", "3")
NUMBERS = (
    "expected_final_score",
    "final_score_p10",
    "final_score_p90",
    "probability_at_or_above_threshold",
    "expected_payment_dollars",
)


def run(*arguments: object, environment: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0", **(environment or {})}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, arguments)], capture_output=True, env=env, timeout=timeout, check=False
    )


def copy_examples(folder: Path, stems: tuple[str, ...] = EXAMPLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        shutil.copy(SCENARIOS / f"{stem}.toml", folder / f"{stem}.toml")
        shutil.copy(SCENARIOS / f"{stem}-2025.csv", folder / f"{stem}-2025.csv")
    return folder


def summary_rows(output: Path) -> list[dict[str, str]]:
    with open(output / "summary.csv", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def by_file(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {Path(row["file"]).stem: row for row in rows}


def state_files(output: Path) -> list[Path]:
    return sorted((output / ".portfolio").glob("*.json")) if (output / ".portfolio").is_dir() else []


def made_up_practices(folder: Path, count: int, data_dir: Path) -> Path:
    """``count`` made-up practices (200 draws each) written into ``folder``."""
    from optimizer.catalog import read_catalog
    from optimizer.synthetic import write_synthetic_practice

    folder.mkdir(parents=True)
    catalog = read_catalog(2026, data_dir=data_dir)
    for index in range(count):
        write_synthetic_practice(folder, index, catalog, draws=200)
    return folder


def wait_for_reports(output: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until a running portfolio has recorded ``count`` practices (it must still be running)."""
    deadline = time.monotonic() + 300
    while len(state_files(output)) < count and time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before the test could act on it"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[Path, Path, subprocess.CompletedProcess[bytes]]:
    """The four examples, one broken practice and one whose current selection is its own
    recommendation, planned as a portfolio (JSON reports, two workers)."""
    folder = copy_examples(tmp_path_factory.mktemp("portfolio-in"))
    (folder / "broken.toml").write_text('performance_year = 2026\n[practice]\nname = "Broken"\nbaseline = "missing.csv"\n', encoding="utf-8")
    # Riverside again, its current selection set to what `plan` recommends for it: worth the same.
    document = json.loads(run("plan", SCENARIOS / "riverside-family-medicine.toml", "--format", "json", *DRAWS, "--data-dir", data_dir).stdout)
    best = document["recommended"]
    reported = ", ".join(f'["{m["measure_id"]}", "{m["collection_type"]}"]' for m in best["quality_measures"])
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    text = text.replace('pathway = "traditional"\n', "")
    text = re.sub(r"reported = \[.*\]\n", f"reported = [{reported}]\n", text)
    text = re.sub(r"attested = \[.*\]\n", f"attested = {json.dumps(best['improvement_activities'])}\n", text)
    text = text.replace("[practice]\n", f'pathway = "{best["pathway"]}"\n[practice]\n', 1)
    (folder / "riverside-as-recommended.toml").write_text(text, encoding="utf-8")
    output = tmp_path_factory.mktemp("portfolio-out") / "out"
    result = run(
        "portfolio", folder, "--output-dir", output, "--format", "json", "--jobs", "2", *DRAWS, "--data-dir", data_dir,
        environment={"MIPS_OPTIMIZER_PROGRESS": ""},  # progress as on any stderr that is not a terminal
    )
    return folder, output, result


def test_summary_equals_single_plan_runs(planned, data_dir: Path, tmp_path: Path) -> None:
    folder, output, result = planned
    assert result.returncode == 4, result.stderr.decode()[-3000:]
    rows = by_file(summary_rows(output))
    for stem in EXAMPLES:
        alone = tmp_path / f"{stem}.json"
        single = run("plan", folder / f"{stem}.toml", "--format", "json", "--no-quality-work", *DRAWS, "--data-dir", data_dir, "--output", alone)
        assert single.returncode == 0, single.stderr.decode()
        # the practice's report is the `plan --no-quality-work` report, byte for byte (provenance included)
        assert (output / "practices" / f"{stem}.json").read_bytes() == alone.read_bytes()
        best = json.loads(alone.read_text(encoding="utf-8"))["recommended"]
        row = rows[stem]
        assert row["status"] == "planned" and row["pathway"] == best["pathway"]
        expected = {
            "expected_final_score": best["expected_final_score"],
            "final_score_p10": best["final_score_interval"][0],
            "final_score_p90": best["final_score_interval"][1],
            "probability_at_or_above_threshold": best["probability_at_or_above_threshold"],
            "expected_payment_dollars": best["expected_payment_adjustment_dollars"],
        }
        assert {name: float(row[name]) for name in NUMBERS} == expected  # exact: the CSV holds every digit
        assert row["report"] == f"practices/{stem}.json"
        gain = float(row["expected_payment_dollars"]) - float(row["current_expected_payment_dollars"])
        assert float(row["gain_dollars"]) == pytest.approx(gain, abs=1e-6)


def test_current_selection_is_scored_on_the_same_draws(planned) -> None:
    _, output, _ = planned
    row = by_file(summary_rows(output))["riverside-as-recommended"]
    # its current selection is its recommendation: on the same draws it is worth exactly as much
    assert float(row["gain_dollars"]) == 0.0
    for name in ("expected_final_score", "probability_at_or_above_threshold", "expected_payment_dollars"):
        assert float(row[f"current_{name}"]) == float(row[name])
    assert row["current_pathway"] == row["pathway"]


def test_ranked_by_dollars_at_stake_failures_last(planned) -> None:
    _, output, _ = planned
    rows = summary_rows(output)
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
    gains = [float(row["gain_dollars"]) for row in rows if row["status"] != "failed"]
    assert gains == sorted(gains, reverse=True) and len(gains) == 5
    assert rows[-1]["status"] == "failed" and Path(rows[-1]["file"]).name == "broken.toml"


def test_a_failure_is_its_row_and_one_line(planned) -> None:
    _, output, result = planned
    failed = [row for row in summary_rows(output) if row["status"] == "failed"]
    assert len(failed) == 1 and "missing.csv" in failed[0]["reason"] and not failed[0]["report"]
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("mips-optimizer: error: ")]
    assert len(errors) == 1 and "broken.toml" in errors[0] and "missing.csv" in errors[0]
    assert stderr.splitlines()[-1] == f"mips-optimizer: 1 of 6 practices failed; their rows in {output / 'summary'}.md say why"
    assert not (output / "practices" / "broken.json").exists()
    assert len(list((output / "practices").iterdir())) == 5


def test_stdout_is_the_summary_and_every_format_is_written(planned) -> None:
    _, output, result = planned
    assert result.stdout.decode() == (output / "summary.md").read_text(encoding="utf-8")
    assert result.stdout.startswith(b"# MIPS portfolio summary\n")
    html = (output / "summary.html").read_text(encoding="utf-8")
    assert html.count('data-testid="practice-') == 6
    assert html.count('<a href="practices/') == 5 and '<a href="practices/maple-street-internal-medicine.json">' in html
    sheet = load_workbook(output / "summary.xlsx").active
    # a title, a note, then the readable header (row 3) of the columns in SUMMARY_SHEET_COLUMNS' order
    assert [cell.value for cell in sheet[3]] == [header for _, header, _, _ in SUMMARY_SHEET_COLUMNS]
    keys = [key for key, *_ in SUMMARY_SHEET_COLUMNS]
    table = [dict(zip(keys, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=4)]
    csv_rows = summary_rows(output)
    assert [row["practice"] for row in table] == [row["practice"] for row in csv_rows]
    # numbers stay numbers in the workbook (openpyxl keeps about 15 significant digits)
    assert [row["expected_payment_dollars"] for row in table] == [
        pytest.approx(float(row["expected_payment_dollars"]), rel=1e-12) if row["expected_payment_dollars"] else None for row in csv_rows
    ]


def test_every_practice_failing_exits_5(tmp_path: Path, data_dir: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.toml").write_text("performance_year = 2026\n[practice\n", encoding="utf-8")
    result = run("portfolio", tmp_path, "--output-dir", tmp_path / "out", "--data-dir", data_dir)
    assert result.returncode == 5, result.stderr.decode()
    assert [row["status"] for row in summary_rows(tmp_path / "out")] == ["failed", "failed"]


def test_rerun_skips_unchanged_force_and_changed_inputs_replan(tmp_path: Path, data_dir: Path) -> None:
    folder = copy_examples(tmp_path / "in", ("maple-street-internal-medicine", "heartland-cardiology", "lakeside-multispecialty"))
    output = tmp_path / "out"
    options = ("--output-dir", output, *DRAWS, "--data-dir", data_dir)
    assert run("portfolio", folder, *options).returncode == 0
    reports = {path.name: path.stat().st_mtime_ns for path in (output / "practices").iterdir()}
    first = by_file(summary_rows(output))

    again = run("portfolio", folder, *options, environment={"MIPS_OPTIMIZER_PROGRESS": ""})
    assert again.returncode == 0 and again.stderr.decode() == "mips-optimizer: 3 of 3 practices unchanged since their reports (--force plans them again)\n"
    second = by_file(summary_rows(output))
    assert {row["status"] for row in second.values()} == {"unchanged"}
    assert {path.name: path.stat().st_mtime_ns for path in (output / "practices").iterdir()} == reports
    for stem, row in first.items():
        assert {name: row[name] for name in NUMBERS} == {name: second[stem][name] for name in NUMBERS}

    # a changed baseline re-plans that practice, a deleted report is written again, the third is left alone
    baseline = folder / "heartland-cardiology-2025.csv"
    lines = baseline.read_text(encoding="utf-8").splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    row[header.index("performance_met")] = str(int(row[header.index("performance_met")]) - 1)
    row[header.index("performance_not_met")] = str(int(row[header.index("performance_not_met")]) + 1)
    baseline.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    (output / "practices" / "lakeside-multispecialty.md").unlink()
    changed = run("portfolio", folder, *options)
    statuses = {stem: row["status"] for stem, row in by_file(summary_rows(output)).items()}
    assert changed.returncode == 0
    assert statuses == {"heartland-cardiology": "planned", "lakeside-multispecialty": "planned", "maple-street-internal-medicine": "unchanged"}
    assert (output / "practices" / "lakeside-multispecialty.md").is_file()

    # other settings (a seed) re-plan everything, and so does --force
    reseeded = ("--output-dir", output, "--draws", "60", "--seed", "4", "--data-dir", data_dir)
    assert run("portfolio", folder, *reseeded).returncode == 0 and {row["status"] for row in summary_rows(output)} == {"planned"}
    assert run("portfolio", folder, *reseeded, "--force").returncode == 0 and {row["status"] for row in summary_rows(output)} == {"planned"}


def test_killed_run_resumes(tmp_path: Path, data_dir: Path) -> None:
    folder, output = made_up_practices(tmp_path / "in", 8, data_dir), tmp_path / "out"
    command = [sys.executable, "-m", "optimizer", "portfolio", str(folder), "--output-dir", str(output), "--jobs", "1", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0"},
    )
    try:
        wait_for_reports(output, 3, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the command and its workers, as a power cut would
        process.wait()
    done = {path.stem for path in state_files(output)}
    assert 3 <= len(done) < 8, done
    assert not (output / "summary.csv").exists()
    for name in done:  # whatever was recorded is whole
        json.loads((output / ".portfolio" / f"{name}.json").read_text(encoding="utf-8"))
        assert (output / "practices" / f"{name}.md").is_file()

    resumed = run("portfolio", folder, "--output-dir", output, "--jobs", "1", "--data-dir", data_dir, environment={"MIPS_OPTIMIZER_PROGRESS": ""})
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert f"{len(done)} of 8 practices unchanged" in resumed.stderr.decode()
    rows = by_file(summary_rows(output))
    assert {stem for stem, row in rows.items() if row["status"] == "unchanged"} == done
    assert not list(output.rglob("*.part"))
    fresh = run("portfolio", folder, "--output-dir", tmp_path / "fresh", "--jobs", "2", "--data-dir", data_dir)
    assert fresh.returncode == 0
    expected = by_file(summary_rows(tmp_path / "fresh"))
    for stem, row in rows.items():
        assert {name: row[name] for name in (*NUMBERS, "gain_dollars", "rank")} == {name: expected[stem][name] for name in (*NUMBERS, "gain_dollars", "rank")}
        assert (output / "practices" / f"{stem}.md").read_bytes() == (tmp_path / "fresh" / "practices" / f"{stem}.md").read_bytes()


def test_a_worker_killed_mid_run_costs_nothing(tmp_path: Path, data_dir: Path) -> None:
    """A worker process dies (as the kernel's out-of-memory killer would kill it): the practices it was
    planning are planned again, one at a time, and only one that kills its worker alone would fail."""
    psutil = pytest.importorskip("psutil", reason="psutil comes with Dask distributed, in the test extra")
    folder, output = made_up_practices(tmp_path / "in", 8, data_dir), tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "portfolio", str(folder), "--output-dir", str(output), "--jobs", "2", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0"},
    )
    wait_for_reports(output, 1, process)
    server = [child for child in psutil.Process(process.pid).children() if "forkserver" in " ".join(child.cmdline())]
    workers = server[0].children() if server else []
    assert workers and process.poll() is None, "no worker to kill: the run ended too soon"
    workers[0].kill()
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr.decode()
    assert {row["status"] for row in summary_rows(output)} == {"planned"} and len(summary_rows(output)) == 8


def test_names_from_other_people_stay_text(tmp_path: Path, data_dir: Path) -> None:
    folder = copy_examples(tmp_path / "in", ("maple-street-internal-medicine",))
    hostile = "=HYPERLINK(\"http://x.invalid\")<script>|x"
    text = (folder / "maple-street-internal-medicine.toml").read_text(encoding="utf-8")
    text = re.sub(r'^title = ".*"$', f"title = {json.dumps(hostile)}", text, flags=re.M)
    (folder / "maple-street-internal-medicine.toml").write_text(text, encoding="utf-8")
    output = tmp_path / "out"
    assert run("portfolio", folder, "--output-dir", output, *DRAWS, "--data-dir", data_dir).returncode == 0
    raw = (output / "summary.csv").read_text(encoding="utf-8")
    assert next(csv.DictReader(io.StringIO(raw)))["practice"] == "'" + hostile
    cell = load_workbook(output / "summary.xlsx").active["B4"]  # the first practice's name, under the title, note and header
    assert cell.value == hostile and cell.data_type == "s" and cell.quotePrefix
    assert "<script>" not in (output / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<script>", (output / "summary.md").read_text(encoding="utf-8"))  # escaped: \<script>


def test_same_file_names_in_two_folders_get_two_reports(tmp_path: Path, data_dir: Path) -> None:
    first = copy_examples(tmp_path / "one", ("maple-street-internal-medicine",))
    second = copy_examples(tmp_path / "two", ("maple-street-internal-medicine",))
    output = tmp_path / "out"
    result = run("portfolio", first, second / "maple-street-internal-medicine.toml", first, "--output-dir", output, *DRAWS, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()
    rows = summary_rows(output)
    assert len(rows) == 2 and len({row["report"] for row in rows}) == 2
    assert len(list((output / "practices").iterdir())) == 2


def test_progress_plain_lines_off_a_terminal(planned) -> None:
    _, _, result = planned
    lines = [line for line in result.stderr.decode().splitlines() if " practices [" in line]
    assert lines and all(re.fullmatch(r"mips-optimizer: \d+/6 practices \[\S+ elapsed, \S+ left, .*\](, 1 failed)?", line) for line in lines), lines
    assert lines[-1].startswith("mips-optimizer: 6/6 practices") and "\r" not in result.stderr.decode()


def test_progress_bar_on_a_terminal(tmp_path: Path, data_dir: Path) -> None:
    folder = copy_examples(tmp_path / "in", ("maple-street-internal-medicine", "heartland-cardiology"))
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "optimizer", "portfolio", str(folder), "--output-dir", str(tmp_path / "bar"), *DRAWS, "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, stderr=terminal, env={**os.environ, "MIPS_OPTIMIZER_PROGRESS": ""},
        )
        os.close(terminal)
        stdout, _ = process.communicate(timeout=600)
        drawn = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(controller)
    assert process.returncode == 0 and stdout.startswith(b"# MIPS portfolio summary")
    assert b"\r" in drawn and b"2/2" in drawn and (b"practice/s" in drawn or b"s/practice" in drawn), drawn


def test_usage_errors(tmp_path: Path, data_dir: Path, one_error_line) -> None:
    assert run("portfolio", SCENARIOS, "--output-dir", tmp_path / "out", "--jobs", "0").returncode == 2
    assert run("portfolio", SCENARIOS, "--output-dir", tmp_path / "out", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1").returncode == 2
    one_error_line(run("portfolio", tmp_path / "nowhere", "--output-dir", tmp_path / "out"), "nowhere", "no such file or folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    one_error_line(run("portfolio", empty, "--output-dir", tmp_path / "out"), "no scenario files")
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    one_error_line(run("portfolio", SCENARIOS, "--output-dir", a_file), "is not a folder")
    one_error_line(run("portfolio", SCENARIOS, "--output-dir", tmp_path / "out", "--seed", "-1"), "seed")


def test_dask_cluster_gives_the_local_summary(planned, tmp_path: Path, data_dir: Path) -> None:
    """CI runs this against a LocalCluster of two worker processes on the machine."""
    distributed = pytest.importorskip("distributed", reason="Dask distributed is in the test extra: pip install -e '.[test]'")
    folder, local, _ = planned
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        remote = run(
            "portfolio", folder, "--output-dir", tmp_path / "dask", "--format", "json", *DRAWS, "--data-dir", data_dir,
            "--scheduler", cluster.scheduler_address,
        )
    assert remote.returncode == 4, remote.stderr.decode()
    assert (tmp_path / "dask" / "summary.csv").read_bytes() == (local / "summary.csv").read_bytes()
    for report in (local / "practices").iterdir():
        assert (tmp_path / "dask" / "practices" / report.name).read_bytes() == report.read_bytes()
    # Dask's own connect timeout (its configuration, here from the environment) bounds the wait
    unreachable = run(
        "portfolio", folder, "--output-dir", tmp_path / "none", "--scheduler", "tcp://127.0.0.1:9",
        environment={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}, timeout=120,
    )
    assert unreachable.returncode == 1 and b"cannot connect to the Dask scheduler" in unreachable.stderr


def test_quality_work_on_request_is_plans_report_and_replans(tmp_path: Path, data_dir: Path) -> None:
    """`portfolio --quality-work` writes what `plan` writes with its care-gap section (byte for byte, the
    date fixed by SOURCE_DATE_EPOCH), and asking for it changes the input hash: the practice is planned
    again, not skipped as unchanged."""
    folder = copy_examples(tmp_path / "in", ("maple-street-internal-medicine",))
    output = tmp_path / "out"
    dated = {"SOURCE_DATE_EPOCH": "1796601600"}  # 2026-12-07
    first = run("portfolio", folder, "--output-dir", output, "--format", "json", *DRAWS, "--data-dir", data_dir, environment=dated)
    assert first.returncode == 0, first.stderr.decode()
    report = output / "practices" / "maple-street-internal-medicine.json"
    assert json.loads(report.read_text(encoding="utf-8"))["quality_work"] is None
    again = run(
        "portfolio", folder, "--output-dir", output, "--format", "json", "--quality-work", *DRAWS, "--data-dir", data_dir,
        environment=dated,
    )
    assert again.returncode == 0, again.stderr.decode()
    assert by_file(summary_rows(output))["maple-street-internal-medicine"]["status"] == "planned"
    alone = tmp_path / "plan.json"
    single = run(
        "plan", folder / "maple-street-internal-medicine.toml", "--format", "json", *DRAWS, "--data-dir", data_dir, "--output", alone,
        environment=dated,
    )
    assert single.returncode == 0, single.stderr.decode()
    assert report.read_bytes() == alone.read_bytes()
    assert json.loads(alone.read_text(encoding="utf-8"))["quality_work"]["measures"]
