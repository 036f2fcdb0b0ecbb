import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guides.models import Level
from reviews.models import Case
from tests.factories import (
    CaseFactory,
    HRFactory,
    UserFactory,
    guide_with_parts,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def guide():
    return published_guide()


@pytest.fixture
def hr_client(client):
    client.force_login(HRFactory())
    return client


def case_form(*, candidate, sponsor, guide, opened_on=None):
    return {
        "candidate": candidate.pk,
        "sponsor": sponsor.pk,
        "guide": guide.pk,
        "opened_on": (opened_on or timezone.localdate()).isoformat(),
    }


def test_hr_opens_a_case_and_lands_on_it(hr_client, guide):
    candidate = UserFactory(current_level=guide.from_level)
    sponsor = UserFactory(current_level=guide.to_level)
    opened_on = timezone.localdate() - datetime.timedelta(days=10)

    response = hr_client.post(
        reverse("reviews:case_create"),
        case_form(candidate=candidate, sponsor=sponsor, guide=guide, opened_on=opened_on),
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reviews:case_detail", args=[case.pk])
    assert (case.candidate, case.sponsor, case.guide) == (candidate, sponsor, guide)
    assert case.opened_on == opened_on
    assert case.status == Case.Status.OPEN


def test_hr_sees_the_case_form(hr_client, guide):
    response = hr_client.get(reverse("reviews:case_create"))
    assert response.status_code == 200
    assert "Open the case" in response.text


def test_sponsor_below_the_target_level_is_refused_naming_the_levels(hr_client, guide):
    candidate = UserFactory(current_level=guide.from_level)
    junior = UserFactory(name="Jo Junior", current_level=guide.from_level)

    response = hr_client.post(
        reverse("reviews:case_create"), case_form(candidate=candidate, sponsor=junior, guide=guide)
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["sponsor"]
    assert "Jo Junior holds M3 Head of Engineering" in error
    assert "at or above E1 Director of Engineering" in error
    assert "Jo Junior holds M3 Head of Engineering" in response.text
    assert not Case.objects.exists()


def test_sponsor_without_a_level_is_refused(hr_client, guide):
    candidate = UserFactory(current_level=guide.from_level)
    sponsor = UserFactory(current_level=None)

    response = hr_client.post(
        reverse("reviews:case_create"), case_form(candidate=candidate, sponsor=sponsor, guide=guide)
    )

    [error] = response.context["form"].errors["sponsor"]
    assert "holds no level" in error
    assert not Case.objects.exists()


def test_sponsor_above_the_target_level_may_sponsor(hr_client, guide):
    senior = Level.objects.create(code="E2", title="VP Engineering", track="executive", rank=70)
    candidate = UserFactory(current_level=guide.from_level)
    sponsor = UserFactory(current_level=senior)

    response = hr_client.post(
        reverse("reviews:case_create"), case_form(candidate=candidate, sponsor=sponsor, guide=guide)
    )

    assert response.status_code == 302
    assert Case.objects.get().sponsor == sponsor


def test_candidate_cannot_sponsor_their_own_case(hr_client, guide):
    director = UserFactory(current_level=guide.to_level)

    response = hr_client.post(
        reverse("reviews:case_create"),
        case_form(candidate=director, sponsor=director, guide=guide),
    )

    assert (
        "A candidate cannot sponsor their own case." in response.context["form"].errors["sponsor"]
    )
    assert not Case.objects.exists()


def test_second_open_case_for_the_same_candidate_and_guide_is_a_form_error(hr_client, guide):
    existing = CaseFactory(guide=guide)
    other_sponsor = UserFactory(current_level=guide.to_level)

    response = hr_client.post(
        reverse("reviews:case_create"),
        case_form(candidate=existing.candidate, sponsor=other_sponsor, guide=guide),
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["candidate"]
    assert "already has an open case on this guide" in error
    assert "already has an open case on this guide" in response.text
    assert list(Case.objects.all()) == [existing]


def test_a_signed_off_case_also_blocks_a_second_case(hr_client, guide):
    existing = CaseFactory(guide=guide, status=Case.Status.SIGNED_OFF)

    response = hr_client.post(
        reverse("reviews:case_create"),
        case_form(candidate=existing.candidate, sponsor=existing.sponsor, guide=guide),
    )

    assert "candidate" in response.context["form"].errors
    assert Case.objects.count() == 1


def test_a_new_case_may_follow_a_decided_one(hr_client, guide):
    decided = CaseFactory(guide=guide, status=Case.Status.DECIDED)

    response = hr_client.post(
        reverse("reviews:case_create"),
        case_form(candidate=decided.candidate, sponsor=decided.sponsor, guide=guide),
    )

    assert response.status_code == 302
    assert Case.objects.filter(candidate=decided.candidate).count() == 2


def test_database_refuses_a_second_open_case(guide):
    existing = CaseFactory(guide=guide)
    with (
        pytest.raises(IntegrityError, match="case_one_active_per_candidate_and_guide"),
        transaction.atomic(),
    ):
        Case.objects.create(
            candidate=existing.candidate,
            sponsor=existing.sponsor,
            guide=guide,
            opened_on=timezone.localdate(),
        )


def test_database_refuses_a_candidate_as_their_own_sponsor(guide):
    person = UserFactory()
    with pytest.raises(IntegrityError, match="case_sponsor_is_not_candidate"), transaction.atomic():
        Case.objects.create(
            candidate=person, sponsor=person, guide=guide, opened_on=timezone.localdate()
        )


def test_draft_guides_are_not_offered(hr_client, guide):
    draft = guide_with_parts()
    candidate = UserFactory(current_level=guide.from_level)
    sponsor = UserFactory(current_level=guide.to_level)

    response = hr_client.post(
        reverse("reviews:case_create"), case_form(candidate=candidate, sponsor=sponsor, guide=draft)
    )

    assert "guide" in response.context["form"].errors
    assert not Case.objects.exists()


def test_hr_case_list_shows_every_case(hr_client, guide):
    cases = CaseFactory.create_batch(3, guide=guide)
    response = hr_client.get(reverse("reviews:case_list"))
    assert response.status_code == 200
    for case in cases:
        assert case.get_absolute_url() in response.text


def test_hr_case_list_empty_state(hr_client):
    response = hr_client.get(reverse("reviews:case_list"))
    assert "No cases yet." in response.text


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "outsider"])
@pytest.mark.parametrize("url_name", ["reviews:case_list", "reviews:case_create"])
def test_non_hr_people_get_404_on_hr_pages(client, guide, persona, url_name):
    case = CaseFactory(guide=guide)
    people = {"candidate": case.candidate, "sponsor": case.sponsor, "outsider": UserFactory()}
    client.force_login(people[persona])
    assert client.get(reverse(url_name)).status_code == 404


def test_non_hr_cannot_open_a_case_by_posting(client, guide):
    outsider = UserFactory(current_level=guide.to_level)
    client.force_login(outsider)
    candidate = UserFactory()

    response = client.post(
        reverse("reviews:case_create"),
        case_form(candidate=candidate, sponsor=outsider, guide=guide),
    )

    assert response.status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("url_name", ["reviews:case_list", "reviews:case_create"])
def test_anonymous_is_sent_to_login_from_hr_pages(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_home_sends_hr_to_the_case_list(hr_client):
    response = hr_client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("reviews:case_list")


def test_home_sends_a_candidate_to_their_latest_case(client, guide):
    older = CaseFactory(guide=guide, status=Case.Status.DECIDED)
    latest = CaseFactory(guide=guide, candidate=older.candidate, opened_on=timezone.localdate())
    client.force_login(latest.candidate)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == latest.get_absolute_url()


def test_home_sends_an_outsider_to_the_guides(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("guides:guide_list")


class TestNarrative:
    @pytest.fixture
    def case(self, guide):
        return CaseFactory(guide=guide, narrative="My first draft.")

    def url(self, case):
        return reverse("reviews:narrative_edit", args=[case.pk])

    def test_candidate_writes_their_narrative(self, client, case):
        client.force_login(case.candidate)

        form = client.get(self.url(case))
        response = client.post(self.url(case), {"narrative": "I grew the **org** to 60."})
        page = client.get(case.get_absolute_url())

        assert "My first draft." in form.text
        assert response.status_code == 302
        assert response.url == case.get_absolute_url()
        case.refresh_from_db()
        assert case.narrative == "I grew the **org** to 60."
        assert "I grew the <strong>org</strong> to 60." in page.text

    def test_narrative_cannot_change_once_signed_off(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
        client.force_login(case.candidate)

        response = client.post(self.url(case), {"narrative": "Rewritten."}, follow=True)

        assert response.redirect_chain[-1][0] == case.get_absolute_url()
        assert "This case is no longer open, so its narrative can no longer change." in (
            response.text
        )
        case.refresh_from_db()
        assert case.narrative == "My first draft."

    @pytest.mark.parametrize("persona", ["sponsor", "hr"])
    def test_only_the_candidate_writes_the_narrative(self, client, case, persona):
        client.force_login(case.sponsor if persona == "sponsor" else HRFactory())
        assert client.get(self.url(case)).status_code == 403
        assert client.post(self.url(case), {"narrative": "Not mine."}).status_code == 403
        case.refresh_from_db()
        assert case.narrative == "My first draft."

    def test_outsider_gets_404(self, client, case):
        client.force_login(UserFactory())
        assert client.get(self.url(case)).status_code == 404
        assert client.post(self.url(case), {"narrative": "Not mine."}).status_code == 404
        case.refresh_from_db()
        assert case.narrative == "My first draft."

    def test_the_service_reads_the_case_afresh_and_refuses_a_case_signed_off_meanwhile(self, case):
        from django.core.exceptions import ValidationError

        from reviews.services import save_narrative

        # The page read the case while it was open; it was signed off before the save.
        Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
        with pytest.raises(ValidationError, match="no longer open"):
            save_narrative(case=case, by=case.candidate, narrative="Rewritten.")
        case.refresh_from_db()
        assert case.narrative == "My first draft."

    def test_the_service_lets_only_the_candidate_write(self, case):
        from django.core.exceptions import PermissionDenied

        from reviews.services import save_narrative

        with pytest.raises(PermissionDenied):
            save_narrative(case=case, by=case.sponsor, narrative="Not mine.")
        save_narrative(case=case, by=case.candidate, narrative="Mine.")
        case.refresh_from_db()
        assert case.narrative == "Mine."
