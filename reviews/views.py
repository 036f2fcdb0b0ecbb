import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pghistory.models import MiddlewareEvents

from core import clock
from guides.models import Indicator
from reviews import case_page, exports, services
from reviews.dashboard import dashboard_context
from reviews.filters import filter_cases
from reviews.forms import (
    CaseFilterForm,
    CaseForm,
    CheckInForm,
    DecisionForm,
    EvidenceFilterForm,
    EvidenceForm,
    FeedbackForm,
    NarrativeForm,
    PacketUploadForm,
    SignOffForm,
    SponsorForm,
)
from reviews.heatstrip import heat_strip_table, render_heat_strip
from reviews.lists import case_rows
from reviews.markdown import render_markdown
from reviews.models import Answer, Attachment, Case, Decision, Feedback
from reviews.packet_import import PacketRefused, import_packet_file
from reviews.packets import build_packet
from reviews.progress import case_readiness, readiness_summaries
from reviews.readiness import Readiness
from reviews.uploads import UploadRefused

EVIDENCE_PAGE_SIZE = 25
FEEDBACK_KINDS = [(kind.value, kind.label) for kind in Feedback.SPONSOR_KINDS] + [
    (Feedback.Kind.REPLY.value, Feedback.Kind.REPLY.label)
]
FLAG_SENTENCES = {
    "stale": "No evidence in the last 60 days.",
    "lopsided": "Evidence is lopsided: one capability has far more items than another.",
}


def _get_case(request, case_id: int) -> Case:
    """The case if this person may see it; a 404 otherwise, so outsiders learn nothing."""
    return get_object_or_404(Case.objects.visible_to(request.user).with_people(), pk=case_id)


def _get_writable_case(request, case_id: int) -> Case:
    case = _get_case(request, case_id)
    if not request.user.has_perm("reviews.write_evidence", case):
        raise PermissionDenied("Only the candidate can change their own evidence.")
    return case


def _evidence_queryset(case: Case):
    return (
        case.evidence.select_related("capability")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
            "attachments",
        )
        .order_by("-date", "-id")
    )


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the fields it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, error)


def _flag_sentences(readiness: Readiness) -> list[str]:
    if readiness.status == "not_started":
        # Every capability is thin before the first item; one sentence says it better than four.
        return ["No evidence yet, so every capability is still thin."]
    titles = {c.number: c.title for c in readiness.capabilities}
    sentences = []
    for flag in readiness.flags:
        if flag.startswith("thin:"):
            number = int(flag.split(":", 1)[1])
            sentences.append(
                f"Thin evidence for “{titles[number]}”: "
                "fewer than half of its indicators are shown in the window."
            )
        else:
            sentences.append(FLAG_SENTENCES[flag])
    return sentences


@require_GET
@login_required
def dashboard(request):
    """Every case this person sponsors, with readiness over time."""
    return render(request, "reviews/dashboard.html", dashboard_context(request.user, request.GET))


CASE_PAGE_SIZE = 50
# An import's problems shown on the page; the rest are counted.
SHOWN_PROBLEMS = 50


def _require_hr(request) -> None:
    if not request.user.has_perm("reviews.open_case"):
        raise Http404


@require_GET
@login_required
def case_list(request):
    _require_hr(request)
    filters = CaseFilterForm(request.GET or None)
    cases = Case.objects.visible_to(request.user).for_lists().order_by("-opened_on", "-id")
    if filters.is_valid():
        cases = filter_cases(cases, filters.cleaned_data)
    page = Paginator(cases, CASE_PAGE_SIZE).get_page(request.GET.get("page"))
    readiness = readiness_summaries(page.object_list)
    rows = case_rows(page.object_list, readiness)
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
    _require_hr(request)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(**form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Case opened for {case.candidate.display_name}.")
            return redirect(case)
    return render(request, "reviews/case_create.html", {"form": form})


@require_GET
@login_required
def case_detail(request, case_id):
    case = get_object_or_404(
        case_page.cases_for_pages(Case.objects.visible_to(request.user)), pk=case_id
    )
    readiness = case_readiness(case)
    evidence = case_page.evidence_summary(
        case, latest=5, window=(readiness_window_start(readiness), readiness.as_of)
    )
    latest_sign_off = (
        case.sign_offs.select_related("signer")
        .only(*case_page.SIGN_OFF_COLUMNS)
        .order_by("-created_at", "-id")
        .first()
    )
    context = {
        "case": case,
        "readiness": readiness,
        "flags": _flag_sentences(readiness),
        # render_heat_strip escapes every text it draws, so its SVG can go in as it is.
        "heat_strip": mark_safe(render_heat_strip(readiness)),  # noqa: S308
        "heat_table": case_page.heat_table_html(heat_strip_table(readiness)),
        "cards": case_page.capability_cards(
            case_page.guide_outline(case.guide), readiness, evidence.covered
        ),
        "recent": evidence.latest,
        "latest_feedback": case_page.latest_feedback(case, 5),
        "latest_sign_off": latest_sign_off,
        "can_sign": request.user.has_perm("reviews.sign_off", case) and case.is_open,
        "evidence_count": evidence.total,
        "can_write": request.user.has_perm("reviews.write_evidence", case),
        "months_in_window": min(
            readiness.window_months, months_between(case.opened_on, readiness.as_of)
        ),
    }
    return render(request, "reviews/case_detail.html", context)


def readiness_window_start(readiness: Readiness) -> datetime.date:
    year, month = (int(part) for part in readiness.blocks[0][0].split("-"))
    return datetime.date(year, month, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


@require_http_methods(["GET", "POST"])
@login_required
def narrative_edit(request, case_id):
    case = _get_writable_case(request, case_id)
    if not case.is_open:
        messages.error(
            request, "This case is no longer open, so its narrative can no longer change."
        )
        return redirect(case)
    form = NarrativeForm(request.POST or None, initial={"narrative": case.narrative})
    if request.method == "POST" and form.is_valid():
        case.narrative = form.cleaned_data["narrative"]
        case.save(update_fields=["narrative"])
        messages.success(request, "Narrative saved.")
        return redirect(case)
    return render(request, "reviews/narrative_edit.html", {"case": case, "form": form})


@require_GET
@login_required
def evidence_list(request, case_id):
    case = get_object_or_404(
        case_page.cases_for_pages(Case.objects.visible_to(request.user)).defer("narrative"),
        pk=case_id,
    )
    filters = EvidenceFilterForm(
        request.GET or None,
        capabilities=case_page.guide_outline(case.guide),
    )
    items = case.evidence.order_by("-date", "-id")
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
    page = Paginator(case_page.evidence_rows(items), EVIDENCE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = case_page.to_rows(page.object_list, case.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "case": case,
        "filters": filters,
        "capability_select": case_page.select_html(filters["capability"]),
        "indicator_select": case_page.select_html(filters["indicator"]),
        "page": page,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "can_write": request.user.has_perm("reviews.write_evidence", case),
    }
    return render(request, "reviews/evidence_list.html", context)


@require_GET
@login_required
def evidence_detail(request, case_id, evidence_id):
    case = _get_case(request, case_id)
    evidence = get_object_or_404(
        _evidence_queryset(case).prefetch_related(_feedback_prefetch()), pk=evidence_id
    )
    context = {
        "case": case,
        "evidence": evidence,
        "item": evidence,
        "feedback_kinds": FEEDBACK_KINDS,
        "can_write": request.user.has_perm("reviews.write_evidence", case) and case.is_open,
    }
    return render(request, "reviews/evidence_detail.html", context)


def _evidence_form_view(request, case, evidence=None):
    if not case.is_open:
        messages.error(request, services.locked_message(case))
        return redirect(case)
    initial = None
    if evidence is not None:
        initial = {
            "capability": evidence.capability,
            "indicators": list(evidence.indicators.all()),
            "title": evidence.title,
            "date": evidence.date,
            "summary": evidence.summary,
            "outcome": evidence.outcome,
            "links": "\n".join(evidence.links),
        }
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        evidence=evidence,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
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
                new_files=services.read_uploads(data["attachments"]),
                remove_attachments=list(data.get("remove_attachments") or []),
            )
        except UploadRefused as refused:
            form.add_error("attachments", str(refused))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"Saved “{saved.title}”." if evidence else f"Logged “{saved.title}”."
            )
            return redirect(saved)
    context = {"case": case, "form": form, "evidence": evidence}
    return render(request, "reviews/evidence_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def evidence_create(request, case_id):
    return _evidence_form_view(request, _get_writable_case(request, case_id))


@require_http_methods(["GET", "POST"])
@login_required
def evidence_edit(request, case_id, evidence_id):
    case = _get_writable_case(request, case_id)
    evidence = get_object_or_404(case.evidence.prefetch_related("indicators"), pk=evidence_id)
    return _evidence_form_view(request, case, evidence)


@require_http_methods(["GET", "POST"])
@login_required
def evidence_delete(request, case_id, evidence_id):
    case = _get_writable_case(request, case_id)
    evidence = get_object_or_404(case.evidence, pk=evidence_id)
    if not case.is_open:
        messages.error(request, services.locked_message(case))
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
    case = _get_case(request, case_id)
    attachment = get_object_or_404(
        Attachment, pk=attachment_id, evidence_id=evidence_id, evidence__case=case
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def check_in_list(request, case_id):
    case = _get_case(request, case_id)
    questions = list(case.guide.questions.all())
    check_ins = list(
        case.check_ins.prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("question__position"))
        )
        .annotate(yes_count=Count("answers", filter=Q(answers__value=Answer.Value.YES)))
        # Meta.ordering does not apply to a query with GROUP BY: without this the columns came in
        # whatever order the table happened to hold them.
        .order_by("date", "id")
    )
    rows = []
    for question in questions:
        cells = []
        for check_in in check_ins:
            answer = next((a for a in check_in.answers.all() if a.question_id == question.pk), None)
            cells.append(answer)
        rows.append((question, cells))
    context = {
        "case": case,
        "questions": questions,
        "check_ins": check_ins,
        "rows": rows,
        "trend": [(c.date, c.yes_count, len(questions)) for c in check_ins],
        "can_write": request.user.has_perm("reviews.write_evidence", case) and case.is_open,
    }
    return render(request, "reviews/check_in_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def check_in_create(request, case_id):
    case = _get_writable_case(request, case_id)
    if not case.is_open:
        messages.error(request, "Check-ins can only be taken while the case is open.")
        return redirect(case)
    form = CheckInForm(request.POST or None, questions=case.guide.questions.all())
    if request.method == "POST" and form.is_valid():
        try:
            check_in = services.record_check_in(
                case=case, date=form.cleaned_data["date"], answers=form.answers()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Check-in of {check_in.date:%-d %B %Y} saved.")
            return redirect("reviews:check_in_list", case.pk)
    return render(request, "reviews/check_in_form.html", {"case": case, "form": form})


@require_POST
@login_required
def markdown_preview(request):
    return HttpResponse(render_markdown(request.POST.get("text", "")[:20_000]))


def _feedback_prefetch():
    return Prefetch(
        "feedback", queryset=Feedback.objects.select_related("author").order_by("created_at", "id")
    )


@require_GET
@login_required
def case_review(request, case_id):
    """Evidence grouped by capability and indicator, each item with its feedback thread."""
    case = _get_case(request, case_id)
    capabilities = list(case.guide.capabilities.prefetch_related("indicators"))
    items = list(_evidence_queryset(case).prefetch_related(_feedback_prefetch()))
    groups = []
    for capability in capabilities:
        mine = [item for item in items if item.capability_id == capability.pk]
        by_indicator = [
            (indicator, [i for i in mine if indicator in i.indicators.all()])
            for indicator in capability.indicators.all()
        ]
        untagged = [item for item in mine if not item.indicators.all()]
        groups.append({"capability": capability, "indicators": by_indicator, "untagged": untagged})
    context = {
        "case": case,
        "groups": groups,
        "evidence_count": len(items),
        "feedback_kinds": FEEDBACK_KINDS,
    }
    return render(request, "reviews/case_review.html", context)


@require_POST
@login_required
def feedback_create(request, case_id, evidence_id):
    case = _get_case(request, case_id)
    if not request.user.has_perm("reviews.reply", case):
        raise PermissionDenied("Only the candidate and the sponsor take part in the thread.")
    evidence = get_object_or_404(case.evidence.select_related("case"), pk=evidence_id)
    form = FeedbackForm(request.POST, sponsor=request.user.has_perm("reviews.give_verdict", case))
    back = request.POST.get("next")
    target = back if back in _thread_pages(case, evidence) else evidence.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Choose a response and write a message.")
        return redirect(target)
    try:
        services.give_feedback(
            evidence=evidence,
            author=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your message is in the thread.")
    return redirect(f"{target}#thread-{evidence.pk}")


def _thread_pages(case, evidence) -> set[str]:
    return {
        evidence.get_absolute_url(),
        reverse("reviews:case_review", args=[case.pk]),
    }


@require_http_methods(["GET", "POST"])
@login_required
def sign_off_create(request, case_id):
    case = _get_case(request, case_id)
    if not request.user.has_perm("reviews.sign_off", case):
        raise PermissionDenied("Only the case's sponsor can sign it off.")
    readiness = case_readiness(case)
    sign_offs = list(case.sign_offs.select_related("signer"))
    form = SignOffForm(request.POST or None, initial={"expected_sign_offs": len(sign_offs)})
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problem = services.override_problem(
            readiness.status, data["decision"], data["override_reason"]
        )
        if problem:
            form.add_error("override_reason", problem)
        elif request.POST.get("confirm") != "yes":
            confirming = True
        else:
            try:
                signed = services.sign_off(case=case, signer=request.user, **data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    _add_errors(form, error)
                else:
                    messages.error(request, " ".join(error.messages))
                    return redirect("reviews:sign_off_create", case.pk)
            else:
                messages.success(
                    request,
                    "Signed off as ready. The case is now locked."
                    if signed.decision == "ready"
                    else "Signed off as not ready yet. The case stays open.",
                )
                return redirect(case)
    context = {
        "case": case,
        "form": form,
        "readiness": readiness,
        "sign_offs": sign_offs,
        "confirming": confirming,
        "can_sign": case.is_open,
    }
    return render(request, "reviews/sign_off.html", context)


@require_GET
@login_required
def case_history(request, case_id):
    case = _get_case(request, case_id)
    if not request.user.has_perm("reviews.view_history", case):
        raise PermissionDenied("The history is for the sponsor and the people team.")
    events = list(
        MiddlewareEvents.objects.references(case)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:200]
    )
    rows = [_history_row(event) for event in events]
    return render(request, "reviews/case_history.html", {"case": case, "rows": rows})


HISTORY_HIDDEN_FIELDS = {"id", "pgh_obj", "pgh_obj_id", "pgh_context", "pgh_created_at"}


def _history_row(event) -> dict:
    model = event.pgh_model.rsplit(".", 1)[-1].removesuffix("Event").lower()
    label = {"insert": "created", "update": "changed", "delete": "deleted"}.get(
        event.pgh_label, event.pgh_label
    )
    data = event.pgh_data or {}
    if event.pgh_label == "update" and event.pgh_diff:
        changes = [
            (field, before, after)
            for field, (before, after) in event.pgh_diff.items()
            if field not in HISTORY_HIDDEN_FIELDS
        ]
    else:
        changes = []
    what = data.get("title") or data.get("kind") or data.get("status") or ""
    return {
        "at": event.pgh_created_at,
        "who": event.user.display_name if event.user else "the system",
        "model": model,
        "label": label,
        "what": what,
        "changes": changes,
    }


@require_http_methods(["GET", "POST"])
@login_required
def case_manage(request, case_id):
    """HR's actions on one case: reassign the sponsor, withdraw, record the decision."""
    _require_hr(request)
    case = _get_case(request, case_id)
    action = request.POST.get("action")
    sponsor_form = SponsorForm(
        request.POST if action == "sponsor" else None, initial={"sponsor": case.sponsor}
    )
    decision_form = DecisionForm(request.POST if action == "decision" else None)
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
        done = _attempt(
            decision_form,
            lambda: services.record_decision(
                case=case, decided_by=request.user, **decision_form.cleaned_data
            ),
        )
        if done:
            messages.success(request, f"Decision recorded: {done.get_outcome_display()}.")
    if done:
        return redirect("reviews:case_manage", case.pk)
    context = {
        "case": case,
        "sponsor_form": sponsor_form,
        "decision_form": decision_form,
        "decision": Decision.objects.filter(case=case).select_related("decided_by").first(),
        "sign_offs": list(case.sign_offs.select_related("signer")),
    }
    return render(request, "reviews/case_manage.html", context)


def _attempt(form, action):
    """Run a service; its refusal goes onto the form and the result is None."""
    try:
        return action()
    except ValidationError as error:
        _add_errors(form, error)
        return None


@require_GET
@login_required
def packet_download(request, case_id, fmt):
    """One case's packet, for anyone who may see the case."""
    case = _get_case(request, case_id)
    name = f"packet-{case.candidate.username}-{case.pk}"
    if fmt == "json":
        body = json.dumps(build_packet(case), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        # WeasyPrint (most of a second to import) loads with the first PDF, not with every process.
        from reviews.packet_pdf import render_packet_pdf

        response = HttpResponse(render_packet_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _hr_filtered_cases(request):
    filters = CaseFilterForm(request.GET or None)
    cases = Case.objects.visible_to(request.user).with_people().order_by("-opened_on", "-id")
    if filters.is_valid():
        cases = filter_cases(cases, filters.cleaned_data)
    return cases


@require_GET
@login_required
def cycle_export(request, kind):
    """The filtered case list as one download: packets in a ZIP, or spreadsheets."""
    _require_hr(request)
    cases = _hr_filtered_cases(request)
    stamp = clock.today().isoformat()
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
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def case_import(request):
    """HR uploads a packet JSON to open a case from it; a bad file is refused whole."""
    _require_hr(request)
    # Bound on every POST, so that one without a file is told the file is missing.
    posted = request.method == "POST"
    form = PacketUploadForm(request.POST if posted else None, request.FILES if posted else None)
    problems = []
    if posted and form.is_valid():
        upload = form.cleaned_data["packet"]
        try:
            case = import_packet_file(upload.read(), imported_by=request.user)
        except PacketRefused as refused:
            problems = refused.problems
        else:
            messages.success(
                request, f"Imported a case for {case.candidate.display_name} from the packet."
            )
            return redirect(case)
    context = {
        "form": form,
        "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems),
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
    }
    return render(request, "reviews/case_import.html", context)
