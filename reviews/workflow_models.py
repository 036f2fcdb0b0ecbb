"""What the review workflow keeps beside a case's content: when a sponsor last looked at a case,
and evidence a candidate has begun but not yet logged. Neither is part of the packet.

Imported by reviews.models, so these are the app's models like the others.
"""

from django.conf import settings
from django.db import models


class CaseLook(models.Model):
    """When a person last looked at a case's evidence and threads as a whole (the review page,
    or the end of its queue): what came after is marked "new since you last looked"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("reviews.Case", on_delete=models.CASCADE, related_name="looks")
    looked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_look_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} looked at case {self.case_id} at {self.looked_at:%Y-%m-%d %H:%M}"
