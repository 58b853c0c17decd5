"""Fixtures of the optimizer tests: ``scenario_from`` writes a small scenario and reads it back.

The scenario is written by :func:`scenario_builder.write_scenario` into the test's ``tmp_path``,
read with ``read_scenario`` and checked against the 2026 catalog with ``check_scenario``, exactly
as the ``plan`` command reads a user's files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from optimizer.scenario import Scenario, check_scenario, read_scenario
from scenario_builder import write_scenario


@pytest.fixture
def scenario_from(tmp_path: Path, catalog_2026: Any) -> Callable[..., Scenario]:
    """``scenario_from(rows, **settings)``: write a scenario into ``tmp_path``, read and check it."""
    written: list[str] = []

    def build(rows: pd.DataFrame | Iterable[Mapping[str, Any]], **settings: Any) -> Scenario:
        name = settings.pop("name", f"scenario-{len(written)}")
        written.append(name)
        path = write_scenario(tmp_path, list(rows) if not isinstance(rows, pd.DataFrame) else rows, name=name, **settings)
        return check_scenario(read_scenario(path), catalog_2026)

    return build
