"""Feedback on evidence: the review of a case by capability and indicator, and a message in
an item's thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reviews import workflow
from reviews.forms import FeedbackForm
from reviews.grouping import capability_pages, evidence_by_capability
from reviews.once import save_once
from reviews.views.common import FEEDBACK_KINDS, feedback_sender, get_case, get_readable_case

# Items a page of the review shows, each with its whole thread (at most
# limits.MAX_MESSAGES_PER_THREAD messages).
REVIEW_PAGE_SIZE = 25


@require_GET
@login_required
def case_review(request, case_id):
    """Evidence grouped by capability and indicator, each item with its feedback thread, a page
    of items at a time in capability order."""
    case = get_readable_case(request, case_id)
    if request.user.pk == case.sponsor_id:
        workflow.record_look(user=request.user, case=case)
    capabilities = list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))
    items = (
        case.evidence.with_details().with_threads().order_by("capability__number", "-date", "-id")
    )
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = evidence_by_capability(capabilities, list(page.object_list))
    paged = page.paginator.num_pages > 1
    if paged:
        groups = [g for g in groups if any(shown for _, shown in g.indicators) or g.untagged]
    counts = dict(case.evidence.values_list("capability").annotate(n=Count("pk")))
    context = {
        "case": case,
        "groups": groups,
        "page": page,
        "paged": paged,
        "outline": capability_pages(capabilities, counts, REVIEW_PAGE_SIZE) if paged else [],
        "evidence_count": page.paginator.count,
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
    target = _thread_page(case, evidence, request.POST.get("next") or "")
    if not form.is_valid():
        messages.error(request, "Choose a response and write a message.")
        return redirect(target)
    thread = f"{target}#thread-{evidence.pk}"

    send = feedback_sender(
        request, evidence, form, said="Your message is in the thread.", then=thread
    )
    try:
        return redirect(save_once(request, send))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread)


def _thread_page(case, evidence, back: str) -> str:
    """Where the message was written, when it is one of the pages showing the item's thread (the
    item's own, or a page of the review); the item's page otherwise."""
    review = reverse("reviews:case_review", args=[case.pk])
    page = back.removeprefix(f"{review}?page=")
    if back == review or (page != back and page.isdigit()):
        return back
    return evidence.get_absolute_url()
