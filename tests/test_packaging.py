"""pyproject.toml ships everything the installed tool needs: every package, the manifests and the bundle.

The packages are listed by hand in pyproject.toml (``benchmarks_data/`` is mapped onto the package
``optimizer.benchmarks_data``), so a new sub-package or a new kind of bundled file must be added
there; these tests fail when one is missing. (A real non-editable ``pip install .`` followed by an
offline ``plan`` with an empty cache is in the README's set-up check and the importers report.)
"""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

REPOSITORY = Path(__file__).resolve().parent.parent


def _tool_settings() -> dict:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_is_listed() -> None:
    found = {
        ".".join(path.parent.relative_to(REPOSITORY).parts)
        for path in (REPOSITORY / "optimizer").rglob("__init__.py")
    }
    found.add("optimizer.benchmarks_data")
    assert set(_tool_settings()["packages"]) == found


def test_every_bundled_file_is_package_data() -> None:
    settings = _tool_settings()
    assert settings["package-dir"]["optimizer.benchmarks_data"] == "benchmarks_data"
    patterns = settings["package-data"]["optimizer.benchmarks_data"]
    folder = REPOSITORY / "benchmarks_data"
    files = [path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    data_files = [name for name in files if not name.endswith(".py")]
    assert any(name.endswith(".csv") for name in data_files) and any(name.endswith("source.toml") for name in data_files)
    for name in data_files:
        parts = PurePosixPath(name).parts
        assert any(
            len(PurePosixPath(pattern).parts) == len(parts) and PurePosixPath(name).match(pattern) for pattern in patterns
        ), f"benchmarks_data/{name} is not shipped: add a pattern to [tool.setuptools.package-data]"


def test_runtime_dependencies_are_declared() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {requirement.split()[0].split(">")[0].split("=")[0] for requirement in project["dependencies"]}
    # platformdirs: the cache folder; defusedxml: reading QRDA III safely.
    assert {"platformdirs", "defusedxml", "pandas", "pulp", "highspy"} <= names
