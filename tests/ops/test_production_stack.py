"""The processes of docker-compose.yml, started natively with production settings.

gunicorn (two workers) and the task worker run against pytest's test database, as separate
processes: a sponsor logs in over HTTP, the dashboard renders, /healthz answers, and a queued task
is picked up and run by the worker.
"""

import re

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reviews.models import Notification
from reviews.tasks import schedule_notifications
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, FeedbackFactory
from tests.ops.stack import Gunicorn, Worker, set_real_password, wait_for

pytestmark = pytest.mark.slow


def test_gunicorn_and_the_worker_serve_the_app_with_production_settings(production, tmp_path):
    case = CaseFactory(candidate__name="Ada Example", sponsor__name="Sam Example")
    feedback = FeedbackFactory(
        evidence=EvidenceFactory(case=case, title="Ran the platform budget"),
        kind="question",
        text="Which decisions were yours?",
    )
    set_real_password(case.sponsor, PASSWORD)

    with Gunicorn(env=production, folder=tmp_path) as web, Worker(env=production, folder=tmp_path):
        assert len(web.worker_pids()) == 2

        # A probe calls the app directly, over plain HTTP and without logging in.
        health = web.client().get("/healthz", proxied=False)
        assert (health.status, health.text) == (200, "ok")
        assert "no-cache" in health.header("Cache-Control")

        # Anything else over plain HTTP is sent to HTTPS.
        plain = web.client().get("/accounts/login/", proxied=False)
        assert plain.status == 301
        assert plain.header("Location").startswith("https://")

        browser = web.client()
        anonymous = browser.get("/cases/sponsored/")
        assert anonymous.status == 302
        assert anonymous.header("Location").startswith("/accounts/login/")

        browser.log_in(case.sponsor.username, PASSWORD)
        session_cookie = next(c for c in browser.set_cookies if c.startswith("sessionid="))
        assert "Secure" in session_cookie
        assert "HttpOnly" in session_cookie

        dashboard = browser.get("/cases/sponsored/")
        assert dashboard.status == 200, dashboard.text[:2000]
        assert "Ada Example" in dashboard.text
        assert f"/cases/{case.pk}/" in dashboard.text

        csp = dashboard.header("Content-Security-Policy")
        # A nonce appears only on pages that use one; none may allow inline code.
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert dashboard.header("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert dashboard.header("X-Content-Type-Options") == "nosniff"
        assert dashboard.header("Referrer-Policy") == "same-origin"
        assert dashboard.header("X-Frame-Options") == "DENY"

        # Static files come from the collected, hashed build through WhiteNoise.
        stylesheet = re.search(
            r'href="(/static/bootstrap/css/bootstrap\.min\.\w+\.css)"', dashboard.text
        )
        assert stylesheet, "the page should link the hashed stylesheet"
        css = browser.get(stylesheet.group(1))
        assert css.status == 200
        assert "max-age=315360000" in css.header("Cache-Control")

        queued = schedule_notifications()
        row = wait_for(
            lambda: DBTaskResult.objects.filter(
                pk=queued.id, status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
            ).first(),
            timeout=60,
            what="the worker to run the queued task",
        )
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        assert Notification.objects.filter(key=f"feedback:{feedback.pk}").exists()
        worker_output = (tmp_path / "worker.log").read_text()
        assert f"To: {case.candidate.email}" in worker_output
        assert "Which decisions were yours?" in worker_output
