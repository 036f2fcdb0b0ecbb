"""The fairness view's addresses, under /cycles/ beside the cycles' own pages."""

from django.urls import path, re_path

from reviews.views import fairness

app_name = "fairness"

urlpatterns = [
    path("fairness/", fairness.overview, name="overview"),
    re_path(
        r"^fairness\.(?P<spreadsheet>csv|xlsx)$", fairness.overview_export, name="overview_export"
    ),
    path("<int:cycle_id>/fairness/", fairness.cycle_report, name="cycle"),
    re_path(
        r"^(?P<cycle_id>[0-9]+)/fairness\.(?P<spreadsheet>csv|xlsx)$",
        fairness.cycle_export,
        name="cycle_export",
    ),
]
