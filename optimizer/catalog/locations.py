"""Where fetched CMS files are cached: ``<data dir>/<repository>/<tag>/<path in the repository>``.

The data dir is ``--data-dir`` when given, else ``$MIPS_OPTIMIZER_DATA_DIR``, else the user's cache
folder by the platform's convention (platformdirs: ``$XDG_CACHE_HOME/mips-optimizer`` or
``~/.cache/mips-optimizer`` on Linux, ``~/Library/Caches/mips-optimizer`` on macOS,
``%LOCALAPPDATA%\\mips-optimizer\\Cache`` on Windows).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from optimizer.catalog.manifest import Manifest

DATA_DIR_ENVIRONMENT_VARIABLE = "MIPS_OPTIMIZER_DATA_DIR"


def data_directory(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding fetched CMS files."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    configured = os.environ.get(DATA_DIR_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("mips-optimizer", appauthor=False))


def tag_directory(manifest: Manifest, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding one tag's files, laid out like the upstream repository."""
    return data_directory(data_dir) / manifest.repository / manifest.tag


def cached_path(manifest: Manifest, path: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where one manifest file is cached."""
    return tag_directory(manifest, data_dir) / path
