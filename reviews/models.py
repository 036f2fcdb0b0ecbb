from django.conf import settings
from django.db import models


class Case(models.Model):
    """One candidate working towards one guide version, with one sponsor."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SIGNED_OFF = "signed_off", "Signed off"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn"

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="candidate_cases"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_cases"
    )
    guide = models.ForeignKey("guides.Guide", on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-opened_on", "id"]
        permissions = [("manage_cases", "Can see and manage every case (HR)")]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.guide}"
