from django import template
from django.utils.safestring import SafeString

from reviews import words
from reviews.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def status_label(status: str) -> str:
    """A readiness status for people: 'not_started' → 'Not started'."""
    return words.status_label(status)
