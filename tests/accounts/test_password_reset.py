"""Password reset: the answer is the same, and as quick, whether the address is known or not (the
mail is sent by the worker), and one address or one network cannot ask for link after link."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core import clock
from tests.factories import UserFactory
from tests.worker import run_queued_tasks

# Limits are counted by the hour; the day is not what is tested.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2027-03-01")]

KNOWN = "known@example.org"
UNKNOWN = "nobody-here@example.org"


def page_of(response) -> str:
    """The page without what differs on every rendering: the CSRF token and the CSP nonce."""
    return re.sub(r'(value|nonce)="[^"]*"', r'\1=""', response.text)


def ask(client, email, address="198.51.100.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_known_and_unknown_addresses_get_the_same_answer_and_no_mail_in_the_request(client):
    UserFactory(email=KNOWN)

    with CaptureQueriesContext(connection) as known_queries:
        known = ask(client, KNOWN)
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = ask(client, UNKNOWN)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert page_of(known) == page_of(unknown)
    assert mail.outbox == []
    # The request never looks the address up, so nothing in it can take longer for a known one.
    for queries in (known_queries, unknown_queries):
        assert not [q["sql"] for q in queries if "accounts_user" in q["sql"]]
    assert len(known_queries) == len(unknown_queries)


# The worker checks its database connection between tasks, which ends a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_link_to_a_known_address_only(client):
    UserFactory(email=KNOWN)
    ask(client, KNOWN)
    ask(client, UNKNOWN)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2

    run_queued_tasks()

    assert [message.to for message in mail.outbox] == [[KNOWN]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


@pytest.mark.parametrize("email", [KNOWN, UNKNOWN])
def test_one_email_address_gets_a_few_links_an_hour(client, email):
    UserFactory(email=KNOWN)
    limit = settings.PASSWORD_RESETS_PER_EMAIL
    for number in range(limit):
        assert ask(client, email, address=f"192.0.2.{number}").status_code == 302

    refused = ask(client, email.upper(), address="192.0.2.200")

    assert refused.status_code == 429
    assert f"at most {limit} reset links an hour" in refused.text
    assert DBTaskResult.objects.count() == limit


def test_the_refusal_does_not_tell_whether_the_address_is_known(client):
    UserFactory(email=KNOWN)
    for email in (KNOWN, UNKNOWN):
        for number in range(settings.PASSWORD_RESETS_PER_EMAIL):
            ask(client, email, address=f"192.0.2.{number}")

    known, unknown = ask(client, KNOWN), ask(client, UNKNOWN)

    assert known.status_code == unknown.status_code == 429
    assert page_of(known) == page_of(unknown)


def test_one_network_address_gets_a_limited_number_of_links_an_hour(client):
    limit = settings.PASSWORD_RESETS_PER_ADDRESS
    for number in range(limit):
        assert ask(client, f"person{number}@example.org").status_code == 302

    refused = ask(client, "one-more@example.org")

    assert refused.status_code == 429
    assert f"at most {limit} reset links an hour from one network address" in refused.text
    # Someone elsewhere is not held up.
    assert ask(client, "one-more@example.org", address="203.0.113.9").status_code == 302


def test_the_limit_is_for_an_hour(client):
    for number in range(settings.PASSWORD_RESETS_PER_EMAIL):
        ask(client, KNOWN, address=f"192.0.2.{number}")
    assert ask(client, KNOWN).status_code == 429

    with time_machine.travel(clock.now() + datetime.timedelta(hours=1, seconds=1)):
        assert ask(client, KNOWN).status_code == 302
