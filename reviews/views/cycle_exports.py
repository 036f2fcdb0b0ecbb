"""HR's exports of one cycle: the results as CSV or XLSX, and the cycle's ZIP (briefs, packets,
scores, outcomes), streamed for a small cycle and made by the export job for a larger one."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from core import clock
from core.downloads import as_download
from reviews.models import Case, Cycle
from reviews.packets.cycle_results import cycle_results_zip, results, results_csv, results_xlsx
from reviews.packets.jobs import STREAM_AT_MOST, start_export
from reviews.views.common import require_hr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cycle(request, pk: int) -> Cycle:
    require_hr(request)
    return get_object_or_404(Cycle, pk=pk)


def _name(cycle: Cycle, what: str, extension: str) -> str:
    return f"{slugify(cycle.name) or 'cycle'}-{what}-{clock.today().isoformat()}.{extension}"


@require_GET
@login_required
def cycle_results(request, pk, spreadsheet):
    cycle = _cycle(request, pk)
    found = results(cycle)
    if spreadsheet == "xlsx":
        response = HttpResponse(results_xlsx(found), content_type=XLSX)
    else:
        response = StreamingHttpResponse(results_csv(found), content_type="text/csv")
    return as_download(response, _name(cycle, "results", spreadsheet))


@require_GET
@login_required
def cycle_export(request, pk):
    """The cycle's ZIP; a cycle of more than a few cases is offered as a background job."""
    cycle = _cycle(request, pk)
    count = Case.objects.filter(nominations__cycle=cycle).count()
    if count > STREAM_AT_MOST:
        return render(
            request,
            "reviews/cycles/cycle_export_start.html",
            {"cycle": cycle, "count": count, "stream_at_most": STREAM_AT_MOST},
        )
    response = StreamingHttpResponse(cycle_results_zip(cycle), content_type="application/zip")
    return as_download(response, _name(cycle, "export", "zip"))


@require_POST
@login_required
def cycle_export_start(request, pk):
    cycle = _cycle(request, pk)
    export = start_export(
        cases=Case.objects.filter(nominations__cycle=cycle), requested_by=request.user, cycle=cycle
    )
    return redirect("reviews:export_detail", export_id=export.pk)
