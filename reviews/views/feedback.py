"""Feedback on evidence: the review of a case by capability and indicator, and a message in
an item's thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reviews import services
from reviews.forms import FeedbackForm
from reviews.grouping import evidence_by_capability
from reviews.once import save_once
from reviews.views.common import FEEDBACK_KINDS, get_case


@require_GET
@login_required
def case_review(request, case_id):
    """Evidence grouped by capability and indicator, each item with its feedback thread."""
    case = get_case(request, case_id)
    capabilities = case.guide.capabilities.prefetch_related("indicators")
    items = list(case.evidence.with_details().with_threads())
    context = {
        "case": case,
        "groups": evidence_by_capability(capabilities, items),
        "evidence_count": len(items),
        "feedback_kinds": FEEDBACK_KINDS,
    }
    return render(request, "reviews/case_review.html", context)


@require_POST
@login_required
def feedback_create(request, case_id, evidence_id):
    case = get_case(request, case_id)
    if not request.user.has_perm("reviews.reply", case):
        raise PermissionDenied("Only the candidate and the sponsor take part in the thread.")
    evidence = get_object_or_404(case.evidence, pk=evidence_id)
    form = FeedbackForm(request.POST, sponsor=request.user.has_perm("reviews.give_verdict", case))
    back = request.POST.get("next")
    target = back if back in _thread_pages(case, evidence) else evidence.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Choose a response and write a message.")
        return redirect(target)
    thread = f"{target}#thread-{evidence.pk}"

    def send() -> str:
        services.give_feedback(
            evidence=evidence,
            author=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Your message is in the thread.")
        return thread

    try:
        return redirect(save_once(request, send))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread)


def _thread_pages(case, evidence) -> set[str]:
    return {
        evidence.get_absolute_url(),
        reverse("reviews:case_review", args=[case.pk]),
    }
