"""Report files as a user names them: the format from the --output suffix, and HTML branding from
a folder of templates (--template-dir), through the real CLI.

``score`` is used where any report command would do (it is the quickest); every report command
takes the same options.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
LAKESIDE = SCENARIOS / "lakeside-multispecialty.toml"


@pytest.mark.parametrize(
    ("suffix", "looks_like"),
    [
        (".html", lambda data: data.startswith(b"<!doctype html>")),
        (".HTM", lambda data: data.startswith(b"<!doctype html>")),
        (".json", lambda data: json.loads(data)["practice"] == "Lakeside Multispecialty Group"),
        (".csv", lambda data: list(csv.DictReader(io.StringIO(data.decode())))[0]["measure_id"] != ""),
        (".xlsx", lambda data: data.startswith(b"PK\x03\x04")),  # a zip: the workbook
        (".md", lambda data: data.startswith(b"# MIPS 2026 score")),
        (".txt", lambda data: data.startswith(b"# MIPS 2026 score")),  # not a report suffix: Markdown, the default
    ],
)
def test_the_output_suffix_chooses_the_format(suffix: str, looks_like, data_dir: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / f"report{suffix}"
    result = cli("score", LAKESIDE, "--output", target, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert looks_like(target.read_bytes())


def test_a_format_that_contradicts_the_suffix_is_a_usage_error(data_dir: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / "report.html"
    result = cli("score", LAKESIDE, "--format", "md", "--output", target, "--data-dir", data_dir)
    assert result.returncode == 2
    assert "--format md does not match --output" in result.stderr.decode()
    assert not target.exists()
    # --format wins where the suffix says nothing
    result = cli("score", LAKESIDE, "--format", "json", "--output", tmp_path / "report.out", "--data-dir", data_dir)
    assert result.returncode == 0 and json.loads((tmp_path / "report.out").read_text())["pathway"]


BRANDING = """{% extends "base.html.j2" %}
{% block firm %}Acme Practice Advisors{% endblock %}
{% block disclaimer %}Prepared for our client by Acme; not billing advice.{% endblock %}
"""


def test_a_branding_template_puts_the_firm_and_disclaimer_on_every_html_report(data_dir: Path, tmp_path: Path, cli) -> None:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "branding.html.j2").write_text(BRANDING, encoding="utf-8")
    target = tmp_path / "score.html"
    result = cli("score", LAKESIDE, "--output", target, "--template-dir", folder, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr.decode()
    page = target.read_text(encoding="utf-8")
    assert '<p class="firm" data-testid="firm">Acme Practice Advisors</p>' in page
    assert '<p class="disclaimer" data-testid="disclaimer">Prepared for our client by Acme; not billing advice.</p>' in page
    # Without it: no firm line, the built-in disclaimer.
    result = cli("score", LAKESIDE, "--output", target, "--data-dir", data_dir)
    page = target.read_text(encoding="utf-8")
    assert 'data-testid="firm"' not in page and "Forecasts, not guarantees" in page


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ('{% extends "base.html.j2" %}\n{% block firm %}Acme{% endblock\n', ("branding.html.j2", "line")),
        ('{% extends "base.html.j2" %}\n{% block firm %}{{ "".__class__.__mro__ }}{% endblock %}\n', ("cannot render the HTML report",)),
        ('{% extends "no-such-base.html.j2" %}\n', ("no-such-base.html.j2", "neither there nor built in")),
    ],
    ids=["syntax error", "reaching into Python", "missing template"],
)
def test_a_broken_template_is_one_error_line_and_no_file(
    template: str, words: tuple[str, ...], data_dir: Path, tmp_path: Path, cli, one_error_line
) -> None:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "branding.html.j2").write_text(template, encoding="utf-8")
    target = tmp_path / "score.html"
    result = cli("score", LAKESIDE, "--output", target, "--template-dir", folder, "--data-dir", data_dir)
    one_error_line(result, *words)
    assert not target.exists()


def test_a_template_folder_that_does_not_exist_is_refused_before_any_work(data_dir: Path, tmp_path: Path, cli, one_error_line) -> None:
    result = cli("plan", LAKESIDE, "--output", tmp_path / "plan.html", "--template-dir", tmp_path / "missing", "--data-dir", data_dir)
    one_error_line(result, "--template-dir expects a folder")
