"""Limits on what one address can try: log-ins across usernames, and password-reset links."""

import datetime
import zlib

from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.crypto import salted_hmac

from accounts.models import PasswordResetRequest
from core import clock
from core.addresses import client_address

RESET_WINDOW = datetime.timedelta(hours=1)
# Serialises "count the recent requests, then record this one" between web processes.
RESET_LOCK = zlib.crc32(b"accounts.throttles.password_reset_refusal")


def too_many_login_failures(request) -> bool:
    """Whether the request's address has failed `LOGIN_FAILURES_PER_ADDRESS` log-ins, for any
    usernames, within axes' cool-off time. Counted from axes' own records of failures, which every
    web process shares; requests racing past the limit together can each get one more guess."""
    since = clock.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"accounts.throttles.{kind}", value, algorithm="sha256").hexdigest()


@transaction.atomic
def password_reset_refusal(request, email: str) -> str | None:
    """Why a reset link for `email` is not sent now, or None after recording the request.

    The counts are of requests, whoever the address belongs to, so the refusal says nothing about
    whether it is someone's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RESET_LOCK])
    now = clock.now()
    recent = PasswordResetRequest.objects.filter(requested_at__gt=now - RESET_WINDOW)
    PasswordResetRequest.objects.filter(requested_at__lte=now - RESET_WINDOW).delete()
    email_digest = _digest("email", email.strip().casefold())
    address_digest = _digest("address", client_address(request))
    if recent.filter(email_digest=email_digest).count() >= settings.PASSWORD_RESETS_PER_EMAIL:
        return (
            f"We send at most {settings.PASSWORD_RESETS_PER_EMAIL} reset links an hour for one "
            "email address, and that many have been asked for. Look for them in your mail, or "
            "try again in an hour."
        )
    if recent.filter(address_digest=address_digest).count() >= (
        settings.PASSWORD_RESETS_PER_ADDRESS
    ):
        return (
            f"We send at most {settings.PASSWORD_RESETS_PER_ADDRESS} reset links an hour from one "
            "network address, and that many have been asked for from yours. Try again in an hour."
        )
    PasswordResetRequest.objects.create(
        email_digest=email_digest, address_digest=address_digest, requested_at=now
    )
    return None
