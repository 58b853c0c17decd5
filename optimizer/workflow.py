"""Glue shared by the commands: read a scenario, its year's catalog, and check one against the other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.scenario import Scenario, check_scenario, read_scenario, what_if_variants


def load_base(path: Path, data_dir: Path | None) -> tuple[Scenario, Any]:
    """Read a scenario file and its baseline, read the year's CMS catalog, check the scenario against
    it (not its what-if variants: ``compare`` reads each of them on its own)."""
    from optimizer.catalog import read_catalog

    scenario = read_scenario(path)
    catalog = read_catalog(scenario.performance_year, data_dir=data_dir)
    return check_scenario(scenario, catalog), catalog


def load_scenario(path: Path, data_dir: Path | None) -> tuple[Scenario, Any]:
    """:func:`load_base`, and each what-if variant checked too, so a bad variant fails ``score``,
    ``plan`` and ``swap`` (``compare`` reports it in its row instead)."""
    checked, catalog = load_base(path, data_dir)
    for variant in what_if_variants(checked):
        check_scenario(variant, catalog)
    return checked, catalog
