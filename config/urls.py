from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accounts/", include("accounts.urls")),
    path("guides/", include("guides.urls")),
    path("cases/", include("reviews.urls")),
    path("cycles/", include("reviews.fairness_urls")),
    path("notifications/", include("inbox.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
handler403 = "config.views.permission_denied"
