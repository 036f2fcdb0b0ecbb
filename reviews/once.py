"""A form's submit saves once: the one-time token that evidence, check-in, feedback and decision
forms carry.

Each form is drawn with a fresh signed token in a hidden field (`{% form_token %}`). `save_once`
records the token (`FormSubmission`, unique per person) in the write's own transaction, before
the write. The same form sent again, even at the same moment, waits on that row until the first
submit commits, then is taken to the first's result with a plain message instead of saving a
second object; if the first was refused, nothing was recorded and the next send is saved.

A token is accepted for `TOKEN_DAYS` days after its form was drawn. The hourly run deletes the
recorded tokens older than that (`forget_old_submissions`): by then their forms cannot be sent.
"""

import datetime
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core import clock
from reviews.models import FormSubmission

TOKEN_FIELD = "form_token"
TOKEN_DAYS = 7
_signer = signing.TimestampSigner(salt="reviews.once.form-token")

OUT_OF_DATE = (
    f"This form was opened more than {TOKEN_DAYS} days ago, or not from this site, so nothing "
    "was saved. What you entered is kept below: send it again."
)
SENT_TWICE = "This form was sent more than once; it was saved once, and this is the result."


def issue_token() -> str:
    return _signer.sign(secrets.token_urlsafe(16))


def token_input() -> SafeString:
    """The hidden field of a fresh token, for inside a <form>."""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, issue_token())


def _token(request) -> str:
    try:
        return _signer.unsign(
            request.POST.get(TOKEN_FIELD, ""), max_age=datetime.timedelta(days=TOKEN_DAYS)
        )
    except signing.BadSignature:
        raise ValidationError(OUT_OF_DATE) from None


def save_once(request, save: Callable[[], str]) -> str:
    """Run `save`, the form's write, which returns the address to show next, once for the token
    the request carries; the same token sent again returns the first's address, saving nothing.
    A missing, altered or expired token is refused with a ValidationError, as `save`'s own
    refusals are (and then, like them, leaves the token unused)."""
    token = _token(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(user=request.user, token=token)
        except IntegrityError:
            pass
        else:
            submission.result_url = save()
            submission.save(update_fields=["result_url"])
            return submission.result_url
    messages.info(request, SENT_TWICE)
    return FormSubmission.objects.get(user=request.user, token=token).result_url


def forget_old_submissions() -> int:
    """Delete the tokens whose forms can no longer be sent; how many there were."""
    cutoff = clock.now() - datetime.timedelta(days=TOKEN_DAYS)
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
