"""How the app words its domain for people: readiness statuses, flags and gaps, case statuses,
sign-off and HR decisions, check-in answers, feedback kinds, imported feedback, the people an
import links to and the actions of a case's history.

Pages, the packet PDF, spreadsheets, the history and mail take their words from here, so a thing
reads the same wherever it is shown. What a model's choices name (a case's status, a feedback
kind, a decision) keeps its label on the model, as Django has it (`get_status_display()`); the
functions here give the same label for a bare value, as a packet's JSON carries it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import LevelChange
from core.dates import spoken
from reviews.models import (
    Answer,
    Appeal,
    CapabilityScore,
    Case,
    Cycle,
    Decision,
    Feedback,
    Outcome,
    Recommendation,
    SignOff,
)
from reviews.readiness.gaps import empty_blocks
from reviews.readiness.months import MONTH_NAMES, months_open
from reviews.readiness.rule import STALE_AFTER, FlagKind, Readiness, Status

# In the order filters offer them and the dashboard counts them.
STATUS_LABELS = {
    Status.READY: "Ready",
    Status.BUILDING: "Building",
    Status.NOT_STARTED: "Not started",
}
FLAG_LABELS = {FlagKind.STALE: "Stale", FlagKind.LOPSIDED: "Lopsided", FlagKind.THIN: "Thin"}
FLAG_DESCRIPTIONS = {
    FlagKind.STALE: f"No evidence in the last {STALE_AFTER.days} days.",
    FlagKind.LOPSIDED: "One capability has far more items than another.",
    FlagKind.THIN: "Fewer than half of a capability's indicators are shown in the window.",
}
# A flag said as a sentence of its own, on the case page and in the packet's summary.
FLAG_SENTENCES = {
    FlagKind.STALE: FLAG_DESCRIPTIONS[FlagKind.STALE],
    FlagKind.LOPSIDED: "Evidence is lopsided: one capability has far more items than another.",
}
NOTHING_YET = "No evidence yet, so every capability is still thin."
SHORT_TITLE_CHARS = 24

FEEDBACK_VERBS = {
    Feedback.Kind.ENDORSE: "endorsed",
    Feedback.Kind.QUESTION: "asked a question about",
    Feedback.Kind.NEEDS_MORE: "asked for more on",
    Feedback.Kind.REPLY: "replied about",
}
HISTORY_ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}
# A sign-off's decision in a sentence: "signed off as not ready yet".
SIGN_OFF_VERDICTS = {SignOff.Decision.READY: "ready", SignOff.Decision.NOT_READY: "not ready yet"}


@dataclass(frozen=True)
class FlagWords:
    """A flag as a badge shows it: a short label, and a description to hover over."""

    label: str
    description: str


def status_label(status: str) -> str:
    """'not_started' → 'Not started'."""
    return STATUS_LABELS[Status(status)]


def flag_kind_words(kind: str) -> FlagWords:
    """A kind of flag, whichever capabilities it is for: 'thin' → Thin."""
    kind = FlagKind(kind)
    return FlagWords(FLAG_LABELS[kind], FLAG_DESCRIPTIONS[kind])


def short_title(title: str) -> str:
    if len(title) <= SHORT_TITLE_CHARS:
        return title
    return title[: SHORT_TITLE_CHARS - 1].rstrip() + "…"


def flags_for(readiness: Readiness, *, full: bool = False) -> tuple[FlagWords, ...]:
    """Each flag of a report as a badge, a thin one naming its capability (shortened, unless
    `full`: a spreadsheet has room, a badge has not)."""
    titles = {c.number: c.title for c in readiness.capabilities}
    words = [flag_kind_words(flag.kind) for flag in readiness.flags if flag.kind != FlagKind.THIN]
    thin = [flag.capability for flag in readiness.flags if flag.kind == FlagKind.THIN]
    if thin and len(thin) == len(titles) > 1:
        # A case with no evidence in the window is thin everywhere: one word says it.
        words.append(
            FlagWords(
                "Thin: every capability",
                "Fewer than half of every capability's indicators are shown in the window.",
            )
        )
    else:
        words.extend(
            FlagWords(
                f"Thin: {titles[number] if full else short_title(titles[number])}",
                f"Fewer than half of the indicators of “{titles[number]}” are shown in the window.",
            )
            for number in thin
        )
    return tuple(words)


def flag_sentences(readiness: Readiness) -> list[str]:
    """Each flag of a report as a sentence of its own."""
    if readiness.status == Status.NOT_STARTED:
        # Every capability is thin before the first item; one sentence says it better than four.
        return [NOTHING_YET]
    titles = {c.number: c.title for c in readiness.capabilities}
    return [
        f"Thin evidence for “{titles[flag.capability]}”: fewer than half of its indicators are "
        "shown in the window."
        if flag.kind == FlagKind.THIN
        else FLAG_SENTENCES[flag.kind]
        for flag in readiness.flags
    ]


# What stands between a case and "ready", named: one banner per kind of gap on the progress page
# and the sign-off form, saying what each is about so the candidate can act on it.


def block_label(block: tuple[str, str]) -> str:
    """('2026-01', '2026-03') → 'Jan–Mar 2026'; across a new year 'Nov 2025–Jan 2026'."""
    (start_year, start_month), (end_year, end_month) = (
        tuple(int(part) for part in key.split("-")) for key in block
    )
    start, end = MONTH_NAMES[start_month - 1][:3], MONTH_NAMES[end_month - 1][:3]
    if start_year == end_year:
        return f"{start}–{end} {end_year}"
    return f"{start} {start_year}–{end} {end_year}"


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
                f"No evidence in the last {STALE_AFTER.days} days: the latest item is from "
                f"{_day(latest)}.",
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
    unsustained = [
        (c, [block_label(block) for block in empty_blocks(readiness, c)])
        for c in capabilities
        if not c.sustained
    ]
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
                f"window are.{_check_in_blocks(readiness)}",
            )
        )
    return found


def _check_in_blocks(readiness: Readiness) -> str:
    """The blocks that lack a check-in and the check-ins that are not mostly yes, named."""
    assessment = readiness.self_assessment
    said = ""
    if assessment.blocks_without:
        said += f" Needs a check-in in {_and([block_label(b) for b in assessment.blocks_without])}."
    if assessment.not_mostly_yes:
        by_block = {}
        for day in assessment.not_mostly_yes:
            block = next(b for b in readiness.blocks if b[0] <= f"{day:%Y-%m}" <= b[1])
            by_block.setdefault(block, []).append(_day(day))
        named = "; ".join(
            f"the check-in{'s' if len(days) > 1 else ''} of {_and(days)}, in {block_label(block)}"
            for block, days in by_block.items()
        )
        said += f" Not mostly yes: {named}."
    return said


def mostly_yes_threshold(question_count: int) -> str:
    """The rule a check-in meets to count as mostly yes, in a sentence."""
    return (
        f"A check-in counts as mostly yes when more than half of the {question_count} questions "
        f"are answered yes: at least {question_count // 2 + 1}. “Partly” is not yes."
    )


def override_needed(readiness_label: str) -> str:
    """What a ready sign-off needs while readiness is not Ready, said the same on the form and
    in its refusal."""
    return (
        f"Readiness is “{readiness_label}”, not “Ready”: to sign ready anyway, say why you are "
        "overriding it."
    )


def case_status_label(status: str) -> str:
    return Case.Status(status).label


def decision_label(outcome: str) -> str:
    return Decision.Outcome(outcome).label


def recommendation_label(value: str) -> str:
    """A panellist's overall recommendation: 'not_yet' → 'Not yet'."""
    return Recommendation(value).label


def outcome_result_label(result: str) -> str:
    return Outcome.Result(result).label


def appeal_result_label(result: str) -> str:
    return Appeal.Result(result).label


# The panel's scale, each step with what it means, as the score form and the outcome page show it.
SCORE_MEANINGS = {
    CapabilityScore.Value.NOT_SHOWN: "The packet shows no evidence of this capability yet.",
    CapabilityScore.Value.EMERGING: "Some evidence, but not yet sustained across the window.",
    CapabilityScore.Value.DEMONSTRATED: "Sustained evidence at the level this guide leads to.",
    CapabilityScore.Value.STRONG: "Sustained evidence beyond what the level asks: an example.",
}


def score_label(value: int) -> str:
    return CapabilityScore.Value(value).label


def sign_off_label(decision: str) -> str:
    """'not_ready' → 'Not ready'."""
    return SignOff.Decision(decision).label


def sign_off_verdict(decision: str) -> str:
    """'not_ready' → 'not ready yet', as in "signed off as not ready yet"."""
    return SIGN_OFF_VERDICTS[SignOff.Decision(decision)]


def answer_label(value: str) -> str:
    """A check-in answer: 'partly' → 'Partly'."""
    return Answer.Value(value).label


def stale_cases_sentence(count: int) -> str:
    """How many of a list's cases are stale, as the sentence after its status counts."""
    days = STALE_AFTER.days
    if count == 1:
        return f"1 case has had no new evidence in the last {days} days."
    return f"{count} cases have had no new evidence in the last {days} days."


def flag_labels(readiness: Readiness) -> str:
    """A report's flags in one line, as a spreadsheet cell, capabilities named in full:
    'Stale; Thin: Hiring'."""
    return "; ".join(words.label for words in flags_for(readiness, full=True))


def feedback_kind_label(kind: str) -> str:
    return Feedback.Kind(kind).label


def feedback_verb(kind: str) -> str:
    """What the author did, in a mail's subject: "Sam endorsed your evidence: …"."""
    return FEEDBACK_VERBS[Feedback.Kind(kind)]


def history_action(label: str) -> str:
    """A history event's label as a verb: 'insert' → 'created'; another label as it is."""
    return HISTORY_ACTIONS.get(label, label)


def imported_note(by_name: str | None, at: datetime.datetime) -> str:
    """What a message from an imported packet says of itself, wherever it is shown: its author
    wrote it elsewhere, as far as the file says."""
    day = f"{timezone.localtime(at):%-d %b %Y}"
    if by_name:
        return f"Imported from a packet by {by_name} on {day}"
    return f"Imported from a packet on the command line on {day}"


def linked_sentences(linked) -> list[str]:
    """Who an import would link the case to, one sentence each (`checking.LinkedPerson`s)."""
    sentences = []
    for person in linked:
        user, written = person.user, person.named.username
        email = f", {user.email}" if user.email else ""
        sentence = (
            f"The {person.role}: {user.display_name} ({user.username}{email}), who is here already"
        )
        if written != user.username:
            how = (
                "in other capitals"
                if written.casefold() == user.username.casefold()
                else "with look-alike letters from another alphabet"
            )
            sentence += f"; the file writes the username “{written}”, {how}"
        sentences.append(sentence + ".")
    return sentences


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def time_at_level(level_code: str | None, since: datetime.date | None, today: datetime.date) -> str:
    """How long someone has held their level, in words: "2 years 3 months at M3", "less than a
    month at M3", "at M3 from 1 March 2027" for a promotion not yet in effect; "" when their
    level or its date is not known."""
    if not level_code or since is None:
        return ""
    if since > today:
        return f"at {level_code} from {since.day} {since:%B %Y}"
    years, months = divmod(months_open(since, today), 12)
    parts = [_count(years, "year")] if years else []
    if months or not years:
        parts.append(_count(months, "month") if months else "less than a month")
    return f"{' '.join(parts)} at {level_code}"


def level_reason_label(reason: str) -> str:
    return LevelChange.Reason(reason).label


# --- Promotion cycles ---------------------------------------------------------------------------


def cycle_state_label(state: str) -> str:
    """'committee' → 'In committee'."""
    return Cycle.State(state).label


def nomination_sentence(cycle_name: str, by_name: str) -> str:
    """ "Nominated to Spring 2027 by Pat Example", in the case's history and the cycle's list."""
    return f"Nominated to {cycle_name} by {by_name}" if by_name else f"Nominated to {cycle_name}"


def cycle_move_sentence(from_state: str, to_state: str, by_name: str, at: datetime.datetime) -> str:
    """ "Moved to scoring by Hana Example on 3 March 2027"; a cycle's first move is its opening."""
    day = spoken(timezone.localdate(at))
    if not from_state:
        return f"Opened for nominations by {by_name} on {day}"
    return f"Moved to {cycle_state_label(to_state).lower()} by {by_name} on {day}"


def conflict_reason(name: str, *, sponsor: bool) -> str:
    """Why a panellist does not score a case: "Pat sponsors this case"."""
    return f"{name} sponsors this case" if sponsor else f"{name} is the candidate on this case"


# The committee's calibration view (reviews/calibration.py). The scale's words are the choices of
# CapabilityScore.Value, as a model's choices keep their labels.

SUSTAINED_WORDS = {True: "Sustained", False: "Not yet sustained"}
CONFLICT_WORDS = {
    "sponsor": "You sponsor this case, so its scores are not shown to you.",
    "candidate": "This is your own case, so its scores are not shown to you.",
}
SCORES_HIDDEN_UNTIL_COMMITTEE = (
    "Scores are revealed when the cycle moves to committee; until then only who has submitted "
    "is shown."
)
SCORES_HIDDEN_UNTIL_SUBMITTED = "Submit your own scores for this case to see the panel's."


def score_counts(counts: dict[int, int]) -> str:
    """How many panellists gave each point of the scale: "Not shown 0 · Emerging 1 ·
    Demonstrated 2 · Strong 0"."""
    return " · ".join(
        f"{label} {counts.get(value, 0)}" for value, label in CapabilityScore.Value.choices
    )


def score_range(low: int, high: int) -> str:
    """The lowest and highest score given: "Emerging to Strong", or one word when they agree."""
    if low == high:
        return CapabilityScore.Value(low).label
    return f"{CapabilityScore.Value(low).label} to {CapabilityScore.Value(high).label}"


# A cycle's results (reviews/packets/cycle_results.py), in the cells of what is not there yet.
NOT_PUBLISHED = "not published yet"
NOT_IN_COMMITTEE = "not shown before committee"
NOT_SCORED = "no scores"
NO_OUTCOME = "no outcome recorded"
NO_APPEAL = "no appeal"
NOT_ANSWERED = "not answered yet"


def recommendation_tally(tally: dict[str, int]) -> str:
    """The panel's overall recommendations: "Promote 2 · Not yet 1"."""
    return " · ".join(f"{label} {tally.get(value, 0)}" for value, label in Recommendation.choices)


def submitted_count(submitted: int, eligible: int) -> str:
    """ "2 of 3 panellists submitted"; the eligible are the panel less those conflicted."""
    noun = "panellist" if eligible == 1 else "panellists"
    return f"{submitted} of {eligible} {noun} submitted"
