from datetime import date

import pytest

from lovregler.law.dates import add_period, day_number


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (date(2019, 10, 31), 4, "months", date(2020, 2, 29)),  # the brief's month-end example
        (date(2018, 10, 31), 4, "months", date(2019, 2, 28)),  # not a leap year
        (date(2019, 2, 1), 4, "months", date(2019, 6, 1)),
        (date(2019, 11, 30), 3, "months", date(2020, 2, 29)),
        (date(2019, 12, 15), 1, "months", date(2020, 1, 15)),  # across a year end
        (date(2019, 8, 31), 6, "months", date(2020, 2, 29)),
        (date(2020, 2, 29), 1, "years", date(2021, 2, 28)),
        (date(2019, 1, 1), 6, "weeks", date(2019, 2, 12)),  # 42 days
        (date(2019, 12, 31), 1, "days", date(2020, 1, 1)),
        (date(2019, 3, 1), 24, "hours", date(2019, 3, 2)),
        (date(2019, 3, 1), 25, "hours", date(2019, 3, 3)),  # hours round up to whole days
        (date(2019, 3, 1), 0, "days", date(2019, 3, 1)),
        (date(2019, 3, 1), 0, "months", date(2019, 3, 1)),
    ],
)
def test_add_period(start: date, amount: int, unit: str, expected: date) -> None:
    assert add_period(start, amount, unit) == expected  # type: ignore[arg-type]


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        add_period(date(2019, 1, 1), 1, "fortnights")  # type: ignore[arg-type]


def test_day_numbers_keep_order() -> None:
    assert day_number(date(2019, 12, 31)) + 1 == day_number(date(2020, 1, 1))
