from django.contrib import admin
from django.urls import include, path

from config import views
from reviews.views.schemas import packet_schema

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accounts/", include("accounts.urls")),
    path("guides/", include("guides.urls")),
    path("cases/", include("reviews.urls")),
    path("cycles/", include("reviews.fairness_urls")),
    path("notifications/", include("inbox.urls")),
    # Promotion cycles (/cycles/…) and the panel's own page (/panel/).
    path("", include("reviews.cycle_urls")),
    # The panel's and the committee's pages (/panel/…, /cycles/…) that scores and outcomes add.
    path("", include("reviews.scoring_urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("schemas/promotion-packet/<int:version>.json", packet_schema, name="packet_schema"),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
handler403 = "config.views.permission_denied"
