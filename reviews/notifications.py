"""Email notifications: what is due now, and sending each event's mail once.

Every kind of mail is here, a little under 500 lines, so that the rules of what is due sit side
by side.

Seven kinds, each named by a key in the `Notification` log (unique in the database):

- `feedback`: a message in an evidence thread by anyone but the candidate mails the candidate;
  a message that came in an imported packet does not (its author did not write it here, and
  a mail "Sam endorsed your evidence" would say they did). Key `feedback:{feedback.pk}`. Only
  feedback from the last `FEEDBACK_LOOKBACK` is looked at, so switching notifications on (or a
  long outage of the worker) never mails old threads.
- `sign_off`: a sponsor's sign-off mails the candidate its verdict and reasons. Key
  `sign_off:{sign_off.pk}`; only the last `FEEDBACK_LOOKBACK` is looked at, as for feedback.
- `decision`: HR's decision mails the candidate and the sponsor. Key
  `decision:{decision.pk}:{recipient.pk}`; the same look-back. A decision recorded by a cycle's
  publication is not mailed as a decision: the `outcome` mail tells it.
- `outcome`: a cycle's publication mails each case's candidate and sponsor the committee's
  outcome. Key `outcome:{nomination.pk}:{recipient.pk}`; only cycles published in the last
  `FEEDBACK_LOOKBACK` are looked at.
- `digest`: each sponsor gets, once a week, the evidence items created (logged) on their open cases
  during the previous ISO week, Monday to Sunday in `TIME_ZONE`; no mail when there were none.
  Key `digest:{sponsor.pk}:{iso_year}-W{iso_week:02}`, naming the week the items are from. A fixed
  calendar week rather than "since the last digest" keeps each digest's content a pure function of
  the week, whenever in the following week it goes out.
- `quiet`: an open case, opened more than `QUIET_DAYS` ago, with no evidence dated *or* logged in
  the last `QUIET_DAYS` days (logging back-dated work counts as activity). Key
  `quiet:{case.pk}:{anchor}`, the anchor being the latest of the case's opening, its latest item's
  date and the day its latest item was logged: one reminder per quiet spell, and another only
  after new activity has gone quiet again.
- `check_in_due`: an open case with no check-in dated in the current calendar quarter, once the
  quarter's first month is over (a month to do it unprompted first); cases opened after that point
  wait for the next quarter. Key `check_in_due:{case.pk}:{year}Q{quarter}`.

The reminders (`quiet`, `check_in_due`) are also noted in the app (inbox/) as they are mailed,
in the same transaction; the other events are noted there as they happen (reviews/notices.py).

Sending: the log row is inserted and the mail sent in one transaction. A second run that finds the
same event blocks on the unique key until the first commits, then skips it; if sending raises, the
row is rolled back and the next run tries again. The one gap no mail system closes: if the process
dies after the mail server accepted a message but before the commit, that mail goes out again.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, Greatest, TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import clock
from reviews import notices
from reviews.models import (
    Case,
    CheckIn,
    Decision,
    Evidence,
    Feedback,
    Nomination,
    Notification,
    Outcome,
    SignOff,
)
from reviews.readiness.months import quarter_of
from reviews.words import decision_label, feedback_verb, sign_off_verdict

logger = logging.getLogger(__name__)

KINDS = ("feedback", "digest", "quiet", "check_in_due", "sign_off", "decision", "outcome")
# Mailed here and noted in the app with the mail; the other events are noted as they happen
# (reviews/notices.py).
REMINDERS = ("quiet", "check_in_due")
FEEDBACK_LOOKBACK = datetime.timedelta(days=7)
QUIET_DAYS = 30


@dataclass
class Due:
    """One event's mail, not yet rendered."""

    kind: str
    key: str
    recipient: User
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    def message(self) -> EmailMessage:
        body = render_to_string(
            f"reviews/email/{self.template}.txt",
            {"recipient": self.recipient, "site_url": site_url(), **self.context},
        )
        return EmailMessage(subject=self.subject, body=body, to=[self.recipient.email])


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


def plain_subject(text: str) -> str:
    # A title may hold a line break; a header may not. The log column holds 200 characters.
    return " ".join(text.split())[:200]


def reachable(prefix: str) -> Q:
    """People a mail can go to: active, with an address."""
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email": ""})


def send_due_notifications(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Send every mail that is due and not sent yet; return how many of each kind went out.

    `failed` counts mails whose sending raised: they are logged and retried on the next run. With
    `dry_run` nothing is sent or written, and the counts say what would have been sent.
    """
    now = now or clock.now()
    due = [
        *feedback_due(now),
        *sign_offs_due(now),
        *decisions_due(now),
        *outcomes_due(now),
        *digests_due(now),
        *quiet_due(now),
        *check_ins_due(now),
    ]
    counts = dict.fromkeys(KINDS, 0) | {"failed": 0}
    if dry_run:
        for item in due:
            counts[item.kind] += 1
        return counts
    mailer = mailers.default
    for item in due:
        outcome = deliver(item, mailer)
        if outcome == "sent":
            counts[item.kind] += 1
        elif outcome == "failed":
            counts["failed"] += 1
    return counts


def deliver(item: Due, mailer) -> str:
    """`sent`, `duplicate` (another run has sent it) or `failed` (nothing recorded: retried)."""
    message = item.message()
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=item.key, recipient=item.recipient, subject=item.subject
            )
            if item.kind in REMINDERS:
                notices.reminded(
                    recipient_id=item.recipient.pk,
                    subject=item.subject,
                    link=item.context["link"].removeprefix(site_url()),
                )
            if mailer.send_messages([message]) != 1:
                raise RuntimeError("the mail backend reported nothing sent")
    except IntegrityError:
        return "duplicate"
    except Exception:
        logger.exception("Could not send %s to %s; the next run retries.", item.key, message.to)
        return "failed"
    return "sent"


def local_today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def not_logged(key: Any) -> Exists:
    return ~Exists(Notification.objects.filter(key=key))


def text_of(expression: Any) -> Cast:
    return Cast(expression, output_field=CharField())


def feedback_due(now: datetime.datetime) -> list[Due]:
    rows = (
        Feedback.objects.filter(created_at__gt=now - FEEDBACK_LOOKBACK, created_at__lte=now)
        .exclude(author_id=F("case__candidate_id"))
        .filter(imported_at__isnull=True)
        .filter(reachable("case__candidate__"))
        .filter(not_logged(Concat(Value("feedback:"), text_of(OuterRef("pk")))))
        .select_related("author", "evidence", "case__candidate")
        .order_by("created_at", "id")
    )
    due = []
    for feedback in rows:
        verb = feedback_verb(feedback.kind)
        evidence = feedback.evidence
        due.append(
            Due(
                kind="feedback",
                key=f"feedback:{feedback.pk}",
                recipient=feedback.case.candidate,
                subject=plain_subject(
                    f"{feedback.author.display_name} {verb} your evidence: {evidence.title}"
                ),
                template="feedback",
                context={
                    "feedback": feedback,
                    "verb": verb,
                    "evidence": evidence,
                    "link": absolute(f"{evidence.get_absolute_url()}#thread-{evidence.pk}"),
                },
            )
        )
    return due


def sign_offs_due(now: datetime.datetime) -> list[Due]:
    rows = (
        SignOff.objects.filter(created_at__gt=now - FEEDBACK_LOOKBACK, created_at__lte=now)
        .filter(reachable("case__candidate__"))
        .filter(not_logged(Concat(Value("sign_off:"), text_of(OuterRef("pk")))))
        .select_related("signer", "case__candidate", "case__guide__to_level")
        .order_by("created_at", "id")
    )
    return [
        Due(
            kind="sign_off",
            key=f"sign_off:{sign_off.pk}",
            recipient=sign_off.case.candidate,
            subject=plain_subject(
                f"{sign_off.signer.display_name} signed off {notices.your_case(sign_off.case)} "
                f"as {sign_off_verdict(sign_off.decision)}"
            ),
            template="sign_off",
            context={
                "sign_off": sign_off,
                "verdict": sign_off_verdict(sign_off.decision),
                "link": absolute(sign_off.case.get_absolute_url()),
            },
        )
        for sign_off in rows
    ]


def sent_to(kind: str, person: str) -> Exists:
    """Whether the mail keyed `{kind}:{row pk}:{pk at person}` is in the log, for `annotate()`."""
    key = Concat(Value(f"{kind}:"), text_of(OuterRef("pk")), Value(":"), text_of(OuterRef(person)))
    return Exists(Notification.objects.filter(key=key))


def candidate_and_sponsor(row) -> list[tuple[User, str]]:
    """Who of a case's candidate and sponsor a row's mail still goes to (the row annotated with
    `candidate_sent` and `sponsor_sent`), each with how the mail names the case for them."""
    case = row.case
    return [
        (person, about)
        for person, about, done in (
            (case.candidate, notices.your_case(case), row.candidate_sent),
            (case.sponsor, f"the case of {case.candidate.display_name}", row.sponsor_sent),
        )
        if not done and person is not None and person.is_active and person.email
    ]


def decisions_due(now: datetime.datetime) -> list[Due]:
    """Each decision mails the candidate and the sponsor, each once."""
    rows = (
        Decision.objects.filter(created_at__gt=now - FEEDBACK_LOOKBACK, created_at__lte=now)
        .exclude(case__nominations__cycle__published_at__isnull=False)
        .annotate(
            candidate_sent=sent_to("decision", "case__candidate_id"),
            sponsor_sent=sent_to("decision", "case__sponsor_id"),
        )
        .select_related("case__candidate", "case__sponsor", "case__guide__to_level")
        .order_by("created_at", "id")
    )
    due = []
    for decision in rows:
        verdict = f"HR recorded the decision “{decision_label(decision.outcome)}” on"
        for person, about in candidate_and_sponsor(decision):
            due.append(
                Due(
                    kind="decision",
                    key=f"decision:{decision.pk}:{person.pk}",
                    recipient=person,
                    subject=plain_subject(f"{verdict} {about}"),
                    template="decision",
                    context={
                        "decision": decision,
                        "about": about,
                        "verdict": verdict,
                        "link": absolute(decision.case.get_absolute_url()),
                    },
                )
            )
    return due


def outcomes_due(now: datetime.datetime) -> list[Due]:
    """Each published outcome mails the case's candidate and sponsor, each once."""
    heads = Outcome.objects.current().filter(nomination=OuterRef("pk")).values("result")[:1]
    rows = (
        Nomination.objects.filter(
            cycle__published_at__gt=now - FEEDBACK_LOOKBACK, cycle__published_at__lte=now
        )
        .annotate(
            result=Subquery(heads),
            candidate_sent=sent_to("outcome", "case__candidate_id"),
            sponsor_sent=sent_to("outcome", "case__sponsor_id"),
        )
        .select_related("cycle", "case__candidate", "case__sponsor", "case__guide__to_level")
        .order_by("cycle__published_at", "id")
    )
    due = []
    for nomination in rows:
        verdict = notices.outcome_words(Outcome(result=nomination.result))
        for person, about in candidate_and_sponsor(nomination):
            due.append(
                Due(
                    kind="outcome",
                    key=f"outcome:{nomination.pk}:{person.pk}",
                    recipient=person,
                    subject=plain_subject(f"{verdict} {about}"),
                    template="outcome",
                    context={
                        "cycle": nomination.cycle,
                        "about": about,
                        "verdict": verdict,
                        "link": absolute(notices.outcome_link(nomination.case)),
                    },
                )
            )
    return due


def previous_iso_week(now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the ISO week before the one `now` falls in."""
    today = local_today(now)
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    return monday, monday + datetime.timedelta(days=6)


def digests_due(now: datetime.datetime) -> list[Due]:
    monday, sunday = previous_iso_week(now)
    iso = monday.isocalendar()
    week = f"{iso.year}-W{iso.week:02}"
    rows = (
        Evidence.objects.filter(
            case__status=Case.Status.OPEN,
            created_at__gte=local_midnight(monday),
            created_at__lt=local_midnight(sunday + datetime.timedelta(days=1)),
        )
        .filter(reachable("case__sponsor__"))
        .filter(
            not_logged(
                Concat(Value("digest:"), text_of(OuterRef("case__sponsor_id")), Value(f":{week}"))
            )
        )
        .select_related("case__candidate", "case__sponsor", "case__guide__to_level", "capability")
        .order_by(
            "case__sponsor_id",
            "case__candidate__name",
            "case__candidate__username",
            "case_id",
            "created_at",
            "id",
        )
    )
    by_sponsor: dict[int, dict[int, dict[str, Any]]] = {}
    sponsors: dict[int, User] = {}
    for item in rows:
        case = item.case
        sponsors.setdefault(case.sponsor_id, case.sponsor)
        cases = by_sponsor.setdefault(case.sponsor_id, {})
        entry = cases.setdefault(
            case.pk, {"case": case, "link": absolute(case.get_absolute_url()), "items": []}
        )
        entry["items"].append({"evidence": item, "link": absolute(item.get_absolute_url())})
    due = []
    for sponsor_id, cases in by_sponsor.items():
        total = sum(len(entry["items"]) for entry in cases.values())
        items = "item" if total == 1 else "items"
        due.append(
            Due(
                kind="digest",
                key=f"digest:{sponsor_id}:{week}",
                recipient=sponsors[sponsor_id],
                subject=f"Your candidates logged {total} new evidence {items} last week",
                template="digest",
                context={
                    "cases": list(cases.values()),
                    "monday": monday,
                    "sunday": sunday,
                    "total": total,
                    "link": absolute(reverse("reviews:dashboard")),
                },
            )
        )
    return due


def quiet_due(now: datetime.datetime) -> list[Due]:
    today = local_today(now)
    cutoff = today - datetime.timedelta(days=QUIET_DAYS)
    cases = list(
        Case.objects.filter(status=Case.Status.OPEN, opened_on__lte=cutoff)
        .filter(reachable("candidate__"))
        .annotate(
            last_dated=Max("evidence__date", filter=Q(evidence__date__lte=today)),
            last_logged=TruncDate(
                Max("evidence__created_at", filter=Q(evidence__created_at__lte=now))
            ),
        )
        # PostgreSQL's GREATEST skips NULLs: a case without evidence is anchored on its opening.
        .annotate(anchor=Greatest("opened_on", "last_dated", "last_logged"))
        .filter(anchor__lte=cutoff)
        .select_related("candidate", "guide__to_level")
        .order_by("id")
    )
    keys = {case.pk: f"quiet:{case.pk}:{case.anchor.isoformat()}" for case in cases}
    sent = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    return [
        Due(
            kind="quiet",
            key=keys[case.pk],
            recipient=case.candidate,
            subject="A reminder to log your recent work",
            template="quiet",
            context={
                "case": case,
                "days": (today - case.anchor).days,
                "has_evidence": case.last_dated is not None,
                "link": absolute(reverse("reviews:evidence_create", args=[case.pk])),
            },
        )
        for case in cases
        if keys[case.pk] not in sent
    ]


def check_ins_due(now: datetime.datetime) -> list[Due]:
    today = local_today(now)
    quarter, first, last = quarter_of(today)
    second_month = datetime.date(first.year, first.month + 1, 1)
    if today < second_month:
        return []
    label = f"{today.year}Q{quarter}"
    cases = (
        Case.objects.filter(status=Case.Status.OPEN, opened_on__lt=second_month)
        .filter(reachable("candidate__"))
        .filter(
            ~Exists(CheckIn.objects.filter(case=OuterRef("pk"), date__gte=first, date__lte=last))
        )
        .filter(
            not_logged(Concat(Value("check_in_due:"), text_of(OuterRef("pk")), Value(f":{label}")))
        )
        .select_related("candidate", "guide__to_level")
        .order_by("id")
    )
    return [
        Due(
            kind="check_in_due",
            key=f"check_in_due:{case.pk}:{label}",
            recipient=case.candidate,
            subject=f"Your check-in for Q{quarter} {today.year} is due",
            template="check_in_due",
            context={
                "case": case,
                "quarter": quarter,
                "year": today.year,
                "quarter_ends": last,
                "link": absolute(reverse("reviews:check_in_create", args=[case.pk])),
            },
        )
        for case in cases
    ]
