"""Importing and exporting guides through the management commands, against the database."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet

from guides import guidemd
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
from guides.services import MAX_BYTES, default_rank, guide_to_doc, import_guide
from tests.factories import LevelFactory

pytestmark = pytest.mark.django_db

TABLES = [
    Level,
    Guide,
    Shift,
    Capability,
    Indicator,
    Practice,
    Pitfall,
    TrackRecordStep,
    Question,
    TimelinePoint,
]
# What identifies a related row in a document, so that two versions compare without ids.
NATURAL_KEYS = {Level: "code", Capability: "number"}
VERSION_FIELDS = {"id", "version", "slug", "created_at", "published_at"}


def _import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_guide", str(path), *args, stdout=out)
    return out.getvalue()


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "guide.md"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(CommandError) as caught:
        _import(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line ")
    return message


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def _assert_nothing_written() -> None:
    assert _counts() == dict.fromkeys(_counts(), 0)


def _line_number(lines: list[str], prefix: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix)) + 1


def _rows(queryset: QuerySet, skip: set[str]) -> list[dict]:
    names = [
        f"{field.name}__{NATURAL_KEYS[field.related_model]}" if field.is_relation else field.name
        for field in queryset.model._meta.concrete_fields
        if field.name not in skip
    ]
    return list(queryset.values(*names))


def _content(guide: Guide) -> dict[str, list[dict]]:
    """Every stored value of a guide and its parts, except ids and what a new version changes."""
    parts = {"id", "guide"}
    by_capability = ("capability__number", "position")
    return {
        "guide": _rows(Guide.objects.filter(pk=guide.pk), VERSION_FIELDS),
        "shifts": _rows(guide.shifts.all(), parts),
        "capabilities": _rows(guide.capabilities.all(), parts),
        "indicators": _rows(
            Indicator.objects.filter(capability__guide=guide).order_by(*by_capability), parts
        ),
        "practices": _rows(
            Practice.objects.filter(capability__guide=guide).order_by(*by_capability), parts
        ),
        "pitfalls": _rows(guide.pitfalls.all(), parts),
        "track_record_steps": _rows(guide.track_record_steps.all(), parts),
        "questions": _rows(guide.questions.all(), parts),
        "timeline_points": _rows(guide.timeline_points.all(), parts),
    }


def test_seed_import_stores_every_part(seed_guide_path):
    output = _import(seed_guide_path)

    assert output.startswith("Imported M3 → E1 v1 (slug m3-to-e1-v1): 4 capabilities, ")
    assert "20 indicators, 20 practices, 8 shifts, 5 pitfalls, 4 track-record steps" in output
    assert "6 self-assessment questions, 4 timeline points; published." in output
    guide = Guide.objects.get()
    assert (guide.slug, guide.version, guide.status) == ("m3-to-e1-v1", 1, "published")
    assert guide.published_at is not None
    assert guide.source_markdown == seed_guide_path.read_text(encoding="utf-8")
    assert guide.title == "Progression Guide: M3 to E1"
    assert guide.subtitle == "Head of Engineering to Director of Engineering"
    assert (guide.min_months, guide.max_months) == (12, 24)
    assert (guide.timeline_min_years, guide.timeline_max_years) == (3, 5)
    assert list(Level.objects.values_list("code", "title", "track", "rank")) == [
        ("M3", "Head of Engineering", "management", 50),
        ("E1", "Director of Engineering", "executive", 60),
    ]
    assert Shift.objects.count() == 8
    assert Capability.objects.count() == 4
    assert Indicator.objects.count() == 20
    assert Practice.objects.count() == 20
    assert Pitfall.objects.count() == 5
    assert TrackRecordStep.objects.count() == 4
    assert Question.objects.count() == 6
    assert TimelinePoint.objects.count() == 4


def test_seed_import_numbers_parts_from_one(seed_guide_path):
    _import(seed_guide_path)
    guide = Guide.objects.get()
    assert list(guide.capabilities.values_list("number", flat=True)) == [1, 2, 3, 4]
    for capability in guide.capabilities.all():
        assert list(capability.indicators.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
        assert list(capability.practices.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert list(guide.questions.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert list(guide.shifts.values_list("position", flat=True)) == list(range(1, 9))


def test_every_guide_field_is_filled_from_the_document(seed_guide_path):
    _import(seed_guide_path)
    guide = Guide.objects.get()
    for field in Guide._meta.concrete_fields:
        assert getattr(guide, field.attname) not in ("", None), field.name


def test_database_stores_what_the_parser_reads(seed_guide_text, seed_guide_path):
    _import(seed_guide_path)
    assert guide_to_doc(Guide.objects.get()) == guidemd.parse_guide(seed_guide_text)


def test_guide_to_doc_runs_a_fixed_number_of_queries(seed_guide_path, django_assert_num_queries):
    _import(seed_guide_path)
    guide = Guide.objects.get()
    # 1 guide with its levels, then one prefetch each: shifts, capabilities, indicators,
    # practices, pitfalls, track-record steps, questions, timeline points.
    with django_assert_num_queries(9):
        guide_to_doc(guide)


def test_import_export_import_gives_the_same_data(seed_guide_path, tmp_path):
    _import(seed_guide_path)
    exported = tmp_path / "exported.md"
    call_command("export_guide", "m3-to-e1-v1", "--output", str(exported))
    output = _import(exported)

    assert output.startswith("Imported M3 → E1 v2 (slug m3-to-e1-v2)")
    first, second = Guide.objects.get(version=1), Guide.objects.get(version=2)
    assert guide_to_doc(second) == guide_to_doc(first)
    assert _content(second) == _content(first)
    assert Level.objects.count() == 2


def test_export_to_stdout_is_the_rendered_document(seed_guide_path, seed_guide_text):
    _import(seed_guide_path)
    out = StringIO()
    call_command("export_guide", "m3-to-e1-v1", stdout=out)
    assert out.getvalue() == seed_guide_text


def test_export_of_unknown_slug_lists_known_ones(seed_guide_path):
    _import(seed_guide_path)
    with pytest.raises(CommandError, match="Known slugs: m3-to-e1-v1"):
        call_command("export_guide", "m3-to-e9-v1")


def test_draft_import_leaves_the_guide_unpublished(seed_guide_path):
    output = _import(seed_guide_path, "--draft")
    assert output.rstrip().endswith("; draft.")
    guide = Guide.objects.get()
    assert (guide.status, guide.published_at) == ("draft", None)


def test_if_new_on_an_identical_file_writes_nothing(seed_guide_path, tmp_path):
    _import(seed_guide_path)
    counts = _counts()
    # Trailing spaces do not change what the guide says.
    same = _write(tmp_path, seed_guide_path.read_text(encoding="utf-8").replace("\n", " \n"))

    output = _import(same, "--if-new")

    assert output.startswith("Unchanged: M3 → E1 v1 (slug m3-to-e1-v1)")
    assert _counts() == counts


def test_the_guide_saved_by_another_editor_is_the_same_guide(seed_guide_path, tmp_path):
    _import(seed_guide_path)
    counts = _counts()
    text = seed_guide_path.read_text(encoding="utf-8").replace("\n- ", "\n* ")
    text = text.replace("**What this looks like:**", "__What this looks like__:")
    same = _write(tmp_path, "\ufeff" + text.replace("\n", "\r\n"))

    output = _import(same, "--if-new")

    assert output.startswith("Unchanged: M3 → E1 v1 (slug m3-to-e1-v1)")
    assert _counts() == counts


def test_changed_file_becomes_version_2(seed_guide_path, seed_guide_text, tmp_path):
    _import(seed_guide_path)
    changed = _write(tmp_path, seed_guide_text.replace("12-24+ months", "18-24 months", 1))

    output = _import(changed, "--if-new")

    assert output.startswith("Imported M3 → E1 v2 (slug m3-to-e1-v2)")
    assert list(Guide.objects.order_by("version").values_list("version", "min_months")) == [
        (1, 12),
        (2, 18),
    ]
    assert Level.objects.count() == 2


def test_existing_levels_keep_their_title_and_rank(seed_guide_path):
    LevelFactory(code="M3", title="Head of Eng", rank=55)
    LevelFactory(code="E1", title="Director", rank=70, track="executive")
    _import(seed_guide_path)
    assert list(Level.objects.values_list("code", "title", "rank")) == [
        ("M3", "Head of Eng", 55),
        ("E1", "Director", 70),
    ]
    assert Guide.objects.get().subtitle == "Head of Engineering to Director of Engineering"


def test_default_ranks_put_tracks_side_by_side():
    assert [default_rank(code) for code in ["IC4", "M3", "E1", "M1", "IC3"]] == [
        40,
        50,
        60,
        30,
        30,
    ]


def test_guide_to_a_lower_level_is_refused(seed_guide_path):
    LevelFactory(code="E1", title="Director", rank=40, track="executive")
    message = _refused(seed_guide_path)
    assert "line 1: expected a to-level ranked above M3 (rank 50), found E1 (rank 40)" in message
    assert Level.objects.count() == 1
    assert Guide.objects.count() == 0


@pytest.mark.parametrize(
    ("limit", "model", "field"),
    [
        (guidemd.LEVEL_TITLE_MAX, Level, "title"),
        (guidemd.SUBTITLE_MAX, Guide, "subtitle"),
        (guidemd.SHIFT_HEADING_MAX, Guide, "shift_from_heading"),
        (guidemd.SHIFT_HEADING_MAX, Guide, "shift_to_heading"),
        (guidemd.SHIFT_TEXT_MAX, Shift, "from_text"),
        (guidemd.SHIFT_TEXT_MAX, Shift, "to_text"),
        (guidemd.CAPABILITY_TITLE_MAX, Capability, "title"),
        (guidemd.PITFALL_TITLE_MAX, Pitfall, "title"),
    ],
)
def test_parser_limits_match_the_model_columns(limit, model, field):
    assert model._meta.get_field(field).max_length == limit


# Malformed files: each is refused whole, at the line where it goes wrong.


def test_empty_file_is_refused(tmp_path):
    message = _refused(_write(tmp_path, b""))
    assert "line 1: expected '# Progression Guide: <from> to <to>'" in message
    _assert_nothing_written()


def test_file_that_is_not_utf8_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    bad_line = _line_number(lines, "## Common Pitfalls")
    source = seed_guide_text.encode()
    at = source.index(b"## Common Pitfalls") + len("## Common")
    source = source[:at] + b"\xff" + source[at:]

    message = _refused(_write(tmp_path, source))

    assert f"line {bad_line}: expected UTF-8 text, found the byte 0xff" in message
    _assert_nothing_written()


def test_missing_capability_section_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    second, third = _line_number(lines, "### 2. "), _line_number(lines, "### 3. ")
    del lines[second - 1 : third - 1]

    message = _refused(_write(tmp_path, "\n".join(lines)))

    assert f"line {second}: expected '### 2. <capability title>', found '### 3. " in message
    _assert_nothing_written()


def test_table_row_with_wrong_number_of_cells_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    row = _line_number(lines, "|") + 3
    lines[row - 1] += " and a third cell |"

    message = _refused(_write(tmp_path, "\n".join(lines)))

    assert f"line {row}: expected a table row with 2 non-empty cells" in message
    _assert_nothing_written()


def test_backwards_evidence_window_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    intro = _line_number(lines, "## How to Demonstrate Readiness") + 2
    assert "12-24+ months" in lines[intro - 1]
    lines[intro - 1] = lines[intro - 1].replace("12-24+ months", "24-12 months")

    message = _refused(_write(tmp_path, "\n".join(lines)))

    assert f"line {intro}: expected an evidence window like '12-24+ months' whose first" in message
    assert message.endswith("found '24-12 months'")
    _assert_nothing_written()


def test_file_over_a_megabyte_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    overview = _line_number(lines, "## Overview")
    # A valid guide apart from its size: one enormous overview paragraph.
    lines[overview:overview] = ["", "padding " * (MAX_BYTES // 8)]
    text = "\n".join(lines)
    assert len(text.encode()) > MAX_BYTES

    message = _refused(_write(tmp_path, text))

    assert f"line {overview + 2}: expected a file of at most 1,000,000 bytes" in message
    _assert_nothing_written()


def test_capability_without_indicators_is_refused(seed_guide_text, tmp_path):
    lines = seed_guide_text.split("\n")
    label = _line_number(lines, "**What this looks like:**")
    bullets_end = lines.index("", label + 1)
    del lines[label + 1 : bullets_end + 1]
    practices_label = lines.index("**How to develop this:**") + 1

    message = _refused(_write(tmp_path, "\n".join(lines)))

    assert (
        f"line {practices_label}: expected at least one '- ' bullet under "
        "'**What this looks like:**', found '**How to develop this:**'"
    ) in message
    _assert_nothing_written()


def test_service_refuses_nul_characters():
    with pytest.raises(guidemd.GuideFormatError) as caught:
        import_guide(source=b"# Progression Guide: M3 to E1\n\n## A\x00 to B\n")
    assert caught.value.line == 3
    _assert_nothing_written()


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _import(tmp_path / "absent.md")


def test_rows_hold_text_as_people_read_it_and_export_writes_it_back(
    seed_guide_path, seed_guide_text, tmp_path
):
    """Characters that Markdown would read as markup are escaped in the file and stored as
    they read; an export escapes them again, so a second import says the same."""
    line = "- You own outcomes end-to-end"
    assert line in seed_guide_text
    odd = r"- Runs window.\_\_init \& keeps \[notes\] in a\_b\_c \*now\*"
    text = seed_guide_text.replace(line, odd + "\n" + line, 1)
    text = text.replace("### 1. Domain", "### 1. Domain \\#", 1)
    _import(_write(tmp_path, text))
    guide = Guide.objects.get()
    capability = guide.capabilities.get(number=1)
    assert capability.indicators.get(position=1).text == (
        "Runs window.__init & keeps [notes] in a_b_c *now*"
    )
    assert capability.title.startswith("Domain #")

    exported = tmp_path / "exported.md"
    call_command("export_guide", guide.slug, "--output", str(exported))
    assert r"window.\_\_init" in exported.read_text(encoding="utf-8")
    output = _import(exported, "--if-new")
    assert output.startswith("Unchanged:")
