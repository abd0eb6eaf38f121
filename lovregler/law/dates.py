"""The one place where deadlines become dates.

Rules (see the README, "Deadlines"):

* ``days`` and ``weeks`` add 1 or 7 days per unit ("6 weeks" is 42 days);
* ``hours`` are rounded up to whole days (24 hours after a date is the next day);
* ``months`` land on the same day of the month; where the target month is shorter, on its
  last day (31 October 2019 + 4 months = 29 February 2020);
* ``years`` are 12 months, with the same month-end rule.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Unit = Literal["hours", "days", "weeks", "months", "years"]
UNITS: tuple[Unit, ...] = ("hours", "days", "weeks", "months", "years")


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
