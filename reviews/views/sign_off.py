"""The sponsor's sign-off of a case."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviews import services
from reviews.forms import SignOffForm
from reviews.models import Feedback
from reviews.readiness.rule import Status
from reviews.readiness.snapshots import case_readiness
from reviews.views.common import add_errors, get_case
from reviews.words import flags_for, gaps, status_label


@require_http_methods(["GET", "POST"])
@login_required
def sign_off_create(request, case_id):
    case = get_case(request, case_id)
    if not request.user.has_perm("reviews.sign_off", case):
        raise PermissionDenied("Only the case's sponsor can sign it off.")
    readiness = case_readiness(case)
    sign_offs = list(case.sign_offs.select_related("signer"))
    questions = case.guide.questions.count()
    # Items the sponsor never answered: signing off without having read them deserves a warning.
    answered = Feedback.objects.filter(evidence=OuterRef("pk"), author_id=case.sponsor_id)
    counts = case.evidence.aggregate(
        total=Count("pk"), unreviewed=Count("pk", filter=~Q(Exists(answered)))
    )
    form = SignOffForm(
        request.POST or None,
        case=case,
        initial={"expected_sign_offs": len(sign_offs)},
        readiness_label=(
            None if readiness.status == Status.READY else status_label(readiness.status)
        ),
    )
    confirming = False
    # "Change my answer" on the confirmation sends the answer back to the form, as it was.
    changing = request.POST.get("change") == "yes"
    if request.method == "POST" and not changing and form.is_valid():
        data = form.cleaned_data
        problem = services.override_problem(
            readiness.status, data["decision"], data.get("override_reason", "")
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
                    add_errors(form, error)
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
        "flags": flags_for(readiness),
        "shortfall": [gap.sentence for gap in gaps(readiness, question_count=questions)],
        "unreviewed": counts["unreviewed"],
        "evidence_count": counts["total"],
        "sign_offs": sign_offs,
        "confirming": confirming,
        "can_sign": case.is_open,
    }
    return render(request, "reviews/sign_off.html", context)
