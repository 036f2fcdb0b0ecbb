from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("", views.guide_list, name="guide_list"),
    path("import/", views.guide_import, name="guide_import"),
    path("<slug:slug>/", views.guide_detail, name="guide_detail"),
    path("<slug:slug>/markdown/", views.guide_markdown, name="guide_markdown"),
    path("<slug:slug>/review/", views.guide_review, name="guide_review"),
    path("<slug:slug>/publish/", views.guide_publish, name="guide_publish"),
    path("<slug:slug>/retire/", views.guide_retire, name="guide_retire"),
    path("<slug:slug>/discard/", views.guide_discard, name="guide_discard"),
]
