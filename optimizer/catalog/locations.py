"""Where fetched CMS files are cached: ``<data dir>/<repository>/<tag>/<path in the repository>``.

The data dir is ``--data-dir`` when given, else ``$MIPS_OPTIMIZER_DATA_DIR``, else
``$XDG_CACHE_HOME/mips-optimizer`` (``~/.cache/mips-optimizer`` when XDG_CACHE_HOME is unset).
"""

from __future__ import annotations

import os
from pathlib import Path

from optimizer.catalog.manifest import Manifest

DATA_DIR_ENVIRONMENT_VARIABLE = "MIPS_OPTIMIZER_DATA_DIR"


def data_directory(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding fetched CMS files."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    configured = os.environ.get(DATA_DIR_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home).expanduser() / "mips-optimizer"


def tag_directory(manifest: Manifest, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding one tag's files, laid out like the upstream repository."""
    return data_directory(data_dir) / manifest.repository / manifest.tag


def cached_path(manifest: Manifest, path: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where one manifest file is cached."""
    return tag_directory(manifest, data_dir) / path
