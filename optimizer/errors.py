"""The project's errors: one base class, one line per problem, mapped to exit codes by the CLI.

User values shown in a message go through :func:`quoted` (bounded, control characters escaped);
the CLI passes every line through :func:`optimizer.text_safety.terminal_line` before it reaches
the terminal.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Sequence

MAX_PROBLEM_LINES = 50
"""An error lists at most this many problems, then says how many more there are."""
QUOTE_LIMIT = 80
"""Characters of a user value an error message shows before it says how long the value is."""
_VALUE_QUOTER = reprlib.Repr()
_VALUE_QUOTER.maxstring = _VALUE_QUOTER.maxother = _VALUE_QUOTER.maxlong = QUOTE_LIMIT
_VALUE_QUOTER.maxlist = _VALUE_QUOTER.maxtuple = _VALUE_QUOTER.maxdict = _VALUE_QUOTER.maxset = 6
_VALUE_QUOTER.maxlevel = 3


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    r"""A user value as an error message shows it: quoted, control characters escaped, bounded.

    Text is quoted whole up to ``limit`` characters, else cut with its length; other values (numbers,
    lists, tables from a TOML file) are shown as Python shows them, bounded the same way.

    >>> quoted("236")
    "'236'"
    >>> print(quoted("a\x1b[31mb"))
    'a\x1b[31mb'
    >>> quoted("x" * 1000, limit=5)
    "'xxxxx'… (1,000 characters)"
    >>> quoted(12), quoted([1, 2])
    ('12', '[1, 2]')
    """
    if not isinstance(value, str):
        text = _VALUE_QUOTER.repr(value)
        return text if len(text) <= limit + QUOTE_LIMIT else f"{text[:limit]}…"
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def clipped(text: str, limit: int = 2 * QUOTE_LIMIT) -> str:
    """Text shown as it is (a file name, a key), cut after ``limit`` characters.

    >>> clipped("abcdef", limit=3)
    'abc…'
    """
    return text if len(text) <= limit else f"{text[:limit]}…"


def suggestion(name: object, known: Sequence[str], listed: str = "known") -> str:
    """The hint after an unknown name: the closest known one, else the known ones listed.

    >>> suggestion("Family Medcine", ["Cardiology", "Family Medicine"])
    " (did you mean 'Family Medicine'?)"
    >>> suggestion("zzz", ["a", "b"], listed="known keys")
    '; known keys: a, b'
    """
    close = difflib.get_close_matches(name, known, n=1) if isinstance(name, str) and len(name) <= 100 else []
    return f" (did you mean {close[0]!r}?)" if close else f"; {listed}: {', '.join(known)}"


class MipsError(Exception):
    """A known failure the user can act on; its message is one line per problem."""

    def lines(self) -> list[str]:
        """The message, one entry per problem (a file name or a value in it may hold a line break,
        so the message is not split on line breaks)."""
        return [str(self)]


class InputError(MipsError):
    """A practice, scenario or baseline file that cannot be used as it is.

    The message names the file, the row (1-based data row, as a spreadsheet shows it) and
    the field, then says what was expected.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.reason = message
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}" if row is None else f"column {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class InputWarning(UserWarning):
    """Something in an input file the tool ignores (for example a column it does not know); one line."""


class InputErrors(InputError):
    """Every problem found in one input, reported together: one line each (at most
    :data:`MAX_PROBLEM_LINES`, then how many more). ``file``, ``row`` and ``field`` are the first's."""

    def __init__(self, problems: Sequence[InputError]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        self.file, self.row, self.field, self.reason = first.file, first.row, first.field, first.reason
        self._lines = [str(problem) for problem in self.problems[:MAX_PROBLEM_LINES]]
        if len(self.problems) > MAX_PROBLEM_LINES:
            self._lines.append(f"… and {len(self.problems) - MAX_PROBLEM_LINES:,} more problems")
        MipsError.__init__(self, "\n".join(self._lines))

    def lines(self) -> list[str]:
        return list(self._lines)


def raise_problems(problems: Sequence[InputError]) -> None:
    """Raise the one problem as it is, several as one :class:`InputErrors`; nothing when there are none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(problems)


class DataError(MipsError):
    """CMS program data that is missing, corrupt or does not match its recorded checksum."""


class InfeasibleError(MipsError):
    """No selection satisfies the reporting rules and the user's constraints."""


class SolverError(MipsError):
    """No usable MILP solver, or a solver run that ended without a usable answer."""


class ConsistencyError(MipsError):
    """A plan whose re-scored value differs from the model's objective: a bug, never ignored."""
