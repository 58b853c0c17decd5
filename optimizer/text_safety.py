r"""Text from input files made safe for each place it is written.

Reports travel: consultants email the workbook and the CSV to clients, and scenario files come
from other people. So a title, a practice or what-if name, a file name — any text the tool did not
write itself — is treated as hostile wherever it goes, each kind of output in one function:

==========  ==============================================================================
Markdown    :func:`markdown_text`, applied to every string of a report document by
            :func:`markdown_document`: one line, no raw HTML, no Markdown structure (headings,
            table rows, links) can be forged
CSV, Excel  :func:`spreadsheet_text`: control characters replaced; a cell a spreadsheet would
            run as a formula (OWASP's CSV-injection list: it starts with ``=``, ``+``, ``-``,
            ``@``, tab or carriage return) starts with a single quote in CSV, and is a text cell
            with Excel's own quote prefix in a workbook
JSON        :func:`json_text`: every control character escaped (``\u0007``)
HTML        :func:`html_text`: escaped, control characters replaced (the HTML report's one
            escaping function; its content security policy forbids scripts besides)
stderr      :func:`terminal_line`: one line, control characters shown as escapes, bounded
==========  ==============================================================================

Control characters are C0 and C1 controls and DEL, plus the invisible formatting characters
that reorder or hide text on a terminal (bidirectional overrides, zero-width characters).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Control and invisible formatting characters (tab and newline included)."""
REPLACEMENT = "\ufffd"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
EXCEL_CELL_CHARACTERS = 32_767
"""The most characters an Excel cell holds."""
ERROR_LINE_CHARACTERS = 1_000
"""The most characters of an error or warning line printed on the terminal."""

_MARKDOWN_INLINE = re.compile(r"([\\`*\[\]<])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))")
_CONTROL_BUT_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Control and invisible characters but tab and newline (Excel cannot hold the C0 ones)."""


def markdown_text(text: str) -> str:
    r"""``text`` as inline Markdown that shows exactly the text and nothing more.

    Line breaks and tabs become spaces and other control characters U+FFFD, so a name cannot
    start a heading or a table row; ``\ ` * [ ] <`` are backslash-escaped, so it cannot open a
    link, an emphasis, a code span or raw HTML; a leading ``#``, ``>``, ``-``, ``+``, ``=`` or
    ``1.`` is escaped too. Pipes are escaped by :func:`optimizer.report.formatting.markdown_table`
    (they only matter in tables).

    >>> print(markdown_text("Clinic\n# Forged <b>heading</b> [x](http://x.invalid)"))
    Clinic # Forged \<b>heading\</b> \[x\](http://x.invalid)
    >>> print(markdown_text("# 1 *big*"))
    \# 1 \*big\*
    """
    text = re.sub("[\r\n\t\u2028\u2029\x85]", " ", text)
    text = UNPRINTABLE.sub(REPLACEMENT, text)
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_BLOCK_START.sub(lambda match: f"{match.group(1)}{match.group(2)}\\" if match.group(2)[0].isdigit() else f"{match.group(1)}\\{match.group(2)}", text, count=1)


def markdown_document(document: Any) -> Any:
    """A report document with :func:`markdown_text` applied to every string value (keys are the
    report's own names and stay as they are)."""
    if isinstance(document, str):
        return markdown_text(document)
    if isinstance(document, dict):
        return {key: markdown_document(value) for key, value in document.items()}
    if isinstance(document, (list, tuple)):
        return [markdown_document(value) for value in document]
    return document


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (OWASP's leading characters)."""
    return text.startswith(FORMULA_STARTS)


def cell_text(text: str, limit: int | None = None) -> str:
    """``text`` as a spreadsheet cell may hold it: carriage returns become newlines (a cell may hold
    several lines), other control characters (those an Excel file cannot hold, C1 controls,
    invisible formatting) become U+FFFD; ``limit`` cuts it to that many characters (Excel's cell
    limit)."""
    text = _CONTROL_BUT_LAYOUT.sub(REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))
    return text if limit is None else text[:limit]


def spreadsheet_text(text: str) -> str:
    r"""``text`` as a CSV cell that stays text when a spreadsheet opens the file.

    :func:`cell_text`, then OWASP's advice against CSV injection: text a spreadsheet would run as
    a formula gets a leading single quote. (The workbook writer marks such a cell as quoted text
    instead, which Excel shows without the quote.)

    >>> spreadsheet_text('=HYPERLINK("http://x.invalid","click")')
    '\'=HYPERLINK("http://x.invalid","click")'
    >>> spreadsheet_text("Riverside\x07")
    'Riverside�'
    """
    text = cell_text(text)
    return "'" + text if is_formula_like(text) else text


def html_text(text: str) -> str:
    """``text`` escaped for HTML content or a quoted attribute, control characters other than tab
    and newline replaced by U+FFFD.

    >>> html_text('<b title="x">\x1b[2J')
    '&lt;b title=&quot;x&quot;&gt;�[2J'
    """
    return html.escape(_CONTROL_BUT_LAYOUT.sub(REPLACEMENT, text), quote=True)


def json_text(document: Any) -> str:
    """``document`` as indented JSON (no NaN or infinity) in which every control character is escaped.

    :func:`json.dumps` escapes C0 controls and, with ASCII output, everything beyond ASCII (C1
    controls, bidirectional overrides); DEL is ASCII, so it is escaped here.
    """
    return json.dumps(document, indent=2, allow_nan=False, ensure_ascii=True).replace("\x7f", "\\u007f") + "\n"


def terminal_line(message: str, limit: int = ERROR_LINE_CHARACTERS) -> str:
    r"""``message`` as one terminal-safe line of at most about ``limit`` characters.

    Newlines, tabs and other control or invisible characters become visible escapes (``\n``,
    ``\x1b``), so nothing in a message can move the cursor, ring the bell or restyle the
    terminal; a longer message is cut and says how long it was.

    >>> print(terminal_line("bad\nline\x07"))
    bad\nline\x07
    """
    text = UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], message)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters)"
    return text
