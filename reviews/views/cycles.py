"""Promotion cycles: HR's pages (the cycles, a new one, one cycle with its nominations and panel,
its next move), the sponsor's nomination from the case page, and the panellist's own cycles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core import clock
from reviews import cycle_pages, cycles
from reviews.cycle_forms import CycleForm, NominationForm, PanelForm
from reviews.models import Cycle
from reviews.roles import request_roles
from reviews.views.common import add_errors, get_case, require_hr


def _cycle(request, pk: int) -> Cycle:
    require_hr(request)
    return get_object_or_404(cycle_pages.cycle_for_page(pk))


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@require_GET
@login_required
def cycle_list(request):
    require_hr(request)
    return render(
        request, "reviews/cycles/cycle_list.html", {"cycles": cycle_pages.cycles_listed()}
    )


@require_http_methods(["GET", "POST"])
@login_required
def cycle_create(request):
    require_hr(request)
    # Bound on every POST, an empty one too, so that it is refused field by field.
    form = CycleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycles.create_cycle(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{cycle.name} is open for nominations.")
            return redirect("cycles:cycle_detail", cycle.pk)
    return render(request, "reviews/cycles/cycle_create.html", {"form": form})


@require_GET
@login_required
def cycle_detail(request, pk):
    cycle = _cycle(request, pk)
    return render(
        request, "reviews/cycles/cycle_detail.html", _detail(cycle, NominationForm(cycle=cycle))
    )


def _detail(cycle: Cycle, nomination_form) -> dict:
    panel = cycle_pages.panel_of(cycle)
    step = cycles.next_state(cycle.state)
    return {
        "cycle": cycle,
        "moves": cycle_pages.move_lines(cycle),
        "rows": cycle_pages.nomination_rows(cycle, panel, clock.today()),
        "panel": panel,
        "next_state": Cycle.State(step) if step else None,
        "published_elsewhere": cycles.PUBLISHED_ELSEWHERE,
        "nomination_form": nomination_form if cycle.state == Cycle.State.NOMINATING else None,
    }


@require_http_methods(["GET", "POST"])
@login_required
def cycle_move(request, pk):
    """The next move, confirmed on its own page."""
    cycle = _cycle(request, pk)
    step = cycles.next_state(cycle.state)
    if step is None:
        raise Http404
    if request.method == "POST":
        try:
            cycles.move_cycle(
                cycle=cycle, to_state=request.POST.get("to_state", ""), by=request.user
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, f"{cycle.name} moved to “{Cycle.State(step).label}”.")
        return redirect("cycles:cycle_detail", cycle.pk)
    context = {
        "cycle": cycle,
        "next_state": Cycle.State(step),
        "published_elsewhere": cycles.PUBLISHED_ELSEWHERE,
    }
    return render(request, "reviews/cycles/cycle_move.html", context)


@require_POST
@login_required
def cycle_nominate(request, pk):
    """HR's nomination of a case, with its reason."""
    cycle = _cycle(request, pk)
    form = NominationForm(request.POST, cycle=cycle)
    if form.is_valid():
        case = form.cleaned_data["case"]
        try:
            cycles.nominate(
                case=case, cycle=cycle, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"{case.candidate.display_name}’s case is nominated to {cycle.name}."
            )
            return redirect("cycles:cycle_detail", cycle.pk)
    return render(request, "reviews/cycles/cycle_detail.html", _detail(cycle, form))


@require_http_methods(["GET", "POST"])
@login_required
def cycle_panel(request, pk):
    cycle = _cycle(request, pk)
    form = PanelForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            cycles.appoint(cycle=cycle, user=user, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{user.display_name} is on the panel of {cycle.name}.")
            return redirect("cycles:cycle_panel", cycle.pk)
    context = {
        "cycle": cycle,
        "panel": cycle_pages.panel_of(cycle),
        "form": form,
        "may_change": cycle.state in cycles.PANEL_STATES,
        "panel_fixed": cycles.PANEL_FIXED,
    }
    return render(request, "reviews/cycles/cycle_panel.html", context)


@require_POST
@login_required
def panel_remove(request, pk, user_id):
    cycle = _cycle(request, pk)
    user = get_object_or_404(User, pk=user_id, panel_seats__cycle=cycle)
    try:
        cycles.remove_from_panel(cycle=cycle, user=user, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{user.display_name} is no longer on the panel.")
    return redirect("cycles:cycle_panel", cycle.pk)


@require_http_methods(["GET", "POST"])
@login_required
def case_nominate(request, case_id, cycle_id):
    """The sponsor's nomination from the case page: confirmed on this page, then made."""
    case = get_case(request, case_id)
    if case.sponsor_id != request.user.pk:
        raise PermissionDenied("Only the case's sponsor nominates it from here.")
    cycle = get_object_or_404(
        Cycle, pk=cycle_id, state=Cycle.State.NOMINATING, guides=case.guide_id
    )
    if request.method == "POST":
        try:
            cycles.nominate(case=case, cycle=cycle, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, f"Nominated to {cycle.name}.")
        return redirect(case)
    return render(request, "reviews/cycles/case_nominate.html", {"case": case, "cycle": cycle})


@require_GET
@login_required
def panel_home(request):
    """A panellist's cycles: the cases they score and, apart, those they are excluded from."""
    if not request_roles(request).panellist:
        raise Http404
    context = {"cycles": cycle_pages.panel_cycles(request.user)}
    return render(request, "reviews/cycles/panel_home.html", context)
