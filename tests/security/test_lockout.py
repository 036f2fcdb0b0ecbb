"""Log-in lockouts behind the proxy: the client's address comes from the trusted proxy's
X-Forwarded-For, a username is locked only together with the address that failed, and one address
cannot go on guessing across usernames."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
OWNER = "198.51.100.20"
STRANGER = "203.0.113.66"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def log_in(client, username, password, *, remote=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **headers
    )


def test_a_stranger_behind_the_proxy_does_not_lock_the_owner_out(client, behind_one_proxy):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        log_in(client, user.username, "wrong", forwarded=STRANGER)
    assert log_in(client, user.username, PASSWORD, forwarded=STRANGER).status_code == 429

    response = log_in(client, user.username, PASSWORD, forwarded=OWNER)

    assert response.status_code == 302


def test_the_address_the_trusted_proxy_saw_is_the_one_recorded(client, behind_one_proxy):
    user = UserFactory()

    # The client sent its own X-Forwarded-For; the proxy appended the address it was reached from.
    log_in(client, user.username, "wrong", forwarded=f"192.0.2.1, {STRANGER}")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [STRANGER]


def test_without_a_proxy_a_forwarded_header_is_not_believed(client):
    user = UserFactory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.username, "wrong", remote=STRANGER, forwarded=f"192.0.2.{number}")

    response = log_in(client, user.username, PASSWORD, remote=STRANGER, forwarded=OWNER)

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}


def test_a_request_that_did_not_come_through_the_proxy_counts_by_its_own_address(
    client, behind_one_proxy
):
    user = UserFactory()

    log_in(client, user.username, "wrong", remote=STRANGER)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [STRANGER]


def test_one_address_cannot_go_on_guessing_across_usernames(client, behind_one_proxy):
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    for number in range(limit):
        response = log_in(client, f"guess{number}", "wrong", forwarded=STRANGER)
        assert response.status_code == 200, number
    user = UserFactory()

    refused = log_in(client, user.username, PASSWORD, forwarded=STRANGER)

    assert refused.status_code == 429
    assert f"{limit} failed log-ins from your address" in refused.text
    assert "_auth_user_id" not in client.session
    # Someone elsewhere, and the same username from another address, are not held up.
    assert log_in(client, user.username, PASSWORD, forwarded=OWNER).status_code == 302
