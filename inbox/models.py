"""What happened, for the person it happened to: the notifications shown in the app.

A notice is written when its event happens (inbox/services.py), as plain words and a link,
so the list reads it back without joining what it is about. This app knows nothing of cases:
the app that has the event words it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notice(models.Model):
    class Kind(models.TextChoices):
        FEEDBACK = "feedback", "Feedback"
        REPLY = "reply", "Reply"
        EVIDENCE = "evidence", "New evidence"
        SIGN_OFF = "sign_off", "Sign-off"
        DECISION = "decision", "Decision"
        OUTCOME = "outcome", "Committee outcome"
        REMINDER = "reminder", "Reminder"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # "Tess asked a question about", then the linked words: "Led the cross-functional review".
    text = models.CharField(max_length=300)
    about = models.CharField(max_length=300)
    link = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notice_recipient_newest"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(link__startswith="/"), name="notice_link_within_the_app"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} {self.about}"

    @property
    def unread(self) -> bool:
        return self.read_at is None
