"""Glue shared by the commands: read a scenario, its year's catalog, and check one against the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from optimizer.inputs.scenario import Scenario, check_scenario, read_scenario


def load_scenario(path: Path, data_dir: Path | None) -> tuple[Scenario, Any]:
    """Read a scenario file and its baseline, read the year's CMS catalog, check the scenario (and each
    of its what-if variants, so a bad variant fails every command, not only ``compare``) against it."""
    from optimizer.catalog import read_catalog

    scenario = read_scenario(path, data_dir=data_dir)
    catalog = read_catalog(scenario.performance_year, data_dir=data_dir)
    return check_scenario(scenario, catalog), catalog


def load_base(path: Path, data_dir: Path | None) -> tuple[Scenario, Any]:
    """For ``compare``: read a scenario file with its variants' problems kept apart, read the year's
    catalog and check the base scenario against it (``compare`` checks each variant on its own and
    reports the ones that fail in their rows)."""
    from optimizer.catalog import read_catalog

    scenario = read_scenario(path, variants_apart=True, data_dir=data_dir)
    catalog = read_catalog(scenario.performance_year, data_dir=data_dir)
    base = check_scenario(replace(scenario, variants=()), catalog)
    return replace(base, variants=scenario.variants), catalog


def input_files(scenarios: Iterable[Scenario]) -> list[Path]:
    """The files a run reads (each scenario file and its baseline files, its variants' too), which a
    report must never replace."""
    files: list[Path] = []
    for scenario in scenarios:
        for one in (scenario, *scenario.variants):
            files += [one.file, *one.baseline_files]
    return files
