"""``fetch_year`` against real sources: a local folder, and a real HTTP server on 127.0.0.1.

The upstream tree is built by the test: four small files in CMS's shapes (one quality measure,
one benchmark row, one MVP, one exclusion reason), laid out like CMSgov/qpp-measures-data, and a
manifest recording their sizes and SHA-256, so these tests need no copy of CMS's data. Nothing is
mocked: the HTTP tests start a ``ThreadingHTTPServer`` on a free port serving that tree, then
break it (a removed file, a changed byte, a connection dropped mid-body) and check that the fetch
fails with a one-line :class:`DataError` naming the file and leaves the cache exactly as it was.
(Fetching the real pinned files is tested in ``test_bundle.py``, which regenerates the bundle
through ``data bundle``, and ``test_data_cli.py``.)
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from optimizer.catalog.fetch import fetch_year
from optimizer.catalog.locations import cached_path
from optimizer.catalog.manifest import Manifest, ManifestFile, known_years, read_manifest
from optimizer.catalog.read import read_catalog, read_fetched
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


SMALL_FILES: dict[tuple[str, str], object] = {
    ("measures", "measures/2026/measures-data.json"): [
        {"measureId": "236", "title": "Controlling High Blood Pressure", "category": "quality", "measureType": "intermediateOutcome",
         "isHighPriority": True, "isInverse": False, "metricType": "singlePerformanceRate", "submissionMethods": ["registry"],
         "firstPerformanceYear": 2017, "lastPerformanceYear": None, "allowedPrograms": ["mips"], "measureSets": []},
        {"measureId": "IA_BE_6", "title": "An activity", "category": "ia", "firstPerformanceYear": 2017, "allowedPrograms": ["mips"]},
    ],
    ("benchmarks", "benchmarks/2026.json"): [
        {"measureId": "236", "submissionMethod": "registry", "benchmarkYear": 2024, "performanceYear": 2026, "isInverse": False,
         "metricType": "singlePerformanceRate", "percentiles": {str(p): float(p) for p in (1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99)}},
    ],
    ("mvps", "mvp/2026/mvp.json"): [{"mvpId": "M0005", "title": "A pathway", "qualityMeasureIds": ["236"], "iaMeasureIds": ["IA_BE_6"]}],
    ("benchmark_exclusion_reasons", "benchmarks/2026/benchmark-exclusion-reasons.json"): [
        {"measureId": "236", "submissionMethod": "electronicHealthRecord", "reasonCodes": ["BR-009"]},
    ],
}
"""The small upstream tree: (role, path in the repository) → content."""


def small_upstream(folder: Path) -> tuple[Path, Manifest]:
    """Write the small upstream tree into ``folder`` and return it with the manifest that trusts it."""
    items = []
    for (role, path), content in SMALL_FILES.items():
        data = json.dumps(content, indent=1).encode("utf-8")
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        items.append(ManifestFile(role=role, path=path, sha256=sha256_of(data), size=len(data)))
    manifest = Manifest(
        performance_year=2026,
        repository="example/qpp-measures-data",
        tag="v0.0.1-test",
        commit="0" * 40,
        url_template="https://example.invalid/{repository}/{tag}/{path}",
        files=tuple(items),
    )
    return folder, manifest


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Path, Manifest]:
    return small_upstream(tmp_path / "upstream")


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
def served_2026(upstream: tuple[Path, Manifest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp copy of the small tree laid out like upstream (tests break it before serving it)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return small_upstream(tmp_path / "served")[0]


@pytest.fixture
def manifest(upstream: tuple[Path, Manifest]) -> Manifest:
    return upstream[1]


@pytest.fixture
def good_cache_2026(upstream: tuple[Path, Manifest], tmp_path: Path) -> Path:
    """A data folder holding a verified import (the cache a failed fetch must not disturb)."""
    folder = tmp_path / "data"
    fetch_year(2026, source=str(upstream[0]), data_dir=folder, manifest=upstream[1])
    return folder


# ----------------------------------------------------------------------------- the local copy


def test_import_from_local_copy_then_already_verified_then_force(upstream: tuple[Path, Manifest], tmp_path: Path) -> None:
    source, manifest = upstream
    data_dir = tmp_path / "data"

    first = fetch_year(2026, source=str(source), data_dir=data_dir, manifest=manifest)
    assert [result.path for result in first] == [item.path for item in manifest.files]
    assert {result.action for result in first} == {"fetched"}
    for result, item in zip(first, manifest.files, strict=True):
        assert result.cached_at == cached_path(manifest, item.path, data_dir)
        # Under <data dir>/<repository>/<tag>/<path>, byte for byte the source file.
        assert result.cached_at == data_dir / "example" / "qpp-measures-data" / "v0.0.1-test" / item.path
        assert result.cached_at.read_bytes() == (source / item.path).read_bytes()
        assert sha256_of(result.cached_at.read_bytes()) == item.sha256

    second = fetch_year(2026, source=str(source), data_dir=data_dir, manifest=manifest)
    assert [(result.path, result.action) for result in second] == [(item.path, "already verified") for item in manifest.files]

    forced = fetch_year(2026, source=str(source), data_dir=data_dir, force=True, manifest=manifest)
    assert [(result.path, result.action) for result in forced] == [(item.path, "fetched") for item in manifest.files]
    assert_no_staging(data_dir)

    # The fetched files read into a catalog naming them as its source.
    catalog = read_fetched(manifest, data_dir)
    assert list(catalog.quality_measures["measure_id"]) == ["236"]
    assert catalog.benchmark("236", "mips_cqm")["p10"] == 10.0
    assert catalog.source.startswith(f"fetched files in {data_dir / 'example' / 'qpp-measures-data' / 'v0.0.1-test'}")


def test_local_copy_missing_a_file_leaves_the_cache_alone(upstream: tuple[Path, Manifest], tmp_path: Path, good_cache_2026: Path) -> None:
    partial, manifest = small_upstream(tmp_path / "partial")
    (partial / "mvp" / "2026" / "mvp.json").unlink()
    before = snapshot(good_cache_2026)

    with pytest.raises(DataError) as failure:
        fetch_year(2026, source=str(partial), data_dir=good_cache_2026, force=True, manifest=manifest)

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


def test_fetch_over_http(upstream: tuple[Path, Manifest], served_2026: Path, tmp_path: Path) -> None:
    source, manifest = upstream
    data_dir = tmp_path / "data"
    with http_server(served_2026) as base_url:
        results = fetch_year(2026, source=base_url, data_dir=data_dir, manifest=manifest)
        again = fetch_year(2026, source=base_url, data_dir=data_dir, manifest=manifest)

    assert [(result.path, result.action) for result in results] == [(item.path, "fetched") for item in manifest.files]
    assert {result.action for result in again} == {"already verified"}
    for result in results:
        assert result.cached_at.read_bytes() == (source / result.path).read_bytes()
    assert len(read_fetched(manifest, data_dir).quality_measures) == 1
    assert_no_staging(data_dir)


def test_http_404_names_the_url_and_leaves_the_cache_as_it_was(served_2026: Path, good_cache_2026: Path, manifest: Manifest) -> None:
    # The served copy lacks the second file of the manifest, so the first has already been staged.
    (served_2026 / "benchmarks" / "2026.json").unlink()
    before = snapshot(good_cache_2026)
    assert len([path for path, content in before.items() if content is not None]) == len(manifest.files)

    with http_server(served_2026) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True, manifest=manifest)

    message = str(failure.value)
    assert "\n" not in message
    assert f"{base_url}/benchmarks/2026.json" in message
    assert "404" in message
    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


def test_http_404_with_no_cache_caches_nothing(served_2026: Path, tmp_path: Path, manifest: Manifest) -> None:
    (served_2026 / "benchmarks" / "2026" / "benchmark-exclusion-reasons.json").unlink()
    data_dir = tmp_path / "data"

    with http_server(served_2026) as base_url, pytest.raises(DataError, match="benchmark-exclusion-reasons.json"):
        fetch_year(2026, source=base_url, data_dir=data_dir, manifest=manifest)

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
def test_http_damaged_file_is_refused_and_nothing_cached(
    served_2026: Path, tmp_path: Path, manifest: Manifest, damage, expected: str
) -> None:
    damage(served_2026 / "mvp" / "2026" / "mvp.json")
    data_dir = tmp_path / "data"

    with http_server(served_2026) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=data_dir, manifest=manifest)

    message = str(failure.value)
    assert "\n" not in message
    assert expected in message
    assert "mvp/2026/mvp.json" in message
    assert [path for path, content in snapshot(data_dir).items() if content is not None] == []
    assert_no_staging(data_dir)


def test_http_changed_byte_does_not_replace_a_good_cache(served_2026: Path, good_cache_2026: Path, manifest: Manifest) -> None:
    change_one_byte(served_2026 / "measures" / "2026" / "measures-data.json")
    before = snapshot(good_cache_2026)

    with http_server(served_2026) as base_url, pytest.raises(DataError, match="SHA-256.*measures/2026/measures-data.json"):
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True, manifest=manifest)

    assert snapshot(good_cache_2026) == before
    assert_no_staging(good_cache_2026)


def test_http_dropped_connection_leaves_the_cache_as_it_was(served_2026: Path, good_cache_2026: Path, manifest: Manifest) -> None:
    before = snapshot(good_cache_2026)

    with http_server(served_2026, DroppingHandler) as base_url, pytest.raises(DataError) as failure:
        fetch_year(2026, source=base_url, data_dir=good_cache_2026, force=True, manifest=manifest)

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


def test_tampered_cache_is_refused_on_read_and_refetched(upstream: tuple[Path, Manifest], good_cache_2026: Path) -> None:
    source, manifest = upstream
    tampered = cached_path(manifest, "benchmarks/2026.json", good_cache_2026)
    change_one_byte(tampered)

    with pytest.raises(DataError) as failure:
        read_fetched(manifest, good_cache_2026)
    message = str(failure.value)
    assert "\n" not in message
    assert str(tampered) in message
    assert "data fetch 2026 --force" in message

    # Without --force, fetch notices the file no longer verifies and fetches only that one again.
    results = fetch_year(2026, source=str(source), data_dir=good_cache_2026, manifest=manifest)
    actions = {result.path: result.action for result in results}
    assert actions == {item.path: ("fetched" if item.path == "benchmarks/2026.json" else "already verified") for item in manifest.files}
    assert tampered.read_bytes() == (source / "benchmarks" / "2026.json").read_bytes()
    assert len(read_fetched(manifest, good_cache_2026).benchmarks) == 1
    assert_no_staging(good_cache_2026)


def test_a_cache_fetched_in_part_says_which_command_completes_it(fetched_dir: Path, tmp_path: Path) -> None:
    # One of the pinned 2025 files in the data folder, the others missing: neither source is whole.
    manifest = read_manifest(2025)
    partial = tmp_path / "partial"
    first = manifest.files[0]
    target = cached_path(manifest, first.path, partial)
    target.parent.mkdir(parents=True)
    target.write_bytes(cached_path(manifest, first.path, fetched_dir).read_bytes())
    with pytest.raises(DataError) as failure:
        read_catalog(2025, data_dir=partial)
    message = str(failure.value)
    assert "fetched only in part" in message
    assert "mips-optimizer data fetch 2025 --force" in message
    assert "\n" not in message


# ----------------------------------------------------------------------------- years


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
