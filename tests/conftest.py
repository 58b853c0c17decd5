"""Shared fixtures: where the CMS files come from, and the catalogs read through the user's path.

Tests that need CMS's files read them from a local copy laid out like CMSgov/qpp-measures-data,
given by ``--cms-data PATH`` or the environment variable ``MIPS_CMS_DATA``. Without it they are
skipped with a message; with ``MIPS_REQUIRE_CMS_DATA=1`` (set by ``.ci/run``) a missing copy is
an error instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CMS_DATA_ENVIRONMENT_VARIABLE = "MIPS_CMS_DATA"
REQUIRE_ENVIRONMENT_VARIABLE = "MIPS_REQUIRE_CMS_DATA"
HOW_TO_ENABLE = (
    f"CMS data tests need a local copy of CMSgov/qpp-measures-data: set {CMS_DATA_ENVIRONMENT_VARIABLE}="
    "../shared/cms/qpp-measures-data or pass --cms-data PATH"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cms-data", default=None, help="local copy of CMSgov/qpp-measures-data (v11.1.0 layout)")


@pytest.fixture(scope="session")
def cms_source(pytestconfig: pytest.Config) -> Path:
    """The local copy of CMS's data repository, or a skip (an error under .ci/run) saying how to enable it."""
    given = pytestconfig.getoption("--cms-data") or os.environ.get(CMS_DATA_ENVIRONMENT_VARIABLE)
    if given and (Path(given) / "benchmarks").is_dir():
        return Path(given).resolve()
    message = HOW_TO_ENABLE if not given else f"{given} is not a copy of qpp-measures-data; {HOW_TO_ENABLE}"
    if os.environ.get(REQUIRE_ENVIRONMENT_VARIABLE) == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def data_dir(cms_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder into which every year was imported with ``data fetch --from``, as a user would."""
    from optimizer.catalog import fetch_year

    folder = tmp_path_factory.mktemp("cms-cache")
    for year in (2024, 2025, 2026):
        fetch_year(year, source=str(cms_source), data_dir=folder)
    return folder


@pytest.fixture(scope="session")
def catalog_2026(data_dir: Path):
    """The 2026 catalog, read from the imported data folder."""
    from optimizer.catalog import read_catalog

    return read_catalog(2026, data_dir=data_dir)


def run_cli(
    *arguments: object,
    cwd: Path | None = None,
    environment: dict[str, str] | None = None,
    timeout: float = 300,
    **options: object,
) -> "subprocess.CompletedProcess[bytes]":
    """Run the real command line (``python -m optimizer``) in a subprocess, as a user would.

    Standard output and error are captured as bytes, so a test sees exactly what reaches the
    terminal (control characters included). Progress lines are switched off.
    """
    import subprocess
    import sys

    env = {**os.environ, "MIPS_OPTIMIZER_PROGRESS": "0", **(environment or {})}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, arguments)],
        capture_output=True, cwd=cwd, env=env, timeout=timeout, check=False, **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def cli():
    """:func:`run_cli`: the real command line in a subprocess."""
    return run_cli


def assert_one_error_line(result: "subprocess.CompletedProcess[bytes]", *words: str) -> str:
    """Exit 1, nothing on stdout, one terminal-safe line on stderr containing ``words``; returns it."""
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1, (result.returncode, stderr[-2000:])
    assert stderr.startswith("mips-optimizer: error: ") and stderr.count("\n") == 1, stderr[-2000:]
    assert not any(ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F for character in stderr[:-1]), repr(stderr)
    assert "Traceback" not in stderr
    for word in words:
        assert word in stderr, (word, stderr)
    return stderr


@pytest.fixture(scope="session")
def one_error_line():
    """:func:`assert_one_error_line`."""
    return assert_one_error_line
