"""What reading one file gives: baseline rows, notes (information), and problems (refusals), each one line.

A problem names the file, the measure and the field; any problem means nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimizer.collection_types import MEDICARE_PART_B_CLAIMS
from optimizer.errors import InputError


@dataclass(frozen=True)
class Counts:
    """The five counts of one measure (or one stratum / population criteria), in baseline terms."""

    eligible_population: int
    performance_met: int
    performance_not_met: int
    exclusions: int
    exceptions: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.eligible_population, self.performance_met, self.performance_not_met, self.exclusions, self.exceptions)

    @property
    def cases(self) -> int:
        """met + not met (the performance denominator)."""
        return self.performance_met + self.performance_not_met

    @property
    def rate(self) -> float:
        """met / (met + not met) in percent (NaN without cases)."""
        return 100.0 * self.performance_met / self.cases if self.cases else float("nan")


ZERO = Counts(0, 0, 0, 0, 0)


@dataclass(frozen=True)
class ImportedRow:
    """One baseline row read from a file, with where it came from."""

    file: str
    measure_id: str
    collection_type: str
    counts: Counts
    period_months: int
    performance_rate: float | None = None
    """The registry's stated rate, kept only for QCDR rows (CMS scores the registry's rate)."""
    detail: str = ""
    """How the file names the measure (eCQM id and UUID, or the measurement set), for notes."""

    def record(self) -> dict[str, Any]:
        """The row in the baseline table's columns."""
        counts = self.counts
        row: dict[str, Any] = {
            "measure_id": self.measure_id,
            "collection_type": self.collection_type,
            "eligible_population": counts.eligible_population,
            "performance_met": counts.performance_met,
            "performance_not_met": counts.performance_not_met,
            "exclusions": counts.exclusions,
            "exceptions": counts.exceptions,
            "period_months": self.period_months,
        }
        if self.performance_rate is not None:
            row["performance_rate"] = self.performance_rate
        if self.collection_type == MEDICARE_PART_B_CLAIMS:
            row["codes_on_claims"] = True  # counts of a claims measure come from the quality codes on the claims
        return row


@dataclass
class FileImport:
    """Everything read from one file."""

    file: str
    rows: list[ImportedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    performance_year: int | None = None
    period: tuple[str, str] | None = None

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}")


class ImportRefused(InputError):
    """One or more problems in the files to import; its message is the first, ``problems`` holds all."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; `mips-optimizer import` lists them all)"
        super().__init__(problems[0] + (more if len(problems) > 1 else ""))
