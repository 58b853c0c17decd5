"""Names from other people's files cannot carry an attack into the reports (issue 10).

A scenario whose title, practice name, what-if name and file name are hostile — a spreadsheet
formula (OWASP's CSV-injection examples), a newline forging a Markdown heading and a table row
with a made-up dollar figure, raw HTML, terminal escape sequences (BEL, ESC, the C1 CSI,
a bidirectional override, DEL) — is planned, compared, swapped and scored through the real CLI
in every format, and each output is read back the way its reader would: CSV with the csv module
and checked cell by cell, the workbook with openpyxl (no formula cell), Markdown line by line (no
forged heading or row, no raw HTML, tables intact), JSON byte by byte (ASCII only, and the names
exact once parsed). Nothing may exit 3 (the workbook writer used to crash on BEL).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE = SCENARIOS / "riverside-family-medicine.toml"
BASELINE = SCENARIOS / "riverside-family-medicine-2025.csv"
YEAR_TO_DATE = SCENARIOS / "riverside-family-medicine-2026-ytd.csv"

TITLE = '=HYPERLINK("http://x.invalid","click")\n# Forged heading\n| forged | row | +$9,999,999 |\x07\x1b[31m<script>alert(1)</script>\x9b2J\u202eexe.txt\x7f'
PRACTICE = "+Practice\tname\r\n@SUM(A1:A9)\x1b]0;title\x07 [click](http://x.invalid)"
WHAT_IF = "-2+3\n## Forged what-if\x07 | +$1,000,000 | <img src=x onerror=alert(1)>"
FILE_NAME = "=cmd.toml"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters that must not reach a terminal (tab and newline are allowed in CSV cells)."""


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (control characters as \\u escapes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in escaped) + '"'


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Riverside with hostile names everywhere a user can write one (two pathways keep it quick)."""
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copy(BASELINE, folder / BASELINE.name)
    shutil.copy(YEAR_TO_DATE, folder / YEAR_TO_DATE.name)
    text = BASE.read_text(encoding="utf-8")
    replacements = [
        ('title = "Riverside Family Medicine"', f"title = {toml_string(TITLE)}"),
        ('name = "Riverside Family Medicine"', f"name = {toml_string(PRACTICE)}"),
        ('name = "PI reweighted (hardship exception)"', f"name = {toml_string(WHAT_IF)}"),
        ('pathways = "all"', 'pathways = ["traditional", "M0005"]'),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    (folder / FILE_NAME).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reports(folder: Path, data_dir: Path, cli) -> dict[str, bytes]:
    """Every report command in every text format and as a workbook, written with --output."""
    runs = {
        "plan": ["plan", FILE_NAME, "--draws", "20"],
        "compare": ["compare", FILE_NAME, "--draws", "20"],
        "swap": ["swap", FILE_NAME, "--ytd", YEAR_TO_DATE.name, "--as-of", "2026-07-01", "--draws", "20"],
        "score": ["score", FILE_NAME],
    }
    formats = {command: ("md", "csv", "json", "xlsx") for command in runs}
    outputs = {}
    for command, arguments in runs.items():
        for report_format in formats[command]:
            name = f"{command}.{report_format}"
            result = cli(*arguments, "--format", report_format, "--output", name, "--data-dir", data_dir, cwd=folder)
            assert result.returncode == 0, (name, result.returncode, result.stderr.decode()[-3000:])
            assert result.stderr == b"", (name, result.stderr)
            outputs[name] = (folder / name).read_bytes()
    return outputs


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("command", ["plan", "compare", "swap", "score"])
def test_csv_cells_stay_text(command: str, reports: dict[str, bytes]) -> None:
    text = reports[f"{command}.csv"].decode("utf-8")
    assert not CONTROL.search(text), CONTROL.findall(text)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not is_number(cell)]
    assert formulas == []
    if command == "compare":
        # the hostile names are shown (quoted), not dropped: the title, the variant and the file
        assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
        assert any(cell.startswith("'-2+3") for cell in cells)
        assert "'=cmd.toml" in cells


@pytest.mark.parametrize("command", ["plan", "compare", "swap", "score"])
def test_workbook_cells_are_text_never_formulas(command: str, reports: dict[str, bytes]) -> None:
    workbook = load_workbook(io.BytesIO(reports[f"{command}.xlsx"]))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [cell for cell in cells if isinstance(cell.value, str)]
    hostile = [cell for cell in texts if cell.value.startswith(FORMULA_STARTS)]
    assert hostile, "the hostile names should be in the workbook"
    assert all(cell.quotePrefix for cell in hostile)
    assert not any(CONTROL.search(cell.value) for cell in texts)
    if command in ("plan", "compare"):
        assert any(cell.value.startswith('=HYPERLINK("http://x.invalid"') for cell in hostile)  # shown exactly, as text


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("command", ["plan", "compare", "swap", "score"])
def test_markdown_cannot_be_forged(command: str, reports: dict[str, bytes]) -> None:
    text = reports[f"{command}.md"].decode("utf-8")
    assert not CONTROL.search(text.replace("\n", "")), CONTROL.findall(text)
    lines = text.splitlines()
    assert not [line for line in lines if re.match(r"\s*(#+|\|)\s*forged", line, re.IGNORECASE)]
    assert not [line for line in lines if re.match(r"\s*[-*]?\s*#+ ", line) and not line.startswith("#")], "a heading inside a list item"
    assert re.search(r"(?<!\\)<(script|img)", text) is None, "raw HTML passed into the Markdown"
    assert re.search(r"(?<!\\)\[click\]\(", text) is None, "a link was forged"
    # every table keeps its shape: each row has as many cell borders as its header
    table: list[str] = []
    for line in lines + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            assert {unescaped_pipes(row) for row in table} == {unescaped_pipes(table[0])}, table
            table = []
    if command in ("plan", "compare"):
        assert "HYPERLINK" in text  # the name is shown, escaped, not dropped


@pytest.mark.parametrize("command", ["plan", "compare", "swap", "score"])
def test_json_is_ascii_and_exact(command: str, reports: dict[str, bytes]) -> None:
    raw = reports[f"{command}.json"]
    assert all(byte == 0x0A or 0x20 <= byte < 0x7F for byte in raw), "a control or non-ASCII byte in the JSON"
    document = json.loads(raw)
    if command == "plan":
        assert document["scenario"] == TITLE and document["practice"] == PRACTICE
    if command == "compare":
        assert document["variants"][1]["variant"] == WHAT_IF
        assert document["variants"][0]["file"] == FILE_NAME
    if command == "score":
        assert document["practice"] == PRACTICE
