"""The project's record of the CMS files it trusts, read from ``benchmarks_data/<year>.toml``.

Each manifest names the upstream repository (CMSgov/qpp-measures-data), the pinned tag and, per
file, its path in that repository, its role, its size and its SHA-256.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from optimizer.errors import DataError

MANIFEST_PACKAGE = "optimizer.benchmarks_data"


@dataclass(frozen=True)
class ManifestFile:
    """One CMS file: where it lives upstream, what it is for, and how to recognise it."""

    role: str
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """The CMS files of one performance year, pinned to one upstream tag."""

    performance_year: int
    repository: str
    tag: str
    commit: str
    url_template: str
    files: tuple[ManifestFile, ...]

    def file(self, role: str) -> ManifestFile | None:
        """The file with this role (``measures``, ``benchmarks``, ``mvps``, …), or None."""
        return next((item for item in self.files if item.role == role), None)

    def upstream_url(self, path: str) -> str:
        """The raw-file address of ``path`` at the pinned tag."""
        return self.url_template.format(repository=self.repository, tag=self.tag, path=path)


def known_years() -> list[int]:
    """Performance years with a manifest, ascending."""
    folder = resources.files(MANIFEST_PACKAGE)
    return sorted(int(entry.name[:-5]) for entry in folder.iterdir() if entry.name[:-5].isdigit() and entry.name.endswith(".toml"))


def read_manifest(year: int) -> Manifest:
    """The manifest of a performance year; a :class:`DataError` naming the known years otherwise."""
    entry = resources.files(MANIFEST_PACKAGE).joinpath(f"{year}.toml")
    if not entry.is_file():
        years = ", ".join(str(item) for item in known_years())
        raise DataError(f"performance year {year} is not supported: the project records CMS data for {years}")
    document = tomllib.loads(entry.read_text(encoding="utf-8"))
    files = tuple(
        ManifestFile(role=item["role"], path=item["path"], sha256=item["sha256"].lower(), size=int(item["bytes"]))
        for item in document["files"]
    )
    return Manifest(
        performance_year=int(document["performance_year"]),
        repository=document["repository"],
        tag=document["tag"],
        commit=document["commit"],
        url_template=document["url_template"],
        files=files,
    )
