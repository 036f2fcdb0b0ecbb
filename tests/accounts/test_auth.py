import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, HRFactory, UserFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("guides:guide_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("guides:guide_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("guides:guide_list")).status_code == 302


def test_wrong_password_says_so(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "x"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_five_failures_lock_the_account_with_a_clear_message(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.text
    assert client.get(reverse("guides:guide_list")).status_code == 302


def test_lockout_is_per_username(client):
    locked, other = UserFactory(), UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": locked.username, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": other.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


# The worker checks its database connection between tasks, which ends a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="reset-me@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "reset-me@example.org"})
    run_queued_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset-me@example.org"]
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_hr_role_comes_from_the_group():
    from reviews.roles import roles_for

    assert roles_for(HRFactory()).hr
    assert not roles_for(UserFactory()).hr
