"""``mips-optimizer schema``: the JSON Schema of scenario files, for editors to complete and check them."""

from __future__ import annotations

import json
from pathlib import Path

from optimizer.output import emit


def render_schema() -> str:
    """The scenario file's JSON Schema as the command prints it (and ``scenarios/scenario.schema.json`` holds it)."""
    from optimizer.inputs.scenario_file import scenario_json_schema

    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema(*, output: Path | None) -> int:
    """Write the scenario file's JSON Schema; returns the exit code."""
    emit(render_schema(), output)
    return 0
