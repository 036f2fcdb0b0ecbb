"""Never lose work: files survive a form error, and evidence can wait as a draft."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import Attachment, DraftFile, Evidence, EvidenceDraft
from reviews.readiness.snapshots import case_readiness
from tests.factories import CaseFactory, EvidenceFactory
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

TEXT = b"Minutes of the budget review.\n"


def stored() -> set[Path]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def clean_storage():
    before = stored()
    yield
    for path in stored() - before:
        path.unlink()


@pytest.fixture
def case():
    return CaseFactory()


@pytest.fixture
def candidate(client, case):
    client.force_login(case.candidate)
    return client


def form(case, **changes):
    data = {
        "capability": case.guide.capabilities.get(number=1).pk,
        "title": "Budget review",
        "date": "2026-05-29",
        "summary": "Ran the budget review.",
        "outcome": "",
        "links": "",
    }
    data.update(changes)
    return with_token(data)


def notes(name="minutes.txt"):
    return SimpleUploadedFile(name, TEXT, content_type="text/plain")


def create(case):
    return reverse("reviews:evidence_create", args=[case.pk])


def test_a_form_error_keeps_the_files_and_logging_attaches_them(
    candidate, case, django_capture_on_commit_callbacks
):
    before = stored()
    page = candidate.post(create(case), form(case, title="", attachments=[notes()]))
    assert page.status_code == 200 and "title" in page.context["form"].errors
    assert "Your files are kept (minutes.txt)" in page.text
    draft = EvidenceDraft.objects.get()
    assert f'name="draft" value="{draft.pk}"' in page.text
    assert "Remove minutes.txt" in page.text
    assert not Evidence.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = candidate.post(create(case), form(case, draft=draft.pk), follow=True)
    assert "Logged “Budget review”." in done.text
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.evidence.title) == ("minutes.txt", "Budget review")
    with attachment.file.open("rb") as handle:
        assert handle.read() == TEXT
    assert not EvidenceDraft.objects.exists() and not DraftFile.objects.exists()
    # The draft's copy is gone; only the attachment's remains.
    assert stored() - before == {Path(attachment.file.path)}


def test_a_kept_file_can_be_removed_before_logging(candidate, case):
    candidate.post(create(case), form(case, title="", attachments=[notes()]))
    draft = EvidenceDraft.objects.get()
    kept = draft.files.get()
    candidate.post(create(case), form(case, draft=draft.pk, remove_kept=[kept.pk]))
    assert Evidence.objects.get().attachments.count() == 0


def test_a_draft_is_saved_unchecked_and_counts_nowhere(candidate, case, client):
    candidate.post(
        create(case),
        form(case, title="", summary="", date="not a date", action="draft", attachments=[notes()]),
    )
    draft = EvidenceDraft.objects.get()
    assert (draft.title, draft.date, draft.files.count()) == ("", None, 1)
    assert not Evidence.objects.exists()
    assert case_readiness(case).status == "not_started"
    progress = candidate.get(case.get_absolute_url())
    assert "Untitled draft" in progress.text
    resumed = candidate.get(create(case), {"draft": draft.pk})
    assert resumed.context["form"]["capability"].value() == draft.capability_id
    assert "Remove minutes.txt" in resumed.text

    client.force_login(case.sponsor)
    assert "Untitled draft" not in client.get(case.get_absolute_url()).text
    assert client.get(create(case), {"draft": draft.pk}).status_code == 403


def test_discarding_a_draft_deletes_it_and_its_files(
    candidate, case, django_capture_on_commit_callbacks
):
    before = stored()
    candidate.post(create(case), form(case, action="draft", attachments=[notes()]))
    draft = EvidenceDraft.objects.get()
    assert len(stored() - before) == 1
    with django_capture_on_commit_callbacks(execute=True):
        candidate.post(reverse("reviews:draft_discard", args=[case.pk, draft.pk]))
    assert not EvidenceDraft.objects.exists()
    assert stored() == before


def test_another_cases_draft_is_not_found(candidate, case):
    other = EvidenceDraft.objects.create(case=CaseFactory(guide=case.guide), title="Not yours")
    assert candidate.get(create(case), {"draft": other.pk}).status_code == 404


def test_an_edit_that_fails_says_the_files_must_be_attached_again(candidate, case):
    item = EvidenceFactory(case=case, capability=case.guide.capabilities.get(number=1))
    url = reverse("reviews:evidence_edit", args=[case.pk, item.pk])
    page = candidate.post(url, form(case, title="", attachments=[notes()]))
    assert "The files you chose were not kept: attach them again before saving." in page.text
    assert not EvidenceDraft.objects.exists()


def test_the_hourly_run_forgets_the_drafts_of_closed_cases_with_their_files(
    candidate, case, django_capture_on_commit_callbacks
):
    from reviews.drafts import forget_closed_drafts
    from reviews.models import Case

    before = stored()
    candidate.post(create(case), form(case, action="draft", attachments=[notes()]))
    open_case = CaseFactory()
    candidate.force_login(open_case.candidate)
    candidate.post(create(open_case), form(open_case, action="draft", attachments=[notes()]))
    kept = EvidenceDraft.objects.get(case=open_case)
    kept_files = stored() - before - {Path(f.file.path) for f in case.drafts.get().files.all()}
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WITHDRAWN)

    with django_capture_on_commit_callbacks(execute=True):
        assert forget_closed_drafts() == 1
    assert list(EvidenceDraft.objects.all()) == [kept]
    assert stored() - before == kept_files


def test_a_draft_keeps_what_was_typed_without_the_characters_no_text_can_hold(candidate, case):
    page = candidate.post(
        create(case),
        form(case, title="Bud\x00get", summary="Ran\x00 it.", action="draft"),
        follow=True,
    )
    assert page.status_code == 200
    draft = EvidenceDraft.objects.get()
    assert (draft.title, draft.summary) == ("Budget", "Ran it.")
