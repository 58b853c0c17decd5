"""The months a reporting period covers, for the baseline's ``period_months``.

Whole calendar months from the first day to the day after the last, a remainder of 15 days or
more counting as one more month, between 1 and 12: 2025-01-01 … 2025-12-31 is 12, a year-to-date
export 2026-01-01 … 2026-06-30 is 6, CMS's example 2017-01-01 … 2017-06-01 is 5 (5 months and a
day), 2017-02-01 … 2017-05-31 is 4.
"""

from __future__ import annotations

from datetime import date, timedelta


def period_months(first: date, last: date) -> int:
    """Months from ``first`` to ``last`` (both included), rounded as the module says, within 1–12.

    >>> period_months(date(2025, 1, 1), date(2025, 12, 31)), period_months(date(2026, 1, 1), date(2026, 6, 30))
    (12, 6)
    >>> period_months(date(2017, 1, 1), date(2017, 6, 1)), period_months(date(2017, 2, 1), date(2017, 5, 31))
    (5, 4)
    """
    end = last + timedelta(days=1)
    months = (end.year - first.year) * 12 + (end.month - first.month)
    remainder = end.day - first.day
    if remainder < 0:
        months -= 1
        previous_month_end = date(end.year, end.month, 1) - timedelta(days=1)
        remainder += previous_month_end.day
    if remainder >= 15:
        months += 1
    return max(1, min(12, months))


def parse_hl7_date(value: str | None) -> date | None:
    """An HL7 TS (``20250101`` or ``20250101120000``) as a date, or None when it is not one."""
    text = (value or "").strip()
    if len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def parse_iso_date(value: object) -> date | None:
    """A JSON ``YYYY-MM-DD`` (a timestamp's date part is taken) as a date, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
