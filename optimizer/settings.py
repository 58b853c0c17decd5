"""Typed, checked access to a TOML table: every problem is one line naming the file and the key."""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping
from typing import Any, NoReturn

from optimizer.errors import InputError

_MISSING = object()


class Table:
    """One table of a settings file, read with type checks.

    ``path`` is the dotted key of the table inside the file (``""`` for the top level); errors
    read ``scenario.toml, field 'practice.clinicians': expected a whole number, got "eight"``.
    """

    def __init__(self, file: str, path: str, values: Mapping[str, Any]) -> None:
        self.file = file
        self.path = path
        self.values = values

    def key(self, name: str) -> str:
        """The dotted name of a key of this table."""
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> NoReturn:
        """Raise an :class:`InputError` for key ``name``."""
        raise InputError(message, file=self.file, field=self.key(name))

    def check_keys(self, allowed: Collection[str]) -> None:
        """Refuse keys this table does not know, suggesting the closest known one."""
        for name in self.values:
            if name not in allowed:
                close = difflib.get_close_matches(name, list(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(sorted(allowed))}"
                self.fail(name, f"is not a known setting{hint}")

    def has(self, name: str) -> bool:
        """Whether the key is present."""
        return name in self.values

    def _get(self, name: str, default: Any) -> Any:
        if name in self.values:
            return self.values[name]
        if default is _MISSING:
            self.fail(name, "is required")
        return default

    def integer(self, name: str, default: Any = _MISSING, minimum: int | None = None, maximum: int | None = None) -> Any:
        """A whole number, within the bounds given."""
        value = self._get(name, default)
        if value is default and name not in self.values:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"expected a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(name, f"expected at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            self.fail(name, f"expected at most {maximum}, got {value}")
        return value

    def number(self, name: str, default: Any = _MISSING, minimum: float | None = None, maximum: float | None = None) -> Any:
        """A finite number, within the bounds given."""
        value = self._get(name, default)
        if value is default and name not in self.values:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(name, f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(name, f"expected at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            self.fail(name, f"expected at most {maximum}, got {value}")
        return float(value)

    def boolean(self, name: str, default: Any = _MISSING) -> Any:
        """true or false."""
        value = self._get(name, default)
        if name in self.values and not isinstance(value, bool):
            self.fail(name, f"expected true or false, got {value!r}")
        return value

    def text(self, name: str, default: Any = _MISSING, choices: Collection[str] | None = None) -> Any:
        """A string, one of ``choices`` when given."""
        value = self._get(name, default)
        if name not in self.values:
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"expected text, got {value!r}")
        if choices is not None and value not in choices:
            self.fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def text_list(self, name: str, default: Any = _MISSING, choices: Collection[str] | None = None) -> Any:
        """A list of strings (numbers are accepted and turned into text)."""
        value = self._get(name, default)
        if name not in self.values:
            return value
        if not isinstance(value, list):
            self.fail(name, f"expected a list, got {value!r}")
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                self.fail(name, f"expected a list of text, got the item {item!r}")
            items.append(str(item))
        if choices is not None:
            for item in items:
                if item not in choices:
                    self.fail(name, f"expected items from {', '.join(choices)}, got {item!r}")
        return tuple(items)

    def table(self, name: str, required: bool = False) -> Table:
        """A sub-table (empty when absent and not required)."""
        if name not in self.values:
            if required:
                self.fail(name, "is required (a table)")
            return Table(self.file, self.key(name), {})
        value = self.values[name]
        if not isinstance(value, Mapping):
            self.fail(name, f"expected a table, got {value!r}")
        return Table(self.file, self.key(name), value)
