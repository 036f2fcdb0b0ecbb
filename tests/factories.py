import datetime

import factory

from accounts.models import User
from core import clock
from guides.models import Capability, Guide, Indicator, Level, Practice, Question
from reviews.models import (
    Answer,
    Attachment,
    CapabilityScore,
    Case,
    CheckIn,
    Cycle,
    Evidence,
    Feedback,
    Nomination,
    Outcome,
    Panellist,
    Recommendation,
    ScoreSheet,
    SignOff,
)
from reviews.roles import hr_group

PASSWORD = "correct-horse-battery"


def sets_many(field: str) -> factory.PostGeneration:
    """A post-generation hook: `SomeFactory(field=[…])` sets that many-to-many field."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(hook)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"L{n}")
    title = factory.LazyAttribute(lambda o: f"Level {o.code}")
    track = Level.Track.MANAGEMENT
    rank = factory.Sequence(lambda n: n + 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)


class HRFactory(UserFactory):
    @factory.post_generation
    def hr_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(hr_group())


class GuideFactory(factory.django.DjangoModelFactory):
    """A small draft guide; call `publish(guide)` once its parts are in place."""

    class Meta:
        model = Guide

    from_level = factory.SubFactory(LevelFactory, code="M3", title="Head of Engineering", rank=50)
    to_level = factory.SubFactory(
        LevelFactory, code="E1", title="Director of Engineering", rank=60, track="executive"
    )
    version = factory.Sequence(lambda n: n + 1)
    slug = factory.LazyAttribute(
        lambda o: f"{o.from_level.code}-to-{o.to_level.code}-v{o.version}".lower()
    )
    title = "Progression Guide: M3 to E1"
    subtitle = "Head of Engineering to Director of Engineering"
    overview = "A test overview."
    shift_from_heading = "M3"
    shift_to_heading = "E1"
    question_before = "Before?"
    question_after = "After?"
    readiness_intro = "Show it over 12-24+ months."
    min_months = 12
    max_months = 24
    self_assessment_note = "Mostly yes, consistently."
    timeline_intro = "Usually 3-5+ years."
    timeline_min_years = 3
    timeline_max_years = 5
    closing_note = "A closing note."
    source_markdown = ""


def guide_with_parts(*, capabilities=4, indicators=5, questions=6, **kwargs) -> Guide:
    guide = GuideFactory(**kwargs)
    for number in range(1, capabilities + 1):
        capability = Capability.objects.create(
            guide=guide, number=number, title=f"Capability {number}", summary="Summary."
        )
        Indicator.objects.bulk_create(
            Indicator(capability=capability, position=p, text=f"Indicator {number}.{p}")
            for p in range(1, indicators + 1)
        )
        Practice.objects.bulk_create(
            Practice(capability=capability, position=p, text=f"Practice {number}.{p}")
            for p in range(1, 3)
        )
    Question.objects.bulk_create(
        Question(guide=guide, position=p, text=f"Question {p}?") for p in range(1, questions + 1)
    )
    return guide


def publish(guide: Guide) -> Guide:
    guide.status = Guide.Status.PUBLISHED
    guide.save(update_fields=["status"])
    return guide


def published_guide(**kwargs) -> Guide:
    return publish(guide_with_parts(**kwargs))


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case on a published guide, with a sponsor at the guide's target level."""

    class Meta:
        model = Case

    guide = factory.LazyFunction(published_guide)
    candidate = factory.SubFactory(UserFactory)
    sponsor = factory.LazyAttribute(lambda o: UserFactory(current_level=o.guide.to_level))
    opened_on = factory.LazyFunction(lambda: clock.today() - datetime.timedelta(days=400))


class EvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence item on its case's first capability unless told; `indicators=[…]` tags it."""

    class Meta:
        model = Evidence
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    capability = factory.LazyAttribute(
        lambda o: o.case.guide.capabilities.order_by("number").first()
    )
    title = factory.Sequence(lambda n: f"Evidence item {n}")
    date = factory.LazyFunction(lambda: clock.today() - datetime.timedelta(days=30))
    summary = "What was done."
    outcome = "What changed."
    links = factory.LazyFunction(list)
    indicators = sets_many("indicators")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small plain-text file, written to private storage: remove it after the test."""

    class Meta:
        model = Attachment

    evidence = factory.SubFactory(EvidenceFactory)
    file = factory.django.FileField(data=b"Some notes.\n", filename="notes.txt")
    original_name = "notes.txt"
    content_type = "text/plain"
    size = factory.LazyAttribute(lambda o: o.file.size)


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in answering every question of its case's guide.

    `answers="partly"` gives every question that answer; `answers={1: "no"}` sets some by question
    position and leaves the rest "yes".
    """

    class Meta:
        model = CheckIn
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    date = factory.LazyFunction(lambda: clock.today() - datetime.timedelta(days=7))

    @factory.post_generation
    def answers(self, create, extracted, **kwargs):
        if not create:
            return
        if isinstance(extracted, str):
            values, default = {}, extracted
        else:
            values, default = extracted or {}, Answer.Value.YES
        Answer.objects.bulk_create(
            Answer(check_in=self, question=question, value=values.get(question.position, default))
            for question in self.case.guide.questions.all()
        )


class FeedbackFactory(factory.django.DjangoModelFactory):
    """The case's sponsor endorsing an evidence item unless told otherwise."""

    class Meta:
        model = Feedback

    evidence = factory.SubFactory(EvidenceFactory)
    case = factory.LazyAttribute(lambda o: o.evidence.case)
    author = factory.LazyAttribute(lambda o: o.evidence.case.sponsor)
    kind = Feedback.Kind.ENDORSE
    text = "Good, this shows the outcome clearly."


class SignOffFactory(factory.django.DjangoModelFactory):
    """A row only, as the sign-off service would leave it; set the case's status yourself."""

    class Meta:
        model = SignOff

    case = factory.SubFactory(CaseFactory)
    signer = factory.LazyAttribute(lambda o: o.case.sponsor)
    decision = SignOff.Decision.READY
    rationale = "Sustained evidence across every capability."
    readiness_status = "ready"
    packet_sha256 = "0" * 64


def signed_case(**kwargs) -> Case:
    """A case its sponsor signed off as ready through the service, overriding readiness."""
    from reviews.services import sign_off

    case = CaseFactory(**kwargs)
    sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale="Sustained.",
        override_reason="Exceptional.",
        expected_sign_offs=0,
    )
    case.refresh_from_db()
    return case


# --- Promotion cycles ------------------------------------------------------------------------
# Rows as the cycle and scoring services would leave them.


class CycleFactory(factory.django.DjangoModelFactory):
    """A promotion cycle, open for nominations unless `state=` says otherwise, its dates ahead
    of today; `guides=[…]` sets the guides it covers. Made as a row, without the first move
    `reviews.cycles.create_cycle` records."""

    class Meta:
        model = Cycle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cycle {n}")
    nominations_close = factory.LazyFunction(lambda: clock.today() + datetime.timedelta(days=14))
    scores_due = factory.LazyAttribute(lambda o: o.nominations_close + datetime.timedelta(days=14))
    committee_meets = factory.LazyAttribute(lambda o: o.scores_due + datetime.timedelta(days=7))
    outcomes_due = factory.LazyAttribute(lambda o: o.committee_meets + datetime.timedelta(days=7))
    created_by = factory.SubFactory(HRFactory)
    guides = sets_many("guides")


def published_cycle(**kwargs) -> Cycle:
    """A cycle whose outcomes were published at noon on its `outcomes_due` day, its nominations
    closed three months before today unless told."""
    kwargs.setdefault("nominations_close", clock.today() - datetime.timedelta(days=90))
    cycle = CycleFactory(state=Cycle.State.PUBLISHED, **kwargs)
    cycle.published_at = datetime.datetime.combine(
        cycle.outcomes_due, datetime.time(12), tzinfo=datetime.UTC
    )
    cycle.save(update_fields=["published_at"])
    return cycle


class NominationFactory(factory.django.DjangoModelFactory):
    """A case its sponsor nominated after a ready sign-off; the cycle covers the case's guide
    unless told."""

    class Meta:
        model = Nomination

    case = factory.LazyFunction(lambda: signed_case())
    cycle = factory.LazyAttribute(lambda o: CycleFactory(guides=[o.case.guide]))
    by = factory.LazyAttribute(lambda o: o.case.sponsor)
    reason = ""


class PanellistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panellist

    cycle = factory.SubFactory(CycleFactory)
    user = factory.SubFactory(UserFactory)
    appointed_by = factory.LazyAttribute(lambda o: o.cycle.created_by)


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    """A sheet scoring every capability of the case's guide: `values={number: value}` sets some
    (by capability number), the rest are "demonstrated"."""

    class Meta:
        model = ScoreSheet
        skip_postgeneration_save = True

    nomination = factory.SubFactory(NominationFactory)
    panellist = factory.SubFactory(UserFactory)
    recommendation = Recommendation.PROMOTE
    reason = "Sustained across the window."

    @factory.post_generation
    def values(self, create, extracted, **kwargs):
        if not create:
            return
        given = extracted or {}
        CapabilityScore.objects.bulk_create(
            CapabilityScore(
                sheet=self,
                capability=capability,
                value=given.get(capability.number, CapabilityScore.Value.DEMONSTRATED),
                reason=f"Scored on capability {capability.number}.",
            )
            for capability in self.nomination.case.guide.capabilities.order_by("number")
        )


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    nomination = factory.SubFactory(NominationFactory)
    result = Outcome.Result.PROMOTED
    rationale = "Sustained evidence across every capability."
    recorded_by = factory.SubFactory(HRFactory)
