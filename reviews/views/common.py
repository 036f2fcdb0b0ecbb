"""What every page of a case starts from: the case if this person may see it, and a service's
refusal shown on the form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

# The case views import it from here.
from core.forms import add_errors as add_errors
from reviews.models import Case, Feedback
from reviews.roles import request_roles

FEEDBACK_KINDS = [(kind.value, kind.label) for kind in Feedback.SPONSOR_KINDS] + [
    (Feedback.Kind.REPLY.value, Feedback.Kind.REPLY.label)
]
# On an item nobody has written on yet there is nothing to reply to.
FIRST_FEEDBACK_KINDS = FEEDBACK_KINDS[:-1]


def visible_cases(request):
    """`Case.objects.visible_to` the person logged in, with their roles read from their session
    (reviews.roles.request_roles) rather than derived again by a query of their own."""
    request_roles(request)
    return Case.objects.visible_to(request.user)


def get_case(request, case_id: int) -> Case:
    """The case if this person may see it; a 404 otherwise, so outsiders learn nothing."""
    return get_object_or_404(visible_cases(request).with_people(), pk=case_id)


def readable_cases(request):
    """The cases whose packet this person may read (`Case.objects.readable_by`): those they
    may see, and for a panellist the cycle's nominated cases they have no conflict on. The
    pages that only read a case's packet (its page, evidence, check-ins, files and downloads)
    start from here; every other page of a case starts from `visible_cases`."""
    request_roles(request)
    return Case.objects.readable_by(request.user)


def get_readable_case(request, case_id: int) -> Case:
    return get_object_or_404(readable_cases(request).with_people(), pk=case_id)


def get_writable_case(request, case_id: int) -> Case:
    case = get_case(request, case_id)
    if not request.user.has_perm("reviews.write_evidence", case):
        raise PermissionDenied("Only the candidate can change their own evidence.")
    return case


def require_hr(request) -> None:
    """HR's pages are not found by anyone else; the role (`is_hr` in reviews.rules) is read from
    the session."""
    if not request_roles(request).hr:
        raise Http404


def feedback_sender(request, evidence, form, *, said: str, then: str):
    """The write of a valid feedback form, for `save_once`: the message, then where to go."""
    from reviews.services import give_feedback

    def send() -> str:
        give_feedback(
            evidence=evidence,
            author=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, said)
        return then

    return send
