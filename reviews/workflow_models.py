"""What the review workflow keeps beside a case's content: when a sponsor last looked at a case,
and evidence a candidate has begun but not yet logged, with its files. None is in the packet.

Imported by reviews.models, so these are the app's models like the others.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from reviews.storage import private_storage


class CaseLook(models.Model):
    """When a person last looked at a case's evidence and threads as a whole (the review page,
    or the end of its queue): what came after is marked "new since you last looked". Without
    one, their latest message on the case stands for it (reviews.querysets.looked_at)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("reviews.Case", on_delete=models.CASCADE, related_name="looks")
    looked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_look_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} looked at case {self.case_id} at {self.looked_at:%Y-%m-%d %H:%M}"


def draft_file_path(instance: "DraftFile", filename: str) -> str:
    # As with attachments, the stored name never comes from the uploader.
    import uuid

    return f"drafts/{instance.draft.case_id}/{uuid.uuid4().hex}"


class EvidenceDraft(models.Model):
    """Evidence the candidate has begun and not yet logged, with the files chosen for it.

    Not evidence: no readiness, list, packet, export or sponsor reads it. It is kept until the
    candidate logs it (it then becomes an evidence item and goes) or discards it. The fields are
    kept as typed, unchecked: they are checked when the item is logged.
    """

    case = models.ForeignKey("reviews.Case", on_delete=models.CASCADE, related_name="drafts")
    capability = models.ForeignKey(
        "guides.Capability", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    indicator_ids = ArrayField(models.IntegerField(), default=list, blank=True)
    title = models.CharField(max_length=200, blank=True)
    date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    links = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Untitled draft {self.pk}"


class DraftFile(models.Model):
    """A file chosen for a draft, kept in private storage until the draft is logged or discarded."""

    draft = models.ForeignKey(EvidenceDraft, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=draft_file_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
