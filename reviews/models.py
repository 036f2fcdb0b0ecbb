"""The reviews app's models (with reviews.workflow_models). Somewhat over 400 lines, kept in one
module as Django expects: nearly all of it is fields, their Meta, indexes and triggers."""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from reviews.querysets import CaseQuerySet, EvidenceQuerySet
from reviews.storage import private_storage
from reviews.triggers import bumps_case_version

MAX_LINKS = 10


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["data_version"],
)
class Case(models.Model):
    """One candidate working towards one guide version, with one sponsor."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SIGNED_OFF = "signed_off", "Signed off"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn"

    ACTIVE_STATUSES = [Status.OPEN, Status.SIGNED_OFF]

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="candidate_cases"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_cases"
    )
    guide = models.ForeignKey("guides.Guide", on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    narrative = models.TextField(
        blank=True,
        help_text="The candidate's own statement for the committee, in Markdown.",
    )
    # Bumped by database triggers (`bumps_case_version`) whenever the case's evidence, its
    # indicators, check-ins or answers change, so a readiness snapshot knows whether it still holds.
    data_version = models.BigIntegerField(default=0, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "id"]
        permissions = [("manage_cases", "Can see and manage every case (HR)")]
        indexes = [
            # HR's list, newest first: a page is read from the index, not by sorting every case.
            models.Index(fields=["-opened_on", "-id"], name="case_newest_first"),
            # Matching cases to fresh snapshots (lists' readiness filters) reads indexes only.
            models.Index(
                fields=["status", "id"], include=["data_version", "guide"], name="case_status_id"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "guide"],
                condition=Q(status__in=["open", "signed_off"]),
                name="case_one_active_per_candidate_and_guide",
                violation_error_message=("This candidate already has an open case on this guide."),
            ),
            models.CheckConstraint(
                condition=~Q(candidate=models.F("sponsor")), name="case_sponsor_is_not_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.guide}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search", "updated_at"],
)
class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    capability = models.ForeignKey(
        "guides.Capability", on_delete=models.PROTECT, related_name="evidence"
    )
    indicators = models.ManyToManyField("guides.Indicator", related_name="evidence", blank=True)
    title = models.CharField(max_length=200)
    date = models.DateField("date of the work")
    summary = models.TextField("what was done", help_text="Markdown.")
    outcome = models.TextField("business outcome", blank=True, help_text="Markdown.")
    links = ArrayField(models.URLField(max_length=500), size=MAX_LINKS, default=list, blank=True)
    # One of the candidate's chosen best items (at most STARS_PER_CAPABILITY of a capability,
    # reviews/stars.py), which the committee brief shows. Not part of the packet's content.
    starred = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search = models.GeneratedField(
        expression=SearchVector("title", "summary", "outcome", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "evidence"
        indexes = [
            models.Index(fields=["case", "date"], name="evidence_case_date"),
            # The dashboard counts each case's items logged since the sponsor last looked.
            models.Index(fields=["case", "created_at"], name="evidence_case_created"),
            GinIndex(fields=["search"], name="evidence_search"),
        ]
        triggers = bumps_case_version("SELECT case_id FROM {rows}")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:evidence_detail", args=[self.case_id, self.pk])


class EvidenceIndicatorTriggers(Evidence.indicators.through):
    """The triggers of the table tagging evidence with indicators, Django's own through table."""

    class Meta:
        proxy = True
        triggers = bumps_case_version(
            "SELECT e.case_id FROM reviews_evidence e JOIN {rows} r ON r.evidence_id = e.id"
        )


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never comes from the uploader; the original name is kept as data only.
    import uuid

    return f"evidence/{instance.evidence.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "reviews:attachment_download",
            args=[self.evidence.case_id, self.evidence_id, self.pk],
        )


class CheckIn(models.Model):
    """A dated self-assessment against the guide's questions."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "date"],
                name="check_in_one_per_day",
                violation_error_message="There is already a check-in on this date.",
            )
        ]
        triggers = bumps_case_version("SELECT case_id FROM {rows}")

    def __str__(self) -> str:
        return f"Check-in {self.date}"


class Answer(models.Model):
    class Value(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("guides.Question", on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=6, choices=Value.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["check_in", "question"], name="answer_one_per_question")
        ]
        triggers = bumps_case_version(
            "SELECT ci.case_id FROM reviews_checkin ci JOIN {rows} r ON r.check_in_id = ci.id"
        )

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Feedback(models.Model):
    """One message in the thread on an evidence item."""

    class Kind(models.TextChoices):
        ENDORSE = "endorse", "Endorse"
        QUESTION = "question", "Question"
        NEEDS_MORE = "needs_more", "Needs more"
        REPLY = "reply", "Reply"

    SPONSOR_KINDS = [Kind.ENDORSE, Kind.QUESTION, Kind.NEEDS_MORE]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A message that came in a packet (reviews/packets/importing.py): its author wrote it
    # elsewhere, as far as the file says; these say when it arrived here and who brought it
    # (nobody when it came through the command line).
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["case", "created_at"], name="feedback_case_created"),
            # A sponsor's dashboard counts, per case, the items they have answered, and finds
            # their latest message (since when the case has news for them) from the index.
            models.Index(fields=["case", "author", "created_at"], name="feedback_case_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(imported_by__isnull=True) | Q(imported_at__isnull=False),
                name="feedback_imported_by_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author}"


class SignOff(models.Model):
    """The sponsor's decision on readiness. Append-only: the database refuses UPDATE and DELETE."""

    class Decision(models.TextChoices):
        READY = "ready", "Ready"
        NOT_READY = "not_ready", "Not ready"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sign_offs")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs"
    )
    decision = models.CharField(max_length=9, choices=Decision.choices)
    rationale = models.TextField()
    override = models.BooleanField(
        default=False, help_text="Signed ready although readiness was not ready."
    )
    override_reason = models.TextField(blank=True)
    readiness_status = models.CharField(max_length=12)
    packet_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(decision="ready"),
                name="sign_off_one_ready_per_case",
            ),
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(override_reason=""),
                name="sign_off_override_has_reason",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="sign_off_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.signer} on {self.created_at:%Y-%m-%d}"


class Notification(models.Model):
    """A mail that was sent, by the event it was for: the same event is never mailed twice."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key


class Decision(models.Model):
    """HR's final decision on a case, after sign-off."""

    class Outcome(models.TextChoices):
        PROMOTED = "promoted", "Promoted"
        NOT_YET = "not_yet", "Not yet"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=9, choices=Outcome.choices)
    effective_date = models.DateField()
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} from {self.effective_date}"


class ReadinessSnapshot(models.Model):
    """A case's readiness as of one day, kept while the data it was computed from is unchanged.

    Readiness is a pure function of the guide (frozen once published), the evidence, the check-ins
    and the day. A snapshot is used only for its own day and only while `data_version` equals the
    case's, which triggers bump on every change; it is a cache, never a source of truth.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="readiness_snapshot"
    )
    as_of = models.DateField()
    data_version = models.BigIntegerField()
    status = models.CharField(max_length=12)
    # Flag kinds without their capability numbers ("thin", not "thin:3"), for filtering in SQL.
    flag_kinds = ArrayField(models.CharField(max_length=20), default=list)
    report = models.JSONField()
    # What a dashboard row shows beside the status and flags, also in `report`: kept as columns
    # so that a dashboard reads the whole report only to draw a strip it has not kept.
    last_evidence = models.DateField(null=True)
    last_logged = models.DateTimeField(null=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        # With the cases' ids and versions: see Case's index "case_status_id".
        indexes = [
            models.Index(
                fields=["as_of", "status", "case"],
                include=["data_version"],
                name="readiness_day_status",
            ),
            models.Index(
                fields=["case", "as_of"], include=["data_version"], name="readiness_case_day"
            ),
            GinIndex(fields=["flag_kinds"], name="readiness_flag_kinds"),
        ]

    def __str__(self) -> str:
        return f"Readiness of case {self.case_id} as of {self.as_of}: {self.status}"


class FormSubmission(models.Model):
    """A one-time form token that was used, and where its submit led (reviews/once.py): the same
    form sent again is taken to that result instead of saving a second time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="form_submission_once")
        ]
        # The hourly run deletes the ones whose forms can no longer be sent.
        indexes = [models.Index(fields=["created_at"], name="form_submission_created")]

    def __str__(self) -> str:
        return f"Form {self.token} sent by {self.user_id}"


# A model of its own module, so that this one stays readable; Django finds it here.
from reviews.cycle_models import (  # noqa: E402, F401
    Appeal,
    CapabilityScore,
    Cycle,
    CycleMove,
    Nomination,
    Outcome,
    Panellist,
    Recommendation,
    ScoreSheet,
)
from reviews.export_jobs import CycleExport  # noqa: E402, F401

# The workflow's own models live in their own module; imported here so Django finds them.
from reviews.workflow_models import CaseLook, DraftFile, EvidenceDraft  # noqa: E402, F401
