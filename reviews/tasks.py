"""Background work, run by the django-tasks-db worker: `manage.py db_worker`.

Notifications run every `NOTIFICATION_INTERVAL`: each run sends what is due, then queues the next
one with `run_after`. `manage.py send_notifications --schedule` starts the cycle once (for example
on deploy); it is safe to repeat, as at most one run is ever waiting.

A cycle export HR starts runs as `export_cycle_task` (reviews/packets/jobs.py).
"""

import datetime
import zlib

from django.db import connection, transaction
from django.tasks import TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from core import clock
from reviews.drafts import forget_closed_drafts
from reviews.models import Case
from reviews.notifications import send_due_notifications
from reviews.once import forget_old_submissions
from reviews.packets.jobs import forget_old_exports, run_export
from reviews.readiness.snapshots import refresh_snapshots

NOTIFICATION_INTERVAL = datetime.timedelta(hours=1)
# Serialises "is a run waiting? if not, queue one" between the worker and the command.
SCHEDULE_LOCK = zlib.crc32(b"reviews.tasks.schedule_notifications")


@task
def send_notifications_task() -> dict[str, int]:
    """The hourly run: notifications due, then today's readiness snapshots (`refresh_readiness`),
    then the form tokens that can no longer be sent, then the cycle exports older than a day, then
    the drafts of cases no longer open."""
    try:
        sent = send_due_notifications()
        return {
            **sent,
            "readiness_refreshed": refresh_readiness(),
            "form_tokens_forgotten": forget_old_submissions(),
            "exports_forgotten": forget_old_exports(),
            "drafts_forgotten": forget_closed_drafts(),
        }
    finally:
        # Queued even when this run fails, so one bad run does not end the cycle.
        schedule_notifications(run_after=clock.now() + NOTIFICATION_INTERVAL)


@task
def export_cycle_task(export_id: str) -> dict[str, int]:
    """HR's ZIP of packets, written to private storage for the job's page to offer."""
    export = run_export(export_id)
    return {"packets": export.total if export else 0}


def refresh_readiness() -> int:
    """Today's readiness snapshot of every case, so that a new day's pages and readiness filters
    find them computed. Decided and withdrawn cases too: HR's list and the dashboard show them
    with their readiness, which would otherwise be computed on every page that lists them."""
    return refresh_snapshots(Case.objects.all())


def waiting_runs():
    return DBTaskResult.objects.filter(
        task_path=send_notifications_task.module_path, status=TaskResultStatus.READY
    )


@transaction.atomic
def schedule_notifications(*, run_after: datetime.datetime | None = None) -> TaskResult | None:
    """Queue a run of the notifications (now, or at `run_after`) unless one is already waiting."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK])
    if waiting_runs().exists():
        return None
    if run_after is None:
        return send_notifications_task.enqueue()
    return send_notifications_task.using(run_after=run_after).enqueue()
