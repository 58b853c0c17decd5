"""The package reads as the pipeline: each stage imports only the stages below it, and below planning
nothing sees the scenario.

Stages, bottom first (README.md, "Layout"; docs/architecture.md): ``rules`` → ``catalog`` →
``forecast`` → ``scoring`` → ``selection`` → ``planning`` → ``report`` → ``commands`` / ``cli``, with
``inputs`` (the scenario file, the baseline, the importers) read by planning and the commands. Every
import of every module is read from its source with :mod:`ast` (imports inside functions and under
``TYPE_CHECKING`` included), so a shortcut cannot hide in a function body.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "optimizer"

BELOW_PLANNING = ("rules", "catalog", "forecast", "scoring", "selection")
"""The stages that take the resolved values (:mod:`optimizer.planning.resolve`), never the scenario."""

ALLOWED = {
    "rules": {"rules"},
    "catalog": {"catalog", "rules", "report.formatting"},
    "forecast": {"forecast", "rules"},
    "scoring": {"scoring", "forecast", "rules"},
    "selection": {"selection", "scoring", "forecast", "rules"},
}
"""What each stage below planning may import from the package besides the shared vocabulary
(``report.formatting`` for the catalog's ``data show`` tables)."""

SHARED = {"errors", "collection_types", "text_safety", "output"}
"""Vocabulary modules at the package root any stage may use (errors, collection types, text made safe,
files written atomically)."""


def _modules(stage: str) -> list[Path]:
    return sorted((PACKAGE / stage).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every ``optimizer...`` module (or name) the file imports, without the ``optimizer.`` prefix."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name.removeprefix("optimizer.") for name in names if name == "optimizer" or name.startswith("optimizer.")}


def _allowed(imported: str, stage: str) -> bool:
    first = imported.split(".")[0]
    return (
        first in SHARED
        or first in ALLOWED[stage]
        or any(imported == allowed or imported.startswith(allowed + ".") for allowed in ALLOWED[stage])
    )


@pytest.mark.parametrize("stage", BELOW_PLANNING)
def test_no_stage_below_planning_imports_the_scenario(stage: str) -> None:
    for path in _modules(stage):
        scenario = sorted(
            name for name in _imported(path) if name.split(".")[0] == "inputs" or name.rsplit(".", 1)[-1] in ("Scenario", "scenario")
        )
        assert not scenario, f"{path.relative_to(PACKAGE.parent)} imports {scenario}"
        names = {node.id for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Name)}
        assert "Scenario" not in names, f"{path.relative_to(PACKAGE.parent)} names Scenario"


@pytest.mark.parametrize("stage", BELOW_PLANNING)
def test_each_stage_imports_only_the_stages_below_it(stage: str) -> None:
    for path in _modules(stage):
        wrong = sorted(name for name in _imported(path) if name != "optimizer" and not _allowed(name, stage))
        assert not wrong, f"{path.relative_to(PACKAGE.parent)} imports {wrong}"


def test_inputs_and_planning_do_not_import_the_reports_or_the_commands() -> None:
    # report.formatting is the exception: the importers write their baseline CSV with its writer
    for stage in ("inputs", "planning"):
        for path in _modules(stage):
            upward = sorted(
                name for name in _imported(path)
                if name.split(".")[0] in ("commands", "cli", "report") and not name.startswith("report.formatting")
            )
            assert not upward, f"{path.relative_to(PACKAGE.parent)} imports {upward}"


def test_the_checks_see_imports_in_functions() -> None:
    # the planning stage's plan module imports the scenario (it is above the line): the reader finds it
    assert "inputs.scenario.Scenario" in _imported(PACKAGE / "planning" / "plan.py")
    # and an import inside a function body (the score command's lazy import) is found too
    assert "planning.score.score_scenario" in _imported(PACKAGE / "commands" / "score.py")


def test_the_readme_layout_names_every_module_and_the_diagram_every_stage() -> None:
    # README.md "Layout" lists each sub-package and each module in it; docs/architecture.md draws
    # every stage. A module added, moved or renamed without them fails here.
    root = PACKAGE.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    layout = layout[: layout.index("\n## ", 1)] if "\n## " in layout[1:] else layout
    words = set(re.findall(r"[A-Za-z_][\w]*(?:\.py)?", layout))
    packages = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
    missing = [f"{package}/" for package in packages if f"{package}/" not in layout]
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" or "benchmarks_data" in path.parts:
            continue
        if path.stem not in words and path.name not in words:
            missing.append(str(path.relative_to(root)))
    assert not missing, f"README.md Layout does not name {missing}"
    diagram = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert not [package for package in packages if f"{package}/" not in diagram and package != "benchmarks_data"]
