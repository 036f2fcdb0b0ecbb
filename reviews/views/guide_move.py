"""HR's move of an open case to a newer version of its guide: the plan first, then the move."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviews.guide_moves import move_case, newer_versions, plan_move
from reviews.views.common import add_errors, get_case, require_hr


class CaseMoveForm(forms.Form):
    guide = forms.ChoiceField(label="Move to")
    confirm = forms.BooleanField(
        label="I have read what happens to each evidence item, and want to move this case.",
        error_messages={"required": "Tick the box to confirm the move."},
    )

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = {guide.slug: guide for guide in offered}
        self.fields["guide"].choices = [(guide.slug, guide.label) for guide in offered]

    def chosen(self):
        """The version the form names, valid or not yet, for the plan shown beside it."""
        slug = self.data.get("guide") or self.initial.get("guide")
        return self.offered.get(slug)


@require_http_methods(["GET", "POST"])
@login_required
def case_move(request, case_id):
    require_hr(request)
    case = get_case(request, case_id)
    offered = list(newer_versions(case)) if case.is_open else []
    wanted = request.GET.get("to") or (offered[0].slug if offered else None)
    form = CaseMoveForm(request.POST or None, offered=offered, initial={"guide": wanted})
    target = form.chosen() or (offered[0] if offered else None)
    if request.method == "POST" and form.is_valid():
        try:
            move_case(case=case, target=target, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Moved the case to {target.label}. Its readiness is now judged on that version.",
            )
            return redirect(case)
    plan = plan_move(case, target) if target else None
    return render(
        request,
        "reviews/case_move.html",
        {"case": case, "form": form, "plan": plan, "offered": offered},
    )
