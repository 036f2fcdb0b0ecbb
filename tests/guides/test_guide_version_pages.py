"""HR's guide pages: import by paste or upload, review beside the Markdown with what changed,
publish, retire, discard; drafts are HR's alone on every guide URL and list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guides.guidemd import render_guide
from guides.models import Guide
from guides.services import guide_to_doc, import_guide
from tests.factories import HRFactory, UserFactory
from tests.guides.guide_texts import first_version, markdown, second_version
from tests.security.test_access_matrix import checked_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client():
    client = Client()
    client.force_login(HRFactory())
    return client


@pytest.fixture
def member_client():
    client = Client()
    client.force_login(UserFactory())
    return client


@pytest.fixture
def first():
    return import_guide(source=markdown(first_version()).encode()).guide


def paste(client, text):
    return client.post(reverse("guides:guide_import"), {"text": text})


def test_hr_pastes_a_new_version_and_sees_it_with_what_changed(hr_client, first):
    response = paste(hr_client, markdown(second_version()))
    draft = Guide.objects.get(version=2)
    assert draft.status == Guide.Status.DRAFT
    assert response["Location"] == reverse("guides:guide_review", args=[draft.slug])
    page = hr_client.get(response["Location"]).text
    # The rendering people will read, beside the Markdown it came from.
    assert "Capabilities to develop" in page
    assert "## Key Capabilities to Develop" in page
    assert "What changed against version 1" in page
    assert "Reworded</span> <del>Sets a yearly plan that other teams build on</del>" in page
    assert "<ins>Sets a yearly plan that other groups build on</ins>" in page
    assert "Removed</span> <del>Cuts work that no longer pays off</del>" in page
    assert "Added</span> <ins>Brings new managers up to speed within a quarter</ins>" in page
    assert "Added</span> <ins>Do my managers grow their own leads?</ins>" in page
    assert "Publish as version 2" in page


def test_hr_uploads_a_file(hr_client, first):
    upload = SimpleUploadedFile("guide.md", markdown(second_version()).encode("utf-8-sig"))
    response = hr_client.post(reverse("guides:guide_import"), {"file": upload})
    assert response.status_code == 302
    assert Guide.objects.filter(version=2, status=Guide.Status.DRAFT).exists()


def test_a_refusal_shows_line_and_expectation_beside_the_kept_text(hr_client):
    text = markdown(first_version()).replace("## Overview", "## Overview of it", 1)
    response = paste(hr_client, text)
    assert response.status_code == 200
    assert Guide.objects.count() == 0
    page = response.text
    assert "The guide was not imported" in page
    assert "<strong>line 5</strong>" in page
    assert "the importer expected" in page
    # The pasted text is kept in the form, to be fixed there.
    assert "## Overview of it" in page


def test_a_file_or_a_paste_is_needed(hr_client):
    response = paste(hr_client, "")
    assert "Upload a file or paste the Markdown" in response.text


def test_the_same_text_again_is_refused_in_words(hr_client, first):
    response = paste(hr_client, markdown(first_version()))
    assert "there is nothing new to import" in response.text
    assert Guide.objects.count() == 1


def test_publish_then_retire(hr_client, first):
    paste(hr_client, markdown(second_version()))
    draft = Guide.objects.get(version=2)
    hr_client.post(reverse("guides:guide_publish", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.status == Guide.Status.PUBLISHED
    confirm = hr_client.get(reverse("guides:guide_retire", args=[first.slug]))
    assert "no new case can be opened on this version" in confirm.text
    hr_client.post(reverse("guides:guide_retire", args=[first.slug]))
    first.refresh_from_db()
    assert first.status == Guide.Status.RETIRED


def test_a_refused_action_says_why(hr_client, first):
    response = hr_client.post(reverse("guides:guide_publish", args=[first.slug]), follow=True)
    assert "is published, not a draft" in response.text


def test_discard_a_draft(hr_client, first):
    paste(hr_client, markdown(second_version()))
    draft = Guide.objects.get(version=2)
    hr_client.post(reverse("guides:guide_discard", args=[draft.slug]))
    assert not Guide.objects.filter(pk=draft.pk).exists()


def test_any_version_downloads_as_markdown(member_client, first):
    response = member_client.get(reverse("guides:guide_markdown", args=[first.slug]))
    assert response["Content-Disposition"] == f'attachment; filename="{first.slug}.md"'
    assert response.content.decode() == render_guide(guide_to_doc(first))


def test_a_retired_version_is_read_but_not_listed(member_client, hr_client, first):
    hr_client.post(reverse("guides:guide_retire", args=[first.slug]))
    assert member_client.get(first.get_absolute_url()).status_code == 200
    assert first.get_absolute_url() not in member_client.get(reverse("guides:guide_list")).text


def test_every_guide_url_hides_a_draft_from_everyone_but_hr(member_client, hr_client, first):
    paste(hr_client, markdown(second_version()))
    draft = Guide.objects.get(version=2)
    names = [name for name, params in checked_patterns().items() if tuple(params) == ("slug",)]
    assert {n for n in names if n.startswith("guides:")} == {
        "guides:guide_detail",
        "guides:guide_markdown",
        "guides:guide_review",
        "guides:guide_publish",
        "guides:guide_retire",
        "guides:guide_discard",
    }
    for name in names:
        url = reverse(name, args=[draft.slug])
        for method in ("get", "post"):
            status = getattr(member_client, method)(url).status_code
            assert status in (404, 405), f"{method} {url}: {status}"
    assert draft.slug not in member_client.get(reverse("guides:guide_list")).text
    assert (
        reverse("guides:guide_review", args=[draft.slug])
        in hr_client.get(reverse("guides:guide_list")).text
    )
    assert hr_client.get(draft.get_absolute_url()).status_code == 200
    # Nothing the others sent published or discarded it.
    draft.refresh_from_db()
    assert draft.status == Guide.Status.DRAFT


def test_review_page_queries_do_not_grow_with_versions(hr_client, first, django_assert_num_queries):
    paste(hr_client, markdown(second_version()))
    draft = Guide.objects.get(version=2)
    url = reverse("guides:guide_review", args=[draft.slug])
    # session, user, the draft with levels and one query for each of its eight kinds of
    # parts (9), the published version before it, the two versions read as documents (9
    # each), its open cases
    with django_assert_num_queries(31):
        hr_client.get(url)


def test_hr_list_queries_do_not_grow_with_versions(hr_client, first, django_assert_num_queries):
    # session, user, the published guides, every version with its open cases
    with django_assert_num_queries(4):
        hr_client.get(reverse("guides:guide_list"))
    paste(hr_client, markdown(second_version()))
    with django_assert_num_queries(4):
        hr_client.get(reverse("guides:guide_list"))


def test_a_retired_version_is_not_offered_for_new_cases(hr_client, first):
    paste(hr_client, markdown(second_version()))
    second = Guide.objects.get(version=2)
    hr_client.post(reverse("guides:guide_publish", args=[second.slug]))
    hr_client.post(reverse("guides:guide_retire", args=[first.slug]))
    form = hr_client.get(reverse("reviews:case_create")).text
    assert f'<option value="{second.pk}">M2 → M3 v2</option>' in form
    assert f'<option value="{first.pk}">M2 → M3 v1</option>' not in form
