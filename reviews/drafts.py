"""Evidence drafts: what the candidate typed and the files they chose, kept until they log it.

A draft is saved when the candidate asks ("Save as draft"), and when a form with files fails its
checks, so the files need not be chosen again. Logging the evidence turns the draft into an item
and deletes it; the candidate may also discard it. Drafts are written only while the case is
open, under the same lock as evidence.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict

from reviews.case_writes import Part, case_open_for_writes
from reviews.limits import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from reviews.models import Case, DraftFile, EvidenceDraft
from reviews.uploads import UploadRefused, check_upload, safe_name

MAX_TEXT = 20_000


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _typed(data: QueryDict, name: str) -> str:
    """A field as typed, less the NUL characters that no text column can hold (the form itself
    refuses them when the item is logged)."""
    return data.get(name, "").replace("\x00", "")


def _delete_files_on_commit(names: Sequence[str]) -> None:
    storage = DraftFile.file.field.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def save_draft(
    *,
    case: Case,
    draft: EvidenceDraft | None,
    data: QueryDict,
    uploads: Iterable,
    remove: Iterable[int] = (),
) -> tuple[EvidenceDraft, list[str]]:
    """Keep the form's fields as typed and the files that pass the upload checks; the draft,
    and why each file that did not was left out."""
    refused = []
    with case_open_for_writes(case.pk, Part.EVIDENCE) as case:
        draft = draft or EvidenceDraft(case=case)
        capability = data.get("capability", "")
        draft.capability = (
            case.guide.capabilities.filter(pk=int(capability)).first()
            if capability.isdigit()
            else None
        )
        draft.indicator_ids = [int(pk) for pk in data.getlist("indicators") if pk.isdigit()]
        draft.title = _typed(data, "title")[:200]
        draft.date = _date(data.get("date", ""))
        draft.summary = _typed(data, "summary")[:MAX_TEXT]
        draft.outcome = _typed(data, "outcome")[:MAX_TEXT]
        draft.links = _typed(data, "links")[:MAX_TEXT]
        draft.save()
        removing = list(draft.files.filter(pk__in=list(remove)))
        _delete_files_on_commit([f.file.name for f in removing])
        draft.files.filter(pk__in=[f.pk for f in removing]).delete()
        kept = draft.files.count()
        for uploaded in uploads:
            if kept >= MAX_ATTACHMENTS:
                refused.append(
                    f"{uploaded.name}: an item can have at most {MAX_ATTACHMENTS} files."
                )
                continue
            if uploaded.size > MAX_ATTACHMENT_BYTES:
                refused.append(f"{uploaded.name}: the file is too large.")
                continue
            content = uploaded.read()
            try:
                kind = check_upload(uploaded.name, content, max_bytes=MAX_ATTACHMENT_BYTES)
            except UploadRefused as problem:
                refused.append(str(problem))
                continue
            kept_file = DraftFile(
                draft=draft,
                original_name=safe_name(uploaded.name),
                content_type=kind.content_type,
                size=len(content),
            )
            kept_file.file.save("upload", ContentFile(content), save=False)
            kept_file.save()
            kept += 1
    return draft, refused


def initial_of(draft: EvidenceDraft) -> dict:
    """The evidence form's starting values from a draft."""
    return {
        "capability": draft.capability_id,
        "indicators": draft.indicator_ids,
        "title": draft.title,
        "date": draft.date,
        "summary": draft.summary,
        "outcome": draft.outcome,
        "links": draft.links,
    }


def uploads_of(files: Iterable[DraftFile]) -> list:
    """A draft's files as the uploads `services.save_evidence` attaches."""
    from reviews.services import Upload

    uploads = []
    for kept in files:
        with kept.file.open("rb") as handle:
            uploads.append(Upload(kept.original_name, handle.read()))
    return uploads


def discard_draft(*, draft: EvidenceDraft) -> None:
    with transaction.atomic():
        _delete_files_on_commit(list(draft.files.values_list("file", flat=True)))
        draft.delete()


def drafts_column(person):
    """An annotation for a case query: the case's drafts as `[{"pk", "title"}]`, newest first,
    when this person is its candidate (nobody else sees them), read with the case."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef
    from django.db.models.functions import JSONObject

    rows = (
        EvidenceDraft.objects.filter(case=OuterRef("pk"), case__candidate=person)
        .order_by("-updated_at", "-id")
        .values(json=JSONObject(pk="pk", title="title"))
    )
    return ArraySubquery(rows)


def forget_closed_drafts() -> int:
    """Delete the drafts, and their files, of cases no longer open, which can never be logged;
    how many there were. The hourly run calls it."""
    with transaction.atomic():
        closed = EvidenceDraft.objects.exclude(case__status=Case.Status.OPEN)
        _delete_files_on_commit(
            list(DraftFile.objects.filter(draft__in=closed).values_list("file", flat=True))
        )
        _, deleted = closed.delete()
    return deleted.get(EvidenceDraft._meta.label, 0)
