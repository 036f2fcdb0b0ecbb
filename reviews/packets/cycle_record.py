"""A version 2 packet's cycle record (`cycle` and `outcome`) as an import reads it.

The schema checks its shape (reviews/packets/schemas/promotion-packet-2.schema.json). What it
cannot say is checked here: the outcome speaks of the cycle the file names, and its scores of
capabilities of the case's guide. The record is then left behind, as the sign-offs and the
decision are: a cycle, its panel and its outcomes are the sending organisation's committee's
own, and the models hold an outcome only for a nomination to a cycle here. The import says so
in its summary (`left_behind`).
"""

from dataclasses import dataclass
from typing import Any

from reviews.words import outcome_result_label


@dataclass(frozen=True)
class CycleRecord:
    """What a file's valid cycle record says, as the import's summary words it."""

    cycle: str | None
    outcome: str | None  # the latest outcome's result, "promoted" or "not_yet"
    has_outcome: bool


def read_record(data: dict, *, sound, capabilities: dict | None, problem) -> CycleRecord | None:
    """The record of a packet whose shape was checked; `sound(path)` says whether a part has
    its schema's shape, `capabilities` are the guide's by number (None when the guide is not
    known), and `problem(path, message)` reports what is wrong."""
    if "cycle" not in data and "outcome" not in data:
        return None
    cycle = data.get("cycle") if sound("$.cycle") else None
    outcome = data.get("outcome") if sound("$.outcome") else None
    name = cycle.get("name") if isinstance(cycle, dict) else None
    if isinstance(outcome, dict):
        said = outcome.get("cycle")
        if name is not None and said is not None and said != name:
            problem(
                "$.outcome.cycle",
                f"the outcome is of the cycle {said!r}, but the packet's cycle is {name!r}",
            )
        if capabilities is not None:
            for index, row in enumerate(outcome.get("scores", [])):
                number = row.get("capability")
                if isinstance(number, int) and number not in capabilities:
                    problem(
                        f"$.outcome.scores[{index}].capability",
                        f"the guide has no capability {number}",
                    )
    outcomes = outcome.get("outcomes", []) if isinstance(outcome, dict) else []
    latest: Any = outcomes[-1].get("result") if outcomes else None
    return CycleRecord(
        cycle=name or (outcome.get("cycle") if isinstance(outcome, dict) else None),
        outcome=latest,
        has_outcome=isinstance(outcome, dict),
    )


def left_behind(record: CycleRecord | None) -> list[str]:
    """Sentences for the import's summary: what of the cycle record was not imported."""
    if record is None or (record.cycle is None and not record.has_outcome):
        return []
    named = f" “{record.cycle}”" if record.cycle else ""
    if record.has_outcome:
        said = (
            f" (latest: {outcome_result_label(record.outcome).lower()})" if record.outcome else ""
        )
        return [
            f"The packet's promotion cycle{named} and its published outcome{said} were not "
            "imported: they are the sending organisation's committee's record, and outcomes "
            "here are recorded in this organisation's own cycles."
        ]
    return [
        f"The packet's promotion cycle{named} was not imported: nominations here are to this "
        "organisation's own cycles."
    ]
