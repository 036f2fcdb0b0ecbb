"""HR's pages: every case, opening one, managing one, importing one, and exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core import clock
from core.downloads import as_download
from reviews import services
from reviews.hr_forms import CaseForm, DecisionForm, PacketUploadForm, SponsorForm
from reviews.models import Decision
from reviews.once import save_once
from reviews.packets import exports
from reviews.packets.importing import (
    LinkingNeedsConfirmation,
    PacketRefused,
    import_packet_file,
    linking_token,
)
from reviews.packets.jobs import STREAM_AT_MOST
from reviews.readiness.snapshots import summaries_of
from reviews.views.common import add_errors, get_case, require_hr, visible_cases
from reviews.views.exports import confirm_export
from reviews.views.filters import CaseFilterForm, FilteredCases, filter_cases, hr_filtered_cases
from reviews.views.lists import case_rows
from reviews.words import linked_sentences

CASE_PAGE_SIZE = 50
# An import's problems shown on the page; the rest are counted.
SHOWN_PROBLEMS = 50


@require_GET
@login_required
def case_list(request):
    require_hr(request)
    today = clock.today()
    filters = CaseFilterForm(request.GET or None)
    found = FilteredCases(visible_cases(request))
    if filters.is_valid():
        found = filter_cases(found.cases, filters.cleaned_data, as_of=today)
    cases = (
        found.cases.for_hr_list()
        .with_snapshot(today)
        .with_time_at_level()
        .order_by("-opened_on", "-id")
    )
    page = Paginator(cases, CASE_PAGE_SIZE).get_page(request.GET.get("page"))
    readiness = summaries_of(page.object_list, today, computed=found.computed)
    rows = case_rows(page.object_list, readiness, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "reviews/case_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def case_create(request):
    require_hr(request)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(**form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Case opened for {case.candidate.display_name}.")
            return redirect(case)
    return render(request, "reviews/case_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def case_manage(request, case_id):
    """HR's actions on one case: reassign the sponsor, withdraw, record the decision."""
    require_hr(request)
    case = get_case(request, case_id)
    action = request.POST.get("action")
    sponsor_form = SponsorForm(request.POST if action == "sponsor" else None, instance=case)
    decision_form = DecisionForm(
        request.POST if action == "decision" else None, case=case, decided_by=request.user
    )
    done = None
    if action == "withdraw":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the withdrawal.")
            return redirect("reviews:case_manage", case.pk)
        try:
            services.withdraw_case(case=case)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Case withdrawn.")
        return redirect("reviews:case_manage", case.pk)
    if action == "sponsor" and sponsor_form.is_valid():
        done = _attempt(
            sponsor_form,
            lambda: services.reassign_sponsor(case=case, **sponsor_form.cleaned_data),
        )
        if done:
            messages.success(request, f"Sponsor is now {done.sponsor.display_name}.")
    if action == "decision" and decision_form.is_valid():
        decided = _attempt(
            decision_form, lambda: save_once(request, lambda: _decide(request, case, decision_form))
        )
        if decided:
            return redirect(decided)
    if done:
        return redirect("reviews:case_manage", case.pk)
    context = {
        "case": case,
        "sponsor_form": sponsor_form,
        "decision_form": decision_form,
        "decision": Decision.objects.filter(case=case).select_related("decided_by").first(),
        "may_decide": request.user.has_perm("reviews.record_decision", case),
        "own_decision": services.OWN_DECISION,
        "sign_offs": list(case.sign_offs.select_related("signer")),
    }
    return render(request, "reviews/case_manage.html", context)


def _decide(request, case, form) -> str:
    data = {key: form.cleaned_data[key] for key in ("outcome", "effective_date", "note")}
    decision = services.record_decision(case=case, decided_by=request.user, **data)
    messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
    return reverse("reviews:case_manage", args=[case.pk])


def _attempt(form, action):
    """Run a service; its refusal goes onto the form and the result is None."""
    try:
        return action()
    except ValidationError as error:
        add_errors(form, error)
        return None


@require_GET
@login_required
def cycle_export(request, kind):
    """The filtered case list as one download: packets in a ZIP, or spreadsheets. A ZIP of more
    than a few cases is offered as a background job instead (reviews/views/exports.py)."""
    require_hr(request)
    cases = hr_filtered_cases(request)
    stamp = clock.today().isoformat()
    if kind == "zip" and cases.count() > STREAM_AT_MOST:
        return confirm_export(request, cases)
    if kind == "zip":
        response = StreamingHttpResponse(exports.cycle_zip(cases), content_type="application/zip")
        filename = f"promotion-packets-{stamp}.zip"
    elif kind == "xlsx":
        response = HttpResponse(
            exports.write_xlsx(
                {
                    "Cases": (exports.CASE_COLUMNS, exports.case_rows(cases)),
                    "Evidence": (exports.EVIDENCE_COLUMNS, exports.evidence_rows(cases)),
                }
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"promotion-cases-{stamp}.xlsx"
    else:
        rows, header = (
            (exports.case_rows(cases), exports.CASE_COLUMNS)
            if kind == "cases-csv"
            else (exports.evidence_rows(cases), exports.EVIDENCE_COLUMNS)
        )
        response = StreamingHttpResponse(
            exports.write_csv(rows, header), content_type="text/csv; charset=utf-8"
        )
        filename = f"promotion-{kind.removesuffix('-csv')}-{stamp}.csv"
    return as_download(response, filename)


@require_http_methods(["GET", "POST"])
@login_required
def case_import(request):
    """HR uploads a packet JSON to open a case from it; a bad file is refused whole. A file
    naming people who are here already is imported on a second upload of it, once HR has seen
    who they are and ticked the box."""
    require_hr(request)
    # Bound on every POST, so that one without a file is told the file is missing.
    posted = request.method == "POST"
    form = PacketUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        confirming=bool(request.POST.get("confirmation")),
    )
    problems, linking, not_ticked = [], None, False
    if posted and form.is_valid():
        raw = form.cleaned_data["packet"].read()
        ticked = form.cleaned_data.get("link_existing", False)
        try:
            case = import_packet_file(
                raw=raw,
                by=request.user,
                confirmation=form.cleaned_data["confirmation"] if ticked else "",
            )
        except PacketRefused as refused:
            problems = refused.problems
        except LinkingNeedsConfirmation as needed:
            token = linking_token(raw, needed.linked)
            not_ticked = form.cleaned_data["confirmation"] == token and not ticked
            # A fresh form: the token is of this file and these people; HR alone ticks the box.
            form = PacketUploadForm(initial={"confirmation": token}, confirming=True)
            linking = linked_sentences(needed.linked)
        else:
            messages.success(
                request, f"Imported a case for {case.candidate.display_name} from the packet."
            )
            for sentence in case.left_behind:
                messages.info(request, sentence)
            return redirect(case)
    context = {
        "form": form,
        "linking": linking,
        "not_ticked": not_ticked,
        "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems),
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
    }
    return render(request, "reviews/case_import.html", context)
