import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_to_anyone_after_asking_the_database(client, django_assert_num_queries):
    # SELECT 1: the only query, and no session or login involved.
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405
