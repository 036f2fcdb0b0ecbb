"""The address a request came from, as the proxies of our own in front of the app saw it."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR when clients connect directly (`TRUSTED_PROXY_COUNT` 0).

    Behind N proxies of our own, each appends the address it was reached from to X-Forwarded-For,
    so the client's is the Nth from the right. Whatever stands to its left was sent by the client
    and is not believed. A request with fewer entries did not come through the proxies (a probe on
    the host, say) and counts by its own REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
