"""A case's evidence: the list, one item, logging and editing it, and its files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import as_download
from reviews import drafts, services
from reviews.case_writes import CaseNotOpen, Part, refusal
from reviews.forms import EvidenceForm
from reviews.models import Attachment
from reviews.once import save_once
from reviews.stars import star_evidence
from reviews.uploads import UploadRefused
from reviews.views import case_page
from reviews.views.common import (
    FEEDBACK_KINDS,
    add_errors,
    get_readable_case,
    get_writable_case,
    readable_cases,
)
from reviews.views.filters import EvidenceFilterForm
from reviews.views.lists import item_rows

EVIDENCE_PAGE_SIZE = 25


@require_GET
@login_required
def evidence_list(request, case_id):
    case = get_object_or_404(readable_cases(request).for_page(), pk=case_id)
    filters = EvidenceFilterForm(request.GET or None, capabilities=case_page.guide_outline(case))
    items = case.evidence.as_rows().order_by("-date", "-id")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["capability"]:
            items = items.filter(capability__number=data["capability"])
        if data["indicator"]:
            items = items.filter(indicators=data["indicator"])
        if data["date_from"]:
            items = items.filter(date__gte=data["date_from"])
        if data["date_to"]:
            items = items.filter(date__lte=data["date_to"])
        if data["q"]:
            items = items.filter(
                search=SearchQuery(data["q"], config="english", search_type="websearch")
            )
    page = Paginator(items, EVIDENCE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "case": case,
        "filters": filters,
        "page": page,
        "items": item_rows(page.object_list),
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "can_write": request.user.has_perm("reviews.write_evidence", case),
    }
    return render(request, "reviews/evidence_list.html", context)


@require_GET
@login_required
def evidence_detail(request, case_id, evidence_id):
    case = get_readable_case(request, case_id)
    evidence = get_object_or_404(case.evidence.with_details().with_threads(), pk=evidence_id)
    context = {
        "case": case,
        "evidence": evidence,
        "item": evidence,
        "feedback_kinds": FEEDBACK_KINDS,
        "can_write": request.user.has_perm("reviews.write_evidence", case) and case.is_open,
    }
    return render(request, "reviews/evidence_detail.html", context)


def _evidence_form_view(request, case, evidence=None):
    if message := refusal(case, Part.EVIDENCE):
        messages.error(request, message)
        return redirect(case)
    draft = _draft_of(request, case) if evidence is None else None
    if request.method == "POST" and request.POST.get("action") == "draft" and evidence is None:
        return _keep_draft(request, case, draft)
    if draft is not None and request.method == "GET":
        initial = drafts.initial_of(draft)
    else:
        initial = _chosen_capability(request, case) if evidence is None else None
    removed = set(_ids(request.POST.getlist("remove_kept")))
    kept = [f for f in draft.files.all() if f.pk not in removed] if draft else []
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        instance=evidence,
        initial=initial,
        kept=kept,
    )
    if request.method == "POST" and form.is_valid():
        try:
            return redirect(
                save_once(request, lambda: _save_evidence(request, case, evidence, form, draft))
            )
        except UploadRefused as refused:
            form.add_error("attachments", str(refused))
        except ValidationError as error:
            add_errors(form, error)
    if request.method == "POST" and (request.FILES or kept):
        # Files the form refused as such (too many, too large) are not kept: they are the problem.
        if evidence is None and "attachments" not in form.errors:
            # The form failed: what was typed and the files chosen are kept as a draft, so
            # that the files need not be chosen again.
            draft, refused = _save_draft(request, case, draft)
            kept = list(draft.files.all())
            if kept:
                names = ", ".join(f.original_name for f in kept)
                messages.info(
                    request, f"Your files are kept ({names}): no need to attach them again."
                )
            for problem in refused:
                messages.error(request, f"Not kept, attach it again once fixed: {problem}")
        elif request.FILES:
            messages.error(
                request,
                "The files you chose were not kept: attach them again before saving.",
            )
    context = {"case": case, "form": form, "evidence": evidence, "draft": draft, "kept": kept}
    return render(request, "reviews/evidence_form.html", context)


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _draft_of(request, case):
    """The draft the form continues (`draft` in the query or the form), the candidate's own."""
    pk = request.POST.get("draft") or request.GET.get("draft") or ""
    if not pk.isdigit():
        return None
    return get_object_or_404(case.drafts, pk=int(pk))


def _save_draft(request, case, draft):
    return drafts.save_draft(
        case=case,
        draft=draft,
        data=request.POST,
        uploads=request.FILES.getlist("attachments"),
        remove=_ids(request.POST.getlist("remove_kept")),
    )


def _keep_draft(request, case, draft):
    draft, refused = _save_draft(request, case, draft)
    for problem in refused:
        messages.error(request, f"Not kept: {problem}")
    messages.success(
        request,
        f"Draft “{draft}” saved. It is not evidence yet, and your sponsor does not see it: "
        "finish it from your progress page when you are ready.",
    )
    return redirect(case)


def _chosen_capability(request, case) -> dict:
    """The capability a "Log evidence" link of a capability card chose (`?capability=N`); none
    otherwise, so the candidate picks one rather than finding the first already chosen."""
    number = request.GET.get("capability", "")
    if request.method != "GET" or not number.isdigit():
        return {}
    chosen = case.guide.capabilities.filter(number=int(number)).values_list("pk", flat=True)
    return {"capability": chosen[0]} if chosen else {}


def _save_evidence(request, case, evidence, form, draft=None) -> str:
    data = form.cleaned_data
    saved = services.save_evidence(
        case=case,
        evidence=evidence,
        capability=data["capability"],
        indicators=list(data["indicators"]),
        title=data["title"],
        date=data["date"],
        summary=data["summary"],
        outcome=data["outcome"],
        links=data["links"],
        new_files=[*drafts.uploads_of(form.kept), *services.read_uploads(data["attachments"])],
        remove_attachments=list(data.get("remove_attachments") or []),
    )
    if draft is not None:
        drafts.discard_draft(draft=draft)
    messages.success(request, f"Saved “{saved.title}”." if evidence else f"Logged “{saved.title}”.")
    return saved.get_absolute_url()


@require_http_methods(["GET", "POST"])
@login_required
def evidence_create(request, case_id):
    return _evidence_form_view(request, get_writable_case(request, case_id))


@require_http_methods(["GET", "POST"])
@login_required
def evidence_edit(request, case_id, evidence_id):
    case = get_writable_case(request, case_id)
    evidence = get_object_or_404(case.evidence.prefetch_related("indicators"), pk=evidence_id)
    return _evidence_form_view(request, case, evidence)


@require_http_methods(["GET", "POST"])
@login_required
def evidence_delete(request, case_id, evidence_id):
    case = get_writable_case(request, case_id)
    evidence = get_object_or_404(case.evidence, pk=evidence_id)
    if message := refusal(case, Part.EVIDENCE):
        messages.error(request, message)
        return redirect(case)
    if request.method == "POST":
        try:
            services.delete_evidence(evidence=evidence)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(case)
        messages.success(request, f"Deleted “{evidence.title}”.")
        return redirect("reviews:evidence_list", case.pk)
    return render(request, "reviews/evidence_delete.html", {"case": case, "evidence": evidence})


@require_GET
@login_required
def attachment_download(request, case_id, evidence_id, attachment_id):
    case = get_readable_case(request, case_id)
    attachment = get_object_or_404(
        Attachment, pk=attachment_id, evidence_id=evidence_id, evidence__case=case
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = as_download(
        FileResponse(handle, content_type=attachment.content_type), attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@login_required
def draft_discard(request, case_id, draft_id):
    case = get_writable_case(request, case_id)
    draft = get_object_or_404(case.drafts, pk=draft_id)
    drafts.discard_draft(draft=draft)
    messages.success(request, f"Draft “{draft}” discarded.")
    return redirect(case)


@require_POST
@login_required
def evidence_star(request, case_id, evidence_id):
    """Star or unstar an item as one of the candidate's best, then back to where it was done."""
    case = get_writable_case(request, case_id)
    evidence = get_object_or_404(case.evidence, pk=evidence_id)
    starred = request.POST.get("starred") == "1"
    try:
        saved = star_evidence(evidence=evidence, by=request.user, starred=starred)
    except CaseNotOpen as error:
        messages.error(request, " ".join(error.messages))
        return redirect(case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if starred:
            messages.success(request, f"Starred “{saved.title}” as one of your best items.")
        else:
            messages.success(request, f"Removed the star from “{saved.title}”.")
    return redirect(_star_back(request, case, evidence))


def _star_back(request, case, evidence) -> str:
    """The case page or the evidence list (with its filters and page) the star was given on;
    the item's own page otherwise."""
    back = request.POST.get("next") or ""
    listed = reverse("reviews:evidence_list", args=[case.pk])
    ours = back in (listed, case.get_absolute_url()) or back.startswith(f"{listed}?")
    if ours and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return evidence.get_absolute_url()
