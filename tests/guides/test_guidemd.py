"""The guide Markdown format, without a database: the user's guide, malformed variants, fuzzing."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.guidemd import GuideDoc, GuideFormatError, parse_guide, render_guide


@pytest.fixture
def seed_doc(seed_guide_text) -> GuideDoc:
    return parse_guide(seed_guide_text)


def _line_number(lines: list[str], prefix: str, start: int = 0) -> int:
    """1-based number of the first line from `start` that starts with `prefix`."""
    return next(i for i, line in enumerate(lines) if i >= start and line.startswith(prefix)) + 1


def test_seed_levels_and_titles(seed_doc):
    assert (seed_doc.from_code, seed_doc.from_title) == ("M3", "Head of Engineering")
    assert (seed_doc.to_code, seed_doc.to_title) == ("E1", "Director of Engineering")
    assert seed_doc.title == "Progression Guide: M3 to E1"


def test_seed_overview_keeps_its_three_paragraphs(seed_doc, seed_guide_text):
    paragraphs = seed_doc.overview.split("\n\n")
    assert len(paragraphs) == 3
    assert all(paragraph in seed_guide_text for paragraph in paragraphs)


def test_seed_core_shift(seed_doc, seed_guide_text):
    lines = seed_guide_text.split("\n")
    header = lines[_line_number(lines, "|") - 1]
    assert header == f"| {seed_doc.shift_from_heading} | {seed_doc.shift_to_heading} |"
    assert seed_doc.shift_from_heading.startswith("M3 (")
    assert seed_doc.shift_to_heading.startswith("E1 (")
    assert len(seed_doc.shifts) == 8
    for shift in seed_doc.shifts:
        assert f"| {shift.from_text} | {shift.to_text} |" in lines


def test_seed_fundamental_question(seed_doc, seed_guide_text):
    assert seed_doc.question_before.startswith("Am I ")
    assert seed_doc.question_before.endswith("?")
    assert seed_doc.question_after.startswith("Am I ")
    assert seed_doc.question_after.endswith("?")
    assert seed_doc.question_before != seed_doc.question_after
    assert f"'{seed_doc.question_before}' to '{seed_doc.question_after}'" in seed_guide_text


def test_seed_capabilities(seed_doc, seed_guide_text):
    assert [c.number for c in seed_doc.capabilities] == [1, 2, 3, 4]
    for capability in seed_doc.capabilities:
        assert f"### {capability.number}. {capability.title}\n" in seed_guide_text
        assert capability.summary.startswith("At M3, ")
        assert "\n" not in capability.summary
        assert len(capability.indicators) == 5
        assert len(capability.practices) == 5
        for bullet in capability.indicators + capability.practices:
            assert f"\n- {bullet}\n" in seed_guide_text
        assert not set(capability.indicators) & set(capability.practices)


def test_seed_pitfalls(seed_doc, seed_guide_text):
    assert len(seed_doc.pitfalls) == 5
    for pitfall in seed_doc.pitfalls:
        assert f"### {pitfall.title}\n\n{pitfall.text}\n" in seed_guide_text


def test_seed_readiness(seed_doc, seed_guide_text):
    assert (seed_doc.min_months, seed_doc.max_months) == (12, 24)
    assert "12-24+ months" in seed_doc.readiness_intro
    assert len(seed_doc.track_record_steps) == 4
    assert len(seed_doc.questions) == 6
    assert all(question.endswith("?") for question in seed_doc.questions)
    assert seed_doc.self_assessment_note.startswith("If you can answer")
    assert f"- {seed_doc.questions[-1]}\n\n{seed_doc.self_assessment_note}\n" in seed_guide_text


def test_seed_timeline(seed_doc, seed_guide_text):
    assert (seed_doc.timeline_min_years, seed_doc.timeline_max_years) == (3, 5)
    assert "3-5+ years" in seed_doc.timeline_intro
    assert len(seed_doc.timeline_points) == 4
    assert seed_guide_text.endswith(f"\n\n**{seed_doc.closing_note}**\n")
    assert not seed_doc.closing_note.startswith("*")


def test_render_reproduces_the_seed_exactly(seed_doc, seed_guide_text):
    assert render_guide(seed_doc) == seed_guide_text


def test_round_trip_keeps_every_field(seed_doc):
    again = parse_guide(render_guide(seed_doc))
    for field in dataclasses.fields(GuideDoc):
        assert getattr(again, field.name) == getattr(seed_doc, field.name), field.name
    assert again == seed_doc


def test_round_trip_of_a_doc_written_by_hand(seed_doc):
    doc = dataclasses.replace(
        seed_doc,
        subtitle="Staff Engineer to Principal Engineer",
        from_code="IC4",
        to_code="IC5",
        overview="First paragraph,\nwrapped over two lines.\n\nSecond paragraph.",
        question_before="Is it 'mine' to fix?",
        question_after="Whose is it, then?",
        closing_note="Bold, with *emphasis* inside.",
    )
    assert parse_guide(render_guide(doc)) == doc


def test_windows_line_endings_and_trailing_spaces_are_accepted(seed_doc, seed_guide_text):
    assert parse_guide(seed_guide_text.replace("\n", "  \r\n")) == seed_doc


def test_en_dash_window_is_accepted(seed_guide_text):
    doc = parse_guide(seed_guide_text.replace("12-24+ months", "6\u201318 months"))
    assert (doc.min_months, doc.max_months) == (6, 18)


def _error(text: str) -> GuideFormatError:
    with pytest.raises(GuideFormatError) as caught:
        parse_guide(text)
    return caught.value


def test_empty_document_fails_on_line_1():
    error = _error("")
    assert error.line == 1
    assert str(error) == (
        "line 1: expected '# Progression Guide: <from> to <to>', found the end of the document"
    )


def test_missing_indicators_label_names_it(seed_guide_text):
    lines = seed_guide_text.split("\n")
    label = _line_number(lines, "**What this looks like:**")
    del lines[label - 1 : label + 1]
    error = _error("\n".join(lines))
    assert error.line == label
    assert str(error).startswith(
        f"line {label}: expected '**What this looks like:**' after the capability summary, "
        "found '- "
    )


def test_missing_capability_section(seed_guide_text):
    lines = seed_guide_text.split("\n")
    second, third = _line_number(lines, "### 2. "), _line_number(lines, "### 3. ")
    del lines[second - 1 : third - 1]
    error = _error("\n".join(lines))
    assert error.line == second
    assert error.expected == "'### 2. <capability title>'"
    assert error.found.startswith("'### 3. ")


def test_capabilities_out_of_order(seed_guide_text):
    lines = seed_guide_text.split("\n")
    first = _line_number(lines, "### 1. ")
    lines[first - 1] = lines[first - 1].replace("### 1.", "### 2.")
    assert _error("\n".join(lines)).line == first


def test_capability_without_indicators(seed_guide_text):
    lines = seed_guide_text.split("\n")
    label = _line_number(lines, "**What this looks like:**")
    first_bullet = label + 2
    lines = [
        line
        for number, line in enumerate(lines, start=1)
        if not (first_bullet <= number < first_bullet + 5)
    ]
    error = _error("\n".join(lines))
    assert error.line == lines.index("**How to develop this:**") + 1
    assert "at least one '- ' bullet under '**What this looks like:**'" in str(error)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| one | two | three |", "a table row with 2 non-empty cells"),
        ("| only one |", "a table row with 2 non-empty cells"),
        ("| one |  |", "a table row with 2 non-empty cells"),
        # Outer pipes are optional, so this row is one cell short.
        ("| no closing pipe", "a table row with 2 non-empty cells"),
    ],
)
def test_bad_table_row(seed_guide_text, row, expected):
    lines = seed_guide_text.split("\n")
    third_row = _line_number(lines, "|") + 4
    lines[third_row - 1] = row
    error = _error("\n".join(lines))
    assert (error.line, error.expected) == (third_row, expected)


def test_table_without_rows(seed_guide_text):
    lines = seed_guide_text.split("\n")
    header = _line_number(lines, "|")
    del lines[header + 1 : header + 9]
    error = _error("\n".join(lines))
    assert error.line == _line_number(lines, "*The fundamental question")
    assert "at least one row" in error.expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("24-12 months", "whose first number is at most its second"),
        ("13-24 months", "a multiple of 3 months"),
        ("0-24 months", "a multiple of 3 months"),
        ("a year or two", "an evidence window like '12-24+ months' in the introduction"),
    ],
)
def test_bad_evidence_window(seed_guide_text, window, expected):
    lines = seed_guide_text.split("\n")
    intro = _line_number(lines, "## How to Demonstrate Readiness") + 2
    lines[intro - 1] = lines[intro - 1].replace("12-24+ months", window)
    error = _error("\n".join(lines))
    assert error.line == intro
    assert expected in error.expected


def test_two_evidence_windows_are_ambiguous(seed_guide_text):
    lines = seed_guide_text.split("\n")
    intro = _line_number(lines, "## How to Demonstrate Readiness") + 2
    lines.insert(intro, "Or perhaps 6-9 months.")
    error = _error("\n".join(lines))
    assert (error.line, error.found) == (intro + 1, "'6-9 months'")


def test_backwards_timeline_is_refused(seed_guide_text):
    lines = seed_guide_text.split("\n")
    intro = _line_number(lines, "## Typical Timeline") + 2
    lines[intro - 1] = lines[intro - 1].replace("3-5+ years", "5-3 years")
    assert _error("\n".join(lines)).line == intro


def test_unknown_level_code(seed_guide_text):
    error = _error(seed_guide_text.replace("M3 to E1\n", "X3 to E1\n", 1))
    assert (error.line, error.expected) == (1, "level codes like IC4, M3 or E1 in the title")


def test_ambiguous_level_titles(seed_guide_text):
    lines = seed_guide_text.split("\n")
    lines[2] = "## Head of Go to Market to Director"
    assert _error("\n".join(lines)).line == 3


def test_overlong_shift_cell_is_refused_with_its_line(seed_guide_text):
    lines = seed_guide_text.split("\n")
    row = _line_number(lines, "|") + 2
    lines[row - 1] = f"| {'x' * 301} | fine |"
    error = _error("\n".join(lines))
    assert (error.line, error.found) == (row, "301 characters")


def test_trailing_content_after_the_closing_note(seed_guide_text):
    text = seed_guide_text + "\nOne more thought.\n"
    error = _error(text)
    assert error.line == len(seed_guide_text.split("\n")) + 1
    assert error.expected == "the end of the document after the closing note"


def test_long_found_text_is_shortened():
    error = _error("x" * 500)
    assert error.found == "'" + "x" * 59 + "…'"


def _assert_parses_or_fails_cleanly(text: str) -> None:
    try:
        doc = parse_guide(text)
    except GuideFormatError as error:
        assert 1 <= error.line <= text.count("\n") + 2
        assert str(error).startswith(f"line {error.line}: expected ")
    else:
        assert parse_guide(render_guide(doc)) == doc


# The seed fixture is only read, so sharing it across examples is safe.
FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(st.text())
def test_arbitrary_text_never_crashes(text):
    _assert_parses_or_fails_cleanly(text)


@FUZZ
@given(
    st.lists(
        st.sampled_from(["# Progression Guide: M3 to E1", "## Overview", "- a bullet", "| a | b |"])
        | st.text(max_size=30),
        max_size=30,
    )
)
def test_arbitrary_lines_of_markdown_never_crash(lines):
    _assert_parses_or_fails_cleanly("\n".join(lines))


def _mutations(lines: list[str]):
    index = st.integers(min_value=0, max_value=len(lines) - 1)
    drop = index.map(lambda i: lines[:i] + lines[i + 1 :])
    duplicate = index.map(lambda i: lines[: i + 1] + lines[i:])
    swap = st.tuples(index, index).map(lambda pair: _swapped(lines, *pair))
    insert = st.tuples(index, st.integers(min_value=0, max_value=400), st.text(min_size=1)).map(
        lambda args: _inserted(lines, *args)
    )
    return drop | duplicate | swap | insert


def _swapped(lines: list[str], i: int, j: int) -> list[str]:
    result = list(lines)
    result[i], result[j] = result[j], result[i]
    return result


def _inserted(lines: list[str], i: int, at: int, text: str) -> list[str]:
    result = list(lines)
    result[i] = result[i][:at] + text + result[i][at:]
    return result


@FUZZ
@given(data=st.data())
def test_mutated_seed_parses_or_fails_cleanly(seed_guide_text, data):
    lines = seed_guide_text.split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        lines = data.draw(_mutations(lines))
    _assert_parses_or_fails_cleanly("\n".join(lines))
