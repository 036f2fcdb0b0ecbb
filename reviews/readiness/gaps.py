"""What stands between a case and "ready", named: one banner per kind of gap, and per capability
the three-month blocks of the window that still lack evidence.

Pure: a readiness report in, plain data and sentences out. The flags' short labels and the
packet's sentences stay in reviews.words; these are the progress page's, which say what each gap
is about so the candidate can act on it.
"""

import datetime
from dataclasses import dataclass

from reviews.readiness.months import MONTH_NAMES
from reviews.readiness.rule import CapabilityReadiness, FlagKind, Readiness, Status

NOTHING_YET = "No evidence yet, so every capability is still thin."


def block_label(block: tuple[str, str]) -> str:
    """('2026-01', '2026-03') → 'Jan–Mar 2026'; across a new year 'Nov 2025–Jan 2026'."""
    (start_year, start_month), (end_year, end_month) = (
        tuple(int(part) for part in key.split("-")) for key in block
    )
    start, end = MONTH_NAMES[start_month - 1][:3], MONTH_NAMES[end_month - 1][:3]
    if start_year == end_year:
        return f"{start}–{end} {end_year}"
    return f"{start} {start_year}–{end} {end_year}"


def empty_blocks(readiness: Readiness, capability: CapabilityReadiness) -> list[str]:
    """The window's blocks without an item of this capability, as labels, oldest first."""
    return [
        block_label(block)
        for block in readiness.blocks
        if not any(
            count for month, count in capability.months.items() if block[0] <= month <= block[1]
        )
    ]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _day(day: datetime.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


@dataclass(frozen=True)
class Gap:
    """One banner: its kind (a flag's, or "unsustained" or "self_assessment") and its sentence."""

    kind: str
    sentence: str


def gaps(readiness: Readiness, *, question_count: int | None = None) -> list[Gap]:
    """One banner per kind of gap, in the order of the flags, then the blocks and check-ins."""
    if readiness.status == Status.NOT_STARTED:
        return [Gap("not_started", NOTHING_YET)]
    kinds = {flag.kind for flag in readiness.flags}
    capabilities = readiness.capabilities
    found = []
    if FlagKind.STALE in kinds:
        latest = max(c.last for c in capabilities if c.last)
        found.append(
            Gap(
                FlagKind.STALE,
                f"No evidence in the last 60 days: the latest item is from {_day(latest)}.",
            )
        )
    if FlagKind.LOPSIDED in kinds:
        most = max(capabilities, key=lambda c: c.items_in_window)
        few = [c for c in capabilities if c.items_in_window * 4 < most.items_in_window]
        against = _and([f"{c.items_in_window} for “{c.title}”" for c in few])
        found.append(
            Gap(
                FlagKind.LOPSIDED,
                f"Evidence is lopsided: “{most.title}” has {most.items_in_window} items in the "
                f"window, against {against}.",
            )
        )
    thin = [c for c in capabilities if c.thin]
    if thin:
        counts = [f"“{c.title}” ({c.indicators_covered} of {c.indicators_total})" for c in thin]
        named = _and(counts)
        found.append(
            Gap(
                FlagKind.THIN,
                f"Thin evidence: fewer than half of the indicators are shown in the window for "
                f"{named}.",
            )
        )
    unsustained = [(c, empty_blocks(readiness, c)) for c in capabilities if not c.sustained]
    if unsustained:
        named = "; ".join(f"“{c.title}” in {_and(blocks)}" for c, blocks in unsustained)
        found.append(Gap("unsustained", f"Not yet sustained — needs evidence: {named}."))
    assessment = readiness.self_assessment
    if not assessment.consistent:
        threshold = (
            f" (more than half of the {question_count} questions answered yes: at least "
            f"{question_count // 2 + 1})"
            if question_count
            else ""
        )
        found.append(
            Gap(
                "self_assessment",
                "Self-assessment is not yet consistent: each three-month block of the window "
                f"needs a check-in, and each check-in must be mostly yes{threshold}. "
                f"{assessment.mostly_yes} of {assessment.check_ins_in_window} check-ins in the "
                "window are.",
            )
        )
    return found


def mostly_yes_threshold(question_count: int) -> str:
    """The rule a check-in meets to count as mostly yes, in a sentence."""
    return (
        f"A check-in counts as mostly yes when more than half of the {question_count} questions "
        f"are answered yes: at least {question_count // 2 + 1}. “Partly” is not yes."
    )
