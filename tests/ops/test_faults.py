"""Faults in the middle of a write: each write is all or nothing, and the app recovers by itself.

Each fault is placed deterministically: the test holds a PostgreSQL lock on a table that the
operation writes to late in its transaction, waits until the operation is blocked on that lock
(having written its earlier rows, uncommitted), and then injects the fault.
"""

import datetime
import json
import os
import signal
import threading

import psycopg
import pytest

from reviews.models import Case, CaseEvent, SignOff
from reviews.packets.build import build_packet, packet_sha256
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory
from tests.ops.stack import (
    PYTHON,
    SHIPPED_GUIDE,
    Gunicorn,
    Process,
    holds_write_lock,
    manage,
    pg_script,
    production_env,
    row_counts,
    set_real_password,
    stop_immediately,
    wait_for,
    waiting_on,
)

pytestmark = pytest.mark.slow


def sign_off_form(client, case_id: int) -> dict:
    page = client.get(f"/cases/{case_id}/sign-off/")
    assert page.status == 200, page.text[:2000]
    return {
        "csrfmiddlewaretoken": client.csrf_token(page),
        "decision": "ready",
        "rationale": "Sustained evidence across the guide.",
        "override_reason": "Board work this quarter, not yet logged.",
        "expected_sign_offs": "0",
        "confirm": "yes",
    }


def status_events(case) -> int:
    return CaseEvent.objects.filter(pgh_obj=case, status=Case.Status.SIGNED_OFF).count()


def test_a_gunicorn_worker_killed_mid_sign_off_leaves_nothing_and_the_app_recovers(
    production, test_database_url, tmp_path
):
    case = CaseFactory()
    EvidenceFactory(case=case)
    set_real_password(case.sponsor, PASSWORD)

    with Gunicorn(env=production, folder=tmp_path) as web:
        client = web.client()
        client.log_in(case.sponsor.username, PASSWORD)
        form = sign_off_form(client, case.pk)
        workers_before = web.worker_pids()

        outcome: list[object] = []

        def post_sign_off():
            try:
                outcome.append(client.post(f"/cases/{case.pk}/sign-off/", form))
            except OSError as error:
                outcome.append(error)

        with (
            psycopg.connect(test_database_url) as locker,
            psycopg.connect(test_database_url, autocommit=True) as observer,
        ):
            # The case's history is written last, by the status update after the sign-off row.
            locker.execute("LOCK TABLE reviews_caseevent IN EXCLUSIVE MODE")
            request = threading.Thread(target=post_sign_off)
            request.start()
            ((backend, application),) = wait_for(
                lambda: waiting_on(observer, "reviews_caseevent"),
                timeout=30,
                what="the sign-off to block on the case history",
            )
            assert holds_write_lock(observer, backend, "reviews_signoff"), (
                "the sign-off row should be written, uncommitted, when the worker dies"
            )
            worker = int(application.removeprefix("gunicorn-worker-"))
            assert worker in workers_before

            os.kill(worker, signal.SIGKILL)
            request.join(timeout=30)
            locker.rollback()
            # The server notices the dead client and rolls its transaction back.
            wait_for(
                lambda: (
                    not observer.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]
                    ).fetchone()
                ),
                timeout=30,
                what="the dead worker's database session to end",
            )

        assert len(outcome) == 1 and isinstance(outcome[0], OSError), outcome
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN
        assert not SignOff.objects.filter(case=case).exists()
        assert status_events(case) == 0

        # The master replaces the worker; the app serves and the sign-off can be made again.
        wait_for(
            lambda: len(web.worker_pids()) == 2 and worker not in web.worker_pids(),
            timeout=30,
            what="gunicorn to replace the killed worker",
        )
        health = web.client().get("/healthz", proxied=False)
        assert (health.status, health.text) == (200, "ok")
        response = client.post(f"/cases/{case.pk}/sign-off/", sign_off_form(client, case.pk))
        assert response.status == 302, response.text[:2000]
        assert "Worker (pid:" in web.output() and "SIGKILL" in web.output()

    case.refresh_from_db()
    assert case.status == Case.Status.SIGNED_OFF
    signed = SignOff.objects.get(case=case)
    assert status_events(case) == 1
    assert signed.packet_sha256 == packet_sha256(build_packet(case))


def packet_for_shipped_guide(questions: int) -> dict:
    # Any day long past: the import runs in processes of their own, on their own clock.
    today = datetime.date(2025, 11, 3)
    return {
        "format": "promotion-packet/1",
        "candidate": {"username": "ada", "name": "Ada Example", "email": "ada@example.org"},
        "sponsor": {"username": "sam", "name": "Sam Example", "email": "sam@example.org"},
        "guide": {"from": "M3", "to": "E1", "version": 1},
        "opened_on": (today - datetime.timedelta(days=400)).isoformat(),
        "narrative": "Two years of sustained work.",
        "evidence": [
            {
                "capability": number,
                "indicators": [1, 2],
                "title": f"Evidence for capability {number}",
                "date": (today - datetime.timedelta(days=30 * number)).isoformat(),
                "summary": "What was done.",
                "outcome": "What changed.",
                "links": ["https://example.org/work"],
            }
            for number in (1, 2, 3, 4)
        ],
        "check_ins": [
            {
                "date": (today - datetime.timedelta(days=20)).isoformat(),
                "answers": {str(n): "yes" for n in range(1, questions + 1)},
            }
        ],
        "feedback": [
            {"evidence": 0, "author": "sam", "kind": "question", "text": "Which parts were yours?"},
            {"evidence": 0, "author": "ada", "kind": "reply", "text": "The budget cuts."},
        ],
    }


@pytest.fixture
def cluster(tmp_path):
    """A PostgreSQL cluster of this test's own, which it may crash; removed afterwards."""
    folder = tmp_path / "cluster"
    try:
        pg_script("start", str(folder))
        pg_script("createdb", str(folder), "promotions")
        yield folder
    finally:
        pg_script("remove", str(folder))


def test_postgres_stopped_mid_import_leaves_no_partial_case_and_the_app_recovers(
    cluster, static_root, tmp_path
):
    url = pg_script("url", str(cluster), "promotions")
    env = production_env(url, static_root=static_root, private_root=tmp_path / "private")
    for command in (["migrate", "--no-input"], ["import_guide", str(SHIPPED_GUIDE)]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    with psycopg.connect(url) as connection:
        (questions,) = connection.execute("SELECT count(*) FROM guides_question").fetchone()
    packet = packet_for_shipped_guide(questions)
    packet_file = tmp_path / "packet.json"
    packet_file.write_text(json.dumps(packet))
    before = row_counts(url)

    with Gunicorn(env=env, folder=tmp_path, workers=1) as web:
        assert web.client().get("/healthz", proxied=False).status == 200

        locker = psycopg.connect(url)
        observer = psycopg.connect(url, autocommit=True)
        try:
            # Feedback is the last thing an import writes.
            locker.execute("LOCK TABLE reviews_feedback IN EXCLUSIVE MODE")
            with Process(
                [PYTHON, "manage.py", "import_case", str(packet_file)],
                env=env,
                log=tmp_path / "import.log",
            ) as importing:
                ((backend, _),) = wait_for(
                    lambda: waiting_on(observer, "reviews_feedback"),
                    timeout=60,
                    what="the import to block on the feedback table",
                )
                for table in (
                    "accounts_user",
                    "reviews_case",
                    "reviews_evidence",
                    "reviews_answer",
                ):
                    assert holds_write_lock(observer, backend, table), table

                stop_immediately(cluster)
                assert importing.popen.wait(timeout=60) != 0, importing.output()
        finally:
            # Closing a connection whose server is gone does not raise.
            locker.close()
            observer.close()

        down = web.client().get("/healthz", proxied=False)
        assert (down.status, down.text) == (503, "database unavailable")

        pg_script("start", str(cluster))
        # No manual step: the same web processes reconnect on their own.
        assert web.client().get("/healthz", proxied=False).status == 200

    assert row_counts(url) == before

    result = manage(env, "import_case", str(packet_file))
    assert result.returncode == 0, result.stderr
    after = row_counts(url)
    assert after["reviews_case"] == before["reviews_case"] + 1
    assert after["reviews_evidence"] == before["reviews_evidence"] + 4
    assert after["reviews_checkin"] == before["reviews_checkin"] + 1
    assert after["reviews_answer"] == before["reviews_answer"] + questions
    assert after["reviews_feedback"] == before["reviews_feedback"] + 2
    assert after["accounts_user"] == before["accounts_user"] + 2
