"""HR's writes on guide versions in the browser: import a draft, publish it, retire a version,
discard a draft. Each runs in one transaction with the guide's row locked, so two tabs cannot
publish or retire the same version twice, and nothing is half-written.

A pair of levels has at most one draft at a time: importing again replaces it, so the draft is
always the next version and publishing it never skips or repeats a number.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from core import clock
from guides.guidediff import GuideChanges, guide_changes
from guides.guidemd import GuideDoc, parse_guide
from guides.models import Guide, Level
from guides.services import ImportResult, decode_guide, guide_to_doc, import_guide


def latest_published(guide: Guide) -> Guide | None:
    """The newest published version of the guide's pair of levels before the guide."""
    return (
        Guide.objects.with_levels()
        .published()
        .filter(
            from_level_id=guide.from_level_id,
            to_level_id=guide.to_level_id,
            version__lt=guide.version,
        )
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Comparison:
    against: Guide
    changes: GuideChanges


def compare_with_published(guide: Guide, doc: GuideDoc | None = None) -> Comparison | None:
    """What the guide changes against the newest published version of its levels, if any."""
    against = latest_published(guide)
    if against is None:
        return None
    return Comparison(against, guide_changes(guide_to_doc(against), doc or guide_to_doc(guide)))


def import_draft(*, source: bytes) -> ImportResult:
    """The document as the draft next version of its levels, replacing the pair's draft if it
    has one. Refused with `GuideFormatError` like any import, and with `ValidationError` when it
    says exactly what the newest published version says."""
    doc = parse_guide(decode_guide(source))
    with transaction.atomic():
        levels = Level.objects.select_for_update().filter(code__in=[doc.from_code, doc.to_code])
        by_code = {level.code: level for level in levels}
        if len(by_code) == 2:
            pair = Guide.objects.filter(
                from_level=by_code[doc.from_code], to_level=by_code[doc.to_code]
            )
            published = pair.published().order_by("-version").first()
            if published is not None and guide_to_doc(published) == doc:
                raise ValidationError(
                    f"This says exactly what version {published.version} says, which is "
                    "published already: there is nothing new to import."
                )
            pair.filter(status=Guide.Status.DRAFT).delete()
        return import_guide(source=source, publish=False)


def _locked(guide: Guide, status: str, refusal: str) -> Guide:
    """The guide read afresh with its row locked, refused in `refusal`'s words unless it has
    `status` (the words may name the guide's `{label}` and `{status}`)."""
    guide = Guide.objects.select_for_update(of=("self",)).with_levels().get(pk=guide.pk)
    if guide.status != status:
        raise ValidationError(
            refusal.format(label=guide.label, status=guide.get_status_display().lower())
        )
    return guide


def publish_guide(*, guide: Guide) -> Guide:
    """The draft published as the next version: people read it and cases may be opened on it."""
    with transaction.atomic():
        guide = _locked(guide, Guide.Status.DRAFT, "{label} is {status}, not a draft.")
        newer = (
            Guide.objects.filter(
                from_level_id=guide.from_level_id,
                to_level_id=guide.to_level_id,
                version__gt=guide.version,
            )
            .exclude(status=Guide.Status.DRAFT)
            .order_by("version")
            .first()
        )
        if newer is not None:
            raise ValidationError(
                f"Version {newer.version} was published after this draft was imported. Import "
                "the draft again to publish it as the next version."
            )
        guide.status = Guide.Status.PUBLISHED
        guide.published_at = clock.now()
        guide.save(update_fields=["status", "published_at"])
        return guide


def retire_guide(*, guide: Guide) -> Guide:
    """No new case is opened on a retired version; its open cases carry on, on it, until HR
    moves them (reviews.guide_moves)."""
    with transaction.atomic():
        guide = _locked(
            guide,
            Guide.Status.PUBLISHED,
            "Only a published version can be retired; {label} is {status}.",
        )
        guide.status = Guide.Status.RETIRED
        guide.save(update_fields=["status"])
        return guide


def discard_draft(*, guide: Guide) -> None:
    with transaction.atomic():
        guide = _locked(
            guide,
            Guide.Status.DRAFT,
            "Only a draft can be discarded; {label} is {status}, and its cases rely on it.",
        )
        guide.delete()
