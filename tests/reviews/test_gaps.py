"""The progress page's banners: one per kind of gap, each naming what it is about."""

from datetime import date

from reviews.readiness.rule import (
    CapabilitySpec,
    CheckIn,
    EvidenceItem,
    GuideSpec,
    Readiness,
    compute_readiness,
)
from reviews.words import block_label, gaps, mostly_yes_threshold

AS_OF = date(2026, 6, 15)
# The window: Jul 2025 – Jun 2026, in blocks Jul–Sep 2025, Oct–Dec 2025, Jan–Mar 2026, Apr–Jun 2026.


def report(evidence, check_ins=(), questions=6):
    guide = GuideSpec(
        min_months=12,
        max_months=24,
        capabilities=(
            CapabilitySpec(1, "Strategy", 4),
            CapabilitySpec(2, "Hiring", 4),
            CapabilitySpec(3, "Budget", 4),
        ),
        question_count=questions,
    )
    return compute_readiness(guide, evidence, check_ins, AS_OF)


def item(capability, day, *indicators):
    return EvidenceItem(capability, day, indicators or (1, 2))


EVERY_BLOCK = [date(2025, 8, 1), date(2025, 11, 1), date(2026, 2, 1), date(2026, 5, 1)]


def test_block_labels_within_a_year_and_across_one():
    assert block_label(("2026-01", "2026-03")) == "Jan–Mar 2026"
    assert block_label(("2025-11", "2026-01")) == "Nov 2025–Jan 2026"


def test_lopsided_names_the_capability_with_most_against_those_with_few():
    evidence = [item(1, day) for day in EVERY_BLOCK for _ in range(3)]
    evidence += [item(2, day) for day in EVERY_BLOCK] + [item(3, date(2026, 5, 2))]
    (lopsided,) = [g for g in gaps(report(evidence)) if g.kind == "lopsided"]
    assert lopsided.sentence == (
        "Evidence is lopsided: “Strategy” has 12 items in the window, against 1 for “Budget”."
    )


def test_unsustained_capabilities_name_the_blocks_without_evidence():
    evidence = [item(1, day) for day in EVERY_BLOCK]
    evidence += [item(2, date(2025, 8, 1)), item(2, date(2026, 5, 1))]
    evidence += [item(3, date(2026, 5, 1))]
    (gap,) = [g for g in gaps(report(evidence)) if g.kind == "unsustained"]
    assert gap.sentence == (
        "Not yet sustained — needs evidence: “Hiring” in Oct–Dec 2025 and Jan–Mar 2026; "
        "“Budget” in Jul–Sep 2025, Oct–Dec 2025 and Jan–Mar 2026."
    )


def test_thin_capabilities_share_one_banner_with_their_counts():
    evidence = [item(c, day, 1) for c in (1, 2) for day in EVERY_BLOCK]
    evidence += [item(3, day, 1, 2, 3) for day in EVERY_BLOCK]
    (thin,) = [g for g in gaps(report(evidence)) if g.kind == "thin"]
    assert thin.sentence == (
        "Thin evidence: fewer than half of the indicators are shown in the window for "
        "“Strategy” (1 of 4) and “Hiring” (1 of 4)."
    )


def test_self_assessment_says_the_threshold_when_the_question_count_is_known():
    evidence = [item(c, day) for c in (1, 2, 3) for day in EVERY_BLOCK]
    check_ins = [CheckIn(date(2026, 5, 1), {n: "yes" if n <= 3 else "no" for n in range(1, 7)})]
    (gap,) = gaps(report(evidence, check_ins), question_count=6)
    assert gap.kind == "self_assessment"
    assert "at least 4" in gap.sentence and "0 of 1 check-ins" in gap.sentence
    assert mostly_yes_threshold(6).startswith(
        "A check-in counts as mostly yes when more than half of the 6 questions are answered "
        "yes: at least 4."
    )


def test_a_ready_case_has_no_gaps_and_an_empty_one_says_so_once():
    evidence = [item(c, day) for c in (1, 2, 3) for day in EVERY_BLOCK]
    check_ins = [CheckIn(day, {n: "yes" for n in range(1, 7)}) for day in EVERY_BLOCK]
    assert gaps(report(evidence, check_ins)) == []
    assert [g.kind for g in gaps(report([]))] == ["not_started"]


def test_self_assessment_names_the_blocks_without_a_check_in_and_those_not_mostly_yes():
    evidence = [item(c, day) for c in (1, 2, 3) for day in EVERY_BLOCK]
    all_yes = {n: "yes" for n in range(1, 7)}
    check_ins = [
        CheckIn(date(2025, 8, 1), all_yes),
        CheckIn(date(2026, 5, 1), all_yes),
        CheckIn(date(2026, 5, 20), {n: "partly" for n in range(1, 7)}),
    ]
    (gap,) = gaps(report(evidence, check_ins), question_count=6)
    assert gap.sentence.endswith(
        "2 of 3 check-ins in the window are. Needs a check-in in Oct–Dec 2025 and Jan–Mar 2026. "
        "Not mostly yes: the check-in of 20 May 2026, in Apr–Jun 2026."
    )


def test_self_assessment_blocks_survive_the_snapshot():
    evidence = [item(c, day) for c in (1, 2, 3) for day in EVERY_BLOCK]
    check_ins = [CheckIn(date(2026, 5, 1), {n: "no" for n in range(1, 7)})]
    computed = report(evidence, check_ins)
    assert Readiness.from_snapshot(computed.to_snapshot()) == computed
    assert computed.self_assessment.blocks_without == (
        ("2025-07", "2025-09"),
        ("2025-10", "2025-12"),
        ("2026-01", "2026-03"),
    )
    assert computed.self_assessment.not_mostly_yes == (date(2026, 5, 1),)
