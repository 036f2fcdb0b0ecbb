"""A case's self-assessments: the history of check-ins and taking a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core import clock
from reviews import services
from reviews.case_writes import Part, refusal
from reviews.forms import CheckInForm
from reviews.grouping import answers_by_question
from reviews.models import Answer
from reviews.once import save_once
from reviews.readiness.months import quarter_of
from reviews.views.common import add_errors, get_readable_case, get_writable_case
from reviews.words import mostly_yes_threshold

SAME_DATE = "There is already a check-in on this date."
SAME_DATE_WHAT_TO_DO = (
    "To save this one, choose to replace the check-in of {:%-d %B %Y}, or change the date."
)

# Check-ins a page shows: three years of quarterly ones.
CHECK_IN_PAGE_SIZE = 12


@require_GET
@login_required
def check_in_list(request, case_id):
    """The check-ins a page at a time, the latest first; each page's oldest to newest."""
    case = get_readable_case(request, case_id)
    questions = list(case.guide.questions.all())
    latest_first = (
        case.check_ins.prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("question__position"))
        )
        .annotate(yes_count=Count("answers", filter=Q(answers__value=Answer.Value.YES)))
        # Meta.ordering does not apply to a query with GROUP BY: without this the columns came in
        # whatever order the table happened to hold them.
        .order_by("-date", "-id")
    )
    page = Paginator(latest_first, CHECK_IN_PAGE_SIZE).get_page(request.GET.get("page"))
    check_ins = list(reversed(page.object_list))
    context = {
        "case": case,
        "questions": questions,
        "check_ins": check_ins,
        "page": page,
        "rows": answers_by_question(questions, check_ins),
        "trend": [(c.date, c.yes_count, len(questions)) for c in check_ins],
        "threshold": mostly_yes_threshold(len(questions)),
        "can_write": request.user.has_perm("reviews.write_evidence", case) and case.is_open,
    }
    return render(request, "reviews/check_in_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def check_in_create(request, case_id):
    case = get_writable_case(request, case_id)
    if message := refusal(case, Part.CHECK_INS):
        messages.error(request, message)
        return redirect(case)
    form = CheckInForm(request.POST or None, questions=case.guide.questions.all())
    day = clock.today()
    if request.method == "POST" and form.is_valid():
        # Kept before the save: a refusal of the date takes it out of the cleaned data.
        day = form.cleaned_data["date"]
        replace = request.POST.get("same_quarter") == "replace"
        try:
            return redirect(save_once(request, lambda: _record(request, case, form, replace)))
        except ValidationError as error:
            add_errors(form, error)
    elif form.is_bound:
        day = form.cleaned_data.get("date")
    earlier = _same_quarter(case, day) if day else None
    context = {
        "case": case,
        "form": form,
        "threshold": mostly_yes_threshold(len(form.questions)),
        # A check-in already in the quarter: the form asks whether this one replaces it. On
        # its very date only replacing can succeed, so that is what the form starts from.
        "earlier": earlier,
        "same_date": earlier is not None and earlier.date == day,
        "replace": request.POST.get("same_quarter") == "replace"
        or (earlier is not None and earlier.date == day),
    }
    return render(request, "reviews/check_in_form.html", context)


def _same_quarter(case, day):
    """The case's latest check-in in the quarter of `day`, if any."""
    _, first, last = quarter_of(day)
    return case.check_ins.filter(date__range=(first, last)).order_by("-date", "-id").first()


def _record(request, case, form, replace: bool) -> str:
    day = form.cleaned_data["date"]
    earlier = _same_quarter(case, day)
    if earlier and earlier.date == day and not replace:
        raise ValidationError(
            {"date": SAME_DATE, NON_FIELD_ERRORS: SAME_DATE_WHAT_TO_DO.format(earlier.date)}
        )
    replaces = earlier if replace else None
    check_in = services.record_check_in(
        case=case, date=form.cleaned_data["date"], answers=form.answers(), replaces=replaces
    )
    replaced = f"; it replaces your check-in of {replaces.date:%-d %b %Y}" if replaces else ""
    messages.success(request, f"Check-in of {check_in.date:%-d %B %Y} saved{replaced}.")
    return reverse("reviews:check_in_list", args=[case.pk])
