"""``mips-optimizer data fetch`` / ``data show`` through the real command line.

Most tests call ``optimizer.cli.main([...])`` in-process and read stdout/stderr with capsys; one
runs the installed console script (and ``python -m optimizer``) in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.catalog.manifest import read_manifest
from optimizer.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_row(output: str, collection_type: str) -> str:
    """The benchmark-table line of one collection type in ``data show --measure`` output."""
    rows = [line for line in output.splitlines() if line.startswith(f"| {collection_type} |")]
    assert len(rows) == 1, f"expected one {collection_type} row in:\n{output}"
    return rows[0]


def test_fetch_from_local_copy(capsys: pytest.CaptureFixture[str], cms_source: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    code, out, err = run(capsys, "data", "fetch", "2026", "--from", str(cms_source), "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    for item in read_manifest(2026).files:
        assert item.path in out
        assert (data_dir / "CMSgov" / "qpp-measures-data" / "v11.1.0" / item.path).is_file()
    assert out.count("fetched") == len(read_manifest(2026).files)
    assert "every file matches its recorded SHA-256" in out

    code, out, err = run(capsys, "data", "fetch", "2026", "--from", str(cms_source), "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert out.count("already verified") == len(read_manifest(2026).files)


def test_fetch_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "data", "fetch", "2026", "--from", str(tmp_path / "missing"), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and out == ""
    assert err.startswith("mips-optimizer: error: ") and err.count("\n") == 1
    assert "no such folder" in err

    code, out, err = run(capsys, "data", "fetch", "2023", "--data-dir", str(tmp_path / "d"))
    assert code == 1 and err.count("\n") == 1
    assert "2024, 2025, 2026" in err


def test_show_236(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--measure", "236", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert "Controlling High Blood Pressure" in out
    assert "45.28" in table_row(out, "ecqm")
    mips_cqm = table_row(out, "mips_cqm")
    assert "flat" in mips_cqm
    assert "| 1.00 | 10.00 | 20.00 |" in mips_cqm


def test_show_134_cap_on_claims_and_mips_cqm_only(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--measure", "134", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert "7-point cap" in table_row(out, "medicare_part_b_claims")
    assert "7-point cap" in table_row(out, "mips_cqm")
    assert "7-point cap" not in table_row(out, "ecqm")
    assert out.count("7-point cap") == 2


def test_show_mvp(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--mvp", "M0005", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert out.startswith("# M0005:")
    assert "| 236 | Controlling High Blood Pressure |" in out
    assert "TPCC_1" in out


def test_show_search(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--search", "blood pressure", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert "| 236 | quality | Controlling High Blood Pressure |" in out


def test_show_summary(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    assert "- Quality measures: 405" in out
    assert "- Benchmark rows: 293" in out


def test_show_unknown_measure(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--measure", "NOPE", "--data-dir", str(data_dir))
    assert code == 1
    assert out == ""
    assert err.startswith("mips-optimizer: error: NOPE") and err.count("\n") == 1


def test_show_reads_the_bundle_and_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Nothing fetched: the bundled tables answer, and the output names them as its source.
    code, out, err = run(capsys, "data", "show", "2025", "--measure", "236", "--data-dir", str(tmp_path / "empty"))
    assert (code, err) == (0, "")
    assert out.startswith("# 236: Controlling High Blood Pressure (2025)")
    assert out.rstrip().endswith("Source: bundled tables benchmarks_data/2025 (built from CMSgov/qpp-measures-data v11.1.0, commit 53ab077b64df).")
    code, out, err = run(capsys, "data", "show", "2026", "--data-dir", str(tmp_path / "empty"))
    assert (code, err) == (0, "")
    assert "Source: bundled tables benchmarks_data/2026" in out


def test_show_prefers_fetched_files_and_says_so(capsys: pytest.CaptureFixture[str], fetched_dir: Path) -> None:
    code, out, err = run(capsys, "data", "show", "2026", "--measure", "236", "--data-dir", str(fetched_dir))
    assert (code, err) == (0, "")
    folder = fetched_dir / "CMSgov" / "qpp-measures-data" / "v11.1.0"
    assert f"Source: fetched files in {folder} (CMSgov/qpp-measures-data v11.1.0, every file SHA-256 verified)." in out
    assert "45.28" in table_row(out, "ecqm")


def _console_script() -> str | None:
    beside = Path(sys.executable).parent / "mips-optimizer"
    return str(beside) if beside.is_file() else shutil.which("mips-optimizer")


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_real_command_in_a_subprocess(how: str, data_dir: Path, tmp_path: Path) -> None:
    if how == "console-script":
        script = _console_script()
        if script is None:
            pytest.skip("the mips-optimizer console script is not installed (python3 -m pip install -e .)")
        command = [script]
    else:
        command = [sys.executable, "-m", "optimizer"]
    environment = {key: value for key, value in os.environ.items() if key != "MIPS_OPTIMIZER_DATA_DIR"}

    shown = subprocess.run(
        [*command, "data", "show", "2026", "--measure", "236", "--data-dir", str(data_dir)],
        capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=120, check=False,
    )
    assert (shown.returncode, shown.stderr) == (0, "")
    assert "45.28" in shown.stdout

    failed = subprocess.run(
        [*command, "data", "show", "2026", "--mvp", "NOPE", "--data-dir", str(data_dir)],
        capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=120, check=False,
    )
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("mips-optimizer: error: NOPE: no such MVP")
    assert failed.stderr.count("\n") == 1
