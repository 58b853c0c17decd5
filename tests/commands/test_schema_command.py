"""``mips-optimizer schema``: the scenario file's JSON Schema, as editors use it.

The schema shipped as ``scenarios/scenario.schema.json`` (which the examples name in their
``#:schema`` directive) must be exactly what the command prints, and Taplo, the TOML toolkit
behind the "Even Better TOML" editor extension, must accept every example and flag the mistakes
the README says an editor shows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = SCENARIOS / "scenario.schema.json"
DIRECTIVE = "#:schema ./scenario.schema.json"


def _taplo() -> str:
    beside = Path(sys.executable).with_name("taplo")
    found = str(beside) if beside.exists() else shutil.which("taplo")
    assert found, "taplo is a test dependency (pip install -e '.[test]')"
    return found


def test_the_command_prints_the_shipped_schema() -> None:
    result = subprocess.run([sys.executable, "-m", "optimizer", "schema"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "mips-optimizer scenario file"
    assert result.stdout == SHIPPED.read_text(encoding="utf-8"), "run: mips-optimizer schema --output scenarios/scenario.schema.json"


def test_every_key_is_documented() -> None:
    # Editors show the description on hover and in completion: every key of every table has one
    # (the models' attribute docstrings, or the policy parameter's source).
    schema = json.loads(SHIPPED.read_text(encoding="utf-8"))
    undocumented = []

    def visit(name: str, table: dict[str, Any]) -> None:
        for key, value in table.get("properties", {}).items():
            if "description" not in value and "$ref" not in value:
                undocumented.append(f"{name}.{key}")

    visit("(top)", schema)
    for name, table in schema["$defs"].items():
        assert "description" in table, name
        visit(name, table)
    assert undocumented == []


def test_every_example_names_the_schema_and_passes_taplo() -> None:
    examples = sorted(SCENARIOS.glob("*.toml"))
    assert examples and all(path.read_text(encoding="utf-8").startswith(DIRECTIVE + "\n") for path in examples)
    result = subprocess.run([_taplo(), "check", *map(str, examples)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_taplo_flags_mistakes_in_tables_and_in_variants(tmp_path: Path) -> None:
    shutil.copy(SHIPPED, tmp_path)
    text = (SCENARIOS / "riverside-family-medicine.toml").read_text(encoding="utf-8")
    for old, new in (
        ("clinicians = 8", 'clinicians = "eight"'),
        ('objective = "expected_payment"', 'objective = "most_money"'),
        ("seed = 1", "seed = 1\ndraws_count = 5"),
        ("promoting_interoperability = { reweighted = true }", "promoting_interoperability = { reweighted = 1 }"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([_taplo(), "check", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    for message in (
        '"eight" is not of type "integer"',
        '"most_money" is not one of',
        "'draws_count' was unexpected",
        '1 is not of type "boolean"',  # inside a [[what_if]] variant: tables there need no required key
    ):
        assert message in result.stderr, message
