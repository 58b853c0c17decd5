"""``data fetch``: download (or import) a performance year's CMS files, verify them, then cache them.

Every file is fetched into a staging folder and checked against the manifest; only when all of
them pass are they moved into the cache (one ``os.replace`` each), so a failed or interrupted
fetch leaves the cache as it was.

The work is bounded whatever the source sends: at most the recorded size plus one byte is read
of a local file or an HTTP body (a body announcing more is refused before it is read); each
download has one overall deadline (``timeout``), not a per-read timeout a slow server can renew
forever; a redirect loop ends in one line. Each fetch holds a shared lock (``flock``) on the data
folder; a fetch that finds no other running (the lock free for it alone) first removes the
staging folders a killed fetch left behind.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX (Windows): no lock, so leftover staging folders are left alone
    fcntl = None  # type: ignore[assignment]

from optimizer.catalog.locations import cached_path, data_directory
from optimizer.catalog.manifest import Manifest, ManifestFile, read_manifest
from optimizer.catalog.verify import read_bounded, verify_content
from optimizer.errors import DataError, quoted

DOWNLOAD_TIMEOUT_SECONDS = 300.0
"""Default overall deadline of one file's download (connection, redirects and body)."""
STAGING_PREFIX = ".staging-"
_CHUNK_BYTES = 1 << 16


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


def _recording(connection_class: type[http.client.HTTPConnection], sockets: list[socket.socket]) -> Any:
    """``connection_class`` that remembers its socket, so each read can be given the time left."""

    class Recording(connection_class):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    return Recording


def _opener(sockets: list[socket.socket]) -> urllib.request.OpenerDirector:
    """urllib's usual opener (proxies from the environment, redirects), with connections recorded in ``sockets``."""

    class HTTPHandler(urllib.request.HTTPHandler):
        def do_open(self, http_class: Any, request: Any, **arguments: Any) -> Any:
            return super().do_open(_recording(http_class, sockets), request, **arguments)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def do_open(self, http_class: Any, request: Any, **arguments: Any) -> Any:
            return super().do_open(_recording(http_class, sockets), request, **arguments)

    return urllib.request.build_opener(HTTPHandler, HTTPSHandler)


def _download(url: str, item: ManifestFile, timeout: float) -> bytes:
    """The body at ``url``: at most the recorded size plus one byte, within ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    sockets: list[socket.socket] = []
    late = DataError(f"{url}: download did not finish within {timeout:g} s (data fetch --timeout)")
    try:
        with _opener(sockets).open(url, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            if announced is not None and announced.isdigit() and int(announced) > item.size:
                raise DataError(
                    f"{url}: the server announces {int(announced)} bytes, but the project recorded {item.size} bytes "
                    f"for {item.path} (different file)"
                )
            chunks: list[bytes] = []
            received = 0
            while received <= item.size:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise late
                for connection in sockets:
                    connection.settimeout(left)
                chunk = response.read1(min(_CHUNK_BYTES, item.size + 1 - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
            if announced is not None and announced.isdigit() and received < int(announced):
                raise DataError(f"{url}: download failed (the connection closed after {received} of {int(announced)} bytes)")
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:
            raise DataError(f"{url}: download failed, too many redirects (a redirect loop; HTTP {error.code})") from None
        raise DataError(f"{url}: download failed, HTTP {error.code} {quoted(str(error.reason).splitlines()[0] if str(error.reason) else '', 80)}") from None
    except (TimeoutError, socket.timeout):
        raise late from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise late from None
        raise DataError(f"{url}: download failed ({type(error).__name__}: {quoted(str(error.reason), 120)})") from None
    except (http.client.HTTPException, OSError) as error:
        raise DataError(f"{url}: download failed ({type(error).__name__}: {quoted(str(error), 120)})") from None


def _read_source(label: str, item: ManifestFile, source: str | None, timeout: float) -> bytes:
    if source is None or _is_url(source):
        return _download(label, item, timeout)
    path = Path(label)
    if not path.exists():
        raise DataError(f"{label}: missing from the local copy (expected a folder laid out like CMSgov/qpp-measures-data)")
    return read_bounded(path, item)


def is_verified(path: Path, item: ManifestFile) -> bool:
    """Whether a cached file exists and is exactly the recorded one."""
    if not path.is_file():
        return False
    try:
        verify_content(read_bounded(path, item), item, str(path))
    except DataError:
        return False
    return True


@contextmanager
def _fetch_lock(root: Path) -> Iterator[None]:
    """Hold a shared lock on the data folder while fetching; first, if no other fetch holds it,
    remove the staging folders killed fetches left behind (a killed process's lock is released
    by the system)."""
    if fcntl is None:
        yield
        return
    try:
        handle = os.open(root, os.O_RDONLY)
    except OSError as error:
        raise DataError(f"{root}: cannot open the data folder ({error.strerror})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # another fetch is running: a staging folder may be its own
        else:
            for leftover in root.glob(f"{STAGING_PREFIX}*"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield
    finally:
        os.close(handle)


def fetch_year(
    year: int,
    *,
    source: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    manifest: Manifest | None = None,
    timeout: float | None = None,
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
    timeout
        Seconds each download may take in all (default :data:`DOWNLOAD_TIMEOUT_SECONDS`).
    """
    timeout = DOWNLOAD_TIMEOUT_SECONDS if timeout is None else timeout
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
    with _fetch_lock(root):
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        try:
            staged: list[tuple[Path, Path, ManifestFile]] = []
            for index, (item, target) in enumerate(wanted):
                label = _source_label(manifest, item, source)
                data = _read_source(label, item, source, timeout)
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
