"""What the case page and the evidence list show, read as plain rows.

Both pages are opened far more often than anything on them changes, so they read only the
columns they show, in as few queries as the page allows, into small frozen rows whose values
are ready to print: the template then does no lookups through relations and runs no URL tag
or date filter per row.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, JSONObject
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from guides.models import Capability, Guide, Indicator, Practice
from reviews.forms import PlainSelect
from reviews.models import Attachment, Case, Evidence
from reviews.readiness.heatstrip import HeatStripTable
from reviews.readiness.rule import Readiness
from reviews.views.lists import day_label


class IndicatorList(tuple):
    """A capability's indicators, read by the evidence filter form as it reads a model's."""

    def all(self) -> "IndicatorList":
        return self


@dataclass(frozen=True, slots=True)
class IndicatorOutline:
    pk: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class CapabilityOutline:
    pk: int
    number: int
    title: str
    indicators: IndicatorList
    practices: tuple[str, ...]


def cases_for_pages(cases: QuerySet) -> QuerySet:
    """Cases with their people and guide, without the guide's long texts no case page shows."""
    return cases.select_related(
        "candidate", "sponsor", "guide__from_level", "guide__to_level"
    ).defer(*(f"guide__{name}" for name in Guide.LONG_TEXTS))


def guide_outline(guide: Guide) -> tuple[CapabilityOutline, ...]:
    """A guide's capabilities with their indicators and practices.

    Once a guide leaves draft, PostgreSQL refuses any change to it or its parts
    (guides/triggers.py), so its outline is read once per process and kept; a draft's is read
    every time.
    """
    if guide.status == Guide.Status.DRAFT:
        return _read_outline(guide.pk)
    return _frozen_outline(guide.pk, guide.created_at)


@functools.lru_cache(maxsize=256)
def _frozen_outline(guide_id: int, created_at: datetime.datetime) -> tuple[CapabilityOutline, ...]:
    # The creation time is part of the key so that an id reused by another database (a test
    # database made afresh) never finds the outline of a different guide.
    return _read_outline(guide_id)


def _read_outline(guide_id: int) -> tuple[CapabilityOutline, ...]:
    """One query: the capabilities, each with its indicators and practices as arrays."""
    indicators = (
        Indicator.objects.filter(capability=OuterRef("pk"))
        .order_by("position")
        .values(json=JSONObject(pk="pk", position="position", text="text"))
    )
    practices = (
        Practice.objects.filter(capability=OuterRef("pk")).order_by("position").values("text")
    )
    rows = (
        Capability.objects.filter(guide_id=guide_id)
        .order_by("number")
        .values_list("pk", "number", "title", ArraySubquery(indicators), ArraySubquery(practices))
    )
    return tuple(
        CapabilityOutline(
            pk=pk,
            number=number,
            title=title,
            indicators=IndicatorList(
                IndicatorOutline(i["pk"], i["position"], i["text"]) for i in indicator_rows
            ),
            practices=tuple(practice_texts),
        )
        for pk, number, title, indicator_rows, practice_texts in rows
    )


@dataclass(frozen=True, slots=True)
class CapabilityLabel:
    number: int
    title: str


@dataclass(frozen=True, slots=True)
class IndicatorTag:
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    pk: int
    title: str
    date: datetime.date
    date_iso: str
    date_label: str
    capability: CapabilityLabel
    indicators: tuple[IndicatorTag, ...]
    files: int
    url: str


def evidence_rows(items: QuerySet) -> QuerySet:
    """The columns an evidence row shows, its indicators and its count of files, one row each."""
    return items.values("pk", "title", "date", **_row_columns())


@functools.cache
def _row_columns() -> dict:
    # Built once: making these subqueries costs more than running them for a page of rows, and
    # annotating with them copies them, so one set serves every request.
    indicators = (
        Indicator.objects.filter(evidence=OuterRef("pk"))
        .order_by("position")
        .values(json=JSONObject(position="position", text="text"))
    )
    files = (
        Attachment.objects.filter(evidence=OuterRef("pk"))
        .order_by()
        .values("evidence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "capability_number": F("capability__number"),
        "capability_title": F("capability__title"),
        "indicator_rows": ArraySubquery(indicators),
        "files": Coalesce(Subquery(files), 0),
    }


def detail_url_maker(case_id: int) -> Callable[[int], str]:
    """One reverse for the page instead of one per row: the item's id is the path's last number."""
    head, _, tail = reverse("reviews:evidence_detail", args=[case_id, 0]).rpartition("0")
    return lambda pk: f"{head}{pk}{tail}"


def to_rows(values: Iterable[dict], case_id: int) -> list[EvidenceRow]:
    url = detail_url_maker(case_id)
    labels: dict[tuple[int, str], CapabilityLabel] = {}
    rows = []
    for value in values:
        number, title = value["capability_number"], value["capability_title"]
        capability = labels.get((number, title))
        if capability is None:
            capability = labels[(number, title)] = CapabilityLabel(number, title)
        day = value["date"]
        rows.append(
            EvidenceRow(
                pk=value["pk"],
                title=value["title"],
                date=day,
                date_iso=day.isoformat(),
                date_label=day_label(day),
                capability=capability,
                indicators=tuple(
                    IndicatorTag(f"indicator {number}.{i['position']}", i["text"])
                    for i in value["indicator_rows"]
                ),
                files=value["files"],
                url=url(value["pk"]),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    latest: list[EvidenceRow]
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
    values = list(
        evidence_rows(case.evidence.order_by("-date", "-id")).annotate(
            total=Window(Count("pk")),
            covered=ArraySubquery(tags.values("indicator_id").distinct()),
        )[:latest]
    )
    if not values:
        return EvidenceSummary([], 0, frozenset())
    first = values[0]
    return EvidenceSummary(to_rows(values, case.pk), first["total"], frozenset(first["covered"]))


@dataclass(frozen=True, slots=True)
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


def capability_cards(
    outline: tuple[CapabilityOutline, ...], readiness: Readiness, covered: frozenset[int]
) -> list[CapabilityCard]:
    """One card per capability; "work on next" lists the practices when it is not sustained or
    is thin."""
    cards = []
    for capability, result in zip(outline, readiness.capabilities, strict=True):
        cards.append(
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
            )
        )
    return cards


def select_html(field: BoundField) -> SafeString:
    """A filter's drop-down written out in Python rather than a template per option, with the
    attributes (errors included) the bound field gives any widget."""
    widget = PlainSelect(attrs=field.field.widget.attrs, choices=field.field.choices)
    return field.as_widget(widget=widget)


# A message's first 240 characters; the whole of it is on the item's thread.
FEEDBACK_SHOWN_CHARS = 240

# What the latest feedback and the latest sign-off show: who, what and on which item.
PEOPLE_COLUMNS = ("name", "first_name", "last_name", "username")
FEEDBACK_COLUMNS = (
    "kind",
    "text",
    "created_at",
    "evidence",
    "evidence__title",
    "author",
    *(f"author__{name}" for name in PEOPLE_COLUMNS),
)
SIGN_OFF_COLUMNS = (
    "decision",
    "created_at",
    "signer",
    *(f"signer__{name}" for name in PEOPLE_COLUMNS),
)


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    kind: str
    kind_label: str
    author: str
    item_title: str
    url: str
    text: str


def latest_feedback(case: Case, count: int) -> list[FeedbackRow]:
    """The newest messages on the case's items, each linked to its item's thread."""
    messages = (
        case.feedback.select_related("author", "evidence")
        .only(*FEEDBACK_COLUMNS)
        .order_by("-created_at", "-id")[:count]
    )
    url = detail_url_maker(case.pk)
    return [
        FeedbackRow(
            kind=message.kind,
            kind_label=message.get_kind_display(),
            author=message.author.display_name,
            item_title=message.evidence.title,
            url=f"{url(message.evidence_id)}#thread-{message.evidence_id}",
            text=Truncator(message.text).chars(FEEDBACK_SHOWN_CHARS),
        )
        for message in messages
    ]


@dataclass(frozen=True, slots=True)
class HeatTableHtml:
    """The heat strip's numbers as table cells, for screen readers."""

    months: int
    head: SafeString
    body: SafeString


def heat_table_html(table: HeatStripTable) -> HeatTableHtml:
    # A hundred cells of small numbers: joined as strings rather than formatted one by one.
    return HeatTableHtml(
        months=len(table.months),
        head=format_html_join("", '<th scope="col">{}</th>', ((month,) for month in table.months)),
        body=SafeString(
            "\n".join(
                f'<tr><th scope="row">{escape(title)}</th>'
                + "".join(f"<td>{int(n)}</td>" for n in counts)
                + "</tr>"
                for title, counts in table.rows
            )
        ),
    )
