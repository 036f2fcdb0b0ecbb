"""Checking parsed JSON against the shape a packet must have: the JSON Schema of its format
(reviews/packets/formats.py), with jsonschema collecting every error rather than stopping at the
first. Each error becomes a PacketProblem: the JSON path (`$.evidence[3].indicators[1]`) and the
reason in plain words, the words of the rest of the import. Problems are listed in the order of
the packet's parts, as the schema lists them.
"""

import itertools
import json
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from jsonschema import ValidationError

from reviews.packets import formats

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A path with its list positions and quoted keys taken out: the place a message is worded for.
POSITION = re.compile(r'\[(\d+|"(?:[^"\\]|\\.)*")\]')


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


def json_path(parts: Iterable[str | int]) -> str:
    """`["evidence", 3, "title"]` → `$.evidence[3].title`."""
    path = "$"
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else key_path(path, part)
    return path


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


def choices(values: Iterable[Any]) -> str:
    """'yes', 'partly' or 'no'."""
    quoted = [f"'{v}'" if isinstance(v, str) else show(v) for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# What each place holds, for the messages that name it. Places are paths without their list
# positions and quoted keys: "$.evidence[].date".
MISSING = {
    "$.candidate": "a candidate is required",
    "$.sponsor": "a sponsor is required",
    "$.guide": "a guide is required: {from, to, version}",
    "$.opened_on": "the opening date is required (YYYY-MM-DD)",
    "$.candidate.username": "a username is required",
    "$.sponsor.username": "a username is required",
    "$.guide.from": "the level the guide starts from is required, such as 'M3'",
    "$.guide.to": "the level the guide leads to is required, such as 'E1'",
    "$.guide.version": "the guide's version is required, such as 1",
    "$.evidence[].capability": "the capability's number is required",
    "$.evidence[].title": "a title is required",
    "$.evidence[].date": "the date of the work is required (YYYY-MM-DD)",
    "$.check_ins[].date": "the check-in's date is required (YYYY-MM-DD)",
    "$.check_ins[].answers": "the answers are required, by question number",
    "$.feedback[].evidence": "the evidence item's index is required",
    "$.feedback[].author": "the author's username is required",
    "$.feedback[].kind": "the kind is required: {kinds}",
    "$.feedback[].text": "the text is required",
    "$.feedback[].imported.at": "the time of the import is required",
}
BLANK = {"$.evidence[].title": "the title is empty", "$.feedback[].text": "the text is empty"}
EXPECTED = {
    "$": "a packet: a JSON object",
    "$.check_ins[].answers": "an object of answers by question number",
    "$.check_ins[].notes": "an object of notes by question number",
}
TOO_MANY = {
    "$.evidence": "a case can hold at most {limit:,} evidence items, and this packet has {count:,}",
    "$.check_ins": "a case can hold at most {limit:,} check-ins, and this packet has {count:,}",
    "$.feedback": "a case can hold at most {limit:,} feedback messages, and this packet has "
    "{count:,}",
    "$.evidence[].links": "at most {limit} links ({count} given)",
}
LISTED_TWICE = {"$.evidence[].indicators": "indicator {value} is listed twice"}
OUT_OF_RANGE = {"$.guide.version": "expected a version from 1, found {value}"}
DATE_NAMES = {
    "$.opened_on": "opening date",
    "$.evidence[].date": "evidence date",
    "$.check_ins[].date": "check-in date",
}
TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
# What a value of each pattern of the schemas looks like. tests/reviews/test_packet_schemas.py
# checks that every pattern of every schema is here.
MOMENT_WORDS = "a date and time with its time zone, such as 2025-02-10T09:00:00Z"
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MOMENT = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
LOOKS_LIKE = {
    DATE: "a date as YYYY-MM-DD",
    MOMENT: MOMENT_WORDS,
    "^[0-9]{4}-[0-9]{2}$": "a month as YYYY-MM",
    "^[1-9][0-9]{0,4}$": 'a question number such as "1"',
    "^[0-9a-f]{64}$": "a SHA-256 as 64 hexadecimal digits",
    "^(stale|lopsided|thin:[1-9][0-9]*)$": "a flag: 'stale', 'lopsided', or 'thin:' and a number",
}
STORABLE = "^[^\\u0000\\ud800-\\udfff]*$"
NOT_BLANK = "\\S"
WEB_ADDRESS = "^[Hh][Tt][Tt][Pp][Ss]?://"


# jsonschema takes a while over each error: a file of a million wrong values is told of its first
# thousand, rather than keeping the import busy for minutes.
MAX_ERRORS = 1000
TOO_MANY_ERRORS = (
    f"the file has more than {MAX_ERRORS:,} problems of shape; the first of them are listed, "
    "and the check stopped there"
)


def place_of(path: str) -> str:
    """`$.evidence[3].indicators[1]` → `$.evidence[].indicators[]`."""
    return POSITION.sub("[]", path)


def shape_problems(data: dict) -> tuple[str, list[PacketProblem]]:
    """The format `data` is checked as and every problem of its shape, in the packet's order.

    A file of no known format is refused for it, and checked as the newest format as well, so
    that its other problems are listed at once.
    """
    packet_format = formats.known(data.get("format"))
    problems = []
    if packet_format is None:
        found = show(data["format"]) if "format" in data else "none"
        expected = formats.expected_formats()
        problems.append(PacketProblem("$.format", f"expected format {expected}, found {found}"))
        packet_format = formats.NEWEST
    errors = [
        error
        for error in itertools.islice(
            formats.validator(packet_format).iter_errors(data), MAX_ERRORS + 1
        )
        # The format is the registry's to judge, above.
        if list(error.absolute_path) != ["format"]
    ]
    if len(errors) > MAX_ERRORS:
        del errors[MAX_ERRORS:]
        problems.append(PacketProblem("$", TOO_MANY_ERRORS))
    problems.extend(_problems(errors))
    return packet_format, in_file_order(problems, formats.schema(packet_format))


def _problems(errors: list[ValidationError]) -> list[PacketProblem]:
    found: dict[str, PacketProblem] = {}
    whole: list[str] = []  # lists over their limit, refused whole
    for error in errors:
        for problem in _worded(error):
            found.setdefault(problem.path, problem)
            if error.validator == "maxItems":
                whole.append(problem.path)
    return [
        problem
        for path, problem in found.items()
        if not any(path.startswith((f"{list_path}[", f"{list_path}.")) for list_path in whole)
    ]


def _worded(error: ValidationError) -> list[PacketProblem]:
    """One schema error as the problems it is, each at its own path."""
    path = json_path(error.absolute_path)
    place = place_of(path)
    value = error.instance
    kind = error.validator
    if "propertyNames" in error.absolute_schema_path:
        # A key that is not what the object's keys must be: the error is about the key.
        return [_problem(key_path(path, str(value)), kind, error, value, place="")]
    if kind == "required":
        return [
            PacketProblem(key_path(path, key), _missing(key_path(place, key), error))
            for key in error.validator_value
            # The format is the registry's to judge (shape_problems).
            if key not in value and not (path == "$" and key == "format")
        ]
    if kind == "additionalProperties" and error.validator_value is False:
        allowed = list(error.schema.get("properties", {}))
        message = f"unknown key; expected only {', '.join(allowed)}"
        return [
            PacketProblem(key_path(path, str(key)), message) for key in value if key not in allowed
        ]
    if kind == "uniqueItems":
        seen = set()
        problems = []
        for index, item in enumerate(value):
            key = formats.same_value(item)
            if key in seen:
                template = LISTED_TWICE.get(place, "{shown} is listed twice")
                message = template.format(value=item, shown=show(item))
                problems.append(PacketProblem(f"{path}[{index}]", message))
            seen.add(key)
        return problems
    return [_problem(path, kind, error, value, place)]


def _missing(place: str, error: ValidationError) -> str:
    message = MISSING.get(place, "is missing")
    if "{kinds}" in message:
        kinds = error.schema["properties"]["kind"]["enum"]
        message = message.format(kinds=choices(kinds))
    return message


def _problem(path: str, kind: str, error: ValidationError, value: Any, place: str) -> PacketProblem:
    return PacketProblem(path, _message(kind, error, value, place))


def _message(kind: str, error: ValidationError, value: Any, place: str) -> str:
    rule = error.validator_value
    pattern = error.schema.get("pattern")
    if kind == "type":
        if pattern in LOOKS_LIKE:
            return f"expected {LOOKS_LIKE[pattern]}, found {show(value)}"
        types = [rule] if isinstance(rule, str) else rule
        expected = EXPECTED.get(place) or " or ".join(TYPES[t] for t in types)
        return f"expected {expected}, found {show(value)}"
    if kind == "pattern":
        if rule == STORABLE:
            if "\x00" in value:
                return "contains a NUL character, which cannot be stored"
            return "contains an unpaired surrogate, which is not valid Unicode"
        if rule == NOT_BLANK:
            return BLANK.get(place, "is empty")
        if rule == WEB_ADDRESS:
            return f"{show(value)} is not a web address starting with http:// or https://"
        return f"expected {LOOKS_LIKE.get(rule, 'text of another form')}, found {show(value)}"
    if kind == "format":
        if not ISO_DATE.fullmatch(value):
            return f"expected {LOOKS_LIKE[DATE]}, found {show(value)}"
        return f"{DATE_NAMES.get(place, 'date')} {value} is not a real date"
    if kind in ("enum", "const"):
        allowed = rule if kind == "enum" else [rule]
        return f"expected {choices(allowed)}, found {show(value)}"
    if kind == "maxLength":
        return f"is {len(value):,} characters long; the limit is {rule:,}"
    if kind == "maxItems":
        template = TOO_MANY.get(place, "at most {limit:,} entries ({count:,} given)")
        return template.format(limit=rule, count=len(value))
    if kind == "minItems":
        return f"expected at least {rule} entries, found {len(value)}"
    if kind == "items" and rule is False:
        return f"expected {len(error.schema.get('prefixItems', []))} entries, found {len(value)}"
    if kind in ("minimum", "maximum"):
        bound = "from" if kind == "minimum" else "no more than"
        default = f"expected a number {bound} {rule}, found {{value}}"
        return OUT_OF_RANGE.get(place, default).format(value=show(value))
    return "is not what the packet format allows here"


def in_file_order(problems: list[PacketProblem], schema: dict) -> list[PacketProblem]:
    """`problems` by where they are in a packet: its parts in the order the schema lists them,
    list entries by position, keys the schema does not name after the ones it does. Problems at
    one place keep their order."""
    return sorted(problems, key=lambda problem: _rank(problem.path, schema))


TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _rank(path: str, root: dict) -> tuple:
    rank = []
    schema = root
    for match in TOKEN.finditer(path, 1):
        key, index, quoted = match.groups()
        schema = _resolved(schema, root)
        if index is not None:
            rank.append((int(index), ""))
            schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            continue
        key = key if key is not None else json.loads(quoted)
        properties = list(schema.get("properties", {}))
        if key in properties:
            rank.append((properties.index(key), ""))
            schema = schema["properties"][key]
        else:
            # Keys the schema does not name: question numbers in their order, others after.
            number = int(key) if key.isascii() and key.isdigit() and len(key) < 10 else 10**10
            rank.append((len(properties) + number, key))
            extra = schema.get("additionalProperties")
            schema = extra if isinstance(extra, dict) else {}
    return tuple(rank)


def _resolved(schema: dict, root: dict) -> dict:
    """The schema a `$ref` names, with the referring schema's own keywords over it."""
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = {**root["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema if isinstance(schema, dict) else {}
