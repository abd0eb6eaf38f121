"""The one place where deadlines become dates.

Rules (see the README, "Deadlines"):

* ``days`` and ``weeks`` add 1 or 7 days per unit ("6 weeks" is 42 days);
* ``hours`` are rounded up to whole days (24 hours after a date is the next day);
* ``months`` land on the same day of the month; where the target month is shorter, on its
  last day (31 October 2019 + 4 months = 29 February 2020);
* ``years`` are 12 months, with the same month-end rule.

A rule file's deadline or repeat is at most :data:`LONGEST` (100 years, in each unit): far beyond
any period of the law (the longest run months), and short enough that, with the range of case
dates in ``vocabulary.yaml``, every due date lovregler computes is a date Python can represent.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Unit = Literal["hours", "days", "weeks", "months", "years"]
UNITS: tuple[Unit, ...] = ("hours", "days", "weeks", "months", "years")

LONGEST_YEARS = 100
_DAYS = 36_524  # the fewest days of any 100 years: no unit's longest is more than 100 years
LONGEST: dict[Unit, int] = {
    "hours": _DAYS * 24,
    "days": _DAYS,
    "weeks": _DAYS // 7,
    "months": LONGEST_YEARS * 12,
    "years": LONGEST_YEARS,
}
"""The most of each unit a deadline or a repeat may be (each at most 100 years)."""
ROOM_YEARS = 3 * LONGEST_YEARS
"""The years the last case date must leave before ``date.max``: a deadline from it, a repeat
after that due date, and the audit's look at the repeat after that."""


def too_long(amount: int, unit: Unit) -> str | None:
    """Why ``amount`` of ``unit`` is longer than a deadline or repeat may be, or ``None``."""
    if amount <= LONGEST[unit]:
        return None
    shown = f"{amount:,}" if amount.bit_length() < 64 else "a number that large"
    years = "" if unit == "years" else f" ({LONGEST_YEARS} years)"
    return f"{shown} {unit} is too long: a deadline or repeat is at most {LONGEST[unit]:,} {unit}{years}"


def add_period(start: date, amount: int, unit: Unit) -> date:
    """``start`` plus ``amount`` ``unit``s, by the rules in this module's docstring."""
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    if unit == "hours":
        return start + timedelta(days=-(-amount // 24))
    months = amount * 12 if unit == "years" else amount
    if unit not in ("months", "years"):
        raise ValueError(f"unknown unit {unit!r}")
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def day_number(value: date) -> int:
    """A date as the integer the rules engine compares (proleptic Gregorian ordinal)."""
    return value.toordinal()
