"""The versions of the packet format, each described by a JSON Schema shipped in schemas/.

A packet file says which version it follows in its `format`; the importer checks it against that
version's schema, and the app serves each schema at `/schemas/promotion-packet/N.json`
(`reviews.views.schemas`), the URL its `$id` names. A new version is one more schema file and
one more entry in FORMATS; the newest is the one `build_packet` writes.
"""

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

SCHEMAS = Path(__file__).parent / "schemas"
# Oldest first. Each format's schema file, in SCHEMAS.
FORMATS = {
    "promotion-packet/1": "promotion-packet-1.schema.json",
    "promotion-packet/2": "promotion-packet-2.schema.json",
}
NEWEST = next(reversed(FORMATS))
# Only the formats the checks rely on are asserted; the others ("email", "uri", "date-time")
# describe the value for readers, and the import checks those values itself.
FORMAT_CHECKER = FormatChecker(formats=("date",))


def version_of(packet_format: str) -> int:
    """ "promotion-packet/1" → 1."""
    return int(packet_format.rpartition("/")[2])


def format_of(version: int) -> str | None:
    """The format of version `version`, or None when there is no such version."""
    wanted = f"promotion-packet/{version}"
    return wanted if wanted in FORMATS else None


def schema_path(packet_format: str) -> str:
    """The URL path a format's schema is served at, as its `$id` says."""
    return f"/schemas/promotion-packet/{version_of(packet_format)}.json"


@functools.cache
def schema(packet_format: str) -> dict:
    """A format's JSON Schema, as shipped; KeyError for a format there is none of."""
    with open(SCHEMAS / FORMATS[packet_format], encoding="utf-8") as file:
        return json.load(file)


def same_value(value: object) -> object:
    """What two JSON values share when JSON Schema calls them equal (1 and 1.0, not 1 and
    true), as something a set can hold."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float | str):
        return (type(value) is str, value)
    return ("json", json.dumps(value, sort_keys=True))


def _unique_items(validator, unique, instance, schema):
    """uniqueItems in one pass: jsonschema's own compares every pair of a list whose values
    cannot be sorted together, which a large file could make take hours."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen = set()
    for value in instance:
        key = same_value(value)
        if key in seen:
            yield ValidationError(f"{value!r} is listed twice")
            return
        seen.add(key)


Validator = validators.extend(Draft202012Validator, {"uniqueItems": _unique_items})


@functools.cache
def validator(packet_format: str) -> Draft202012Validator:
    return Validator(schema(packet_format), format_checker=FORMAT_CHECKER)


def known(value: object) -> str | None:
    """`value` when it names a version of the format, else None."""
    return value if isinstance(value, str) and value in FORMATS else None


def expected_formats() -> str:
    """'promotion-packet/1', or 'promotion-packet/1' or 'promotion-packet/2'."""
    quoted = [f"'{name}'" for name in FORMATS]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"
