from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from reviews import once, words
from reviews.markdown import render_markdown
from reviews.readiness.heatstrip import heat_strip_table, kept_heat_strip
from reviews.readiness.rule import Readiness, Status

register = template.Library()

STATUS_BADGES = {
    Status.READY: "text-bg-success",
    Status.BUILDING: "text-bg-primary",
    Status.NOT_STARTED: "text-bg-secondary",
}


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def status_label(status: str) -> str:
    """A readiness status for people: 'not_started' → 'Not started'."""
    return words.status_label(status)


@register.filter
def status_badge(status: str) -> str:
    """The badge class of a readiness status: green for ready, blue building, grey otherwise."""
    return STATUS_BADGES[Status(status)]


@register.simple_tag
def heat_strip(case, readiness: Readiness, small: bool = False, linked: bool = False) -> SafeString:
    """`{% heat_strip case readiness %}`: the case's heat strip as SVG, kept once drawn
    (reviews.readiness.heatstrip); `linked=True` links each row to its evidence list."""
    link = reverse("reviews:evidence_list", args=[case.pk]) if linked else None
    return kept_heat_strip(case, readiness, small=small, link=link)


@register.inclusion_tag("reviews/includes/_heat_table.html")
def heat_table(readiness: Readiness) -> dict:
    """`{% heat_table readiness %}`: the heat strip's numbers as a table, for screen readers."""
    return {"table": heat_strip_table(readiness)}


@register.filter
def imported_note(message) -> str:
    """A feedback message's note that it came in a packet, or "" for one written here."""
    if message.imported_at is None:
        return ""
    by = message.imported_by
    return words.imported_note(by.display_name if by else None, message.imported_at)


@register.simple_tag
def form_token() -> SafeString:
    """`{% form_token %}` inside a <form>: the hidden one-time token that makes its submit save
    once (reviews/once.py)."""
    return once.token_input()
