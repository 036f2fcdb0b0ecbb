"""A case's own pages: its overview, narrative, history, packet and committee brief, and the
Markdown preview."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.downloads import as_download
from reviews import cycle_pages, drafts, services
from reviews.case_writes import Part, refusal
from reviews.forms import NarrativeForm
from reviews.history import case_history as case_history_rows
from reviews.markdown import render_markdown
from reviews.packets.brief import brief_context
from reviews.packets.build import build_packet
from reviews.readiness.heatstrip import render_heat_strip
from reviews.readiness.months import calendar_months
from reviews.readiness.snapshots import readiness_of
from reviews.views import case_page
from reviews.views.common import get_case, get_writable_case, readable_cases
from reviews.views.lists import item_rows
from reviews.words import gaps, time_at_level


@require_GET
@login_required
def case_detail(request, case_id):
    today = clock.today()
    case = get_object_or_404(
        readable_cases(request)
        .for_page()
        .with_snapshot(today, report=True)
        .with_time_at_level()
        .with_level_history()
        .with_standing()
        .annotate(draft_rows=drafts.drafts_column(request.user)),
        pk=case_id,
    )
    standing = cycle_pages.standing_of(case)
    readiness = readiness_of([case], today)[case.pk]
    evidence = case_page.evidence_summary(
        case, latest=5, window=(readiness.window_start, readiness.as_of)
    )
    can_write = request.user.has_perm("reviews.write_evidence", case)
    feedback = case_page.page_feedback(case, 5)
    context = {
        "case": case,
        "readiness": readiness,
        # A closed case has nothing left to work on.
        "flags": [gap.sentence for gap in gaps(readiness)] if case.is_open else [],
        "decision": case_page.decision_of(case),
        "cards": case_page.capability_cards(
            case_page.guide_outline(case), readiness, evidence.covered
        ),
        "recent": item_rows(evidence.latest),
        "latest_feedback": feedback.latest,
        "latest_sign_off": case_page.latest_sign_off(case),
        "can_sign": request.user.has_perm("reviews.sign_off", case) and case.is_open,
        "evidence_count": evidence.total,
        "can_write": can_write,
        "waiting_for_reply": feedback.waiting if can_write else [],
        "time_at_level": time_at_level(case.candidate_level, case.candidate_level_since, today),
        "level_history": case_page.level_steps(case.candidate_levels),
        "standing": standing,
        "nominate_to": cycle_pages.nominable_to(case, request.user, standing),
        "months_in_window": min(
            readiness.window_months, calendar_months(case.opened_on, readiness.as_of)
        ),
    }
    return render(request, "reviews/case_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def narrative_edit(request, case_id):
    case = get_writable_case(request, case_id)
    if message := refusal(case, Part.NARRATIVE):
        messages.error(request, message)
        return redirect(case)
    form = NarrativeForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_narrative(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Narrative saved.")
        return redirect(case)
    return render(request, "reviews/narrative_edit.html", {"case": case, "form": form})


@require_POST
@login_required
def markdown_preview(request):
    return HttpResponse(render_markdown(request.POST.get("text", "")[:20_000]))


@require_GET
@login_required
def case_history(request, case_id):
    case = get_case(request, case_id)
    if not request.user.has_perm("reviews.view_history", case):
        raise PermissionDenied("The history is for the sponsor and the people team.")
    return render(
        request, "reviews/case_history.html", {"case": case, "rows": case_history_rows(case)}
    )


def _packet_case(request, case_id):
    """The case whose packet or brief is asked for, if this person may read its packet (a
    panellist too, for the cycle's cases they have no conflict on): both are downloaded alike."""
    return get_object_or_404(readable_cases(request).with_people().with_level_history(), pk=case_id)


@require_GET
@login_required
def packet_download(request, case_id, fmt):
    """One case's packet, for anyone who may see the case."""
    case = _packet_case(request, case_id)
    name = f"packet-{case.candidate.username}-{case.pk}"
    if fmt == "json":
        body = json.dumps(build_packet(case), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        # Typst loads with the first PDF, not with every process.
        from reviews.packets.pdf import render_packet_pdf

        response = HttpResponse(render_packet_pdf(case), content_type="application/pdf")
    return as_download(response, f"{name}.{fmt}")


@require_GET
@login_required
def case_brief(request, case_id):
    """The committee brief of a case, on screen."""
    case = _packet_case(request, case_id)
    brief = brief_context(case, reader=request.user)
    context = {
        "case": case,
        "brief": brief,
        "readiness": brief["readiness"],
        "heat_strip": render_heat_strip(brief["readiness"]),
    }
    return render(request, "reviews/brief.html", context)


@require_GET
@login_required
def case_brief_pdf(request, case_id):
    """The committee brief of a case, as a PDF of at most two A4 pages."""
    case = _packet_case(request, case_id)
    # Typst loads with the first PDF, not with every process.
    from reviews.packets.pdf import render_brief_pdf

    response = HttpResponse(
        render_brief_pdf(case, reader=request.user), content_type="application/pdf"
    )
    return as_download(response, f"brief-{case.candidate.username}-{case.pk}.pdf")
