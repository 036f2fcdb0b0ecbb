"""The pages of promotion cycles, under /cycles/."""

from django.urls import path

from reviews.views import calibration

app_name = "cycles"

urlpatterns = [
    path(
        "<int:cycle_id>/calibration/",
        calibration.cycle_calibration,
        name="cycle_calibration",
    ),
]
