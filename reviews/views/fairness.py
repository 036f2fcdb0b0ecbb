"""HR's fairness view, for one cycle or across the published ones, and its CSV and XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from core import clock
from core.downloads import as_download
from reviews import fairness
from reviews.cycle_models import Cycle
from reviews.packets.exports import write_csv, write_xlsx
from reviews.views.common import require_hr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _hr_cycle(request, cycle_id: int) -> Cycle:
    require_hr(request)
    return get_object_or_404(Cycle, pk=cycle_id)


@require_GET
@login_required
def overview(request):
    require_hr(request)
    report = fairness.report_for(fairness.published_cycles())
    others = Cycle.objects.exclude(state__in=fairness.PUBLISHED_STATES).only("name", "state")
    return _page(request, report, cycle=None, others=others)


@require_GET
@login_required
def cycle_report(request, cycle_id):
    cycle = _hr_cycle(request, cycle_id)
    return _page(request, fairness.report_for([cycle]), cycle=cycle, others=())


def _page(request, report, *, cycle, others):
    context = {
        "report": report,
        "cycle": cycle,
        "others": others,
        "columns": fairness.COLUMNS,
        "min_group": fairness.MIN_GROUP,
        "fewer": fairness.FEWER,
        "published": cycle is None or cycle.state in fairness.PUBLISHED_STATES,
    }
    return render(request, "reviews/fairness/report.html", context)


@require_GET
@login_required
def overview_export(request, spreadsheet):
    require_hr(request)
    report = fairness.report_for(fairness.published_cycles())
    return _export(report, spreadsheet, "fairness-across-cycles")


@require_GET
@login_required
def cycle_export(request, cycle_id, spreadsheet):
    cycle = _hr_cycle(request, cycle_id)
    name = f"fairness-{slugify(cycle.name) or cycle.pk}"
    return _export(fairness.report_for([cycle]), spreadsheet, name)


def _export(report, spreadsheet: str, name: str):
    """The page's rows, with the same cells hidden; written and neutralised as every export."""
    rows = report.export_rows()
    stamp = clock.today().isoformat()
    if spreadsheet == "xlsx":
        body = write_xlsx({"Fairness": (fairness.EXPORT_HEADER, rows)})
        response = HttpResponse(body, content_type=XLSX)
    else:
        response = StreamingHttpResponse(
            write_csv(rows, fairness.EXPORT_HEADER), content_type="text/csv; charset=utf-8"
        )
    return as_download(response, f"{name}-{stamp}.{spreadsheet}")
