from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("<int:notice_id>/open/", views.notice_open, name="notice_open"),
    path("read/", views.notice_read_all, name="notice_read_all"),
]
