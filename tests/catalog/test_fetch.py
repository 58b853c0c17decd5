"""``fetch_year`` against real sources: the local copy, and a real HTTP server on 127.0.0.1.

Nothing is mocked: the HTTP tests start a ``ThreadingHTTPServer`` on a free port serving a tmp
copy of the CMS files laid out like the upstream repository, then break that copy (a removed
file, a changed byte, a connection dropped mid-body) and check that the fetch fails with a
one-line :class:`DataError` naming the file and leaves the cache exactly as it was.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from optimizer.catalog.fetch import fetch_year
from optimizer.catalog.locations import cached_path
from optimizer.catalog.manifest import ManifestFile, known_years, read_manifest
from optimizer.catalog.read import read_catalog
from optimizer.catalog.verify import sha256_of, verify_content
from optimizer.errors import DataError

YEARS = (2024, 2025, 2026)


# ----------------------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: relative path → file bytes (None for a folder)."""
    if not folder.exists():
        return {}
    return {
        entry.relative_to(folder).as_posix(): (entry.read_bytes() if entry.is_file() else None)
        for entry in sorted(folder.rglob("*"))
    }


def assert_no_staging(folder: Path) -> None:
    leftovers = sorted(str(entry) for entry in folder.rglob(".staging-*")) if folder.exists() else []
    assert leftovers == [], f"staging folders left behind: {leftovers}"


def upstream_copy(cms_source: Path, destination: Path, year: int) -> Path:
    """Copy the manifest's files of ``year`` into ``destination``, laid out like the upstream repository."""
    for item in read_manifest(year).files:
        target = destination / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cms_source / item.path, target)
    return destination


def change_one_byte(path: Path) -> None:
    """Change one byte in the middle of a file, keeping its size."""
    data = bytearray(path.read_bytes())
    position = len(data) // 2
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    path.write_bytes(bytes(data))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class DroppingHandler(QuietHandler):
    """Serves files normally, except ``DROP_SUFFIX``: it announces more bytes than it sends, then closes."""

    DROP_SUFFIX = "benchmarks/2026.json"

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if not self.path.endswith(self.DROP_SUFFIX):
            super().do_GET()
            return
        body = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True


@contextmanager
def http_server(folder: Path, handler: type[http.server.BaseHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a background thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served_2026(cms_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp copy of the 2026 files laid out like upstream (tests break it before serving it)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return upstream_copy(cms_source, tmp_path / "served", 2026)


@pytest.fixture
def good_cache_2026(cms_source: Path, tmp_path: Path) -> Path:
    """A data folder holding a verified 2026 import (the cache a failed fetch must not disturb)."""
    folder = tmp_path / "data"
    fetch_year(2026, source=str(cms_source), data_dir=folder)
    return folder


# ----------------------------------------------------------------------------- the local copy


@pytest.mark.parametrize("year", YEARS)
def test_import_from_local_copy_then_already_verified_then_force(cms_source: Path, tmp_path: Path, year: int) -> None:
    manifest = read_manifest(year)
    data_dir = tmp_path / "data"

    first = fetch_year(year, source=str(cms_source), data_dir=data_dir)
    assert [result.path for result in first] == [item.path for item in manifest.files]
    assert {result.action for result in first} == {"fetched"}
    for result, item in zip(first, manifest.files, strict=True):
        assert result.cached_at == cached_path(manifest, item.path, data_dir)
        # Under <data dir>/CMSgov/qpp-measures-data/v11.1.0/<path>, byte for byte the source file.
        assert result.cached_at == data_dir / "CMSgov" / "qpp-measures-data" / "v11.1.0" / item.path
        assert result.cached_at.read_bytes() == (cms_source / item.path).read_bytes()
        assert sha256_of(result.cached_at.read_bytes()) == item.sha256

    second = fetch_year(year, source=str(cms_source), data_dir=data_dir)
    assert [(result.path, result.action) for result in second] == [(item.path, "already verified") for item in manifest.files]

    forced = fetch_year(year, source=str(cms_source), data_dir=data_dir, force=True)
    assert [(result.path, result.action) for result in forced] == [(item.path, "fetched") for item in manifest.files]
    assert_no_staging(data_dir)


def test_local_copy_missing_a_file_leaves_the_cache_alone(cms_source: Path, tmp_path: Path, good_cache_2026: Path) -> None:
    partial = upstream_copy(cms_source, tmp_path / "partial", 2026)
    (partial / "mvp" / "2026" / "mvp.json").unlink()
    before = snapshot(good_cache_2026)

    with pytest.raises(DataError) as failure:
        fetch_year(2026, source=str(partial), data_dir=good_cache_2026, force=True)

    message = str(failure.value)
    assert "\n" not in message
    assert "mvp/2026/mvp.json" in message and "missing from the local copy" in message
    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


def test_missing_from_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-copy"
    with pytest.raises(DataError, match="no such folder") as failure:
        fetch_year(2026, source=str(missing), data_dir=tmp_path / "data")
    assert str(missing) in str(failure.value)
    assert snapshot(tmp_path / "data") == {}


# ----------------------------------------------------------------------------- a real HTTP server


def test_fetch_over_http(cms_source: Path, served_2026: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with http_server(served_2026) as base_url:
        results = fetch_year(2026, source=base_url, data_dir=data_dir)
        again = fetch_year(2026, source=base_url, data_dir=data_dir)

    manifest = read_manifest(2026)
    assert [(result.path, result.action) for result in results] == [(item.path, "fetched") for item in manifest.files]
    assert {result.action for result in again} == {"already verified"}
    for result in results:
        assert result.cached_at.read_bytes() == (cms_source / result.path).read_bytes()
    assert len(read_catalog(2026, data_dir=data_dir).quality_measures) > 0
    assert_no_staging(data_dir)


def test_http_404_names_the_url_and_leaves_the_cache_as_it_was(served_2026: Path, good_cache_2026: Path) -> None:
    # The served copy lacks the second file of the manifest, so the first has already been staged.
    (served_2026 / "benchmarks" / "2026.json").unlink()
    before = snapshot(good_cache_2026)
    assert len([path for path, content in before.items() if content is not None]) == len(read_manifest(2026).files)

    with http_server(served_2026) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True)

    message = str(failure.value)
    assert "\n" not in message
    assert f"{base_url}/benchmarks/2026.json" in message
    assert "404" in message
    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


def test_http_404_with_no_cache_caches_nothing(served_2026: Path, tmp_path: Path) -> None:
    (served_2026 / "benchmarks" / "2026" / "benchmark-exclusion-reasons.json").unlink()
    data_dir = tmp_path / "data"

    with http_server(served_2026) as base_url, pytest.raises(DataError, match="benchmark-exclusion-reasons.json"):
        fetch_year(2026, source=base_url, data_dir=data_dir)

    # The earlier files downloaded fine, yet none of them reached the cache.
    assert [path for path, content in snapshot(data_dir).items() if content is not None] == []
    assert_no_staging(data_dir)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (change_one_byte, "SHA-256"),
        (lambda path: path.write_bytes(path.read_bytes() + b"\n"), "bytes"),
    ],
    ids=["changed-byte", "extra-byte"],
)
def test_http_damaged_file_is_refused_and_nothing_cached(served_2026: Path, tmp_path: Path, damage, expected: str) -> None:
    damage(served_2026 / "mvp" / "2026" / "mvp.json")
    data_dir = tmp_path / "data"

    with http_server(served_2026) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=data_dir)

    message = str(failure.value)
    assert "\n" not in message
    assert expected in message
    assert "mvp/2026/mvp.json" in message
    assert [path for path, content in snapshot(data_dir).items() if content is not None] == []
    assert_no_staging(data_dir)


def test_http_changed_byte_does_not_replace_a_good_cache(served_2026: Path, good_cache_2026: Path) -> None:
    change_one_byte(served_2026 / "measures" / "2026" / "measures-data.json")
    before = snapshot(good_cache_2026)

    with http_server(served_2026) as base_url, pytest.raises(DataError, match="SHA-256.*measures/2026/measures-data.json"):
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True)

    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


def test_http_dropped_connection_leaves_the_cache_as_it_was(served_2026: Path, good_cache_2026: Path) -> None:
    before = snapshot(good_cache_2026)

    with http_server(served_2026, DroppingHandler) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True)

    message = str(failure.value)
    assert "\n" not in message
    assert f"{base_url}/benchmarks/2026.json" in message
    assert "download failed" in message
    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


# ----------------------------------------------------------------------------- verify_content


def test_verify_content_refuses_invalid_json_even_with_matching_checksum() -> None:
    broken = b'{"measureId": "236", "title": '
    item = ManifestFile(role="measures", path="measures/2026/broken.json", sha256=sha256_of(broken), size=len(broken))
    with pytest.raises(DataError, match="not valid JSON") as failure:
        verify_content(broken, item, "some/label/broken.json")
    assert str(failure.value).startswith("some/label/broken.json: ")
    assert "\n" not in str(failure.value)


def test_verify_content_accepts_the_recorded_file() -> None:
    good = b'[{"measureId": "236"}]'
    verify_content(good, ManifestFile(role="measures", path="m.json", sha256=sha256_of(good), size=len(good)), "m.json")


# ----------------------------------------------------------------------------- a tampered cache


def test_tampered_cache_is_refused_on_read_and_refetched(cms_source: Path, good_cache_2026: Path) -> None:
    manifest = read_manifest(2026)
    tampered = cached_path(manifest, "benchmarks/2026.json", good_cache_2026)
    change_one_byte(tampered)

    with pytest.raises(DataError) as failure:
        read_catalog(2026, data_dir=good_cache_2026)
    message = str(failure.value)
    assert "\n" not in message
    assert str(tampered) in message
    assert "data fetch 2026 --force" in message

    # Without --force, fetch notices the file no longer verifies and fetches only that one again.
    results = fetch_year(2026, source=str(cms_source), data_dir=good_cache_2026)
    actions = {result.path: result.action for result in results}
    assert actions == {item.path: ("fetched" if item.path == "benchmarks/2026.json" else "already verified") for item in manifest.files}
    assert tampered.read_bytes() == (cms_source / "benchmarks" / "2026.json").read_bytes()
    assert len(read_catalog(2026, data_dir=good_cache_2026).benchmarks) > 0
    assert_no_staging(good_cache_2026)


# ----------------------------------------------------------------------------- years


def test_never_fetched_year_says_which_command_fetches_it(tmp_path: Path) -> None:
    with pytest.raises(DataError) as failure:
        read_catalog(2025, data_dir=tmp_path / "empty")
    message = str(failure.value)
    assert "has not been fetched" in message
    assert "mips-optimizer data fetch 2025" in message
    assert "\n" not in message


def test_unknown_year_lists_the_supported_years(tmp_path: Path) -> None:
    assert set(YEARS) <= set(known_years())
    supported = ", ".join(str(year) for year in known_years())  # "2024, 2025, 2026" at v11.1.0
    for attempt in (
        lambda: read_manifest(2023),
        lambda: fetch_year(2023, source=str(tmp_path), data_dir=tmp_path / "data"),
        lambda: read_catalog(2023, data_dir=tmp_path / "data"),
    ):
        with pytest.raises(DataError) as failure:
            attempt()
        assert "2023" in str(failure.value)
        assert supported in str(failure.value)
    assert not (tmp_path / "data").exists()
