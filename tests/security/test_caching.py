"""Answers to logged-in people are kept from caches (the access matrix checks every URL); working
that out costs no query of its own."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def untouched(request):
    """A view that never looks at the user or the session."""
    return HttpResponse("plain")


urlpatterns = [path("untouched/", untouched)]


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_a_logged_in_page_is_private_and_not_stored(client):
    client.force_login(UserFactory())

    response = client.get(reverse("about"))

    assert {"private", "no-store"} <= directives(response)


MIDDLEWARE = "core.middleware.PrivateResponsesMiddleware"


def queries_of_a_request(client, settings, *, middleware: list[str]) -> int:
    settings.MIDDLEWARE = middleware
    with CaptureQueriesContext(connection) as queries:
        client.get("/untouched/")
    return len(queries)


@override_settings(ROOT_URLCONF=__name__)
def test_deciding_costs_no_query_when_the_view_did_not_load_the_user(client, settings):
    """Another middleware may load the user; this one adds no query of its own."""
    client.force_login(UserFactory())
    full = list(settings.MIDDLEWARE)
    assert MIDDLEWARE in full
    without = [name for name in full if name != MIDDLEWARE]
    # Only the middleware this one would find the user through: nothing else loads it.
    bare = [name for name in without if name.startswith("django.contrib.")]

    assert queries_of_a_request(client, settings, middleware=bare + [MIDDLEWARE]) == 0
    assert queries_of_a_request(client, settings, middleware=full) == (
        queries_of_a_request(client, settings, middleware=without)
    )
    settings.MIDDLEWARE = bare + [MIDDLEWARE]
    assert {"private", "no-store"} <= directives(client.get("/untouched/"))


@override_settings(ROOT_URLCONF=__name__)
def test_an_anonymous_answer_is_left_to_the_view(client):
    response = client.get("/untouched/")

    assert "no-store" not in directives(response)
