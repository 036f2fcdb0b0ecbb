"""Writes that span the guide models: importing a guide document, and reading one back whole."""

from dataclasses import dataclass

from django.db import transaction

from core import clock
from guides.guidemd import (
    LEVEL_CODE,
    CapabilityDoc,
    GuideDoc,
    GuideFormatError,
    PitfallDoc,
    ShiftDoc,
    parse_guide,
)
from guides.models import (
    Capability,
    Guide,
    Indicator,
    Level,
    Pitfall,
    Practice,
    Question,
    Shift,
    TimelinePoint,
    TrackRecordStep,
)
from guides.plain import as_read, as_written

MAX_BYTES = 1_000_000

TRACKS = {"IC": Level.Track.IC, "M": Level.Track.MANAGEMENT, "E": Level.Track.EXECUTIVE}
# Rank of a level a guide introduces is (number + offset) * 10: a first-line manager (M1) sits
# with a senior engineer (IC3) and a director (E1) just above a head of engineering (M3). Gaps of
# ten leave room for HR to slot levels in between; levels that already exist keep their rank.
RANK_OFFSETS = {"IC": 0, "M": 2, "E": 5}

# Guide columns that hold a GuideDoc field of the same name.
_GUIDE_FIELDS = (
    "subtitle",
    "overview",
    "shift_from_heading",
    "shift_to_heading",
    "question_before",
    "question_after",
    "readiness_intro",
    "min_months",
    "max_months",
    "self_assessment_note",
    "timeline_intro",
    "timeline_min_years",
    "timeline_max_years",
    "closing_note",
)


@dataclass(frozen=True)
class ImportResult:
    guide: Guide
    doc: GuideDoc
    created: bool  # False when `if_new` found the same content in the latest version


def _split_code(code: str) -> tuple[str, int]:
    match = LEVEL_CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"not a level code: {code!r}")
    return match[1], int(match[2])


def default_rank(code: str) -> int:
    prefix, number = _split_code(code)
    return (number + RANK_OFFSETS[prefix]) * 10


def decode_guide(source: bytes) -> str:
    """The text of an uploaded guide file, refused with a line number like any format error."""
    if len(source) > MAX_BYTES:
        line = source.count(b"\n", 0, MAX_BYTES) + 1
        raise GuideFormatError(line, f"a file of at most {MAX_BYTES:,} bytes", "a larger file")
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # utf-8-sig reports offsets into the file without its byte order mark.
        line = error.object.count(b"\n", 0, error.start) + 1
        found = f"the byte 0x{error.object[error.start]:02x}"
        raise GuideFormatError(line, "UTF-8 text", found) from None
    # PostgreSQL text columns cannot hold NUL.
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise GuideFormatError(line, "text without NUL characters", "a NUL character")
    return text


def import_guide(*, source: bytes, publish: bool = True, if_new: bool = False) -> ImportResult:
    """Import a guide document as the next version of its from/to pair, whole or not at all.

    Parts go in while the guide is a draft, because the database refuses to add parts to a
    published guide. With `if_new`, nothing is written when the latest version says the same.
    """
    text = decode_guide(source)
    doc = parse_guide(text)
    # The rows hold the text as people read it (guides/plain.py).
    stored = as_read(doc)
    with transaction.atomic():
        from_level = _level(doc.from_code, stored.from_title)
        to_level = _level(doc.to_code, stored.to_title)
        if to_level.rank <= from_level.rank:
            raise GuideFormatError(
                1,
                f"a to-level ranked above {from_level.code} (rank {from_level.rank})",
                f"{to_level.code} (rank {to_level.rank})",
            )
        # Two imports of the same pair at once would both pick the same next version.
        Level.objects.select_for_update().filter(pk=from_level.pk).get()
        latest = (
            Guide.objects.filter(from_level=from_level, to_level=to_level)
            .order_by("-version")
            .first()
        )
        if if_new and latest is not None and guide_to_doc(latest) == doc:
            return ImportResult(guide=latest, doc=doc, created=False)

        version = latest.version + 1 if latest else 1
        guide = Guide.objects.create(
            from_level=from_level,
            to_level=to_level,
            version=version,
            status=Guide.Status.DRAFT,
            slug=f"{from_level.code}-to-{to_level.code}-v{version}".lower(),
            title=doc.title,
            source_markdown=text,
            **{name: getattr(stored, name) for name in _GUIDE_FIELDS},
        )
        _insert_parts(guide, stored)
        if publish:
            guide.status = Guide.Status.PUBLISHED
            guide.published_at = clock.now()
            guide.save(update_fields=["status", "published_at"])
    return ImportResult(guide=guide, doc=doc, created=True)


def _level(code: str, title: str) -> Level:
    prefix, _ = _split_code(code)
    level, _ = Level.objects.get_or_create(
        code=code,
        defaults={"title": title, "track": TRACKS[prefix], "rank": default_rank(code)},
    )
    return level


def _insert_parts(guide: Guide, doc: GuideDoc) -> None:
    Shift.objects.bulk_create(
        Shift(guide=guide, position=position, from_text=shift.from_text, to_text=shift.to_text)
        for position, shift in enumerate(doc.shifts, start=1)
    )
    capabilities = Capability.objects.bulk_create(
        Capability(guide=guide, number=c.number, title=c.title, summary=c.summary)
        for c in doc.capabilities
    )
    Indicator.objects.bulk_create(
        Indicator(capability=capability, position=position, text=text)
        for capability, capability_doc in zip(capabilities, doc.capabilities, strict=True)
        for position, text in enumerate(capability_doc.indicators, start=1)
    )
    Practice.objects.bulk_create(
        Practice(capability=capability, position=position, text=text)
        for capability, capability_doc in zip(capabilities, doc.capabilities, strict=True)
        for position, text in enumerate(capability_doc.practices, start=1)
    )
    Pitfall.objects.bulk_create(
        Pitfall(guide=guide, position=position, title=pitfall.title, text=pitfall.text)
        for position, pitfall in enumerate(doc.pitfalls, start=1)
    )
    TrackRecordStep.objects.bulk_create(
        TrackRecordStep(guide=guide, position=position, text=text)
        for position, text in enumerate(doc.track_record_steps, start=1)
    )
    Question.objects.bulk_create(
        Question(guide=guide, position=position, text=text)
        for position, text in enumerate(doc.questions, start=1)
    )
    TimelinePoint.objects.bulk_create(
        TimelinePoint(guide=guide, position=position, text=text)
        for position, text in enumerate(doc.timeline_points, start=1)
    )


def guide_to_doc(guide: Guide) -> GuideDoc:
    """The document a stored guide says, its text as the guide's Markdown writes it (as
    `parse_guide` gives it), in a fixed number of queries."""
    guide = Guide.objects.with_parts().get(pk=guide.pk)
    return as_written(
        GuideDoc(
            from_code=guide.from_level.code,
            to_code=guide.to_level.code,
            shifts=tuple(ShiftDoc(s.from_text, s.to_text) for s in guide.shifts.all()),
            capabilities=tuple(
                CapabilityDoc(
                    number=c.number,
                    title=c.title,
                    summary=c.summary,
                    indicators=tuple(i.text for i in c.indicators.all()),
                    practices=tuple(p.text for p in c.practices.all()),
                )
                for c in guide.capabilities.all()
            ),
            pitfalls=tuple(PitfallDoc(p.title, p.text) for p in guide.pitfalls.all()),
            track_record_steps=tuple(s.text for s in guide.track_record_steps.all()),
            questions=tuple(q.text for q in guide.questions.all()),
            timeline_points=tuple(p.text for p in guide.timeline_points.all()),
            **{name: getattr(guide, name) for name in _GUIDE_FIELDS},
        )
    )
