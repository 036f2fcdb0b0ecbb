"""What the case page and the evidence list read: the guide's outline, evidence rows, the
capability cards and the latest feedback, each in one query."""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from reviews.models import Case, Decision, Evidence, Feedback
from reviews.readiness.gaps import empty_blocks
from reviews.readiness.rule import Readiness
from reviews.words import block_label, level_reason_label


@dataclass(frozen=True)
class IndicatorOutline:
    pk: int
    position: int
    text: str


@dataclass(frozen=True)
class CapabilityOutline:
    pk: int
    number: int
    title: str
    indicators: tuple[IndicatorOutline, ...]
    practices: tuple[str, ...]


def guide_outline(case: Case) -> tuple[CapabilityOutline, ...]:
    """The capabilities of the case's guide with their indicators and practices, from a case
    read with `Case.objects.with_outline()` (or `for_page()`)."""
    return tuple(
        CapabilityOutline(
            pk=capability["pk"],
            number=capability["number"],
            title=capability["title"],
            indicators=tuple(
                IndicatorOutline(i["pk"], i["position"], i["text"])
                for i in capability["indicators"]
            ),
            practices=tuple(capability["practices"]),
        )
        for capability in case.guide_outline
    )


@dataclass(frozen=True)
class EvidenceSummary:
    latest: list[Evidence]
    total: int
    covered: frozenset[int]


def evidence_summary(
    case: Case, *, latest: int, window: tuple[datetime.date, datetime.date]
) -> EvidenceSummary:
    """The newest items, the number of all the case's items and the indicators tagged on its
    items dated within the window, in one query: the count is a window over the case's rows and
    the indicators a subquery run once. A case without items has no rows, and then neither."""
    start, end = window
    tags = Evidence.indicators.through.objects.filter(
        evidence__case_id=case.pk, evidence__date__gte=start, evidence__date__lte=end
    )
    items = list(
        case.evidence.as_rows()
        .annotate(
            total=Window(Count("pk")),
            covered=ArraySubquery(tags.values("indicator_id").distinct()),
        )
        .order_by("-date", "-id")[:latest]
    )
    if not items:
        return EvidenceSummary([], 0, frozenset())
    return EvidenceSummary(items, items[0].total, frozenset(items[0].covered))


@dataclass(frozen=True)
class CapabilityCard:
    number: int
    title: str
    sustained: bool
    items_in_window: int
    indicators_covered: int
    indicators_total: int
    uncovered: tuple[str, ...]
    work_on: bool
    practices: tuple[str, ...]
    # The window's three-month blocks still without an item of this capability ("Jan–Mar 2026").
    empty_blocks: tuple[str, ...]


def capability_cards(
    outline: tuple[CapabilityOutline, ...], readiness: Readiness, covered: frozenset[int]
) -> list[CapabilityCard]:
    """One card per capability; "work on next" lists the practices when it is not sustained or
    is thin."""
    return [
        CapabilityCard(
            number=capability.number,
            title=capability.title,
            sustained=result.sustained,
            items_in_window=result.items_in_window,
            indicators_covered=result.indicators_covered,
            indicators_total=result.indicators_total,
            uncovered=tuple(i.text for i in capability.indicators if i.pk not in covered),
            work_on=not result.sustained or result.thin,
            practices=capability.practices,
            empty_blocks=tuple(block_label(block) for block in empty_blocks(readiness, result)),
        )
        for capability, result in zip(outline, readiness.capabilities, strict=True)
    ]


# What the latest feedback shows: who, what, on which item, and who imported it, if anyone.
FEEDBACK_COLUMNS = (
    "kind",
    "text",
    "created_at",
    "evidence",
    "evidence__title",
    "author",
    *(f"author__{name}" for name in User.NAME_FIELDS),
    "imported_at",
    "imported_by",
    *(f"imported_by__{name}" for name in User.NAME_FIELDS),
)


@dataclass(frozen=True)
class PageFeedback:
    latest: list[Feedback]
    waiting: list[Feedback]


def page_feedback(case: Case, latest: int) -> PageFeedback:
    """In one query: the newest messages on the case's items, with their authors, items and
    importers; and the sponsor's questions and requests for more that are still the last word
    in their thread, oldest first — what waits for the candidate's reply."""
    newest_first = ("-created_at", "-id")
    later = Feedback.objects.filter(
        evidence=OuterRef("evidence"), created_at__gt=OuterRef("created_at")
    )
    asks = Q(kind__in=[Feedback.Kind.QUESTION, Feedback.Kind.NEEDS_MORE]) & ~Q(Exists(later))
    # The newest `latest` are among those written at or after the `latest`-th newest (all of
    # them when there are fewer); in newest-first order they come before any older waiting one.
    cutoff = Coalesce(
        Subquery(case.feedback.order_by(*newest_first).values("created_at")[latest - 1 : latest]),
        Value(datetime.datetime.min.replace(tzinfo=datetime.UTC)),
    )
    rows = list(
        case.feedback.select_related("author", "evidence", "imported_by")
        .only(*FEEDBACK_COLUMNS)
        .annotate(waits=ExpressionWrapper(asks, output_field=BooleanField()))
        .filter(Q(created_at__gte=cutoff) | Q(waits=True))
        .order_by(*newest_first)
    )
    return PageFeedback(
        latest=rows[:latest],
        waiting=[row for row in reversed(rows) if row.waits],
    )


SIGN_OFF_COLUMNS = (
    "decision",
    "rationale",
    "created_at",
    "signer",
    *(f"signer__{n}" for n in User.NAME_FIELDS),
)


DECISION_COLUMNS = ("case", "outcome", "effective_date", "note", "created_at")


def decision_of(case: Case):
    """HR's decision on a decided case (None before it), read only once there is one."""
    if case.status != Case.Status.DECIDED:
        return None
    return Decision.objects.filter(case=case).only(*DECISION_COLUMNS).first()


def latest_sign_off(case: Case):
    return (
        case.sign_offs.select_related("signer")
        .only(*SIGN_OFF_COLUMNS)
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class LevelStep:
    """One step of the candidate's level history as the case page lists it."""

    level: str
    since_label: str
    since_iso: str
    reason: str
    note: str


def level_steps(history: list[dict]) -> list[LevelStep]:
    """The candidate's level history (`with_level_history`), newest first, in words."""
    steps = []
    for step in reversed(history):
        since = datetime.date.fromisoformat(step["since"])
        level = f"{step['level']} {step['title']}" if step["level"] else "No level"
        steps.append(
            LevelStep(
                level=level,
                since_label=f"{since.day} {since:%b %Y}",
                since_iso=since.isoformat(),
                reason=level_reason_label(step["reason"]),
                note=step["note"],
            )
        )
    return steps
