"""The pages of promotion cycles (/cycles/…) and the panel's own page (/panel/)."""

from django.urls import path, re_path

from reviews.views import calibration, cycle_exports, cycles

app_name = "cycles"

urlpatterns = [
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/move/", cycles.cycle_move, name="cycle_move"),
    path("cycles/<int:pk>/nominate/", cycles.cycle_nominate, name="cycle_nominate"),
    path("cycles/<int:pk>/panel/", cycles.cycle_panel, name="cycle_panel"),
    path(
        "cycles/<int:pk>/panel/<int:user_id>/remove/",
        cycles.panel_remove,
        name="panel_remove",
    ),
    path(
        "cycles/<int:cycle_id>/calibration/",
        calibration.cycle_calibration,
        name="cycle_calibration",
    ),
    re_path(
        r"^cycles/(?P<pk>[0-9]+)/results\.(?P<spreadsheet>csv|xlsx)$",
        cycle_exports.cycle_results,
        name="cycle_results",
    ),
    path("cycles/<int:pk>/export/", cycle_exports.cycle_export, name="cycle_export"),
    path(
        "cycles/<int:pk>/export/start/",
        cycle_exports.cycle_export_start,
        name="cycle_export_start",
    ),
    path("panel/", cycles.panel_home, name="panel_home"),
]
