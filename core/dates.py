"""The one rule for the dates people give: in forms, in an imported packet and to commands.

A date is accepted from 1 January 1900 to `YEARS_AHEAD` years after today. A date on which
something happened (the work of an evidence item, a check-in, a feedback message) is accepted
up to today and no later: "today" is the organisation's (core.clock), as everywhere else.
Dates that may lie ahead are the ones HR plans: a case's opening, a decision's effective date,
and the day a report or a filter looks at.

The range is one no organisation reaches in earnest, and keeping to it means that everything a
form accepts, a packet of it carries and the import accepts again: the import and the forms
apply this same rule.
"""

import argparse
import datetime

from django import forms
from django.core.exceptions import ValidationError

from core import clock

EARLIEST = datetime.date(1900, 1, 1)
YEARS_AHEAD = 5


def spoken(day: datetime.date) -> str:
    """1 January 1900: how a refusal names a date."""
    return f"{day.day} {day:%B %Y}"


def latest(*, happened: bool, today: datetime.date | None = None) -> datetime.date:
    """The last date accepted: today for what happened, else `YEARS_AHEAD` years after it."""
    today = today or clock.today()
    if happened:
        return today
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        # 29 February, in a year that has none.
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_problem(
    value: datetime.date, *, happened: bool, today: datetime.date | None = None
) -> str | None:
    """Why this date is refused, as the end of a sentence ("cannot be in the future"); None when
    it is accepted."""
    if value < EARLIEST:
        return f"cannot be before {spoken(EARLIEST)}"
    last = latest(happened=happened, today=today)
    if value > last:
        if happened:
            return "cannot be in the future"
        return f"cannot be after {spoken(last)}, {YEARS_AHEAD} years from today"
    return None


def check_date(
    value: datetime.date, *, name: str, happened: bool, field: str | None = None
) -> None:
    """ValidationError naming the date ("The opening date cannot be …") when it is refused, for
    `field` when given (as a service reports it)."""
    if problem := date_problem(value, happened=happened):
        message = f"{name} {problem}."
        raise ValidationError({field: message} if field else message)


class DateField(forms.DateField):
    """A form's date, held to the rule; `name` begins its refusal ("The date of the work")."""

    def __init__(self, *, name: str = "The date", happened: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.name, self.happened = name, happened

    def validate(self, value):
        super().validate(value)
        if value is not None:
            check_date(value, name=self.name, happened=self.happened)


def command_date(text: str) -> datetime.date:
    """A command's date option (argparse `type`), YYYY-MM-DD, held to the rule."""
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, found {text!r}") from None
    if problem := date_problem(value, happened=False):
        raise argparse.ArgumentTypeError(f"the date {text} {problem}")
    return value
