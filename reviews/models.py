import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.models import User
from guides.models import Guide
from reviews.storage import private_storage

MAX_LINKS = 10
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def count_of(rows: models.QuerySet, *, per: str) -> models.QuerySet:
    """How many of `rows` there are, as a subquery for `Subquery`: `rows` filtered on the outer
    row through `per`, counted without a join or a GROUP BY in the outer query."""
    return rows.order_by().values(per).annotate(n=models.Count("pk")).values("n")


class CaseQuerySet(models.QuerySet):
    """How cases are read. Each way a page reads a case with its people is one method here:
    `with_people` (any page of one case, services, packets), `for_page` (the case's own page and
    its evidence list), `for_hr_list` and `for_dashboard`; `with_snapshot` adds the readiness
    snapshot to any of them."""

    def visible_to(self, user):
        """The one door to cases: everything a list, page or export may show this person."""
        from reviews.roles import roles_for

        if not user.is_authenticated:
            return self.none()
        if roles_for(user).hr:
            return self
        return self.filter(Q(candidate=user) | Q(sponsor=user))

    def active(self):
        return self.filter(status__in=Case.ACTIVE_STATUSES)

    def locked(self):
        """For a write: the case rows locked until the transaction ends (not the people or the
        guide a chained `with_people` joins), so writes to one case take turns."""
        return self.select_for_update(of=("self",))

    def with_people(self):
        """The candidate, the sponsor, and the guide with its levels."""
        return self.select_related("candidate", "sponsor", "guide__from_level", "guide__to_level")

    def for_page(self):
        """A case as its own page and its evidence list read it: its people and guide, without
        the guide's long texts, and the guide's outline as `guide_outline` (see
        `with_outline`)."""
        return (
            self.with_people()
            .defer(*(f"guide__{name}" for name in Guide.LONG_TEXTS))
            .with_outline()
        )

    def with_outline(self):
        """Each case's guide outline as `guide_outline`, read with the case: its capabilities in
        order, each `{"pk", "number", "title", "indicators": [{"pk", "position", "text"}],
        "practices": [text]}`, indicators and practices in their order."""
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models.functions import JSONObject

        from guides.models import Capability, Indicator, Practice

        indicators = (
            Indicator.objects.filter(capability=models.OuterRef("pk"))
            .order_by("position")
            .values(json=JSONObject(pk="pk", position="position", text="text"))
        )
        practices = (
            Practice.objects.filter(capability=models.OuterRef("pk"))
            .order_by("position")
            .values("text")
        )
        capabilities = (
            Capability.objects.filter(guide=models.OuterRef("guide"))
            .order_by("number")
            .values(
                json=JSONObject(
                    pk="pk",
                    number="number",
                    title="title",
                    indicators=ArraySubquery(indicators),
                    practices=ArraySubquery(practices),
                )
            )
        )
        return self.annotate(guide_outline=ArraySubquery(capabilities))

    def for_hr_list(self):
        """Cases with their people and guide for HR's list: the few guides in one more query
        rather than joined to every row, and without the long texts no list shows (a guide's
        source alone is the whole document); people by their names only."""
        return self._listed(people=("candidate", "sponsor"))

    def for_dashboard(self, sponsor, as_of):
        """The cases this person sponsors, each with what a dashboard row counts:
        `last_evidence` (the latest item's date up to `as_of`, as readiness ignores later ones),
        `awaiting` (items this sponsor has not yet given feedback on) and `signed_off_at` (the
        ready sign-off's time, if any)."""
        # Awaiting = items − items this sponsor has given feedback on: two counts on indexes per
        # case, where an anti-join would read every item of every case. Subqueries rather than
        # joins: no GROUP BY, so each runs once per case, on an index.
        items = count_of(Evidence.objects.filter(case=models.OuterRef("pk")), per="case")
        answered = (
            Feedback.objects.filter(case=models.OuterRef("pk"), author=sponsor)
            .order_by()
            .values("case")
            .annotate(n=models.Count("evidence", distinct=True))
            .values("n")
        )
        last_evidence = (
            Evidence.objects.filter(case=models.OuterRef("pk"), date__lte=as_of)
            .order_by("-date")
            .values("date")[:1]
        )
        ready_sign_off = SignOff.objects.filter(
            case=models.OuterRef("pk"), decision=SignOff.Decision.READY
        ).values("created_at")[:1]
        counted = models.IntegerField()
        return (
            # The sponsor is this person: no need to read them once per row.
            self.filter(sponsor=sponsor)
            ._listed(people=("candidate",))
            .annotate(
                last_evidence=models.Subquery(last_evidence),
                awaiting=Coalesce(models.Subquery(items, output_field=counted), 0)
                - Coalesce(models.Subquery(answered, output_field=counted), 0),
                signed_off_at=models.Subquery(ready_sign_off),
            )
        )

    def _listed(self, *, people: tuple[str, ...]):
        guides = Guide.objects.with_levels().defer(*Guide.LONG_TEXTS)
        unnamed = [
            f"{person}__{field.attname}"
            for person in people
            for field in User._meta.concrete_fields
            if field.attname not in ("id", *User.NAME_FIELDS)
        ]
        return (
            self.select_related(*people)
            .prefetch_related(models.Prefetch("guide", queryset=guides))
            .defer("narrative", *unnamed)
        )

    def with_snapshot(self, as_of, *, report: bool = False):
        """Each case's readiness snapshot of `as_of`, if it still holds (taken of the case's
        current data version): `snapshot_status` and `snapshot_flag_kinds`, and with `report`
        the whole `snapshot_report`; None when there is no such snapshot. Read back by
        reviews.readiness.snapshots (`summaries_of`, `readiness_of`)."""
        fresh = models.FilteredRelation(
            "readiness_snapshot",
            condition=Q(
                readiness_snapshot__as_of=as_of,
                readiness_snapshot__data_version=models.F("data_version"),
            ),
        )
        columns = {
            "snapshot_status": models.F("fresh_snapshot__status"),
            "snapshot_flag_kinds": models.F("fresh_snapshot__flag_kinds"),
        }
        if report:
            columns["snapshot_report"] = models.F("fresh_snapshot__report")
        return self.annotate(fresh_snapshot=fresh).annotate(**columns)


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
    # Bumped by database triggers (migration 0006) whenever the case's evidence, its indicators,
    # check-ins or answers change, so a readiness snapshot knows whether it still holds.
    data_version = models.BigIntegerField(default=0, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "id"]
        permissions = [("manage_cases", "Can see and manage every case (HR)")]
        # HR's list, newest first: a page is read from the index, not by sorting every case.
        indexes = [models.Index(fields=["-opened_on", "-id"], name="case_newest_first")]
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


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))

    def with_details(self):
        """Items as their own page and the review show them: capability, indicators in position
        order and attachments, newest first."""
        from guides.models import Indicator

        return (
            self.select_related("capability")
            .prefetch_related(
                models.Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
                "attachments",
            )
            .order_by("-date", "-id")
        )

    def with_threads(self):
        """Each item's feedback thread, oldest message first, with its authors."""
        return self.prefetch_related(
            models.Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("author").order_by("created_at", "id"),
            )
        )

    def as_rows(self):
        """Items as a list shows them: title, date and capability, with `tags` (the indicators
        tagged, in position order, each `{"position", "text"}`) and `files` (how many attachments),
        one row each."""
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models.functions import JSONObject

        from guides.models import Indicator

        tags = (
            Indicator.objects.filter(evidence=models.OuterRef("pk"))
            .order_by("position")
            .values(json=JSONObject(position="position", text="text"))
        )
        files = count_of(Attachment.objects.filter(evidence=models.OuterRef("pk")), per="evidence")
        return (
            self.select_related("capability")
            .only("pk", "case_id", "title", "date", "capability__number", "capability__title")
            .annotate(tags=ArraySubquery(tags), files=Coalesce(models.Subquery(files), 0))
        )


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
            GinIndex(fields=["search"], name="evidence_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:evidence_detail", args=[self.case_id, self.pk])


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

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["case", "created_at"], name="feedback_case_created"),
            # A sponsor's dashboard counts, per case, the items they have answered.
            models.Index(fields=["case", "author"], name="feedback_case_author"),
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

    class Meta:
        indexes = [
            models.Index(fields=["as_of", "status"], name="readiness_day_status"),
            GinIndex(fields=["flag_kinds"], name="readiness_flag_kinds"),
        ]

    def __str__(self) -> str:
        return f"Readiness of case {self.case_id} as of {self.as_of}: {self.status}"
