"""A cycle's ZIP of packets made in the background: the row the worker advances and HR's page
reads (reviews/packets/jobs.py does the work)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class CycleExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Making the packets"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    # The job's page and file are reached by this id: one that cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A cycle's export (reviews/packets/cycle_results.py: briefs, packets, scores, outcomes)
    # when set; else the cases' export of HR's case list.
    cycle = models.ForeignKey(
        "reviews.Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Fixed when HR asked, from the cases they could see then.
    case_ids = ArrayField(models.IntegerField())
    as_of = models.DateField()
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Where the ZIP is, relative to the private storage root, once it is written.
    file = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The hourly run deletes the exports older than a day, with their files.
        indexes = [models.Index(fields=["created_at"], name="cycle_export_created")]

    def __str__(self) -> str:
        if self.cycle_id:
            return f"Export of a cycle's {self.total} cases ({self.get_status_display()})"
        return f"Export of {self.total} cases ({self.get_status_display()})"
