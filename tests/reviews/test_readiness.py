import json
from datetime import date, timedelta

import pytest

from reviews.readiness.months import month_key, months_ending
from reviews.readiness.rule import (
    CapabilitySpec,
    CheckIn,
    EvidenceItem,
    GuideSpec,
    compute_readiness,
)

pytestmark = pytest.mark.dates

AS_OF = date(2026, 11, 28)
# The window for AS_OF: December 2025 to November 2026, in four blocks of three months.
BLOCK_DAYS = (date(2026, 1, 15), date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15))
QUESTIONS = 8


def guide(*indicators_total: int, min_months: int = 12, max_months: int = 24) -> GuideSpec:
    return GuideSpec(
        min_months=min_months,
        max_months=max_months,
        capabilities=tuple(
            CapabilitySpec(number, f"Capability {number}", total)
            for number, total in enumerate(indicators_total or (5, 5, 5, 5), start=1)
        ),
        question_count=QUESTIONS,
    )


def item(capability: int, day: date, *indicators: int) -> EvidenceItem:
    return EvidenceItem(capability, day, indicators or (1,))


def check_in(day: date, yes: int, partly: int = 0) -> CheckIn:
    answers = {}
    for question in range(1, QUESTIONS + 1):
        if question <= yes:
            answers[question] = "yes"
        elif question <= yes + partly:
            answers[question] = "partly"
        else:
            answers[question] = "no"
    return CheckIn(day, answers)


def good_check_ins() -> list[CheckIn]:
    return [check_in(day, yes=QUESTIONS) for day in BLOCK_DAYS]


def every_block(capability: int, *indicators: int) -> list[EvidenceItem]:
    return [item(capability, day, *indicators) for day in BLOCK_DAYS]


def ready_evidence() -> list[EvidenceItem]:
    return [e for number in (1, 2, 3, 4) for e in every_block(number, 1, 2, 3)]


def capability(readiness, number: int):
    (found,) = [c for c in readiness.capabilities if c.number == number]
    return found


# Window and blocks


def test_window_blocks_end_with_the_as_of_month():
    readiness = compute_readiness(guide(), [], [], AS_OF)
    assert readiness.window_months == 12
    assert readiness.blocks == (
        ("2025-12", "2026-02"),
        ("2026-03", "2026-05"),
        ("2026-06", "2026-08"),
        ("2026-09", "2026-11"),
    )


def test_six_month_window_has_two_blocks():
    readiness = compute_readiness(guide(min_months=6), [], [], date(2026, 2, 1))
    assert readiness.blocks == (("2025-09", "2025-11"), ("2025-12", "2026-02"))


@pytest.mark.parametrize("min_months", [0, 10, 13, -3])
def test_window_not_a_positive_multiple_of_three_is_refused(min_months):
    with pytest.raises(ValueError, match="multiple of 3"):
        compute_readiness(guide(min_months=min_months), [], [], AS_OF)


def test_strip_shorter_than_window_is_refused():
    with pytest.raises(ValueError, match="max_months"):
        compute_readiness(guide(min_months=12, max_months=9), [], [], AS_OF)


def test_item_on_first_day_of_window_counts_and_the_day_before_does_not():
    evidence = [item(1, date(2025, 12, 1)), item(2, date(2025, 11, 30))]
    readiness = compute_readiness(guide(), evidence, [], AS_OF)
    assert capability(readiness, 1).items_in_window == 1
    assert capability(readiness, 2).items_in_window == 0
    assert capability(readiness, 2).items == 1


def test_item_later_in_the_as_of_month_is_ignored():
    evidence = [item(1, AS_OF), item(1, date(2026, 11, 30))]
    readiness = compute_readiness(guide(), evidence, [], AS_OF)
    result = capability(readiness, 1)
    assert result.items == 1
    assert result.items_in_window == 1
    assert result.last == AS_OF
    assert result.months["2026-11"] == 1


def test_one_empty_block_is_not_sustained():
    full = every_block(1)
    gap = [e for e in every_block(2) if e.date != BLOCK_DAYS[1]]
    readiness = compute_readiness(guide(), full + gap, [], AS_OF)
    assert capability(readiness, 1).sustained
    assert not capability(readiness, 2).sustained
    assert capability(readiness, 2).items_in_window == 3


def test_sustained_needs_items_in_the_window_not_before_it():
    evidence = every_block(1)[1:] + [item(1, date(2025, 11, 30))]
    readiness = compute_readiness(guide(), evidence, [], AS_OF)
    assert not capability(readiness, 1).sustained


# Items after the as-of date


def test_items_after_as_of_are_ignored_everywhere():
    old = item(1, date(2025, 6, 1), 1)
    future = [item(1, AS_OF + timedelta(days=1), 2, 3), item(1, date(2027, 1, 5), 4)]
    readiness = compute_readiness(guide(), [old, *future], [], AS_OF)
    result = capability(readiness, 1)
    assert (result.items, result.items_in_window) == (1, 0)
    assert result.first == result.last == date(2025, 6, 1)
    assert result.indicators_covered == 0
    assert sum(result.months.values()) == 1
    assert "stale" in readiness.flags


def test_only_future_evidence_is_not_started():
    readiness = compute_readiness(guide(), [item(1, date(2026, 12, 1))], [], AS_OF)
    assert readiness.status == "not_started"
    assert "stale" not in readiness.flags


def test_check_ins_after_as_of_are_ignored():
    check_ins = [*good_check_ins()[:3], check_in(date(2026, 11, 29), yes=QUESTIONS)]
    readiness = compute_readiness(guide(), ready_evidence(), check_ins, AS_OF)
    assessment = readiness.self_assessment
    assert (assessment.check_ins_in_window, assessment.consistent) == (3, False)
    assert readiness.status == "building"


def test_first_and_last_span_all_items_up_to_as_of():
    evidence = [item(1, date(2026, 3, 4)), item(1, date(2024, 2, 1)), item(1, date(2026, 10, 30))]
    result = capability(compute_readiness(guide(), evidence, [], AS_OF), 1)
    assert (result.first, result.last, result.items) == (date(2024, 2, 1), date(2026, 10, 30), 3)
    assert result.items_in_window == 2


# Self-assessment


def test_partly_is_not_yes():
    check_ins = [check_in(day, yes=4, partly=4) for day in BLOCK_DAYS]
    assessment = compute_readiness(guide(), [], check_ins, AS_OF).self_assessment
    assert (assessment.check_ins_in_window, assessment.mostly_yes) == (4, 0)
    assert not assessment.consistent


def test_exactly_half_yes_is_not_mostly_yes_and_one_more_is():
    check_ins = [check_in(BLOCK_DAYS[0], yes=4), check_in(BLOCK_DAYS[1], yes=5)]
    assessment = compute_readiness(guide(), [], check_ins, AS_OF).self_assessment
    assert assessment.mostly_yes == 1


def test_unanswered_questions_count_against_mostly_yes():
    four_of_eight = CheckIn(BLOCK_DAYS[0], {1: "yes", 2: "yes", 3: "yes", 4: "yes"})
    five_of_eight = CheckIn(BLOCK_DAYS[1], {1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes"})
    assessment = compute_readiness(guide(), [], [four_of_eight, five_of_eight], AS_OF)
    assert assessment.self_assessment.mostly_yes == 1


def test_consistent_needs_a_check_in_in_every_block():
    check_ins = [check_in(day, yes=QUESTIONS) for day in BLOCK_DAYS[:3]]
    check_ins.append(check_in(BLOCK_DAYS[2] + timedelta(days=1), yes=QUESTIONS))
    assessment = compute_readiness(guide(), [], check_ins, AS_OF).self_assessment
    assert (assessment.check_ins_in_window, assessment.mostly_yes) == (4, 4)
    assert not assessment.consistent


def test_consistent_needs_every_check_in_in_the_window_mostly_yes():
    check_ins = [*good_check_ins(), check_in(BLOCK_DAYS[3] + timedelta(days=1), yes=2)]
    assessment = compute_readiness(guide(), [], check_ins, AS_OF).self_assessment
    assert (assessment.check_ins_in_window, assessment.mostly_yes) == (5, 4)
    assert not assessment.consistent


def test_a_poor_check_in_before_the_window_does_not_count():
    check_ins = [*good_check_ins(), check_in(date(2025, 11, 30), yes=0)]
    assessment = compute_readiness(guide(), [], check_ins, AS_OF).self_assessment
    assert (assessment.check_ins_in_window, assessment.consistent) == (4, True)


@pytest.mark.parametrize(
    "answers", [{9: "yes"}, {0: "yes"}, {1: "maybe"}], ids=["beyond", "zero", "bad-answer"]
)
def test_malformed_check_in_is_refused(answers):
    with pytest.raises(ValueError, match="Check-in"):
        compute_readiness(guide(), [], [CheckIn(BLOCK_DAYS[0], answers)], AS_OF)


# Status


def test_ready_case():
    readiness = compute_readiness(guide(), ready_evidence(), good_check_ins(), AS_OF)
    assert readiness.status == "ready"
    assert readiness.flags == ()
    assert all(c.sustained for c in readiness.capabilities)
    assert readiness.self_assessment.consistent


def test_every_capability_must_be_sustained_for_ready():
    evidence = [e for e in ready_evidence() if not (e.capability == 4 and e.date == BLOCK_DAYS[0])]
    readiness = compute_readiness(guide(), evidence, good_check_ins(), AS_OF)
    assert readiness.status == "building"


def test_sustained_evidence_without_consistent_check_ins_is_building():
    readiness = compute_readiness(guide(), ready_evidence(), good_check_ins()[1:], AS_OF)
    assert readiness.status == "building"


def test_no_evidence_is_not_started_and_thin_everywhere():
    readiness = compute_readiness(guide(5, 4, 1, 0), [], good_check_ins(), AS_OF)
    assert readiness.status == "not_started"
    # Literally: no evidence covers fewer than half of any capability's indicators.
    assert readiness.flags == ("thin:1", "thin:2", "thin:3")
    for result in readiness.capabilities:
        assert (result.items, result.first, result.last, result.sustained) == (0, None, None, False)


def test_old_evidence_only_is_building_not_not_started():
    readiness = compute_readiness(guide(), [item(1, date(2020, 1, 1))], [], AS_OF)
    assert readiness.status == "building"


# Flags


def test_stale_boundary_is_exactly_sixty_days():
    on_boundary = [*ready_evidence(), item(1, AS_OF - timedelta(days=60))]
    readiness = compute_readiness(guide(), on_boundary, good_check_ins(), AS_OF)
    assert "stale" not in readiness.flags

    # ready_evidence's latest item (15 October) is 44 days before AS_OF; look from further on.
    as_of = date(2026, 12, 15)
    latest = as_of - timedelta(days=61)
    evidence = [e for e in ready_evidence() if e.date < latest] + [item(1, latest)]
    assert compute_readiness(guide(), evidence, [], as_of).flags[0] == "stale"
    recent = [*evidence, item(2, as_of - timedelta(days=60))]
    assert "stale" not in compute_readiness(guide(), recent, [], as_of).flags


def test_stale_alone_does_not_stop_ready():
    as_of = date(2026, 12, 31)
    days = (date(2026, 1, 20), date(2026, 4, 20), date(2026, 7, 20), date(2026, 10, 20))
    evidence = [item(number, day, 1, 2, 3) for number in (1, 2, 3, 4) for day in days]
    check_ins = [check_in(day, yes=QUESTIONS) for day in days]
    readiness = compute_readiness(guide(), evidence, check_ins, as_of)
    assert readiness.blocks[0] == ("2026-01", "2026-03")
    assert readiness.flags == ("stale",)
    assert readiness.status == "ready"


def flags_for_counts(*counts: int) -> tuple[str, ...]:
    # Every item tags three of five indicators, so only capabilities with no items are thin.
    evidence = [
        item(number, BLOCK_DAYS[3], 1, 2, 3)
        for number, count in enumerate(counts, start=1)
        for _ in range(count)
    ]
    return compute_readiness(guide(), evidence, [], AS_OF).flags


@pytest.mark.parametrize(
    ("counts", "lopsided"),
    [
        ((3, 0, 3, 3), False),
        ((4, 0, 4, 4), True),
        ((4, 1, 4, 4), False),
        ((8, 2, 8, 8), False),
        ((8, 1, 8, 8), True),
        ((9, 2, 1, 3), True),
    ],
)
def test_lopsided_boundaries(counts, lopsided):
    assert ("lopsided" in flags_for_counts(*counts)) is lopsided


def test_lopsided_alone():
    assert flags_for_counts(2, 8, 3, 1) == ("lopsided",)


def test_lopsided_counts_only_items_in_the_window():
    before_window = [item(1, date(2025, 11, 1), 1, 2, 3)] * 10
    evidence = before_window + [e for number in (1, 2, 3, 4) for e in every_block(number, 1, 2, 3)]
    readiness = compute_readiness(guide(), evidence, [], AS_OF)
    assert "lopsided" not in readiness.flags
    assert capability(readiness, 1).items == 14


@pytest.mark.parametrize(
    ("total", "covered", "thin"),
    [(5, 2, True), (5, 3, False), (4, 2, False), (4, 1, True), (1, 0, True), (0, 0, False)],
)
def test_thin_boundaries(total, covered, thin):
    evidence = [item(1, BLOCK_DAYS[3], position) for position in range(1, covered + 1)]
    readiness = compute_readiness(guide(total), evidence, [], AS_OF)
    assert capability(readiness, 1).indicators_covered == covered
    assert readiness.flags == (("thin:1",) if thin else ())


def test_indicators_are_counted_once_and_only_in_the_window():
    evidence = [
        item(1, BLOCK_DAYS[0], 1, 2),
        item(1, BLOCK_DAYS[1], 2, 1),
        item(1, date(2025, 11, 30), 3, 4, 5),
        item(1, date(2026, 11, 29), 3, 4, 5),
    ]
    result = capability(compute_readiness(guide(5), evidence, [], AS_OF), 1)
    assert (result.indicators_covered, result.indicators_total) == (2, 5)


def test_flags_come_in_design_order_with_thin_by_ascending_number():
    spec = GuideSpec(
        min_months=12,
        max_months=24,
        capabilities=(
            CapabilitySpec(3, "Third", 5),
            CapabilitySpec(1, "First", 5),
            CapabilitySpec(2, "Second", 2),
        ),
        question_count=QUESTIONS,
    )
    # All in the window but more than 60 days ago; capability 2 well covered, 1 and 3 thin.
    evidence = [item(2, BLOCK_DAYS[0], 1, 2)] * 8 + [item(1, BLOCK_DAYS[0]), item(3, BLOCK_DAYS[0])]
    readiness = compute_readiness(spec, evidence, [], AS_OF)
    assert readiness.flags == ("stale", "lopsided", "thin:1", "thin:3")


def test_unknown_capability_is_refused():
    with pytest.raises(ValueError, match="capability 5"):
        compute_readiness(guide(), [item(5, BLOCK_DAYS[0])], [], AS_OF)


@pytest.mark.parametrize("position", [0, 6])
def test_indicator_outside_the_capability_is_refused(position):
    with pytest.raises(ValueError, match=f"indicator {position}"):
        compute_readiness(guide(), [item(1, BLOCK_DAYS[0], position)], [], AS_OF)


# Months (the heat strip row)


def test_months_span_max_months_ending_with_as_of_across_a_year_boundary():
    as_of = date(2026, 2, 10)
    evidence = [
        item(1, date(2024, 3, 1)),
        item(1, date(2024, 2, 29)),
        item(1, date(2025, 12, 31)),
        item(1, date(2026, 1, 1)),
        item(1, date(2026, 1, 31)),
        item(1, date(2026, 2, 11)),
    ]
    months = capability(compute_readiness(guide(), evidence, [], as_of), 1).months
    assert len(months) == 24
    assert list(months)[0] == "2024-03"
    assert list(months)[-1] == "2026-02"
    assert list(months) == sorted(months)
    assert months["2024-03"] == 1
    assert (months["2025-12"], months["2026-01"], months["2026-02"]) == (1, 2, 0)
    assert sum(months.values()) == 4


def test_month_helpers():
    assert month_key(date(2026, 3, 31)) == "2026-03"
    assert months_ending(date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_ending(date(2026, 2, 10), 1) == ["2026-02"]


def test_strip_months_match_every_capability_row():
    readiness = compute_readiness(guide(), ready_evidence(), [], AS_OF)
    assert readiness.strip_months == tuple(months_ending(AS_OF, 24))
    for result in readiness.capabilities:
        assert tuple(result.months) == readiness.strip_months


# The report


def test_as_dict_has_the_design_json_shape():
    evidence = [*every_block(1, 1, 2, 3), item(1, date(2025, 3, 4), 1), item(2, BLOCK_DAYS[3], 1)]
    readiness = compute_readiness(guide(), evidence, good_check_ins(), AS_OF)
    report = json.loads(json.dumps(readiness.as_dict(7)))

    assert set(report) == {
        "case",
        "as_of",
        "status",
        "flags",
        "window",
        "capabilities",
        "self_assessment",
    }
    assert (report["case"], report["as_of"], report["status"]) == (7, "2026-11-28", "building")
    assert report["flags"] == ["lopsided", "thin:2", "thin:3", "thin:4"]
    assert report["window"] == {
        "months": 12,
        "blocks": [
            ["2025-12", "2026-02"],
            ["2026-03", "2026-05"],
            ["2026-06", "2026-08"],
            ["2026-09", "2026-11"],
        ],
    }
    assert report["self_assessment"] == {
        "check_ins_in_window": 4,
        "mostly_yes": 4,
        "consistent": True,
    }
    first, second, third, _ = report["capabilities"]
    assert set(first) == {
        "number",
        "title",
        "items",
        "items_in_window",
        "sustained",
        "first",
        "last",
        "indicators_covered",
        "indicators_total",
        "months",
    }
    assert {k: v for k, v in first.items() if k != "months"} == {
        "number": 1,
        "title": "Capability 1",
        "items": 5,
        "items_in_window": 4,
        "sustained": True,
        "first": "2025-03-04",
        "last": "2026-10-15",
        "indicators_covered": 3,
        "indicators_total": 5,
    }
    assert list(first["months"])[0] == "2024-12"
    assert list(first["months"])[-1] == "2026-11"
    assert first["months"]["2026-10"] == 1
    assert (second["sustained"], second["items_in_window"]) == (False, 1)
    assert (third["first"], third["last"], third["items"]) == (None, None, 0)


def test_as_dict_months_is_a_copy():
    readiness = compute_readiness(guide(), [], [], AS_OF)
    report = readiness.as_dict(1)
    report["capabilities"][0]["months"]["2026-11"] = 99
    assert readiness.capabilities[0].months["2026-11"] == 0
