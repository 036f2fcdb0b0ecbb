"""The notifications a case's events leave in the app (inbox/), worded here like the mails.

Each is written in the transaction of its event, so it exists exactly when the event does:
- feedback by anyone but the candidate: the candidate ("Sam endorsed …"), as the mail;
- a reply by the candidate: the sponsor;
- new evidence: the sponsor (the mail gathers these in a weekly digest);
- a sign-off: the candidate; a decision: the candidate and the sponsor;
- a cycle's publication: each case's candidate and sponsor, with the committee's outcome (the
  decision it records is told by this notice, not by a decision's of its own); the answer to an
  appeal: the candidate;
- the reminders the mail job sends (quiet spell, check-in due): their recipient, when mailed.
When an item is deleted, the notices about it are pointed at its case.
"""

from django.db.models import Q, Value
from django.db.models.functions import Concat, Left
from django.urls import reverse

from inbox.models import Notice
from inbox.services import notify
from reviews.models import SignOff
from reviews.words import (
    appeal_result_label,
    decision_label,
    feedback_verb,
    outcome_result_label,
    sign_off_verdict,
)


def thread_link(evidence) -> str:
    return f"{evidence.get_absolute_url()}#thread-{evidence.pk}"


def feedback_given(*, case, feedback) -> None:
    evidence = feedback.evidence
    if feedback.author_id == case.candidate_id:
        recipient, kind = case.sponsor_id, Notice.Kind.REPLY
    else:
        recipient, kind = case.candidate_id, Notice.Kind.FEEDBACK
    notify(
        recipient_id=recipient,
        kind=kind,
        text=f"{feedback.author.display_name} {feedback_verb(feedback.kind)}",
        about=evidence.title,
        link=thread_link(evidence),
    )


def endorsed(*, case, feedbacks) -> None:
    """A bulk endorsement: one notice for the candidate, however many items it endorsed."""
    if len(feedbacks) == 1:
        feedback_given(case=case, feedback=feedbacks[0])
        return
    notify(
        recipient_id=case.candidate_id,
        kind=Notice.Kind.FEEDBACK,
        text=f"{feedbacks[0].author.display_name} endorsed {len(feedbacks)} items on",
        about=your_case(case),
        link=reverse("reviews:evidence_list", args=[case.pk]),
    )


DELETED_NOTE = " (this item has since been deleted)"


def evidence_deleted(*, case, evidence) -> None:
    """Notices about an item that is gone lead to its case instead, and say why."""
    url = evidence.get_absolute_url()
    Notice.objects.filter(Q(link=url) | Q(link__startswith=f"{url}#")).update(
        link=case.get_absolute_url(),
        about=Left(
            Concat("about", Value(DELETED_NOTE)), Notice._meta.get_field("about").max_length
        ),
    )


def evidence_logged(*, case, evidence) -> None:
    notify(
        recipient_id=case.sponsor_id,
        kind=Notice.Kind.EVIDENCE,
        text=f"{case.candidate.display_name} logged new evidence:",
        about=evidence.title,
        link=evidence.get_absolute_url(),
    )


def your_case(case) -> str:
    return f"your case for {case.guide.to_level.title}"


def signed_off(*, case, sign_off) -> None:
    notify(
        recipient_id=case.candidate_id,
        kind=Notice.Kind.SIGN_OFF,
        text=f"{sign_off.signer.display_name} signed off {your_case(case)} as "
        f"{sign_off_verdict(sign_off.decision)}:",
        about="see the reasons",
        # A not-ready sign-off's reasons stand in a box of their own on the progress page.
        link=case.get_absolute_url()
        + ("#sign-off-reasons" if sign_off.decision == SignOff.Decision.NOT_READY else ""),
    )


def decided(*, case, decision) -> None:
    verdict = f"HR recorded the decision “{decision_label(decision.outcome)}” on"
    for recipient, about in (
        (case.candidate_id, your_case(case)),
        (case.sponsor_id, f"the case of {case.candidate.display_name}"),
    ):
        notify(
            recipient_id=recipient,
            kind=Notice.Kind.DECISION,
            text=verdict,
            about=about,
            link=case.get_absolute_url(),
        )


def outcome_link(case) -> str:
    return reverse("reviews:case_outcome", args=[case.pk])


def outcome_words(outcome) -> str:
    return f"The committee's outcome, “{outcome_result_label(outcome.result)}”, is published on"


def outcome_published(*, nomination, outcome) -> None:
    case = nomination.case
    for recipient, about in (
        (case.candidate_id, your_case(case)),
        (case.sponsor_id, f"the case of {case.candidate.display_name}"),
    ):
        notify(
            recipient_id=recipient,
            kind=Notice.Kind.OUTCOME,
            text=outcome_words(outcome),
            about=about,
            link=outcome_link(case),
        )


def appeal_answered(*, nomination, appeal) -> None:
    case = nomination.case
    notify(
        recipient_id=case.candidate_id,
        kind=Notice.Kind.OUTCOME,
        text=f"HR answered your appeal ({appeal_result_label(appeal.result).lower()}) on",
        about=your_case(case),
        link=outcome_link(case),
    )


def reminded(*, recipient_id: int, subject: str, link: str) -> None:
    """A reminder the mail job has just sent: its subject, linking where the mail does."""
    notify(recipient_id=recipient_id, kind=Notice.Kind.REMINDER, text="", about=subject, link=link)
