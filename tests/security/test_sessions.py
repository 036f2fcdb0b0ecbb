"""Sessions: a fresh key at login, a dead session after logout, a lockout that parallel guessing
cannot get round."""

import threading

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

PARALLEL_ATTEMPTS = 20


def log_in(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db
def test_the_session_key_changes_at_login(client):
    user = UserFactory()
    before = client.session
    before["seen_login_page"] = True
    before.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key

    response = log_in(client, user)

    assert response.status_code == 302
    after = session_key(client)
    assert after != before.session_key
    # The anonymous session is not kept alongside: a key planted before login is worthless.
    assert not Session.objects.filter(session_key=before.session_key).exists()
    assert Session.objects.get(session_key=after).get_decoded()["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client):
    user = UserFactory()
    log_in(client, user)
    key = session_key(client)
    assert client.get(reverse("about")).status_code == 200

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # Someone who kept a copy of the old cookie is not logged in with it.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("about"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_session_ended_by_another_process_is_ended_here(client):
    """Each web process has its own memory cache: a session kept there (the cached_db engine)
    would stay valid in this process after a logout in another one deleted it from the table."""
    log_in(client, UserFactory())
    assert client.get(reverse("about")).status_code == 200

    Session.objects.filter(session_key=session_key(client)).delete()

    response = client.get(reverse("about"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert response["Location"].startswith(reverse("accounts:login"))


def _attempt_in_thread(username, password, start, results, index):
    try:
        start.wait()
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        results[index] = response.status_code
    finally:
        connection.close()


def parallel_login_attempts(username, passwords):
    """Every attempt from its own thread and database connection, released together."""
    start = threading.Barrier(len(passwords))
    results = [None] * len(passwords)
    threads = [
        threading.Thread(target=_attempt_in_thread, args=(username, p, start, results, i))
        for i, p in enumerate(passwords)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_lockout_holds_under_parallel_wrong_passwords():
    user = UserFactory()

    results = parallel_login_attempts(user.username, ["wrong"] * PARALLEL_ATTEMPTS)

    # Each attempt is either judged a wrong password (200) or refused as locked (429).
    assert set(results) <= {200, 429}, results
    # The fifth failure already answers with the lockout page, so at most four "wrong password"
    # answers: racing requests do not buy extra guesses.
    assert results.count(200) <= settings.AXES_FAILURE_LIMIT - 1, results
    failures = AccessAttempt.objects.get(username=user.username).failures_since_start
    assert failures >= settings.AXES_FAILURE_LIMIT
    response = log_in(Client(), user)
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.text
    assert not Session.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_right_password_among_parallel_guesses_gets_no_session_once_locked():
    """Five failures first, then a burst with the right password in it: none of it gets in."""
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), user, "wrong")

    passwords = ["wrong"] * (PARALLEL_ATTEMPTS - 1) + [PASSWORD]
    results = parallel_login_attempts(user.username, passwords)

    assert results == [429] * PARALLEL_ATTEMPTS
    assert not Session.objects.exists()
    failures = AccessAttempt.objects.get(username=user.username).failures_since_start
    assert failures == settings.AXES_FAILURE_LIMIT + PARALLEL_ATTEMPTS
