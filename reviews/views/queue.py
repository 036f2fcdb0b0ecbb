"""The sponsor's review queue: one waiting item at a time, whole, with its thread and the answer
form; each answer is a plain form post that lands on the next waiting item."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guides.models import Indicator
from reviews import review_queue as queue
from reviews import workflow
from reviews.forms import FeedbackForm
from reviews.models import Case, Evidence
from reviews.once import save_once
from reviews.views.common import FEEDBACK_KINDS, FIRST_FEEDBACK_KINDS, feedback_sender


def _scope_case(request, value) -> Case | None:
    """The one candidate's case the queue is narrowed to, if any: only a case this person
    sponsors (404 otherwise)."""
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return get_object_or_404(
        Case.objects.filter(sponsor=request.user).select_related("candidate"), pk=value
    )


def _queue_url(case: Case | None, **params) -> str:
    query = {"case": case.pk} if case else {}
    query.update({k: v for k, v in params.items() if v})
    url = reverse("reviews:review_queue")
    return f"{url}?{urlencode(query)}" if query else url


def _scope_query(case: Case | None) -> str:
    return f"?{urlencode({'case': case.pk})}" if case else ""


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@require_GET
@login_required
def review_queue(request):
    """The next item waiting for this sponsor's answer, across their candidates or for one."""
    case = _scope_case(request, request.GET.get("case"))
    at = queue.position(
        request.user,
        case,
        after=_int(request.GET.get("after")),
        item=_int(request.GET.get("item")),
    )
    if at.current is None and case is not None:
        # The whole of this candidate's queue has been gone through: looked at.
        workflow.record_look(user=request.user, case=case)
    return _queue_page(request, case, at)


def _queue_page(request, case, at, *, answer=None, error: str = ""):
    """The queue at `at`; after a refused answer, with that answer (`kind`, `text`) kept in
    the form and `error` said beside it."""
    item = None
    indicators = []
    if at.current is not None:
        item = (
            queue.scope(request.user, case)
            .with_details()
            .with_threads()
            .select_related("case__candidate", "case__guide__from_level", "case__guide__to_level")
            .prefetch_related(
                Prefetch(
                    "capability__indicators",
                    queryset=Indicator.objects.order_by("position"),
                    to_attr="all_indicators",
                )
            )
            .get(pk=at.current)
        )
        tagged = {indicator.pk for indicator in item.indicators.all()}
        indicators = [(i, i.pk in tagged) for i in item.capability.all_indicators]
    kinds = FEEDBACK_KINDS if item and item.feedback.all() else FIRST_FEEDBACK_KINDS
    answer = answer or {}
    chosen = answer.get("kind") if answer.get("kind") in dict(kinds) else kinds[0][0]
    context = {
        "scope_case": case,
        "item": item,
        "case": item.case if item else case,
        "indicators": indicators,
        "is_new": item is not None and queue.is_new(item),
        "left": at.left,
        "skip_url": _queue_url(case, after=at.current) if at.following else None,
        "endorse_all_url": reverse("reviews:queue_endorse_all") + _scope_query(case),
        "feedback_kinds": kinds,
        "chosen_kind": chosen,
        "answer_text": answer.get("text", ""),
        "answer_error": error,
        "dashboard_url": reverse("reviews:dashboard"),
    }
    return render(request, "reviews/review_queue.html", context)


@require_POST
@login_required
def queue_answer(request, evidence_id):
    """An answer from the queue: saved once, then the queue's next item."""
    case = _scope_case(request, request.POST.get("case"))
    evidence = get_object_or_404(
        Evidence.objects.filter(case__sponsor=request.user).select_related("case"),
        pk=evidence_id,
    )
    form = FeedbackForm(request.POST, sponsor=True)
    answer = {"kind": request.POST.get("kind", ""), "text": request.POST.get("text", "")}

    def refused(error: str):
        at = queue.position(request.user, case, item=evidence.pk)
        return _queue_page(request, case, at, answer=answer, error=error)

    if not form.is_valid():
        return refused("Write a message, or choose Endorse to endorse without one.")

    send = feedback_sender(
        request,
        evidence,
        form,
        said=f"Your answer on “{evidence.title}” is in its thread.",
        then=_queue_url(case, after=evidence.pk),
    )
    try:
        return redirect(save_once(request, send))
    except ValidationError as error:
        return refused(" ".join(error.messages))


@require_http_methods(["GET", "POST"])
@login_required
def queue_endorse_all(request):
    """Endorse every item the sponsor has not answered, after one confirmation."""
    source = request.POST if request.method == "POST" else request.GET
    case = _scope_case(request, source.get("case"))
    items = list(queue.unanswered(request.user, case).select_related("case__candidate"))
    if request.method == "POST":
        chosen = {int(pk) for pk in request.POST.getlist("item") if pk.isdigit()}
        picked = [item for item in items if item.pk in chosen]
        if not picked:
            messages.error(request, "Tick at least one item to endorse.")
            return redirect(reverse("reviews:queue_endorse_all") + _scope_query(case))

        def endorse() -> str:
            count = workflow.endorse_all(items=picked, sponsor=request.user)
            messages.success(request, f"Endorsed {count} item{'s' if count != 1 else ''}.")
            return _queue_url(case)

        try:
            return redirect(save_once(request, endorse))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    context = {
        "scope_case": case,
        "items": items,
        # Items the candidate replied on wait too, but want an answer of their own.
        "replied_count": queue.waiting(request.user, case)
        .filter(sponsor_last__isnull=False)
        .count(),
        "back_url": _queue_url(case),
    }
    return render(request, "reviews/queue_endorse_all.html", context)
