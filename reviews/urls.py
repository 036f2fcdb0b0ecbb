from django.urls import path, re_path

from reviews.views import (
    cases,
    check_ins,
    cycles,
    dashboard,
    evidence,
    exports,
    feedback,
    guide_move,
    hr,
    queue,
    scoring,
    sign_off,
)

app_name = "reviews"

urlpatterns = [
    path("", hr.case_list, name="case_list"),
    path("new/", hr.case_create, name="case_create"),
    path("sponsored/", dashboard.dashboard, name="dashboard"),
    path("import/", hr.case_import, name="case_import"),
    path("queue/", queue.review_queue, name="review_queue"),
    path("queue/endorse/", queue.queue_endorse_all, name="queue_endorse_all"),
    path("queue/<int:evidence_id>/answer/", queue.queue_answer, name="queue_answer"),
    re_path(
        r"^export/(?P<kind>zip|cases-csv|evidence-csv|xlsx)$",
        hr.cycle_export,
        name="cycle_export",
    ),
    path("export/zip/start", exports.export_create, name="export_create"),
    path("exports/<uuid:export_id>/", exports.export_detail, name="export_detail"),
    path("exports/<uuid:export_id>/zip", exports.export_download, name="export_download"),
    path("preview/", cases.markdown_preview, name="markdown_preview"),
    # A case's own pages sit under its address: HR's list links to them from it
    # (reviews.views.lists.CaseRow).
    path("<int:case_id>/", cases.case_detail, name="case_detail"),
    path("<int:case_id>/narrative/", cases.narrative_edit, name="narrative_edit"),
    path("<int:case_id>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("<int:case_id>/evidence/new/", evidence.evidence_create, name="evidence_create"),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/",
        evidence.evidence_detail,
        name="evidence_detail",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/edit/",
        evidence.evidence_edit,
        name="evidence_edit",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/delete/",
        evidence.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/star/",
        evidence.evidence_star,
        name="evidence_star",
    ),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/files/<int:attachment_id>/",
        evidence.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:case_id>/drafts/<int:draft_id>/discard/",
        evidence.draft_discard,
        name="draft_discard",
    ),
    path("<int:case_id>/review/", feedback.case_review, name="case_review"),
    path("<int:case_id>/manage/", hr.case_manage, name="case_manage"),
    path("<int:case_id>/move/", guide_move.case_move, name="case_move"),
    re_path(
        r"^(?P<case_id>[0-9]+)/packet\.(?P<fmt>json|pdf)$",
        cases.packet_download,
        name="packet_download",
    ),
    path("<int:case_id>/sign-off/", sign_off.sign_off_create, name="sign_off_create"),
    path("<int:case_id>/history/", cases.case_history, name="case_history"),
    path("<int:case_id>/outcome/", scoring.case_outcome, name="case_outcome"),
    path("<int:case_id>/outcome/answer/", scoring.appeal_answer, name="appeal_answer"),
    path(
        "<int:case_id>/nominate/<int:cycle_id>/",
        cycles.case_nominate,
        name="case_nominate",
    ),
    path("<int:case_id>/brief/", cases.case_brief, name="case_brief"),
    path("<int:case_id>/brief.pdf", cases.case_brief_pdf, name="case_brief_pdf"),
    path(
        "<int:case_id>/evidence/<int:evidence_id>/feedback/",
        feedback.feedback_create,
        name="feedback_create",
    ),
    path("<int:case_id>/check-ins/", check_ins.check_in_list, name="check_in_list"),
    path("<int:case_id>/check-ins/new/", check_ins.check_in_create, name="check_in_create"),
]
