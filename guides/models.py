from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.urls import reverse

from guides.triggers import freeze_guide, freeze_part


class Level(models.Model):
    class Track(models.TextChoices):
        IC = "ic", "Individual contributor"
        MANAGEMENT = "management", "Management"
        EXECUTIVE = "executive", "Executive"

    code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=100)
    track = models.CharField(max_length=20, choices=Track.choices)
    rank = models.PositiveSmallIntegerField(
        help_text="Seniority across tracks: a higher rank is more senior."
    )

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


def guide_label(from_code: str, to_code: str, version: int, *, compact: bool = False) -> str:
    """How the app names a guide version: 'M3 → E1 v2' on pages, in mail and in messages, and
    'M3→E1 v2' in a spreadsheet's cell (`compact`)."""
    arrow = "→" if compact else " → "
    return f"{from_code}{arrow}{to_code} v{version}"


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Guide.Status.PUBLISHED)

    def with_levels(self):
        return self.select_related("from_level", "to_level")

    def with_parts(self):
        return self.with_levels().prefetch_related(
            "shifts",
            "capabilities__indicators",
            "capabilities__practices",
            "pitfalls",
            "track_record_steps",
            "questions",
            "timeline_points",
        )


class Guide(models.Model):
    """One version of a level guide: everything its Markdown says, as data."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    from_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="guides_from")
    to_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="guides_to")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    slug = models.SlugField(max_length=60, unique=True)

    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200)
    overview = models.TextField()
    shift_from_heading = models.CharField(max_length=100)
    shift_to_heading = models.CharField(max_length=100)
    question_before = models.TextField()
    question_after = models.TextField()
    readiness_intro = models.TextField()
    min_months = models.PositiveSmallIntegerField()
    max_months = models.PositiveSmallIntegerField()
    self_assessment_note = models.TextField()
    timeline_intro = models.TextField()
    timeline_min_years = models.PositiveSmallIntegerField()
    timeline_max_years = models.PositiveSmallIntegerField()
    closing_note = models.TextField()
    source_markdown = models.TextField()

    # The prose fields, left out where only a guide's label and timings are needed.
    LONG_TEXTS = (
        "overview",
        "question_before",
        "question_after",
        "readiness_intro",
        "self_assessment_note",
        "timeline_intro",
        "closing_note",
        "source_markdown",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["from_level__rank", "to_level__rank", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_level", "to_level", "version"], name="guide_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(min_months__gt=0) & Q(min_months__lte=models.F("max_months")),
                name="guide_window_ordered",
            ),
            models.CheckConstraint(
                condition=Exact(Mod("min_months", 3), 0), name="guide_window_whole_blocks"
            ),
            models.CheckConstraint(
                condition=Q(timeline_min_years__lte=models.F("timeline_max_years")),
                name="guide_timeline_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(from_level=models.F("to_level")), name="guide_levels_differ"
            ),
        ]
        triggers = freeze_guide()

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("guides:guide_detail", args=[self.slug])

    @property
    def label(self) -> str:
        """'M3 → E1 v2'; needs the levels."""
        return guide_label(self.from_level.code, self.to_level.code, self.version)

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def clean(self) -> None:
        if self.min_months and self.min_months % 3:
            raise ValidationError(
                {"min_months": "The evidence window must be a whole number of 3-month blocks."}
            )


class GuidePart(models.Model):
    """Common shape of the ordered parts of a guide."""

    position = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True
        ordering = ["position"]


class Shift(GuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="shifts")
    from_text = models.CharField(max_length=300)
    to_text = models.CharField(max_length=300)

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["guide", "position"], name="shift_unique_position")
        ]
        triggers = freeze_part("shift")

    def __str__(self) -> str:
        return f"{self.from_text} → {self.to_text}"


class Capability(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="capabilities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="capability_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="capability_number_positive"),
        ]
        triggers = freeze_part("capability")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Indicator(GuidePart):
    """A bullet of "What this looks like"; `position` is 1-based within its capability."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="indicators")
    text = models.TextField()

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "position"], name="indicator_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="indicator_position_positive"
            ),
        ]
        triggers = freeze_part("indicator", through_capability=True)

    def __str__(self) -> str:
        return self.text


class Practice(GuidePart):
    """A bullet of "How to develop this"."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="practices")
    text = models.TextField()

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "position"], name="practice_unique_position"
            )
        ]
        triggers = freeze_part("practice", through_capability=True)

    def __str__(self) -> str:
        return self.text


class Pitfall(GuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="pitfalls")
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["guide", "position"], name="pitfall_unique_position")
        ]
        triggers = freeze_part("pitfall")

    def __str__(self) -> str:
        return self.title


class TrackRecordStep(GuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="track_record_steps")
    text = models.TextField()

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "position"], name="track_record_step_unique_position"
            )
        ]
        triggers = freeze_part("track_record_step")

    def __str__(self) -> str:
        return self.text


class TimelinePoint(GuidePart):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="timeline_points")
    text = models.TextField()

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "position"], name="timeline_point_unique_position"
            )
        ]
        triggers = freeze_part("timeline_point")

    def __str__(self) -> str:
        return self.text


class Question(GuidePart):
    """A self-assessment question; `position` is its 1-based number in check-ins and packets."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    capability = models.ForeignKey(
        Capability,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text="The capability this question probes, if any.",
    )

    class Meta(GuidePart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["guide", "position"], name="question_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="question_position_positive"),
        ]
        triggers = freeze_part("question")

    def __str__(self) -> str:
        return self.text
