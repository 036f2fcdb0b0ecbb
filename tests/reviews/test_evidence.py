import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, Evidence
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, UserFactory
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

TODAY = timezone.localdate


@pytest.fixture
def case():
    return CaseFactory()


@pytest.fixture
def capabilities(case):
    return list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))


@pytest.fixture
def candidate_client(client, case):
    client.force_login(case.candidate)
    return client


def evidence_form(capability, *, indicators=(), **overrides):
    data = {
        "capability": capability.pk,
        "indicators": [i.pk for i in indicators],
        "title": "Moved billing to the new platform",
        "date": (TODAY() - datetime.timedelta(days=20)).isoformat(),
        "summary": "Led the **migration** of billing.",
        "outcome": "Invoices went out two days sooner.",
        "links": "https://example.org/plan\n\n  https://example.org/retro  \n",
    }
    data.update(overrides)
    return with_token(data)


def create_url(case):
    return reverse("reviews:evidence_create", args=[case.pk])


def test_candidate_logs_evidence_and_lands_on_it(candidate_client, case, capabilities):
    capability = capabilities[1]
    indicators = list(capability.indicators.all())[:2]

    response = candidate_client.post(
        create_url(case), evidence_form(capability, indicators=indicators)
    )

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response.url == evidence.get_absolute_url()
    assert evidence.case == case
    assert evidence.capability == capability
    assert set(evidence.indicators.all()) == set(indicators)
    assert evidence.title == "Moved billing to the new platform"
    assert evidence.date == TODAY() - datetime.timedelta(days=20)
    assert evidence.summary == "Led the **migration** of billing."
    assert evidence.outcome == "Invoices went out two days sooner."
    assert evidence.links == ["https://example.org/plan", "https://example.org/retro"]


def test_logged_evidence_shows_on_its_page(candidate_client, case, capabilities):
    capability = capabilities[0]
    [indicator] = list(capability.indicators.all())[:1]
    candidate_client.post(create_url(case), evidence_form(capability, indicators=[indicator]))

    response = candidate_client.get(Evidence.objects.get().get_absolute_url())

    assert response.status_code == 200
    assert "Moved billing to the new platform" in response.text
    assert "<strong>migration</strong>" in response.text
    assert "1.1 Indicator 1.1" in response.text
    assert 'href="https://example.org/retro"' in response.text


def test_evidence_for_today_is_accepted(candidate_client, case, capabilities):
    response = candidate_client.post(
        create_url(case), evidence_form(capabilities[0], date=TODAY().isoformat())
    )
    assert response.status_code == 302
    assert Evidence.objects.get().date == TODAY()


def test_candidate_sees_the_empty_form(candidate_client, case):
    response = candidate_client.get(create_url(case))
    assert response.status_code == 200
    assert "Indicator 4.5" in response.text


def refused(response, field):
    assert response.status_code == 200, "a refused form is shown again"
    return response.context["form"].errors[field]


def test_indicators_of_another_capability_are_refused(candidate_client, case, capabilities):
    foreign = capabilities[2].indicators.first()

    response = candidate_client.post(
        create_url(case), evidence_form(capabilities[0], indicators=[foreign])
    )

    assert refused(response, "indicators") == [
        "Choose only indicators of the capability this evidence is for."
    ]
    assert not Evidence.objects.exists()


def test_indicators_of_another_guide_are_refused(candidate_client, case, capabilities):
    other_guide_indicator = CaseFactory().guide.capabilities.first().indicators.first()

    response = candidate_client.post(
        create_url(case), evidence_form(capabilities[0], indicators=[other_guide_indicator])
    )

    assert refused(response, "indicators")
    assert not Evidence.objects.exists()


def test_capability_of_another_guide_is_refused(candidate_client, case):
    other_capability = CaseFactory().guide.capabilities.first()
    response = candidate_client.post(create_url(case), evidence_form(other_capability))
    assert refused(response, "capability")
    assert not Evidence.objects.exists()


def test_date_in_the_future_is_refused(candidate_client, case, capabilities):
    tomorrow = TODAY() + datetime.timedelta(days=1)

    response = candidate_client.post(
        create_url(case), evidence_form(capabilities[0], date=tomorrow.isoformat())
    )

    assert refused(response, "date") == ["The date of the work cannot be in the future."]
    assert not Evidence.objects.exists()


def test_ten_links_are_accepted(candidate_client, case, capabilities):
    links = "\n".join(f"https://example.org/{n}" for n in range(10))
    response = candidate_client.post(create_url(case), evidence_form(capabilities[0], links=links))
    assert response.status_code == 302
    assert len(Evidence.objects.get().links) == 10


def test_more_than_ten_links_are_refused(candidate_client, case, capabilities):
    links = "\n".join(f"https://example.org/{n}" for n in range(11))

    response = candidate_client.post(create_url(case), evidence_form(capabilities[0], links=links))

    assert refused(response, "links") == ["Add at most 10 links (11 given)."]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "ftp://example.org/file",
        "data:text/html,<script>alert(1)</script>",
        "example.org/no-scheme",
    ],
)
def test_links_other_than_http_and_https_are_refused(candidate_client, case, capabilities, link):
    response = candidate_client.post(
        create_url(case),
        evidence_form(capabilities[0], links=f"https://example.org/fine\n{link}"),
    )

    [error] = refused(response, "links")
    assert "is not a web address starting with http:// or https://" in error
    assert not Evidence.objects.exists()


def test_missing_title_and_summary_are_refused(candidate_client, case, capabilities):
    response = candidate_client.post(
        create_url(case), evidence_form(capabilities[0], title="", summary="")
    )
    assert refused(response, "title")
    assert refused(response, "summary")
    assert not Evidence.objects.exists()


def test_candidate_edits_their_evidence(candidate_client, case, capabilities):
    evidence = EvidenceFactory(case=case, indicators=[capabilities[0].indicators.first()])
    new_indicators = list(capabilities[3].indicators.all())[2:4]

    response = candidate_client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(
            capabilities[3],
            indicators=new_indicators,
            title="Renamed",
            links="https://example.org/only",
        ),
    )

    assert response.status_code == 302
    assert response.url == evidence.get_absolute_url()
    evidence.refresh_from_db()
    assert evidence.title == "Renamed"
    assert evidence.capability == capabilities[3]
    assert set(evidence.indicators.all()) == set(new_indicators)
    assert evidence.links == ["https://example.org/only"]


def test_edit_form_is_filled_in(candidate_client, case):
    evidence = EvidenceFactory(
        case=case, title="Hiring plan", links=["https://example.org/a", "https://example.org/b"]
    )
    response = candidate_client.get(reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]))
    assert response.status_code == 200
    assert 'value="Hiring plan"' in response.text
    assert "https://example.org/a\nhttps://example.org/b" in response.text


def test_edit_refuses_a_future_date(candidate_client, case, capabilities):
    evidence = EvidenceFactory(case=case)
    tomorrow = TODAY() + datetime.timedelta(days=1)

    response = candidate_client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(capabilities[0], date=tomorrow.isoformat()),
    )

    assert refused(response, "date")
    evidence.refresh_from_db()
    assert evidence.date == TODAY() - datetime.timedelta(days=30)


def test_candidate_deletes_their_evidence(candidate_client, case):
    evidence = EvidenceFactory(case=case)
    url = reverse("reviews:evidence_delete", args=[case.pk, evidence.pk])

    confirm = candidate_client.get(url)
    response = candidate_client.post(url)

    assert "cannot be undone" in confirm.text
    assert response.status_code == 302
    assert response.url == reverse("reviews:evidence_list", args=[case.pk])
    assert not Evidence.objects.exists()


def test_deleting_by_get_only_asks_for_confirmation(candidate_client, case):
    evidence = EvidenceFactory(case=case)
    candidate_client.get(reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]))
    assert Evidence.objects.filter(pk=evidence.pk).exists()


class TestSignedOffCase:
    @pytest.fixture
    def evidence(self, case):
        evidence = EvidenceFactory(case=case, title="Kept as signed")
        Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
        return evidence

    def assert_refused(self, response, case):
        assert response.redirect_chain, "the signed-off case should send the candidate back"
        assert response.redirect_chain[-1][0] == case.get_absolute_url()
        assert "This case is signed off, so its evidence can no longer change." in response.text

    def test_adding_is_refused(self, candidate_client, case, capabilities, evidence):
        response = candidate_client.post(
            create_url(case), evidence_form(capabilities[0]), follow=True
        )
        self.assert_refused(response, case)
        assert list(Evidence.objects.all()) == [evidence]

    def test_the_add_form_is_not_offered(self, candidate_client, case, evidence):
        response = candidate_client.get(create_url(case), follow=True)
        self.assert_refused(response, case)

    def test_editing_is_refused(self, candidate_client, case, capabilities, evidence):
        response = candidate_client.post(
            reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
            evidence_form(capabilities[1], title="Changed after sign-off"),
            follow=True,
        )
        self.assert_refused(response, case)
        evidence.refresh_from_db()
        assert evidence.title == "Kept as signed"
        assert evidence.capability == capabilities[0]

    def test_deleting_is_refused(self, candidate_client, case, evidence):
        response = candidate_client.post(
            reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]), follow=True
        )
        self.assert_refused(response, case)
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    def test_the_delete_confirmation_is_not_offered(self, candidate_client, case, evidence):
        response = candidate_client.get(
            reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]), follow=True
        )
        self.assert_refused(response, case)
        assert "Delete this evidence?" not in response.text

    def test_evidence_page_offers_no_edit_or_delete(self, candidate_client, case, evidence):
        response = candidate_client.get(evidence.get_absolute_url())
        assert response.status_code == 200
        assert reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]) not in response.text
        assert reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]) not in response.text


@pytest.mark.parametrize("status", [Case.Status.DECIDED, Case.Status.WITHDRAWN])
def test_evidence_of_a_closed_case_cannot_change(candidate_client, case, capabilities, status):
    evidence = EvidenceFactory(case=case, title="Final")
    Case.objects.filter(pk=case.pk).update(status=status)
    closed = "This case is closed, so its evidence can no longer change."

    add = candidate_client.post(create_url(case), evidence_form(capabilities[0]), follow=True)
    edit = candidate_client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(capabilities[0], title="Changed"),
        follow=True,
    )
    delete = candidate_client.post(
        reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]), follow=True
    )

    for response in (add, edit, delete):
        assert closed in response.text
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Final"]


@pytest.mark.parametrize("persona", ["sponsor", "hr"])
def test_only_the_candidate_may_write_evidence(client, case, capabilities, persona):
    evidence = EvidenceFactory(case=case, title="Original")
    client.force_login(case.sponsor if persona == "sponsor" else HRFactory())

    add = client.post(create_url(case), evidence_form(capabilities[0]))
    edit = client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(capabilities[0], title="Changed"),
    )
    delete = client.post(reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]))

    assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Original"]


def test_outsider_cannot_write_evidence(client, case, capabilities):
    evidence = EvidenceFactory(case=case, title="Original")
    client.force_login(UserFactory())

    add = client.post(create_url(case), evidence_form(capabilities[0]))
    edit = client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(capabilities[0], title="Changed"),
    )
    delete = client.post(reverse("reviews:evidence_delete", args=[case.pk, evidence.pk]))

    assert (add.status_code, edit.status_code, delete.status_code) == (404, 404, 404)
    assert list(Evidence.objects.values_list("title", flat=True)) == ["Original"]


def test_evidence_of_another_case_is_404_under_this_case(candidate_client, case):
    elsewhere = EvidenceFactory()
    for name in ("evidence_detail", "evidence_edit", "evidence_delete"):
        url = reverse(f"reviews:{name}", args=[case.pk, elsewhere.pk])
        assert candidate_client.get(url).status_code == 404, name


class TestEvidenceList:
    @pytest.fixture
    def items(self, case, capabilities):
        first, second = capabilities[0], capabilities[1]
        day = TODAY()
        return {
            "old": EvidenceFactory(
                case=case,
                capability=first,
                title="Quarterly planning",
                date=day - datetime.timedelta(days=300),
                indicators=[first.indicators.get(position=1)],
            ),
            "middle": EvidenceFactory(
                case=case,
                capability=second,
                title="Database upgrade",
                summary="We migrated every service to the new cluster.",
                date=day - datetime.timedelta(days=150),
                indicators=[second.indicators.get(position=2)],
            ),
            "recent": EvidenceFactory(
                case=case,
                capability=first,
                title="Hiring loop",
                outcome="Two senior managers hired.",
                date=day - datetime.timedelta(days=10),
                indicators=[first.indicators.get(position=2), first.indicators.get(position=3)],
            ),
        }

    def listed(self, client, case, **params):
        response = client.get(reverse("reviews:evidence_list", args=[case.pk]), params)
        assert response.status_code == 200
        return [item.title for item in response.context["page"].object_list]

    def test_lists_every_item_newest_first(self, candidate_client, case, items):
        assert self.listed(candidate_client, case) == [
            "Hiring loop",
            "Database upgrade",
            "Quarterly planning",
        ]

    def test_filters_by_capability_number(self, candidate_client, case, items):
        assert self.listed(candidate_client, case, capability=1) == [
            "Hiring loop",
            "Quarterly planning",
        ]
        assert self.listed(candidate_client, case, capability=2) == ["Database upgrade"]
        assert self.listed(candidate_client, case, capability=3) == []

    def test_filters_by_indicator(self, candidate_client, case, capabilities, items):
        indicator = capabilities[0].indicators.get(position=2)
        assert self.listed(candidate_client, case, indicator=indicator.pk) == ["Hiring loop"]

    def test_filters_by_date_range(self, candidate_client, case, items):
        day = TODAY()
        assert self.listed(
            candidate_client,
            case,
            date_from=(day - datetime.timedelta(days=200)).isoformat(),
            date_to=(day - datetime.timedelta(days=100)).isoformat(),
        ) == ["Database upgrade"]
        assert self.listed(
            candidate_client, case, date_from=(day - datetime.timedelta(days=10)).isoformat()
        ) == ["Hiring loop"]
        assert self.listed(
            candidate_client, case, date_to=(day - datetime.timedelta(days=300)).isoformat()
        ) == ["Quarterly planning"]

    def test_search_finds_stemmed_words_in_the_summary(self, candidate_client, case, items):
        assert self.listed(candidate_client, case, q="migrations") == ["Database upgrade"]

    def test_search_finds_words_in_title_and_outcome(self, candidate_client, case, items):
        assert self.listed(candidate_client, case, q="hiring") == ["Hiring loop"]
        assert self.listed(candidate_client, case, q="managers hire") == ["Hiring loop"]
        assert self.listed(candidate_client, case, q="planning") == ["Quarterly planning"]

    def test_filters_combine(self, candidate_client, case, items):
        assert self.listed(candidate_client, case, capability=1, q="migrated") == []
        assert self.listed(candidate_client, case, capability=2, q="migrated") == [
            "Database upgrade"
        ]

    def test_search_stays_within_the_case(self, candidate_client, case, items):
        EvidenceFactory(title="Other migration", summary="Migrated somewhere else.")
        assert self.listed(candidate_client, case, q="migration") == ["Database upgrade"]

    @pytest.mark.parametrize("query", ['"unbalanced', "a & b | !c", "-", "'); drop table x; --"])
    def test_search_takes_any_text(self, candidate_client, case, items, query):
        assert isinstance(self.listed(candidate_client, case, q=query), list)

    def test_search_with_a_phrase_and_an_exclusion(self, candidate_client, case, items):
        assert self.listed(candidate_client, case, q='"senior managers"') == ["Hiring loop"]
        assert self.listed(candidate_client, case, q="hiring -managers") == []

    def test_nothing_matching_says_so(self, candidate_client, case, items):
        response = candidate_client.get(
            reverse("reviews:evidence_list", args=[case.pk]), {"q": "kubernetes"}
        )
        assert "Nothing matches these filters." in response.text

    def test_an_invalid_filter_is_explained_not_crashed(self, candidate_client, case, items):
        response = candidate_client.get(
            reverse("reviews:evidence_list", args=[case.pk]), {"date_from": "not-a-date"}
        )
        assert response.status_code == 200
        assert "Enter a valid date." in response.text


def test_empty_evidence_list_invites_the_candidate(candidate_client, case):
    response = candidate_client.get(reverse("reviews:evidence_list", args=[case.pk]))
    assert response.status_code == 200
    assert "No evidence yet. Log your first item against any capability" in response.text


def test_empty_evidence_list_for_the_sponsor_does_not_invite(client, case):
    client.force_login(case.sponsor)
    response = client.get(reverse("reviews:evidence_list", args=[case.pk]))
    assert response.status_code == 200
    assert "No evidence yet." in response.text
    assert "Log your first item" not in response.text
