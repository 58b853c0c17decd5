"""Shared fixtures: the catalogs the tool reads, and where CMS's upstream files come from.

Every test reads CMS's program data the way a user does right after installing: from the tables
bundled in ``benchmarks_data/`` (``data_dir`` is an empty data folder, so nothing fetched
can shadow the bundle). The whole session runs with ``MIPS_OPTIMIZER_DATA_DIR`` pointed at an empty
folder, so a developer's own cache never changes what a test sees.

Only the tests that compare with CMS's upstream JSON files (the bundle's regeneration, the tables'
facts against the JSON, fetching the real files) use ``cms_source``: a local copy laid out like
CMSgov/qpp-measures-data, given by ``--cms-data PATH`` or ``MIPS_CMS_DATA``, else found at
``../shared/cms/qpp-measures-data`` beside the repository (where CI and the project's machines
keep it). Without any copy those tests are skipped with a message; with
``MIPS_REQUIRE_CMS_DATA=1`` (set by ``.ci/run``) a missing copy is an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CMS_DATA_ENVIRONMENT_VARIABLE = "MIPS_CMS_DATA"
REQUIRE_ENVIRONMENT_VARIABLE = "MIPS_REQUIRE_CMS_DATA"
REPOSITORY = Path(__file__).resolve().parent.parent
BESIDE_THE_REPOSITORY = REPOSITORY.parent / "shared" / "cms" / "qpp-measures-data"
HOW_TO_ENABLE = (
    f"this test compares with CMS's upstream files: it needs a local copy of CMSgov/qpp-measures-data at "
    f"{BESIDE_THE_REPOSITORY}, or {CMS_DATA_ENVIRONMENT_VARIABLE}=PATH, or --cms-data PATH"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cms-data", default=None, help="local copy of CMSgov/qpp-measures-data (v11.1.0 layout)")


@pytest.fixture(scope="session", autouse=True)
def empty_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the tool's default data folder at an empty folder for the whole session (subprocesses too)."""
    from optimizer.catalog import DATA_DIR_ENVIRONMENT_VARIABLE

    folder = tmp_path_factory.mktemp("empty-user-cache")
    before = os.environ.get(DATA_DIR_ENVIRONMENT_VARIABLE)
    os.environ[DATA_DIR_ENVIRONMENT_VARIABLE] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(DATA_DIR_ENVIRONMENT_VARIABLE, None)
    else:
        os.environ[DATA_DIR_ENVIRONMENT_VARIABLE] = before


@pytest.fixture(scope="session")
def cms_source(pytestconfig: pytest.Config) -> Path:
    """The local copy of CMS's data repository, or a skip (an error under .ci/run) saying where to put it."""
    given = pytestconfig.getoption("--cms-data") or os.environ.get(CMS_DATA_ENVIRONMENT_VARIABLE)
    candidate = Path(given) if given else BESIDE_THE_REPOSITORY
    if (candidate / "benchmarks").is_dir():
        return candidate.resolve()
    message = HOW_TO_ENABLE if not given else f"{given} is not a copy of qpp-measures-data; {HOW_TO_ENABLE}"
    if os.environ.get(REQUIRE_ENVIRONMENT_VARIABLE) == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty data folder: commands given ``--data-dir`` this folder read the bundled tables."""
    return tmp_path_factory.mktemp("no-fetched-data")


@pytest.fixture(scope="session")
def catalog_2026(data_dir: Path):
    """The 2026 catalog as a fresh install reads it (the bundle)."""
    from optimizer.catalog import read_catalog

    return read_catalog(2026, data_dir=data_dir)


@pytest.fixture(scope="session")
def fetched_dir(cms_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder into which every year was imported with ``data fetch --from`` the upstream copy."""
    from optimizer.catalog import fetch_year

    folder = tmp_path_factory.mktemp("cms-cache")
    for year in (2024, 2025, 2026):
        fetch_year(year, source=str(cms_source), data_dir=folder)
    return folder


@pytest.fixture
def scenario_from(tmp_path: Path, catalog_2026):
    """``scenario_from(rows, **settings)``: write a small scenario into ``tmp_path``, read and check it.

    The scenario is written by :func:`scenario_builder.write_scenario` (tests/scenario_builder.py),
    read with ``read_scenario`` and checked against the 2026 catalog with ``check_scenario``, exactly
    as the ``plan`` command reads a user's files.
    """
    import pandas as pd

    from optimizer.inputs.scenario import check_scenario, read_scenario
    from scenario_builder import write_scenario

    written: list[str] = []

    def build(rows, **settings):
        name = settings.pop("name", f"scenario-{len(written)}")
        written.append(name)
        path = write_scenario(tmp_path, list(rows) if not isinstance(rows, pd.DataFrame) else rows, name=name, **settings)
        return check_scenario(read_scenario(path), catalog_2026)

    return build


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
