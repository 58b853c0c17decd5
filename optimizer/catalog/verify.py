"""Checks that a CMS file is exactly the one the manifest records: size, SHA-256, and valid JSON."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from optimizer.catalog.manifest import ManifestFile
from optimizer.errors import DataError


def sha256_of(data: bytes) -> str:
    """The hexadecimal SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def verify_content(data: bytes, expected: ManifestFile, label: str) -> None:
    """Raise a one-line :class:`DataError` naming ``label`` unless ``data`` is the recorded file.

    The size is compared first (it explains truncated downloads), then the SHA-256, then the file
    must parse as JSON (a recorded checksum of a broken file would still be refused).
    """
    if len(data) != expected.size:
        found = f"more than {expected.size} bytes" if len(data) > expected.size else f"{len(data)} bytes"
        raise DataError(
            f"{label}: {found}, but the project recorded {expected.size} bytes for {expected.path} "
            "(truncated or different file)"
        )
    digest = sha256_of(data)
    if digest != expected.sha256:
        raise DataError(
            f"{label}: SHA-256 {digest[:16]}… does not match the recorded {expected.sha256[:16]}… for {expected.path}"
        )
    try:
        json.loads(data)
    except ValueError as error:
        raise DataError(f"{label}: not valid JSON ({error})") from None


def read_bounded(path: Path, expected: ManifestFile) -> bytes:
    """A local file's bytes, at most one more than the recorded size (enough for
    :func:`verify_content` to refuse a larger file without reading all of it).

    Raises
    ------
    DataError
        ``path`` is not a regular file (a folder, a device, a FIFO), or cannot be read.
    """
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not wait for a writer
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise DataError(f"{path}: not a regular file")
            return stream.read(expected.size + 1)
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
