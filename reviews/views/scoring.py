"""The panellist's score sheet, HR's outcomes and publication, and the published outcome of a
case with its appeal. Scores are read only through `scoring.visible_sheets`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from reviews import scoring
from reviews.models import Appeal, Cycle, Nomination, Outcome
from reviews.once import save_once
from reviews.outcomes import by_capability, scale
from reviews.roles import request_roles
from reviews.scoring_forms import AppealAnswerForm, AppealForm, OutcomeForm, ScoreSheetForm
from reviews.views.common import add_errors, get_case, require_hr
from reviews.words import recommendation_label

NOMINATION_PEOPLE = (
    "cycle",
    "case__candidate",
    "case__sponsor",
    "case__guide__from_level",
    "case__guide__to_level",
)


def _capabilities(nomination):
    return list(nomination.case.guide.capabilities.order_by("number"))


def _tally_words(tally) -> str | None:
    return recommendation_label(tally.majority).lower() if tally.majority else None


@require_http_methods(["GET", "POST"])
@login_required
def score_sheet(request, nomination_id):
    """A panellist's scores for one case they may score; nobody else finds the page."""
    nomination = get_object_or_404(
        Nomination.objects.scorable_by(request.user).select_related(*NOMINATION_PEOPLE),
        pk=nomination_id,
    )
    cycle = nomination.cycle
    capabilities = _capabilities(nomination)
    own = scoring.own_sheet(nomination=nomination, user=request.user)
    can_score = cycle.state == Cycle.State.SCORING or (
        cycle.state == Cycle.State.COMMITTEE and own is not None
    )
    initial = {}
    if own is not None:
        initial = {"recommendation": own.recommendation, "reason": own.reason}
        for score in own.scores.all():
            initial[f"value_{score.capability_id}"] = score.value
            initial[f"reason_{score.capability_id}"] = score.reason
    form = ScoreSheetForm(
        request.POST if request.method == "POST" else None,
        capabilities=capabilities,
        initial=initial,
    )
    if request.method == "POST":
        if not can_score:
            messages.error(request, "Scores cannot be given on this case now.")
            return redirect("scoring:score_sheet", nomination.pk)
        if form.is_valid():
            try:
                return redirect(save_once(request, lambda: _submit(request, nomination, form)))
            except ValidationError as error:
                add_errors(form, error)
    others = scoring.visible_sheets(nomination=nomination, user=request.user)
    revealed = scoring.may_see_scores(nomination=nomination, user=request.user)
    context = {
        "nomination": nomination,
        "case": nomination.case,
        "cycle": cycle,
        "form": form,
        "can_score": can_score,
        "own": own,
        "own_rows": by_capability([own], capabilities=capabilities, names=False) if own else [],
        "others": list(others),
        "other_rows": by_capability(others, capabilities=capabilities, names=True),
        "revealed": revealed,
        "tally": scoring.majority(nomination) if revealed else None,
        "scale": scale(),
    }
    return render(request, "reviews/scoring/score_sheet.html", context)


def _submit(request, nomination, form) -> str:
    sheet = scoring.submit_scores(
        nomination=nomination,
        panellist=request.user,
        scores=form.scores(),
        recommendation=form.cleaned_data["recommendation"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request,
        "Your changed scores are saved; the earlier ones are kept too."
        if sheet.supersedes_id
        else "Your scores are saved.",
    )
    return reverse("scoring:score_sheet", args=[nomination.pk])


@require_http_methods(["GET", "POST"])
@login_required
def outcome_record(request, cycle_id, nomination_id):
    """HR records the committee's outcome for a case, beside the panel's scores."""
    require_hr(request)
    nomination = get_object_or_404(
        Nomination.objects.select_related(*NOMINATION_PEOPLE),
        pk=nomination_id,
        cycle_id=cycle_id,
    )
    cycle = nomination.cycle
    capabilities = _capabilities(nomination)
    tally = scoring.majority(nomination)
    sheets = list(scoring.visible_sheets(nomination=nomination, user=request.user))
    own = scoring.own_sheet(nomination=nomination, user=request.user)
    if own is not None and scoring.may_see_scores(nomination=nomination, user=request.user):
        sheets.append(own)
    outcomes = list(
        Outcome.objects.filter(nomination=nomination)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")
    )
    form = OutcomeForm(request.POST or None, majority_words=_tally_words(tally))
    can_record = cycle.state == Cycle.State.COMMITTEE
    if request.method == "POST":
        if not can_record:
            messages.error(request, "Outcomes are recorded while the cycle is in committee.")
            return redirect("scoring:outcome_record", cycle.pk, nomination.pk)
        if form.is_valid():
            try:
                return redirect(save_once(request, lambda: _record(request, nomination, form)))
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as refused:
                messages.error(request, str(refused))
                return redirect("scoring:outcome_record", cycle.pk, nomination.pk)
    context = {
        "nomination": nomination,
        "case": nomination.case,
        "cycle": cycle,
        "form": form,
        "can_record": can_record,
        "tally": tally if sheets else None,
        "majority_words": _tally_words(tally),
        "sheets": sheets,
        "rows": by_capability(sheets, capabilities=capabilities, names=True),
        "outcomes": outcomes,
    }
    return render(request, "reviews/scoring/outcome_record.html", context)


def _record(request, nomination, form) -> str:
    outcome = scoring.record_outcome(
        nomination=nomination,
        result=form.cleaned_data["result"],
        rationale=form.cleaned_data["rationale"],
        justification=form.cleaned_data["justification"],
        by=request.user,
    )
    messages.success(
        request,
        f"Outcome “{outcome.get_result_display()}” recorded for "
        f"{nomination.case.candidate.display_name}.",
    )
    return reverse("scoring:outcome_record", args=[nomination.cycle_id, nomination.pk])


@require_http_methods(["GET", "POST"])
@login_required
def cycle_publish(request, cycle_id):
    """What publishing will make known, then publishing it."""
    require_hr(request)
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if request.method == "POST":
        try:
            scoring.publish_cycle(cycle=cycle, by=request.user)
        except (ValidationError, PermissionDenied) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            messages.success(
                request,
                "The outcomes are published: each candidate and sponsor has been told.",
            )
        return redirect("scoring:cycle_publish", cycle.pk)
    heads = Outcome.objects.current().filter(nomination=OuterRef("pk"))
    nominations = list(
        cycle.nominations.select_related(*NOMINATION_PEOPLE, "appeal")
        .annotate(
            result=Subquery(heads.values("result")[:1]),
            justified=Subquery(heads.values("justification")[:1]),
        )
        .order_by("case__candidate__name", "id")
    )
    for nomination in nominations:
        nomination.result_label = (
            Outcome.Result(nomination.result).label if nomination.result else None
        )
    context = {
        "cycle": cycle,
        "nominations": nominations,
        "missing": [n for n in nominations if n.result is None],
        "appeals": [n for n in nominations if hasattr(n, "appeal")],
        "can_publish": cycle.state == Cycle.State.COMMITTEE,
    }
    return render(request, "reviews/scoring/cycle_publish.html", context)


def _published_nomination(case):
    """The case's nomination in a published cycle (the latest), or None."""
    return (
        case.nominations.filter(cycle__state__in=scoring.PUBLISHED)
        .select_related(*NOMINATION_PEOPLE)
        .order_by("-cycle__published_at", "-id")
        .first()
    )


def _outcome_page(request, case, nomination, *, appeal_form=None, answer_form=None, status=200):
    context = {"case": case, "nomination": nomination}
    if nomination is not None:
        appeal = Appeal.objects.filter(nomination=nomination).select_related("decided_by").first()
        sheets = scoring.visible_sheets(nomination=nomination, user=request.user)
        until = scoring.appeal_until(nomination.cycle)
        context |= {
            "cycle": nomination.cycle,
            "outcome": Outcome.objects.current().filter(nomination=nomination).first(),
            "rows": by_capability(
                sheets,
                capabilities=_capabilities(nomination),
                names=nomination.cycle.show_panel_names,
            ),
            "tally": scoring.majority(nomination),
            "appeal": appeal,
            "appeal_until": until,
            "appeal_closed": until is not None and clock.today() > until,
            "appeal_form": (
                appeal_form or AppealForm()
                if request.user.pk == case.candidate_id and scoring.appeal_open(nomination)
                else None
            ),
            "answer_form": (
                answer_form or AppealAnswerForm()
                if appeal is not None
                and appeal.decided_at is None
                and request_roles(request).hr
                and request.user.pk != case.candidate_id
                else None
            ),
        }
    return render(request, "reviews/scoring/case_outcome.html", context, status=status)


def _outcome_write(request, case, form, write, *, said: str):
    """Run `write`, a valid form's service call: back to the outcome page with `said`, or with
    a refusal that names no field; None when the refusal belongs beside the form's fields."""
    try:
        write()
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_errors(form, error)
            return None
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, said)
    return redirect("reviews:case_outcome", case.pk)


@require_http_methods(["GET", "POST"])
@login_required
def case_outcome(request, case_id):
    """The published outcome of the case, for its candidate, sponsor and HR; before
    publication, only that it is not published yet. The candidate appeals here."""
    case = get_case(request, case_id)
    nomination = _published_nomination(case)
    if request.method == "GET":
        return _outcome_page(request, case, nomination)
    if request.user.pk != case.candidate_id:
        raise PermissionDenied("Only the candidate appeals their outcome.")
    if nomination is None:
        raise Http404
    form = AppealForm(request.POST)
    if form.is_valid():
        done = _outcome_write(
            request,
            case,
            form,
            lambda: scoring.appeal(
                nomination=nomination, by=request.user, reason=form.cleaned_data["reason"]
            ),
            said="Your appeal is sent. HR will answer it here.",
        )
        if done:
            return done
    return _outcome_page(request, case, nomination, appeal_form=form)


@require_POST
@login_required
def appeal_answer(request, case_id):
    require_hr(request)
    case = get_case(request, case_id)
    nomination = _published_nomination(case)
    appeal = get_object_or_404(Appeal, nomination=nomination) if nomination else None
    if appeal is None:
        raise Http404
    form = AppealAnswerForm(request.POST)
    if form.is_valid():
        done = _outcome_write(
            request,
            case,
            form,
            lambda: scoring.answer_appeal(
                appeal=appeal,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["result_note"],
                by=request.user,
            ),
            said="The appeal is answered; the candidate has been told.",
        )
        if done:
            return done
    return _outcome_page(request, case, nomination, answer_form=form)
