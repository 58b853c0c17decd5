"""``--output`` never destroys anything, through the real CLI (issue 10).

A report is never written over the run's own inputs (the scenario, its baseline, the year-to-date
table — also through a symlink or a hard link), nor onto anything but a new path or a regular file
(a device, a FIFO, a folder, a symlink to a folder). An existing report keeps its permission bits.
A file system that fails the write — full (a real 256 KiB tmpfs, filled), over the process's file
size limit, read-only (a real read-only mount), a name longer than 255 bytes — ends in one line,
exit 1, and the old file exactly as it was, with no temporary file left. A reader that goes away
(``| head``) ends the run quietly with 141, the status of a program stopped by SIGPIPE.

The mount tests need root and ``unshare`` (a private mount namespace, so nothing outlives the
test); without them they are skipped and say so.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"
OLD = b"the consultant's old report\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    for source in (BASE, BASELINE, YEAR_TO_DATE):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def score(cli, folder: Path, data_dir: Path, output: str | Path, **options):
    return cli("score", BASE.name, "--data-dir", data_dir, "--output", output, cwd=folder, **options)


def no_temporary_files(folder: Path) -> bool:
    return not [entry.name for entry in folder.iterdir() if entry.name.endswith(".part")]


# ----------------------------------------------------------------------------- the run's inputs


@pytest.mark.parametrize("target", ["scenario", "baseline", "symlink to the scenario", "hard link to the baseline"])
def test_output_onto_an_input_is_refused(target: str, folder: Path, data_dir: Path, cli, one_error_line) -> None:
    if target == "symlink to the scenario":
        (folder / "link.md").symlink_to(folder / BASE.name)
        output, protected = "link.md", folder / BASE.name
    elif target == "hard link to the baseline":
        os.link(folder / BASELINE.name, folder / "hard.md")
        output, protected = "hard.md", folder / BASELINE.name
    else:
        protected = folder / (BASE.name if target == "scenario" else BASELINE.name)
        output = protected.name
    before = protected.read_bytes()
    one_error_line(score(cli, folder, data_dir, output), "is this run's input", protected.name)
    assert protected.read_bytes() == before
    assert no_temporary_files(folder)


def test_output_onto_the_year_to_date_table_is_refused(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    before = (folder / YEAR_TO_DATE.name).read_bytes()
    result = cli(
        "swap", BASE.name, "--ytd", YEAR_TO_DATE.name, "--draws", "10", "--data-dir", data_dir, "--output", f"./{YEAR_TO_DATE.name}", cwd=folder
    )
    one_error_line(result, "is this run's input", YEAR_TO_DATE.name)
    assert (folder / YEAR_TO_DATE.name).read_bytes() == before


# ----------------------------------------------------------------------------- not a regular file


@pytest.mark.parametrize("kind", ["device", "FIFO", "folder", "symlink to a folder"])
def test_output_onto_anything_but_a_regular_file_is_refused(kind: str, folder: Path, data_dir: Path, cli, one_error_line) -> None:
    if kind == "device":
        output = Path(os.devnull)
    elif kind == "FIFO":
        output = folder / "fifo"
        os.mkfifo(output)
    else:
        (folder / "reports").mkdir()
        output = folder / "reports"
        if kind == "symlink to a folder":
            output = folder / "reports-link"
            output.symlink_to(folder / "reports")
    mode = os.stat(output).st_mode
    word = {"device": "a device", "FIFO": "a FIFO (named pipe)", "folder": "a folder", "symlink to a folder": "a folder"}[kind]
    one_error_line(score(cli, folder, data_dir, output), f"is {word}, not a file")
    assert stat.S_IFMT(os.stat(output).st_mode) == stat.S_IFMT(mode)
    if kind != "device":
        assert no_temporary_files(folder) and no_temporary_files(folder / "reports" if kind != "FIFO" else folder)


# ----------------------------------------------------------------------------- permissions, links, names


def test_an_existing_report_keeps_its_mode_and_a_new_one_follows_the_umask(folder: Path, data_dir: Path, cli) -> None:
    existing = folder / "private.md"
    existing.write_bytes(OLD)
    existing.chmod(0o600)
    result = score(cli, folder, data_dir, existing)
    assert result.returncode == 0, result.stderr.decode()
    assert existing.read_bytes() != OLD
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    result = score(cli, folder, data_dir, "new.md", preexec_fn=lambda: os.umask(0o027))
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE((folder / "new.md").stat().st_mode) == 0o666 & ~0o027


def test_a_symlink_to_a_report_is_followed_and_stays_a_symlink(folder: Path, data_dir: Path, cli) -> None:
    (folder / "reports").mkdir()
    (folder / "reports" / "2026.md").write_bytes(OLD)
    (folder / "latest.md").symlink_to(folder / "reports" / "2026.md")
    result = score(cli, folder, data_dir, "latest.md")
    assert result.returncode == 0, result.stderr.decode()
    assert (folder / "latest.md").is_symlink()
    assert (folder / "reports" / "2026.md").read_bytes().startswith(b"# MIPS 2026 score")


def test_a_255_byte_name_is_written_and_a_longer_one_is_one_line(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    name = "r" * 252 + ".md"  # the longest name most file systems allow
    result = score(cli, folder, data_dir, name)
    assert result.returncode == 0, result.stderr.decode()
    assert (folder / name).read_bytes().startswith(b"# MIPS 2026 score")
    one_error_line(score(cli, folder, data_dir, "r" + name), "File name too long", "nothing was changed")
    assert no_temporary_files(folder)


# ----------------------------------------------------------------------------- failing file systems


def test_a_write_over_the_file_size_limit_is_one_line_and_the_old_file_stays(folder: Path, data_dir: Path, cli, one_error_line) -> None:
    """RLIMIT_FSIZE makes the write fail with EFBIG halfway through, as a quota would."""
    (folder / "report.md").write_bytes(OLD)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))  # the report is about 5 kB

    one_error_line(score(cli, folder, data_dir, "report.md", preexec_fn=limit_file_size), "report.md", "File too large")
    assert (folder / "report.md").read_bytes() == OLD
    assert no_temporary_files(folder)


def _mount_namespace_available() -> str | None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "needs root and unshare (a private mount namespace for a tmpfs)"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return None if probe.returncode == 0 else f"unshare -m failed: {probe.stderr.decode().strip()}"


MOUNT_UNAVAILABLE = _mount_namespace_available()


def in_a_private_tmpfs(folder: Path, data_dir: Path, prepare: str) -> subprocess.CompletedProcess[bytes]:
    """Mount a 256 KiB tmpfs at ``folder/mnt`` in a private mount namespace, put the old report in
    it, run ``prepare`` (shell), then ``score --output mnt/report.md``; print the exit code, the old
    file and the folder listing after it."""
    script = f"""
set -u
mount -t tmpfs -o size=256k tmpfs mnt
printf %s "$OLD" > mnt/report.md
{prepare}
"$PYTHON" -m optimizer score "$SCENARIO" --data-dir "$DATA" --output mnt/report.md
echo "exit=$?"
cat mnt/report.md
ls -A mnt
"""
    (folder / "mnt").mkdir()
    environment = {
        **os.environ, "OLD": OLD.decode(), "PYTHON": sys.executable, "SCENARIO": BASE.name, "DATA": str(data_dir), "MIPS_OPTIMIZER_PROGRESS": "0",
    }
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=folder, env=environment, capture_output=True, timeout=300, check=False)


@pytest.mark.skipif(MOUNT_UNAVAILABLE is not None, reason=str(MOUNT_UNAVAILABLE))
@pytest.mark.parametrize(
    ("prepare", "reason", "left"),
    [
        ("dd if=/dev/zero of=mnt/filler bs=1024 2>/dev/null || true", "No space left on device", "filler\nreport.md\n"),
        ("mount -o remount,ro mnt", "Read-only file system", "report.md\n"),
    ],
    ids=["full disk", "read-only folder"],
)
def test_a_failing_file_system_is_one_line_and_the_old_file_stays(prepare: str, reason: str, left: str, folder: Path, data_dir: Path) -> None:
    result = in_a_private_tmpfs(folder, data_dir, prepare)
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert stderr.startswith(f"mips-optimizer: error: mnt/report.md: cannot write the report ({reason})"), stderr
    assert stderr.count("\n") == 1
    assert stdout == f"exit=1\n{OLD.decode()}{left}"  # the old report, and no temporary file


# ----------------------------------------------------------------------------- a reader that goes away


@pytest.mark.parametrize("arguments", [["score", BASE.name], ["data", "show", "2026", "--search", "blood pressure"]])
def test_a_closed_pipe_ends_quietly(arguments: list[str], folder: Path, data_dir: Path) -> None:
    """``mips-optimizer … | head`` with head gone before the report is written: no traceback, no
    "Exception ignored … BrokenPipeError", exit 141 (128 + SIGPIPE, what the shell shows for a
    program SIGPIPE stops)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "optimizer", *arguments, "--data-dir", str(data_dir)],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before anything is written
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 141
    assert stderr == b""
