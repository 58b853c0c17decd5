"""Every section of the rules reference the project cites exists: ``docs/rules-2026.md §N``.

The code, the tests, the scripts, README.md and the reference itself cite the rules as
``docs/rules-2026.md §2.10`` or, where a docstring or comment already names that file, ``§2.10``
alone (a bare ``§N`` in this project always means docs/rules-2026.md). Each cited number, and
both ends of a range such as ``§2.9–2.12``, must be the number of a section heading there
(``## 2.`` or ``### 2.10``). Regulation sections (``§ 414.1380``) and the import formats' own
numbering (``import-formats.md`` §…, a document of the shared folder) are not rule citations.
References to the research files the reference replaced (users do not have them) must be gone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
REFERENCE = REPOSITORY / "docs" / "rules-2026.md"
CITATION = re.compile(r"§\s?(\d+(?:\.\d+)?)(?:\s?[–-]\s?(\d+(?:\.\d+)?))?(?![\d.]*\d)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ")
RETIRED = ("scoring-rules-2026.md", "rules-confirmation-2026-12", "rules file §", "Rules file §")


def _sections() -> set[str]:
    return {match.group(1) for line in REFERENCE.read_text(encoding="utf-8").splitlines() if (match := HEADING.match(line))}


def _files() -> list[Path]:
    listed = subprocess.run(
        ["git", "-C", str(REPOSITORY), "ls-files", "--cached", "--others", "--exclude-standard", "optimizer", "tests", "perf", "tools", "docs", "README.md"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    own = Path(__file__).resolve()
    return [REPOSITORY / name for name in listed if name.endswith((".py", ".md")) and (REPOSITORY / name).exists() and REPOSITORY / name != own]


def _citations(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in CITATION.finditer(line):
            if len(match.group(1).split(".")[0]) >= 3 or "import-formats.md" in line[: match.start()]:
                continue  # a CFR section, or the import formats' numbering
            found += [(number, section) for section in match.groups() if section is not None]
    return found


def test_the_reference_numbers_its_sections() -> None:
    sections = _sections()
    assert {str(number) for number in range(13)} <= sections
    assert {"1.1", "1.2", "2.2", "2.10", "2.12", "7.1", "7.2", "7.3"} <= sections


def test_every_cited_section_exists() -> None:
    sections = _sections()
    missing = []
    cited = 0
    for path in _files():
        for line, section in _citations(path.read_text(encoding="utf-8")):
            cited += 1
            if section not in sections:
                missing.append(f"{path.relative_to(REPOSITORY)}:{line}: §{section}")
    assert cited > 100  # the code does cite the reference
    assert not missing, "\n".join(missing)


def test_no_citation_of_the_retired_research_files() -> None:
    stale = [
        f"{path.relative_to(REPOSITORY)}: {word}"
        for path in _files()
        for word in RETIRED
        if word in path.read_text(encoding="utf-8")
    ]
    assert not stale, "\n".join(stale)


def test_a_wrong_citation_is_found() -> None:
    # the checks themselves: a section that does not exist, a range end, a CFR section skipped
    assert _citations("see docs/rules-2026.md §2.99 and §2.9–2.13; 42 CFR § 414.1380") == [(1, "2.99"), (1, "2.9"), (1, "2.13")]
