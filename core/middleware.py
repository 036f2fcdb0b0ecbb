"""Middleware of our own."""

import pghistory.middleware
from django.conf import settings
from django.utils.cache import patch_cache_control

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's middleware, for requests that may write: who and where, on each event.

    pghistory's own runs for GET too, and reading `request.user` to record who is asking loads
    the person's row before the view needs it (or when it never does), and puts the context in
    front of every query. Safe requests write no history (reads never write), so they pass
    straight through; POST, PUT, PATCH and DELETE are annotated exactly as before.
    """

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        return super().__call__(request)


class PrivateResponsesMiddleware:
    """Responses that may hold someone's data are never stored by a browser or a proxy.

    A request counts as behind login when it carries a session cookie or has an authenticated user.
    The cookie is looked at first so that this costs no query: a request without one has nothing
    to load the user from, and with one the answer is no-store whoever it turns out to be.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
