"""The addresses of the panel's scores and the committee's outcomes, beside the cycle's own
pages: `/panel/nominations/<id>/score/`, `/cycles/<id>/outcomes/<id>/`, `/cycles/<id>/publish/`.
A case's published outcome sits under the case (reviews/urls.py)."""

from django.urls import path

from reviews.views import scoring

app_name = "scoring"

urlpatterns = [
    path(
        "panel/nominations/<int:nomination_id>/score/",
        scoring.score_sheet,
        name="score_sheet",
    ),
    path(
        "cycles/<int:cycle_id>/outcomes/<int:nomination_id>/",
        scoring.outcome_record,
        name="outcome_record",
    ),
    path("cycles/<int:cycle_id>/publish/", scoring.cycle_publish, name="cycle_publish"),
]
