"""``data fetch``: download (or import) a performance year's CMS files, verify them, then cache them.

Every file is fetched into a staging folder and checked against the manifest; only when all of
them pass are they moved into the cache (one ``os.replace`` each), so a failed or interrupted
fetch leaves the cache as it was.
"""

from __future__ import annotations

import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from optimizer.catalog.locations import cached_path, data_directory
from optimizer.catalog.manifest import Manifest, ManifestFile, read_manifest
from optimizer.catalog.verify import verify_content
from optimizer.errors import DataError

DOWNLOAD_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class FetchedFile:
    """What ``fetch_year`` did with one file."""

    path: str
    cached_at: Path
    action: str  # "fetched" or "already verified"


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://", "file://"))


def _source_label(manifest: Manifest, item: ManifestFile, source: str | None) -> str:
    if source is None:
        return manifest.upstream_url(item.path)
    if _is_url(source):
        return f"{source.rstrip('/')}/{item.path}"
    return str(Path(source) / item.path)


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s)/file only
            return response.read()
    except urllib.error.HTTPError as error:
        raise DataError(f"{url}: download failed, HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise DataError(f"{url}: download failed ({type(error).__name__}: {reason})") from None


def _read_source(label: str, source: str | None) -> bytes:
    if source is None or _is_url(source):
        return _download(label)
    path = Path(label)
    if not path.is_file():
        raise DataError(f"{label}: missing from the local copy (expected a folder laid out like CMSgov/qpp-measures-data)")
    return path.read_bytes()


def is_verified(path: Path, item: ManifestFile) -> bool:
    """Whether a cached file exists and is exactly the recorded one."""
    if not path.is_file():
        return False
    try:
        verify_content(path.read_bytes(), item, str(path))
    except DataError:
        return False
    return True


def fetch_year(
    year: int,
    *,
    source: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    manifest: Manifest | None = None,
) -> list[FetchedFile]:
    """Fetch, verify and cache the CMS files of ``year``.

    Parameters
    ----------
    year
        A performance year with a manifest in ``benchmarks_data/``.
    source
        None for the pinned upstream tag on raw.githubusercontent.com; a base URL; or a local
        folder laid out like CMSgov/qpp-measures-data.
    data_dir
        The cache folder (see :func:`optimizer.catalog.locations.data_directory`).
    force
        Fetch again even when the cached files are verified.
    manifest
        The files to fetch (default: the project's manifest of ``year``).
    """
    manifest = manifest or read_manifest(year)
    if source is not None and not _is_url(source) and not Path(source).is_dir():
        raise DataError(f"{source}: no such folder (expected a local copy of CMSgov/qpp-measures-data or a URL)")
    root = data_directory(data_dir)
    results: list[FetchedFile] = []
    wanted: list[tuple[ManifestFile, Path]] = []
    for item in manifest.files:
        target = cached_path(manifest, item.path, data_dir)
        if not force and is_verified(target, item):
            results.append(FetchedFile(item.path, target, "already verified"))
        else:
            wanted.append((item, target))
    if not wanted:
        return results
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"{root}: cannot create the data folder ({error.strerror})") from None
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        staged: list[tuple[Path, Path, ManifestFile]] = []
        for index, (item, target) in enumerate(wanted):
            label = _source_label(manifest, item, source)
            data = _read_source(label, source)
            verify_content(data, item, label)
            staged_file = staging / f"{index}.json"
            staged_file.write_bytes(data)
            staged.append((staged_file, target, item))
        for staged_file, target, item in staged:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged_file, target)
            results.append(FetchedFile(item.path, target, "fetched"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    order = {item.path: position for position, item in enumerate(manifest.files)}
    return sorted(results, key=lambda result: order[result.path])
