"""HR's cycle export as a job: the page that starts it, its progress page and its file."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.downloads import as_download
from reviews.export_jobs import CycleExport
from reviews.packets.jobs import STREAM_AT_MOST, export_path, start_export
from reviews.views.common import require_hr
from reviews.views.filters import hr_filtered_cases

# How often the progress page asks again while the packets are being made.
REFRESH_SECONDS = 2


def confirm_export(request, cases):
    """The page that offers to make a large export in the background."""
    return render(
        request,
        "reviews/export_start.html",
        {
            "count": cases.count(),
            "query": request.GET.urlencode(),
            "stream_at_most": STREAM_AT_MOST,
        },
    )


@require_POST
@login_required
def export_create(request):
    require_hr(request)
    export = start_export(cases=hr_filtered_cases(request), requested_by=request.user)
    return redirect("reviews:export_detail", export_id=export.pk)


def _own_export(request, export_id) -> CycleExport:
    """The job, for the person who started it; anyone else gets a 404."""
    require_hr(request)
    return get_object_or_404(CycleExport, pk=export_id, requested_by=request.user)


@require_GET
@login_required
def export_detail(request, export_id):
    export = _own_export(request, export_id)
    working = export.status in (CycleExport.Status.QUEUED, CycleExport.Status.RUNNING)
    return render(
        request,
        "reviews/export_detail.html",
        {"export": export, "working": working, "refresh": REFRESH_SECONDS},
    )


@require_GET
@login_required
def export_download(request, export_id):
    export = _own_export(request, export_id)
    path = export_path(export) if export.file else None
    if export.status != CycleExport.Status.DONE or path is None or not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="application/zip")
    what = f"cycle-{export.cycle_id}" if export.cycle_id else "promotion-packets"
    return as_download(response, f"{what}-{export.as_of.isoformat()}.zip")
