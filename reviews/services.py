"""Writes that span models or enforce the workflow of a case."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.levels import change_level
from accounts.models import LevelChange
from core.dates import check_date
from guides.models import Guide, Indicator
from reviews import notices
from reviews.case_writes import Part, case_open_for_writes, locked_case
from reviews.limits import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_CASE_ATTACHMENT_BYTES,
    MAX_CHECK_INS_PER_CASE,
    MAX_EVIDENCE_PER_CASE,
    MAX_FEEDBACK_PER_CASE,
    MAX_MESSAGES_PER_THREAD,
    case_full,
    megabytes,
)
from reviews.models import (
    Answer,
    Attachment,
    Case,
    CheckIn,
    Decision,
    Evidence,
    Feedback,
    SignOff,
)
from reviews.readiness.rule import Status
from reviews.readiness.snapshots import case_readiness, refresh_snapshots
from reviews.uploads import UploadRefused, check_upload, refuse_oversized, safe_name
from reviews.words import override_needed, status_label

# How a refusal names each date (core/dates.py holds the rule), in the forms as here.
WORK_DATE = "The date of the work"
CHECK_IN_DATE = "The date of the check-in"
OPENING_DATE = "The opening date"
EFFECTIVE_DATE = "The effective date"
OWN_DECISION = (
    "You are the candidate on this case, so you cannot record its decision: another HR person "
    "records it."
)


def sponsor_problem(sponsor, guide: Guide) -> str | None:
    """Why this person cannot sponsor a case on this guide, or None when they can."""
    level = sponsor.current_level
    if level is None or level.rank < guide.to_level.rank:
        held = f"{level.code} {level.title}" if level else "no level"
        return (
            f"{sponsor.display_name} holds {held}; a sponsor must be at or above "
            f"{guide.to_level.code} {guide.to_level.title}, the level this guide leads to."
        )
    return None


def open_case(*, candidate, sponsor, guide: Guide, opened_on: datetime.date) -> Case:
    if guide.status != Guide.Status.PUBLISHED:
        raise ValidationError({"guide": "Cases can only be opened on a published guide."})
    if candidate.pk == sponsor.pk:
        raise ValidationError({"sponsor": "A candidate cannot sponsor their own case."})
    if problem := sponsor_problem(sponsor, guide):
        raise ValidationError({"sponsor": problem})
    check_date(opened_on, name=OPENING_DATE, happened=False, field="opened_on")
    try:
        with transaction.atomic():
            return Case.objects.create(
                candidate=candidate, sponsor=sponsor, guide=guide, opened_on=opened_on
            )
    except IntegrityError as exc:
        if "case_one_active_per_candidate_and_guide" in str(exc):
            raise ValidationError(
                {"candidate": f"{candidate.display_name} already has an open case on this guide."}
            ) from None
        raise


def refresh_snapshot(case: Case) -> None:
    """Bring the case's readiness snapshot up to date after a write that changed its evidence
    or check-ins, in the write's transaction: the pages that read it then find it fresh."""
    refresh_snapshots(Case.objects.filter(pk=case.pk))


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def attachments_problem(
    *, case: Case, evidence: Evidence | None, removing: Iterable[Attachment], sizes: Sequence[int]
) -> str | None:
    """Why files of these sizes cannot be added to the item, or None when they can.

    Judged by their number and sizes alone, so the form asks this before any file is read, and
    `save_evidence` again with the case locked.
    """
    removing = [a.pk for a in removing if evidence is not None and a.evidence_id == evidence.pk]
    kept = evidence.attachments.exclude(pk__in=removing).count() if evidence and evidence.pk else 0
    if kept + len(sizes) > MAX_ATTACHMENTS:
        return (
            f"An evidence item can have at most {MAX_ATTACHMENTS} attachments "
            f"({kept} kept and {len(sizes)} added)."
        )
    stored = (
        Attachment.objects.filter(evidence__case=case)
        .exclude(pk__in=removing)
        .aggregate(total=Sum("size"))["total"]
        or 0
    )
    if sizes and stored + sum(sizes) > MAX_CASE_ATTACHMENT_BYTES:
        return (
            f"A case can hold at most {megabytes(MAX_CASE_ATTACHMENT_BYTES)} of attachments; this "
            f"one holds {megabytes(stored)}, and these files ({megabytes(sum(sizes))}) would go "
            "over it. Remove files the case no longer needs first."
        )
    return None


def read_uploads(files: Iterable) -> list[Upload]:
    """Read uploaded files, refusing any larger than the limit before reading it."""
    uploads = []
    for uploaded in files:
        refuse_oversized(uploaded.name, uploaded.size, max_bytes=MAX_ATTACHMENT_BYTES)
        uploads.append(Upload(uploaded.name, uploaded.read()))
    return uploads


def save_evidence(
    *,
    case: Case,
    evidence: Evidence | None,
    capability,
    indicators: Sequence[Indicator],
    title: str,
    date: datetime.date,
    summary: str,
    outcome: str,
    links: Sequence[str],
    new_files: Sequence[Upload] = (),
    remove_attachments: Iterable[Attachment] = (),
) -> Evidence:
    """Create or update one evidence item with its indicators and attachments, all or nothing."""
    with case_open_for_writes(case.pk, Part.EVIDENCE) as case:
        if capability.guide_id != case.guide_id:
            raise ValidationError({"capability": "Choose a capability of this case's guide."})
        if any(indicator.capability_id != capability.pk for indicator in indicators):
            raise ValidationError(
                {"indicators": "Choose only indicators of the capability this evidence is for."}
            )
        check_date(date, name=WORK_DATE, happened=True, field="date")
        if evidence is None and (count := case.evidence.count()) >= MAX_EVIDENCE_PER_CASE:
            raise ValidationError(case_full(count, MAX_EVIDENCE_PER_CASE, "evidence items"))
        removing = list(remove_attachments)
        if problem := attachments_problem(
            case=case, evidence=evidence, removing=removing, sizes=[len(u.data) for u in new_files]
        ):
            raise ValidationError({"attachments": problem})
        kinds = []
        for upload in new_files:
            try:
                kinds.append(check_upload(upload.name, upload.data, max_bytes=MAX_ATTACHMENT_BYTES))
            except UploadRefused as refused:
                raise ValidationError({"attachments": str(refused)}) from None

        if evidence is None:
            evidence = Evidence(case=case)
        evidence.capability = capability
        evidence.title = title
        evidence.date = date
        evidence.summary = summary
        evidence.outcome = outcome
        evidence.links = list(links)
        logging = evidence.pk is None
        evidence.save()
        evidence.indicators.set(indicators)
        if logging:
            notices.evidence_logged(case=case, evidence=evidence)

        removed = [a for a in removing if a.evidence_id == evidence.pk]
        stored_names = []
        try:
            for upload, kind in zip(new_files, kinds, strict=True):
                attachment = Attachment(
                    evidence=evidence,
                    original_name=safe_name(upload.name),
                    content_type=kind.content_type,
                    size=len(upload.data),
                )
                attachment.file.save("upload", ContentFile(upload.data), save=False)
                stored_names.append(attachment.file.name)
                attachment.save()
        except Exception:
            # The rows roll back with the transaction; the files on disk must go too.
            for name in stored_names:
                Attachment.file.field.storage.delete(name)
            raise
        for attachment in removed:
            name = attachment.file.name
            attachment.delete()
            transaction.on_commit(lambda name=name: Attachment.file.field.storage.delete(name))
        refresh_snapshot(case)
        return evidence


def delete_evidence(*, evidence: Evidence) -> None:
    with case_open_for_writes(evidence.case_id, Part.EVIDENCE) as case:
        names = list(evidence.attachments.values_list("file", flat=True))
        notices.evidence_deleted(case=case, evidence=evidence)
        evidence.delete()
        refresh_snapshot(case)
        storage = Attachment.file.field.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def save_narrative(*, case: Case, by, narrative: str) -> Case:
    """The candidate's statement for the committee, while the case is open."""
    with case_open_for_writes(case.pk, Part.NARRATIVE) as case:
        if by.pk != case.candidate_id:
            raise PermissionDenied("Only the candidate writes their narrative.")
        case.narrative = narrative
        case.save(update_fields=["narrative"])
        return case


def record_check_in(
    *,
    case: Case,
    date: datetime.date,
    answers: Mapping[int, tuple[str, str]],
    replaces: CheckIn | None = None,
) -> CheckIn:
    """A self-assessment: `answers` maps each of the guide's question ids to (value, note).
    `replaces`: an earlier check-in of the case this one takes the place of, deleted with it."""
    with case_open_for_writes(case.pk, Part.CHECK_INS) as case:
        check_date(date, name=CHECK_IN_DATE, happened=True, field="date")
        if replaces is not None:
            deleted, _ = case.check_ins.filter(pk=replaces.pk).delete()
            if not deleted:
                raise ValidationError("The check-in this one was to replace is gone already.")
        if (count := case.check_ins.count()) >= MAX_CHECK_INS_PER_CASE:
            raise ValidationError(case_full(count, MAX_CHECK_INS_PER_CASE, "check-ins"))
        question_ids = set(case.guide.questions.values_list("pk", flat=True))
        if set(answers) != question_ids:
            raise ValidationError("Answer every question of the guide.")
        try:
            with transaction.atomic():
                check_in = CheckIn.objects.create(case=case, date=date)
        except IntegrityError:
            raise ValidationError({"date": "There is already a check-in on this date."}) from None
        Answer.objects.bulk_create(
            Answer(check_in=check_in, question_id=qid, value=value, note=note)
            for qid, (value, note) in answers.items()
        )
        refresh_snapshot(case)
        return check_in


NOTHING_TO_REPLY_TO = (
    "There is nothing to reply to yet: endorse the item, ask a question or ask for more."
)


def give_feedback(
    *, evidence: Evidence, author, kind: str, text: str, notify: bool = True
) -> Feedback:
    """A message in an evidence item's thread: the sponsor's verdicts, or a reply. Without
    `notify` its notice is left to the caller (a bulk endorsement leaves one for them all)."""
    with case_open_for_writes(evidence.case_id, Part.FEEDBACK) as case:
        if kind in Feedback.SPONSOR_KINDS and author.pk != case.sponsor_id:
            raise PermissionDenied("Only the case's sponsor can endorse, question or ask for more.")
        if kind == Feedback.Kind.REPLY and author.pk not in (case.candidate_id, case.sponsor_id):
            raise PermissionDenied("Only the candidate and the sponsor take part in the thread.")
        if not text.strip() and kind != Feedback.Kind.ENDORSE:
            raise ValidationError({"text": "Write a message."})
        if (
            kind == Feedback.Kind.REPLY
            and author.pk == case.sponsor_id
            and not evidence.feedback.exists()
        ):
            raise ValidationError(NOTHING_TO_REPLY_TO)
        if (count := case.feedback.count()) >= MAX_FEEDBACK_PER_CASE:
            raise ValidationError(case_full(count, MAX_FEEDBACK_PER_CASE, "feedback messages"))
        if (count := evidence.feedback.count()) >= MAX_MESSAGES_PER_THREAD:
            raise ValidationError(
                f"An evidence item's thread can hold at most {MAX_MESSAGES_PER_THREAD} messages, "
                f"and this one has {count}."
            )
        feedback = Feedback.objects.create(
            case=case, evidence=evidence, author=author, kind=kind, text=text.strip()
        )
        if notify:
            notices.feedback_given(case=case, feedback=feedback)
        return feedback


def override_problem(readiness_status: Status, decision: str, override_reason: str) -> str | None:
    """Why this sign-off needs an override reason it lacks, or None."""
    if decision != SignOff.Decision.READY or readiness_status == Status.READY:
        return None
    if override_reason.strip():
        return None
    return override_needed(status_label(readiness_status))


SIGNED_MEANWHILE = (
    "Someone signed off this case while you were reviewing it. Nothing was saved; "
    "read the latest sign-off below before deciding again."
)


def sign_off(
    *,
    case: Case,
    signer,
    decision: str,
    rationale: str,
    override_reason: str = "",
    expected_sign_offs: int,
) -> SignOff:
    """The sponsor's decision, stored with the hash of the packet as it stands now.

    `expected_sign_offs` is how many sign-offs the sponsor saw when deciding: a sign-off made
    meanwhile, in another tab or by another person, makes this one refuse rather than pile up.
    """
    from reviews.packets.build import build_packet, packet_sha256

    with transaction.atomic():
        case = locked_case(case.pk)
        if case.sponsor_id != signer.pk:
            raise PermissionDenied("Only the case's sponsor can sign it off.")
        if case.sign_offs.count() != expected_sign_offs:
            raise ValidationError(SIGNED_MEANWHILE)
        if case.status != Case.Status.OPEN:
            raise ValidationError("This case is already signed off.")
        if decision not in SignOff.Decision.values:
            raise ValidationError({"decision": "Choose ready or not ready."})
        if not rationale.strip():
            raise ValidationError({"rationale": "Give the reasons for your decision."})
        readiness = case_readiness(case)
        override = decision == SignOff.Decision.READY and readiness.status != Status.READY
        if problem := override_problem(readiness.status, decision, override_reason):
            raise ValidationError({"override_reason": problem})
        signed = SignOff.objects.create(
            case=case,
            signer=signer,
            decision=decision,
            rationale=rationale.strip(),
            override=override,
            override_reason=override_reason.strip() if override else "",
            readiness_status=readiness.status.value,
            packet_sha256=packet_sha256(build_packet(case)),
        )
        if decision == SignOff.Decision.READY:
            case.status = Case.Status.SIGNED_OFF
            case.save(update_fields=["status"])
        notices.signed_off(case=case, sign_off=signed)
        return signed


def reassign_sponsor(*, case: Case, sponsor) -> Case:
    # The sponsor is part of what a ready sign-off signed.
    with case_open_for_writes(case.pk, Part.SPONSOR) as case:
        if sponsor.pk == case.candidate_id:
            raise ValidationError({"sponsor": "A candidate cannot sponsor their own case."})
        if problem := sponsor_problem(sponsor, case.guide):
            raise ValidationError({"sponsor": problem})
        case.sponsor = sponsor
        case.save(update_fields=["sponsor"])
        return case


def withdraw_case(*, case: Case) -> Case:
    with transaction.atomic():
        case = locked_case(case.pk)
        if case.status not in Case.ACTIVE_STATUSES:
            raise ValidationError("This case is already closed.")
        case.status = Case.Status.WITHDRAWN
        case.save(update_fields=["status"])
        return case


def record_decision(
    *, case: Case, outcome: str, effective_date: datetime.date, note: str, decided_by
) -> Decision:
    """HR's decision after a ready sign-off; a promotion moves the candidate to the new level."""
    with transaction.atomic():
        case = locked_case(case.pk)
        if case.candidate_id == decided_by.pk:
            raise PermissionDenied(OWN_DECISION)
        if case.status != Case.Status.SIGNED_OFF:
            raise ValidationError("A decision is recorded after the sponsor signs the case off.")
        if outcome not in Decision.Outcome.values:
            raise ValidationError({"outcome": "Choose promoted, not yet or withdrawn."})
        check_date(effective_date, name=EFFECTIVE_DATE, happened=False, field="effective_date")
        decision = decide(
            case=case,
            outcome=outcome,
            effective_date=effective_date,
            note=note,
            decided_by=decided_by,
        )
        notices.decided(case=case, decision=decision)
        return decision


def decide(
    *, case: Case, outcome: str, effective_date: datetime.date, note: str, decided_by
) -> Decision:
    """The decision's rows: the decision, the case closed, and a promotion's level change.

    Only for callers that have locked the case (`locked_case`) and checked it may be decided:
    `record_decision` after a sign-off, and the publication of a cycle (reviews/scoring.py),
    which words its own notices.
    """
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        effective_date=effective_date,
        note=note.strip(),
        decided_by=decided_by,
    )
    case.status = (
        Case.Status.WITHDRAWN if outcome == Decision.Outcome.WITHDRAWN else Case.Status.DECIDED
    )
    case.save(update_fields=["status"])
    if outcome == Decision.Outcome.PROMOTED:
        change_level(
            user=case.candidate,
            level=case.guide.to_level,
            since=effective_date,
            reason=LevelChange.Reason.DECISION,
            note=f"Promoted on {case.guide}",
            by=decided_by,
        )
    return decision
