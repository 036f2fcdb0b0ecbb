"""Checking parsed JSON against the shape a file must have, collecting every problem with its
JSON path (`$.evidence[3].indicators[1]`) rather than stopping at the first."""

import datetime
import json
import re
from typing import Any, NamedTuple

from core import clock
from core.dates import date_problem

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PacketProblem(NamedTuple):
    path: str
    message: str

    @property
    def place(self) -> str:
        """Where the problem is, in words (reviews/packets/places.py)."""
        from reviews.packets.places import place

        return place(self.path)


def key_path(path: str, key: str) -> str:
    if IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def show(value: Any) -> str:
    """A value as a problem message quotes it: short, and never the whole of a long text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:40]}…"
    if isinstance(value, str):
        shown = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value[:60]
        )
        return f"'{shown}…'" if len(value) > 60 else f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def span(numbers: list[int]) -> str:
    """1, 2, 3, 4 as "1–4"; gaps listed one by one."""
    if not numbers:
        return "none"
    numbers = sorted(numbers)
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


class JsonChecker:
    """The checks of plain JSON values; each records its problem and returns None on one."""

    def __init__(self) -> None:
        self.problems: list[PacketProblem] = []
        self.today = clock.today()
        self.now = clock.now()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(PacketProblem(path, message))

    # Shapes

    def mapping(
        self, value: Any, path: str, keys: tuple[str, ...], required: dict[str, str]
    ) -> dict | None:
        """`value` as an object with only `keys`; `required` maps a key to the message if absent."""
        if not isinstance(value, dict):
            self.problem(path, f"expected an object, found {show(value)}")
            return None
        for key, message in required.items():
            if key not in value:
                self.problem(key_path(path, key), message)
        for key in value:
            if key not in keys:
                self.problem(
                    key_path(path, str(key)),
                    f"unknown key; expected only {', '.join(keys)}",
                )
        return value

    def array(self, value: Any, path: str) -> list | None:
        if not isinstance(value, list):
            self.problem(path, f"expected a list, found {show(value)}")
            return None
        return value

    def text(
        self, value: Any, path: str, *, max_length: int, blank: str | None = None
    ) -> str | None:
        """A string within `max_length`; `blank` is the message for an empty one, if refused."""
        if not isinstance(value, str):
            self.problem(path, f"expected text, found {show(value)}")
            return None
        if "\x00" in value:
            self.problem(path, "contains a NUL character, which cannot be stored")
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(path, "contains an unpaired surrogate, which is not valid Unicode")
            return None
        if blank is not None and not value.strip():
            self.problem(path, blank)
            return None
        if len(value) > max_length:
            self.problem(path, f"is {len(value):,} characters long; the limit is {max_length:,}")
            return None
        return value

    def integer(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"expected a whole number, found {show(value)}")
            return None
        return value

    def date(self, value: Any, path: str, what: str, *, happened: bool) -> datetime.date | None:
        """A date as YYYY-MM-DD, held to the rule of every date (core/dates.py)."""
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.problem(path, f"expected a date as YYYY-MM-DD, found {show(value)}")
            return None
        try:
            date = datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(path, f"{what} {value} is not a real date")
            return None
        if problem := date_problem(date, happened=happened, today=self.today):
            self.problem(path, f"{what} {value} {problem}")
            return None
        return date

    def moment(self, value: Any, path: str) -> datetime.datetime | None:
        expected = "expected a date and time with its time zone, such as 2025-02-10T09:00:00Z"
        if not isinstance(value, str):
            self.problem(path, f"{expected}, found {show(value)}")
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.problem(path, f"{expected}, found {show(value)}")
            return None
        # Something that happened: no later than now, which is finer than today.
        if moment > self.now:
            problem = "cannot be in the future"
        else:
            problem = date_problem(moment.date(), happened=True, today=self.today)
        if problem:
            self.problem(path, f"the time {value} {problem}")
            return None
        return moment

    # The packet
