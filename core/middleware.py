from django.conf import settings
from django.utils.cache import patch_cache_control


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
