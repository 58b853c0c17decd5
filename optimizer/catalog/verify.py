"""Checks that a CMS file is exactly the one the manifest records: size, SHA-256, and valid JSON."""

from __future__ import annotations

import hashlib
import json

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
        raise DataError(
            f"{label}: {len(data)} bytes, but the project recorded {expected.size} bytes for {expected.path} "
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
