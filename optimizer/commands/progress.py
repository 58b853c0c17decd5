"""Progress lines on standard error for long runs (silent when stderr is not a terminal unless asked)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

PROGRESS_ENVIRONMENT_VARIABLE = "MIPS_OPTIMIZER_PROGRESS"


def stderr_progress() -> Callable[[str], None] | None:
    """A callback printing progress to stderr when it is a terminal (or MIPS_OPTIMIZER_PROGRESS=1)."""
    forced = os.environ.get(PROGRESS_ENVIRONMENT_VARIABLE)
    if forced == "0" or (forced != "1" and not sys.stderr.isatty()):
        return None

    def report(message: str) -> None:
        print(f"… {message}", file=sys.stderr, flush=True)

    return report
