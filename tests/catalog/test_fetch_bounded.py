"""``data fetch`` does bounded work whatever the source sends, through the real CLI (issue 10).

As in ``test_fetch.py``, nothing is mocked: a ``ThreadingHTTPServer`` on 127.0.0.1 serves a copy
of the CMS files laid out like upstream, with handlers that misbehave the way the issue's probes
did — a body far larger than recorded (announced, or sent without a length), a byte every two
seconds, a redirect loop — and ``mips-optimizer data fetch`` runs in a subprocess against it.
A local copy whose file is a 3 GiB sparse file is read no further than the recorded size plus one
byte. A fetch killed with SIGKILL leaves its staging folder; the next fetch removes it, but never
the staging folder of a fetch still running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from optimizer.catalog.fetch import STAGING_PREFIX
from optimizer.catalog.manifest import read_manifest
from test_fetch import QuietHandler, http_server, snapshot

MEASURES = read_manifest(2026).files[0]
"""The first file fetched (measures/2026/measures-data.json); every misbehaving handler serves it."""


def upstream_copy(cms_source: Path, destination: Path, year: int) -> Path:
    """The manifest's real files of ``year`` (the CLI fetches with the project's manifest), laid out like upstream."""
    for item in read_manifest(year).files:
        target = destination / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cms_source / item.path, target)
    return destination


class MisbehavingHandler(QuietHandler):
    """Serves the manifest's files, except the first, which it serves as ``how`` says."""

    how = "normal"

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if not self.path.endswith(MEASURES.path):
            super().do_GET()
            return
        try:
            getattr(self, f"_{self.how}")()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _announce_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(MEASURES.size * 1000))
        self.end_headers()
        self.wfile.write(b"[" * 65536)

    def _endless(self) -> None:
        self.protocol_version = "HTTP/1.0"  # no length: the body ends when the connection does
        self.send_response(200)
        self.end_headers()
        for _ in range(100_000):  # 6.5 GB unless the client stops reading
            self.wfile.write(b" " * 65536)

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(MEASURES.size))
        self.end_headers()
        for _ in range(600):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(2)

    def _redirect_loop(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()


def handler(how: str) -> type[MisbehavingHandler]:
    return type(f"{how}_handler", (MisbehavingHandler,), {"how": how})


@pytest.fixture
def served(cms_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return upstream_copy(cms_source, tmp_path / "served", 2026)


def fetch(cli, source: str | Path, data_dir: Path, *extra: str):
    return cli("data", "fetch", "2026", "--from", source, "--data-dir", data_dir, *extra, timeout=120)


def test_a_body_announcing_more_than_recorded_is_refused_before_it_is_read(served: Path, tmp_path: Path, cli, one_error_line) -> None:
    with http_server(served, handler("announce_huge")) as base_url:
        one_error_line(fetch(cli, base_url, tmp_path / "data"), MEASURES.path, f"announces {MEASURES.size * 1000} bytes", f"recorded {MEASURES.size} bytes")
    assert not list((tmp_path / "data").rglob("*.json"))


def test_an_endless_body_is_read_only_to_the_recorded_size_plus_one(served: Path, tmp_path: Path, cli, one_error_line) -> None:
    with http_server(served, handler("endless")) as base_url:
        one_error_line(fetch(cli, base_url, tmp_path / "data"), MEASURES.path, f"more than {MEASURES.size} bytes")


def test_a_server_sending_a_byte_every_two_seconds_fails_at_the_deadline(served: Path, tmp_path: Path, cli, one_error_line) -> None:
    """The old per-read timeout was renewed by every byte (days for a 7 MB file); the deadline
    covers the whole download."""
    with http_server(served, handler("drip")) as base_url:
        started = time.monotonic()
        result = fetch(cli, base_url, tmp_path / "data", "--timeout", "3")
        elapsed = time.monotonic() - started
    one_error_line(result, MEASURES.path, "did not finish within 3 s")
    assert 3 <= elapsed < 3 + 10  # the deadline, plus the CLI's start-up on a busy machine


def test_a_redirect_loop_is_one_line(served: Path, tmp_path: Path, cli, one_error_line) -> None:
    with http_server(served, handler("redirect_loop")) as base_url:
        one_error_line(fetch(cli, base_url, tmp_path / "data"), MEASURES.path, "too many redirects")


def test_a_huge_local_file_is_read_only_to_the_recorded_size_plus_one(cms_source: Path, tmp_path: Path, cli, one_error_line) -> None:
    copy = upstream_copy(cms_source, tmp_path / "copy", 2026)
    with open(copy / MEASURES.path, "r+b") as stream:
        stream.truncate(3 << 30)  # 3 GiB, sparse: reading it whole would need 3 GiB of memory
    one_error_line(fetch(cli, copy, tmp_path / "data"), MEASURES.path, f"more than {MEASURES.size} bytes")


def test_a_local_fifo_is_refused(cms_source: Path, tmp_path: Path, cli, one_error_line) -> None:
    copy = upstream_copy(cms_source, tmp_path / "copy", 2026)
    (copy / MEASURES.path).unlink()
    os.mkfifo(copy / MEASURES.path)  # reading it would wait forever
    one_error_line(fetch(cli, copy, tmp_path / "data"), MEASURES.path, "not a regular file")


def start_dripping_fetch(base_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A fetch stuck in the dripping download, and its staging folder once it exists."""
    process = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "data", "fetch", "2026", "--from", base_url, "--data-dir", str(data_dir), "--timeout", "120"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        staging = list(data_dir.glob(f"{STAGING_PREFIX}*"))
        if staging:
            return process, staging[0]
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the fetch never made its staging folder")


def test_the_next_fetch_cleans_up_after_a_killed_one(served: Path, cms_source: Path, tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    with http_server(served, handler("drip")) as base_url:
        process, staging = start_dripping_fetch(base_url, data)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert staging.is_dir()  # what a killed fetch leaves behind
    result = fetch(cli, cms_source, data)
    assert result.returncode == 0, result.stderr.decode()
    assert not list(data.glob(f"{STAGING_PREFIX}*"))


def test_a_running_fetch_keeps_its_staging_folder(served: Path, cms_source: Path, tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    with http_server(served, handler("drip")) as base_url:
        process, staging = start_dripping_fetch(base_url, data)
        try:
            result = fetch(cli, cms_source, data, "--force")
            assert result.returncode == 0, result.stderr.decode()
            assert staging.is_dir()  # still the running fetch's
            assert process.poll() is None
        finally:
            process.kill()
            process.wait(timeout=30)
    assert len([path for path, content in snapshot(data).items() if content is not None and path.endswith(".json")]) == len(read_manifest(2026).files)
