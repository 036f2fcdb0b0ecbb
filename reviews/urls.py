from django.urls import path, re_path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("sponsored/", views.dashboard, name="dashboard"),
    path("import/", views.case_import, name="case_import"),
    re_path(
        r"^export/(?P<kind>zip|cases-csv|evidence-csv|xlsx)$",
        views.cycle_export,
        name="cycle_export",
    ),
    path("preview/", views.markdown_preview, name="markdown_preview"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/narrative/", views.narrative_edit, name="narrative_edit"),
    path("<int:case_id>/evidence/", views.evidence_list, name="evidence_list"),
    path("<int:case_id>/evidence/new/", views.evidence_create, name="evidence_create"),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/", views.evidence_detail, name="evidence_detail"
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/edit/",
        views.evidence_edit,
        name="evidence_edit",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("<int:case_id>/review/", views.case_review, name="case_review"),
    path("<int:case_id>/manage/", views.case_manage, name="case_manage"),
    re_path(
        r"^(?P<case_id>[0-9]+)/packet\.(?P<fmt>json|pdf)$",
        views.packet_download,
        name="packet_download",
    ),
    path("<int:case_id>/sign-off/", views.sign_off_create, name="sign_off_create"),
    path("<int:case_id>/history/", views.case_history, name="case_history"),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/feedback/",
        views.feedback_create,
        name="feedback_create",
    ),
    path("<int:case_id>/check-ins/", views.check_in_list, name="check_in_list"),
    path("<int:case_id>/check-ins/new/", views.check_in_create, name="check_in_create"),
]
