"""Fixtures of the importer tests: the shared sample files and their expected output.

The ten real files and ``expected.json`` (worked out by hand from CMS's converter, see its README)
live in ``shared/samples/``: ``--samples PATH`` or ``MIPS_SAMPLES``, else ``../shared/samples`` beside
the repository (where CI and the project's machines keep it). Without them the sample tests are
skipped with a message, or fail under ``MIPS_REQUIRE_CMS_DATA=1`` (``.ci/run``). The other importer
tests build their own files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SAMPLES_ENVIRONMENT_VARIABLE = "MIPS_SAMPLES"
BESIDE_THE_REPOSITORY = Path(__file__).resolve().parents[4] / "shared" / "samples"


@pytest.fixture(scope="session")
def samples(pytestconfig: pytest.Config) -> Path:
    """The folder of the shared sample files (``qrda3/``, ``qpp-json/``, ``expected.json``)."""
    given = os.environ.get(SAMPLES_ENVIRONMENT_VARIABLE)
    folder = Path(given) if given else BESIDE_THE_REPOSITORY
    if (folder / "expected.json").is_file():
        return folder.resolve()
    message = f"the sample files are not at {folder}; set {SAMPLES_ENVIRONMENT_VARIABLE}=PATH to shared/samples"
    if os.environ.get("MIPS_REQUIRE_CMS_DATA") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def expected(samples: Path) -> dict[str, Any]:
    """``expected.json``: per sample file, the rows or refusals an importer must produce."""
    return json.loads((samples / "expected.json").read_text(encoding="utf-8"))
