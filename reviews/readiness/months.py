"""Calendar months, as readiness counts them: an item counts in the month of its date.

A month is written as its key, "2026-03", as the readiness report and the heat strip write it.
Months as consecutive integers (`month_index`) make window and block arithmetic plain
subtraction. Every count of months in the app comes from here.
"""

import datetime

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def key_of_index(index: int) -> str:
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def month_key(day: datetime.date) -> str:
    """1 March 2026 → '2026-03'."""
    return key_of_index(month_index(day))


def months_ending(as_of: datetime.date, count: int) -> list[str]:
    """The `count` month keys ending with as_of's month, oldest first."""
    end = month_index(as_of)
    return [key_of_index(i) for i in range(end - count + 1, end + 1)]


def _split(key: str) -> tuple[int, int]:
    year, month = key.split("-")
    return int(year), int(month)


def first_day(key: str) -> datetime.date:
    """'2026-03' → 1 March 2026."""
    year, month = _split(key)
    return datetime.date(year, month, 1)


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month `back` months before day's."""
    year, month0 = divmod(month_index(day) - back, 12)
    return datetime.date(year, month0 + 1, 1)


def month_name(key: str) -> str:
    """'2026-03' → 'March 2026'."""
    year, month = _split(key)
    return f"{MONTH_NAMES[month - 1]} {year}"


def short_month_name(key: str) -> str:
    """'2026-03' → 'Mar 26'."""
    year, month = _split(key)
    return f"{MONTH_NAMES[month - 1][:3]} {year % 100:02d}"


def calendar_months(start: datetime.date, end: datetime.date) -> int:
    """The calendar months from start's to end's, both counted: 31 Jan → 1 Feb is 2."""
    return max(0, month_index(end) - month_index(start) + 1)


def months_open(opened_on: datetime.date, as_of: datetime.date) -> int:
    """Whole calendar months from opening to as_of: 6 Jan → 5 Feb is 0, → 6 Feb is 1."""
    months = month_index(as_of) - month_index(opened_on)
    if as_of.day < opened_on.day:
        months -= 1
    return max(0, months)


def quarter_of(day: datetime.date) -> tuple[int, datetime.date, datetime.date]:
    """The quarter's number, its first day and its last day."""
    quarter = (day.month - 1) // 3 + 1
    first = datetime.date(day.year, 3 * quarter - 2, 1)
    after = datetime.date(day.year + quarter // 4, (3 * quarter) % 12 + 1, 1)
    return quarter, first, after - datetime.timedelta(days=1)
