"""What the case page and the evidence list show, and the guide outline read with the case."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guides.models import Indicator
from reviews.models import Attachment, Case, SignOff
from reviews.views.case_page import guide_outline
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    FeedbackFactory,
    SignOffFactory,
    UserFactory,
    guide_with_parts,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def case():
    return CaseFactory()


@pytest.fixture
def capabilities(case):
    return list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))


def page(client, case, url_name, params=None):
    client.force_login(case.candidate)
    response = client.get(reverse(f"reviews:{url_name}", args=[case.pk]), params or {})
    assert response.status_code == 200
    return response


def test_an_item_shows_its_link_date_capability_indicators_and_files(client, case, capabilities):
    first = capabilities[0]
    item = EvidenceFactory(
        case=case,
        capability=first,
        title="Quarterly planning",
        date=datetime.date(2026, 3, 5),
        indicators=[first.indicators.get(position=3), first.indicators.get(position=1)],
    )
    for n in range(2):
        Attachment.objects.create(
            evidence=item,
            file=f"evidence/{case.pk}/file-{n}",
            original_name=f"file-{n}.pdf",
            content_type="application/pdf",
            size=1024,
        )
    url = reverse("reviews:evidence_detail", args=[case.pk, item.pk])
    for url_name in ("case_detail", "evidence_list"):
        html = page(client, case, url_name).text
        assert f'<a href="{url}">Quarterly planning</a>' in html
        assert 'datetime="2026-03-05">5 Mar 2026</time>' in html
        assert "1. Capability 1</span>" in html
        # Indicators in position order, each with its text as a tooltip.
        assert html.index('title="Indicator 1.1">indicator 1.1<') < html.index(
            'title="Indicator 1.3">indicator 1.3<'
        )
        assert "· 2 files" in html


def test_an_item_without_files_or_indicators_says_neither(client, case):
    EvidenceFactory(case=case, title="Plain item")
    html = page(client, case, "evidence_list").text
    assert "Plain item" in html
    assert " file" not in html
    assert ">indicator " not in html


def test_case_page_counts_every_item_and_shows_the_latest_five(client, case):
    today = timezone.localdate()
    for n in range(7):
        EvidenceFactory(case=case, title=f"Item {n}", date=today - datetime.timedelta(days=n))
    html = page(client, case, "case_detail").text
    assert "All evidence (7)" in html
    assert [f"Item {n}" in html for n in range(7)] == [True] * 5 + [False] * 2


def test_cards_name_the_uncovered_indicators_and_the_practices(client, case, capabilities):
    first = capabilities[0]
    EvidenceFactory(case=case, capability=first, indicators=list(first.indicators.all())[:4])
    html = page(client, case, "case_detail").text
    card = html[html.index('id="cap-1"') : html.index('id="cap-2"')]
    assert "4 of 5 indicators covered" in card
    assert "Not yet shown (1)" in card
    assert "<li>Indicator 1.5</li>" in card
    assert "<li>Indicator 1.4</li>" not in card
    # A single item cannot sustain a capability, so the guide's practices are shown.
    assert "Work on next" in card
    assert "<li>Practice 1.1</li><li>Practice 1.2</li>" in card


def test_case_page_shows_the_latest_sign_off(client, case):
    SignOffFactory(case=case, decision=SignOff.Decision.NOT_READY)
    SignOffFactory(
        case=case, signer=UserFactory(name="Robin Example"), decision=SignOff.Decision.READY
    )
    html = page(client, case, "case_detail").text
    assert "Signed off as ready</strong> by Robin Example" in html
    assert "Signed off as not ready yet" not in html


def test_case_page_shows_the_latest_feedback_with_its_author_and_item(client, case):
    item = EvidenceFactory(case=case, title="Hiring loop")
    FeedbackFactory(evidence=item, author=case.sponsor, text="Strong example.")
    html = page(client, case, "case_detail").text
    url = reverse("reviews:evidence_detail", args=[case.pk, item.pk])
    assert f"<strong>{case.sponsor.display_name}</strong>" in html
    assert f'<a href="{url}#thread-{item.pk}">Hiring loop</a>' in html
    assert "Strong example." in html


def test_long_feedback_is_cut_on_the_case_page(client, case):
    FeedbackFactory(evidence=EvidenceFactory(case=case), text="Detail " * 60)
    html = page(client, case, "case_detail").text
    assert f'<p class="mb-0">{("Detail " * 60)[:239]}…</p>' in html


def test_an_unknown_filter_choice_marks_its_select_invalid(client, case):
    html = page(client, case, "evidence_list", {"capability": 99}).text
    selects = dict(re.findall(r'<select name="(\w+)"([^>]*)>', html))
    assert 'aria-invalid="true"' in selects["capability"]
    assert 'aria-describedby="id_capability_error"' in selects["capability"]
    assert "aria-invalid" not in selects["indicator"]
    assert "Capability: Select a valid choice." in html


def test_filter_selects_keep_the_chosen_options(client, case, capabilities):
    indicator = capabilities[1].indicators.get(position=2)
    html = page(client, case, "evidence_list", {"capability": 2, "indicator": indicator.pk}).text
    assert '<option value="2" selected>2. Capability 2</option>' in html
    assert f'<option value="{indicator.pk}" selected>2.2 Indicator 2.2</option>' in html
    assert '<option value="" selected>' not in html


def test_the_guide_outline_is_read_with_the_case_in_one_query(django_assert_num_queries):
    case = CaseFactory(guide=published_guide())
    with django_assert_num_queries(1):
        outline = guide_outline(Case.objects.for_page().get(pk=case.pk))
    assert [c.number for c in outline] == [1, 2, 3, 4]
    assert [(i.position, i.text) for i in outline[0].indicators] == [
        (p, f"Indicator 1.{p}") for p in range(1, 6)
    ]
    assert outline[2].practices == ("Practice 3.1", "Practice 3.2")


def test_a_draft_guide_outline_is_read_afresh(django_assert_num_queries):
    case = CaseFactory(guide=guide_with_parts())

    def outline():
        return guide_outline(Case.objects.with_outline().get(pk=case.pk))

    assert len(outline()[0].indicators) == 5
    Indicator.objects.create(
        capability=case.guide.capabilities.get(number=1), position=6, text="New"
    )
    with django_assert_num_queries(1):
        assert outline()[0].indicators[-1].text == "New"
