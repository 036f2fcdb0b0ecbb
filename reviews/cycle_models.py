"""Promotion cycles: the committee's rounds of decisions, and what is kept of each.

A cycle covers some guides and moves, by HR, through its states; every move is a CycleMove row.
A case enters by nomination (one open cycle at a time: `Nomination.active` is true until its cycle
closes, and at most one active nomination per case). The panel is the cycle's Panellist rows; who
may score which case is worked out per case (nobody scores a case they sponsor or are the
candidate of), never stored.

What the panel and the committee say is append-only (triggers refuse updates and deletes): a
panellist's scores for a case are a ScoreSheet with a CapabilityScore per capability, and a change
is a new sheet that `supersedes` the one before; outcomes supersede the same way. `supersedes` is
one-to-one, so each chain is a line, and its head (the row nothing supersedes yet) is the one that
counts; the conditional unique constraints keep one root per chain.

Imported by reviews.models, so these are the app's models like the others.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q

APPEND_ONLY = pgtrigger.Update | pgtrigger.Delete


def append_only(name: str) -> pgtrigger.Protect:
    return pgtrigger.Protect(name=name, operation=APPEND_ONLY)


class SupersedingQuerySet(models.QuerySet):
    def current(self):
        """The heads of the chains: rows no later row supersedes."""
        return self.filter(superseded_by__isnull=True)


class NominationQuerySet(models.QuerySet):
    def scorable_by(self, user):
        """Nominations whose cycle has `user` on its panel, less the cases they sponsor or are
        the candidate of: conflicts are per case, not per cycle."""
        return self.filter(cycle__panel__user=user).exclude(
            Q(case__sponsor=user) | Q(case__candidate=user)
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Cycle(models.Model):
    class State(models.TextChoices):
        NOMINATING = "nominating", "Open for nominations"
        SCORING = "scoring", "Scoring"
        COMMITTEE = "committee", "In committee"
        PUBLISHED = "published", "Outcomes published"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    guides = models.ManyToManyField("guides.Guide", related_name="cycles")
    nominations_close = models.DateField()
    scores_due = models.DateField()
    committee_meets = models.DateField()
    outcomes_due = models.DateField("outcomes published")
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOMINATING)
    appeal_days = models.PositiveSmallIntegerField(
        "days to appeal", default=14, help_text="How long after publication a candidate may appeal."
    )
    show_panel_names = models.BooleanField(
        "show panellists' names to candidates",
        default=False,
        help_text="Off: candidates read the panel's scores without who gave them.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-committee_meets", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_close__lte=F("scores_due"))
                & Q(scores_due__lte=F("committee_meets"))
                & Q(committee_meets__lte=F("outcomes_due")),
                name="cycle_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CycleMove(models.Model):
    """A cycle moved from one state to the next, by HR."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="moves")
    from_state = models.CharField(max_length=10, choices=Cycle.State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=Cycle.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        triggers = [append_only("cycle_move_append_only")]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.from_state or 'new'} → {self.to_state}"


class Nomination(models.Model):
    """A case put forward to a cycle: by its sponsor after a ready sign-off, or by HR, with a
    reason."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="nominations")
    case = models.ForeignKey("reviews.Case", on_delete=models.PROTECT, related_name="nominations")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # True while the cycle is not closed: a case is in at most one open cycle.
    active = models.BooleanField(default=True, editable=False)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "case"], name="nomination_once_per_cycle"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(active=True), name="nomination_one_open_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} in {self.cycle_id}"


class Panellist(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appointed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="panellist_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.cycle_id}"


class Recommendation(models.TextChoices):
    PROMOTE = "promote", "Promote"
    NOT_YET = "not_yet", "Not yet"


class ScoreSheet(models.Model):
    """One panellist's scores for one nominated case, submitted at once."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="sheets")
    panellist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets"
    )
    recommendation = models.CharField(max_length=7, choices=Recommendation.choices)
    reason = models.TextField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = SupersedingQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "panellist"],
                condition=Q(supersedes__isnull=True),
                name="score_sheet_one_first",
            )
        ]
        triggers = [append_only("score_sheet_append_only")]

    def __str__(self) -> str:
        return f"Scores of {self.panellist_id} on nomination {self.nomination_id}"


class CapabilityScore(models.Model):
    class Value(models.IntegerChoices):
        NOT_SHOWN = 0, "Not shown"
        EMERGING = 1, "Emerging"
        DEMONSTRATED = 2, "Demonstrated"
        STRONG = 3, "Strong"

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="scores")
    capability = models.ForeignKey("guides.Capability", on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(choices=Value.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["capability__number"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "capability"], name="score_once_per_sheet"),
            models.CheckConstraint(condition=Q(value__lte=3), name="score_on_the_scale"),
        ]
        triggers = [append_only("capability_score_append_only")]

    def __str__(self) -> str:
        return f"{self.get_value_display()} for capability {self.capability_id}"


class Outcome(models.Model):
    """What the committee decided for a nominated case; published with the cycle."""

    class Result(models.TextChoices):
        PROMOTED = "promoted", "Promoted"
        NOT_YET = "not_yet", "Not yet"

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="outcomes")
    result = models.CharField(max_length=8, choices=Result.choices)
    rationale = models.TextField()
    # Required when the result goes against the panel's majority recommendation.
    justification = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupersedingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination"],
                condition=Q(supersedes__isnull=True),
                name="outcome_one_first",
            )
        ]
        triggers = [append_only("outcome_append_only")]

    def __str__(self) -> str:
        return f"{self.get_result_display()} for nomination {self.nomination_id}"


class Appeal(models.Model):
    """A candidate's one appeal against a published outcome, and HR's answer to it."""

    class Result(models.TextChoices):
        UPHELD = "upheld", "Upheld: the outcome is reconsidered"
        NOT_UPHELD = "not_upheld", "Not upheld: the outcome stands"

    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    result_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(name="appeal_kept", operation=pgtrigger.Delete),
            # The answer is written once: a decided appeal is not changed.
            pgtrigger.Protect(
                name="appeal_answered_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__decided_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal on nomination {self.nomination_id}"
