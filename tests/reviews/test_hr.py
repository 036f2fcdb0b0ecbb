import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, Decision
from reviews.readiness.snapshots import refresh_snapshots
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    HRFactory,
    UserFactory,
    published_guide,
    signed_case,
)
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def hr_client(client):
    client.force_login(HRFactory())
    return client


def manage(client, case, **data):
    url = reverse("reviews:case_manage", args=[case.pk])
    return client.post(url, with_token(data), follow=True)


def test_case_list_filters_by_guide_status_sponsor_readiness_and_flag(hr_client):
    guide = published_guide()
    quiet = CaseFactory(guide=guide)
    EvidenceFactory(case=quiet, date=timezone.localdate() - datetime.timedelta(days=200))
    fresh = CaseFactory(guide=guide)
    signed = signed_case(guide=guide)
    url = reverse("reviews:case_list")

    def names(**params):
        page = hr_client.get(url, params).text
        return {
            c.candidate.display_name
            for c in (quiet, fresh, signed)
            if c.candidate.display_name in page
        }

    assert names() == {c.candidate.display_name for c in (quiet, fresh, signed)}
    assert names(status="signed_off") == {signed.candidate.display_name}
    assert names(sponsor=fresh.sponsor.pk) == {fresh.candidate.display_name}
    assert names(flag="stale") == {quiet.candidate.display_name}
    assert names(readiness="not_started") == {
        fresh.candidate.display_name,
        signed.candidate.display_name,
    }
    assert names(guide=guide.pk, readiness="building") == {quiet.candidate.display_name}


def test_case_list_is_paginated_and_its_queries_do_not_grow(hr_client, django_assert_num_queries):
    guide = published_guide()
    CaseFactory(guide=guide)
    url = reverse("reviews:case_list")
    # session, user, filter choices (guides, sponsors), count, the page of cases with
    # their readiness snapshots, their guides; without fresh snapshots also capabilities,
    # questions, evidence and answers, to compute readiness (nothing is written)
    with django_assert_num_queries(11):
        hr_client.get(url)
    for _ in range(60):
        CaseFactory(guide=guide)
    with django_assert_num_queries(11):
        response = hr_client.get(url)
    assert "Page 1 of 2" in response.text
    # After the hourly refresh of the snapshots.
    refresh_snapshots(Case.objects.all())
    with django_assert_num_queries(7):
        assert "Page 1 of 2" in hr_client.get(url).text


def test_case_list_rows_link_to_each_case_and_name_its_flags(hr_client):
    case = CaseFactory(guide=published_guide())
    response = hr_client.get(reverse("reviews:case_list"))
    (row,) = response.context["rows"]
    links = re.findall(r'<a (?:class="[^"]*" )?href="([^"]*)"', table_body(response.text))
    assert links == [
        reverse("reviews:case_detail", args=[case.pk]),
        reverse("reviews:packet_download", args=[case.pk, "pdf"]),
        reverse("reviews:packet_download", args=[case.pk, "json"]),
        reverse("reviews:case_manage", args=[case.pk]),
    ]
    # No evidence: not started, thin everywhere; the kinds are named, not coded.
    assert (row.readiness_label, [flag.label for flag in row.flags]) == ("Not started", ["Thin"])
    assert "thin:" not in response.text
    opened = case.opened_on
    assert (
        f'<time datetime="{opened.isoformat()}">{opened.day} {opened:%b} {opened.year}</time>'
        in (response.text)
    )
    assert f'Manage<span class="visually-hidden"> the case of {row.name}</span>' in response.text


def table_body(page: str) -> str:
    return re.search(r"<tbody>.*</tbody>", page, re.S).group()


def test_case_list_rows_show_what_changed_at_once(hr_client):
    case = CaseFactory(guide=published_guide())
    url = reverse("reviews:case_list")

    def row() -> str:
        (only,) = re.findall(r"<tr>.*?</tr>", table_body(hr_client.get(url).text), re.S)
        return only

    before = row()
    assert ">Not started</span>" in before
    assert row() == before
    case.sponsor.name = "Sam Renamed"
    case.sponsor.save()
    assert "<td>Sam Renamed</td>" in row()
    case.status = Case.Status.WITHDRAWN
    case.save(update_fields=["status"])
    assert "<td>Withdrawn</td>" in row()
    # A first item moves the case from not started to building: its badge follows.
    EvidenceFactory(case=case, date=timezone.localdate())
    assert ">Building</span>" in row()


def test_filter_selects_escape_names_and_keep_the_choice(hr_client):
    guide = published_guide()
    sneaky = UserFactory(name='Ann <script>alert("x")</script> & Co', current_level=guide.to_level)
    CaseFactory(guide=guide, sponsor=sneaky)
    CaseFactory(guide=guide)
    page = hr_client.get(reverse("reviews:case_list"), {"sponsor": sneaky.pk}).text
    assert "<script>alert" not in page
    assert (
        f'<option value="{sneaky.pk}" selected>'
        "Ann &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</option>"
    ) in page
    sponsors = re.search(r'<select name="sponsor".*?</select>', page, re.S).group()
    assert '<option value="">All sponsors</option>' in sponsors
    assert sponsors.count(" selected>") == 1


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "outsider"])
def test_only_hr_sees_the_case_list_and_manages(client, persona):
    case = CaseFactory()
    person = {"candidate": case.candidate, "sponsor": case.sponsor, "outsider": UserFactory()}
    client.force_login(person[persona])
    for name, args in [
        ("reviews:case_list", []),
        ("reviews:case_manage", [case.pk]),
        ("reviews:case_import", []),
        ("reviews:cycle_export", ["cases-csv"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404


def test_hr_reassigns_the_sponsor_and_the_history_records_it(hr_client):
    case = CaseFactory()
    new_sponsor = UserFactory(current_level=case.guide.to_level)
    manage(hr_client, case, action="sponsor", sponsor=new_sponsor.pk)
    case.refresh_from_db()
    assert case.sponsor == new_sponsor
    history = hr_client.get(reverse("reviews:case_history", args=[case.pk])).text
    assert "sponsor" in history


def test_reassigning_to_a_junior_sponsor_is_refused(hr_client):
    case = CaseFactory()
    junior = UserFactory(current_level=case.guide.from_level)
    response = manage(hr_client, case, action="sponsor", sponsor=junior.pk)
    assert "a sponsor must be at or above" in response.text
    case.refresh_from_db()
    assert case.sponsor != junior


def test_hr_withdraws_a_case_after_confirming(hr_client):
    case = CaseFactory()
    response = manage(hr_client, case, action="withdraw")
    assert "Tick the box" in response.text
    manage(hr_client, case, action="withdraw", confirm="yes")
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN


def test_decision_needs_a_sign_off(hr_client):
    case = CaseFactory()
    response = manage(
        hr_client, case, action="decision", outcome="promoted", effective_date="2027-01-01"
    )
    assert "after the sponsor signs the case off" in response.text
    assert not Decision.objects.exists()


def test_promotion_moves_the_candidate_to_the_target_level(hr_client):
    case = signed_case()
    manage(
        hr_client,
        case,
        action="decision",
        outcome="promoted",
        effective_date="2027-01-01",
        confirm_promotion="on",
    )
    case.refresh_from_db()
    case.candidate.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert case.candidate.current_level == case.guide.to_level
    assert case.decision.effective_date == datetime.date(2027, 1, 1)


def test_not_yet_closes_the_case_so_a_new_one_can_open(hr_client):
    case = signed_case()
    manage(hr_client, case, action="decision", outcome="not_yet", effective_date="2027-01-01")
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert case.candidate.current_level != case.guide.to_level
    CaseFactory(candidate=case.candidate, guide=case.guide)


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_people_who_see_the_case_download_its_packet(client, persona):
    case = CaseFactory()
    EvidenceFactory(case=case, title="Moved billing to usage pricing")
    person = {"candidate": case.candidate, "sponsor": case.sponsor, "hr": HRFactory()}
    client.force_login(person[persona])
    response = client.get(reverse("reviews:packet_download", args=[case.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    packet = json.loads(response.content)
    assert packet["format"] == "promotion-packet/2"
    assert packet["evidence"][0]["title"] == "Moved billing to usage pricing"


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_outsiders_get_404_for_a_packet(client, fmt):
    case = CaseFactory()
    client.force_login(CaseFactory().candidate)
    response = client.get(reverse("reviews:packet_download", args=[case.pk, fmt]))
    assert response.status_code == 404


def test_sponsor_filter_lists_each_sponsor_once_by_name(hr_client):
    guide = published_guide()
    named = UserFactory(name="Rae Sponsor")
    unnamed = UserFactory(name="", first_name="Lou", last_name="Banks")
    for sponsor in (named, named, unnamed):
        CaseFactory(guide=guide, sponsor=sponsor)
    UserFactory(name="Not A Sponsor")
    response = hr_client.get(reverse("reviews:case_list"), {"sponsor": unnamed.pk})
    select = response.text.split('name="sponsor"', 1)[1].split("</select>", 1)[0]
    assert select.count("<option") == 3
    assert f'<option value="{named.pk}">Rae Sponsor</option>' in select
    assert f'<option value="{unnamed.pk}" selected>Lou Banks</option>' in select
    assert "Not A Sponsor" not in select
