"""The project's errors: one base class, one line each, mapped to exit codes by the CLI.

User values shown in a message go through :func:`quoted` (bounded, control characters escaped);
the CLI passes every message through :func:`optimizer.text_safety.terminal_line` before it
reaches the terminal.
"""

from __future__ import annotations

QUOTE_LIMIT = 80
"""Characters of a user value an error message shows before it says how long the value is."""
def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    r"""A user value as an error message shows it: quoted, control characters escaped, bounded.

    >>> quoted("236")
    "'236'"
    >>> print(quoted("a\x1b[31mb"))
    'a\x1b[31mb'
    >>> quoted("x" * 1000, limit=5)
    "'xxxxx'… (1,000 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


class MipsError(Exception):
    """A known failure the user can act on; its message is one line."""


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


class DataError(MipsError):
    """CMS program data that is missing, corrupt or does not match its recorded checksum."""


class InfeasibleError(MipsError):
    """No selection satisfies the reporting rules and the user's constraints."""


class SolverError(MipsError):
    """No usable MILP solver, or a solver run that ended without a usable answer."""


class ConsistencyError(MipsError):
    """A plan whose re-scored value differs from the model's objective: a bug, never ignored."""
