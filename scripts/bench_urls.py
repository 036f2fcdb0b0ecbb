"""The app's URLs plus one bench-only page, `bare`: set as ROOT_URLCONF in `bench.py pages` only.

`bare` goes through every middleware of a logged-in request and answers a few bytes with no
template, so the report can say how much of the floor is the base template rather than the
request itself. It is never a route of the app (config/urls.py).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *app_urlpatterns]
