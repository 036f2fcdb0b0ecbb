"""HR's ZIP of packets as a background job, for exports too large to make within a request.

`start_export` fixes the cases and queues the task; the worker (`manage.py db_worker`) runs
`run_export`, which writes the ZIP to private storage and counts the packets as it goes, so that
the job's page shows "N of M packets". The file is kept for KEEP_FOR, then the hourly run
(reviews/tasks.py) deletes it with its row. Exports of at most STREAM_AT_MOST cases are streamed
within the request, as before. A cycle's export (briefs, packets, scores, outcomes) is the same
job with its cycle set.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from core import clock
from reviews.export_jobs import CycleExport
from reviews.models import Case, Cycle
from reviews.packets.cycle_results import cycle_results_zip
from reviews.packets.exports import cycle_zip

STREAM_AT_MOST = 10
KEEP_FOR = datetime.timedelta(days=1)
FOLDER = "exports"


def export_path(export: CycleExport) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / export.file


def start_export(*, cases: QuerySet, requested_by, cycle: Cycle | None = None) -> CycleExport:
    """A job for these cases (already limited to what the person may see), queued to run; with
    `cycle`, the cycle's export of its nominated cases (reviews/packets/cycle_results.py)."""
    from reviews.tasks import export_cycle_task

    ids = list(cases.order_by("id").values_list("id", flat=True))
    export = CycleExport.objects.create(
        requested_by=requested_by, cycle=cycle, case_ids=ids, total=len(ids), as_of=clock.today()
    )
    transaction.on_commit(lambda: export_cycle_task.enqueue(str(export.pk)))
    return export


def run_export(export_id: str) -> CycleExport | None:
    """Write the job's ZIP; None when the job was deleted before it ran."""
    export = CycleExport.objects.select_related("cycle").filter(pk=export_id).first()
    if export is None:
        return None
    export.file = f"{FOLDER}/{export.pk}.zip"
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    CycleExport.objects.filter(pk=export.pk).update(
        status=CycleExport.Status.RUNNING, file=export.file
    )

    def progress(done: int, total: int) -> None:
        CycleExport.objects.filter(pk=export.pk).update(done=done)

    try:
        with path.open("wb") as target:
            if export.cycle is not None:
                chunks = cycle_results_zip(export.cycle, as_of=export.as_of, on_packet=progress)
            else:
                cases = Case.objects.filter(pk__in=export.case_ids)
                chunks = cycle_zip(cases, as_of=export.as_of, on_packet=progress)
            for chunk in chunks:
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        CycleExport.objects.filter(pk=export.pk).update(
            status=CycleExport.Status.FAILED, file="", finished_at=clock.now()
        )
        raise
    CycleExport.objects.filter(pk=export.pk).update(
        status=CycleExport.Status.DONE,
        done=export.total,
        size=path.stat().st_size,
        finished_at=clock.now(),
    )
    export.refresh_from_db()
    return export


def forget_old_exports() -> int:
    """Delete the exports older than KEEP_FOR and their files; how many there were."""
    old = list(CycleExport.objects.filter(created_at__lt=clock.now() - KEEP_FOR))
    for export in old:
        if export.file:
            export_path(export).unlink(missing_ok=True)
    CycleExport.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
