"""A small guide of the tests' own, as a document and as Markdown, and its later versions."""

import dataclasses

from guides.guidemd import CapabilityDoc, GuideDoc, PitfallDoc, ShiftDoc, render_guide

CAPABILITIES = (
    CapabilityDoc(
        number=1,
        title="Running the roadmap",
        summary="From planning one team's quarter to shaping the year for several teams.",
        indicators=(
            "Sets a yearly plan that other teams build on",
            "Cuts work that no longer pays off",
            "Explains trade-offs to finance in their terms",
        ),
        practices=("Write the plan before the budget round", "Review it with a peer lead"),
    ),
    CapabilityDoc(
        number=2,
        title="Growing leaders",
        summary="From coaching engineers to coaching the people who manage them.",
        indicators=(
            "Has a named successor for each team",
            "Promotes managers on evidence",
        ),
        practices=("Hold monthly skip-level talks",),
    ),
)


def first_version() -> GuideDoc:
    return GuideDoc(
        from_code="M2",
        to_code="M3",
        subtitle="Engineering Manager to Head of Engineering",
        overview="Moving up means looking after a group of teams rather than one.",
        shift_from_heading="M2 Engineering Manager",
        shift_to_heading="M3 Head of Engineering",
        shifts=(ShiftDoc("One team", "A group of teams"), ShiftDoc("This quarter", "This year")),
        question_before="Is my team shipping?",
        question_after="Are my teams shipping the right things?",
        capabilities=CAPABILITIES,
        pitfalls=(PitfallDoc("Staying hands-on", "Writing code instead of unblocking leads."),),
        readiness_intro="Readiness shows over 12-24+ months of steady work.",
        min_months=12,
        max_months=24,
        track_record_steps=("Keep a log of decisions", "Ask for feedback each quarter"),
        questions=(
            "Do my teams know the plan for the year?",
            "Have I stopped a project that no longer paid off?",
            "Could someone step into my role tomorrow?",
        ),
        self_assessment_note="Mostly yes, over several quarters, is the sign.",
        timeline_intro="This usually takes 2-4 years at the level.",
        timeline_min_years=2,
        timeline_max_years=4,
        timeline_points=("Year one: learn the group", "Year two: lead it"),
        closing_note="Steady evidence matters more than one big launch.",
    )


def second_version() -> GuideDoc:
    """One indicator reworded, one removed, one added; a question reworded and one added."""
    first = first_version()
    roadmap, leaders = first.capabilities
    return dataclasses.replace(
        first,
        capabilities=(
            dataclasses.replace(
                roadmap,
                indicators=(
                    "Sets a yearly plan that other groups build on",
                    "Explains trade-offs to finance in their terms",
                ),
            ),
            dataclasses.replace(
                leaders,
                indicators=(
                    *leaders.indicators,
                    "Brings new managers up to speed within a quarter",
                ),
            ),
        ),
        questions=(
            "Do my teams know the plan for the coming year?",
            "Have I stopped a project that no longer paid off?",
            "Could someone step into my role tomorrow?",
            "Do my managers grow their own leads?",
        ),
    )


def markdown(doc: GuideDoc) -> str:
    return render_guide(doc)
