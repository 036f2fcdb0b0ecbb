"""Limits on what one address can try: log-ins across usernames."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

from core import clock
from core.addresses import client_address


def too_many_login_failures(request) -> bool:
    """Whether the request's address has failed `LOGIN_FAILURES_PER_ADDRESS` log-ins, for any
    usernames, within axes' cool-off time. Counted from axes' own records of failures, which every
    web process shares; requests racing past the limit together can each get one more guess."""
    since = clock.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
