"""Every XSS vector through every field people write in, the guide importer and the packet
importer: the pages that show them hold nothing that can run (parsed, not searched as text).

The browser half, tests/browser/test_xss.py, loads the same pages in Chromium.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from guides.services import import_guide
from reviews.models import Evidence
from tests.factories import CaseFactory, HRFactory, published_guide
from tests.form_tokens import with_token
from tests.security.hostile import (
    FIELDS,
    client_for,
    fill_case_with_vectors,
    hostile_guide_markdown,
    hrefs,
    import_hostile_packet,
    review_pages,
    runnable_markup,
)
from tests.security.xss_vectors import ALL_VECTORS, BAD_LINKS, MARKUP_IN_WEB_LINKS, VECTORS

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    case = CaseFactory(guide=published_guide())
    fill_case_with_vectors(case)
    return case


def case_pages(case) -> list[str]:
    pages = [
        reverse("reviews:case_detail", args=[case.pk]),
        reverse("reviews:check_in_list", args=[case.pk]),
        reverse("reviews:sign_off_create", args=[case.pk]),
        reverse("reviews:case_history", args=[case.pk]),
    ]
    pages += review_pages(case)
    evidence_list = reverse("reviews:evidence_list", args=[case.pk])
    pages += [f"{evidence_list}?page={n}" for n in range(1, len(VECTORS) // 25 + 2)]
    return pages


def assert_nothing_runs(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert runnable_markup(html) == [], url
    return html


def test_the_checker_finds_what_would_run():
    """The parser-based check is what every other test here leans on, so it is tested too."""
    caught = [v for v in VECTORS if runnable_markup(v)]
    assert len(caught) >= 40
    assert runnable_markup('<script src="/static/js/app.js"></script>') == []
    assert runnable_markup("<p>alert(window.__xss=1)</p>") == []


def test_at_least_fifty_vectors():
    assert len(VECTORS) >= 50
    assert len(set(VECTORS)) == len(VECTORS)


def test_vectors_in_every_field_are_shown_harmlessly(case):
    sponsor, candidate, hr = client_for(case.sponsor), client_for(case.candidate), HRFactory()
    hr_client = client_for(hr)
    pages = {url: assert_nothing_runs(sponsor, url) for url in case_pages(case)}
    # Text fields come back escaped, so the vectors did reach the pages, as text.
    review = "".join(pages[url] for url in review_pages(case))
    check_ins = pages[reverse("reviews:check_in_list", args=[case.pk])]
    for vector in VECTORS:
        assert escape(vector[:200]) in review
        assert escape(vector) in review
        assert escape(vector) in check_ins.replace("<br>", "\n")
    for item in Evidence.objects.filter(case=case):
        html = assert_nothing_runs(sponsor, item.get_absolute_url())
        assert escape(item.title) in html
        html = assert_nothing_runs(
            candidate, reverse("reviews:evidence_edit", args=[case.pk, item.pk])
        )
        assert escape(item.title) in html
    assert_nothing_runs(sponsor, reverse("reviews:dashboard"))
    assert_nothing_runs(candidate, reverse("reviews:case_detail", args=[case.pk]))
    assert_nothing_runs(hr_client, reverse("reviews:case_list"))
    assert_nothing_runs(hr_client, reverse("reviews:case_manage", args=[case.pk]))
    preview = candidate.post(reverse("reviews:markdown_preview"), {"text": ALL_VECTORS})
    assert runnable_markup(preview.content.decode()) == []
    print(f"\nXSS: {len(VECTORS)} vectors through {len(FIELDS)} fields")


@pytest.mark.parametrize("link", BAD_LINKS)
def test_links_other_than_web_addresses_are_refused(link):
    case = CaseFactory()
    response = client_for(case.candidate).post(
        reverse("reviews:evidence_create", args=[case.pk]),
        {
            "capability": case.guide.capabilities.first().pk,
            "title": "A link",
            "date": "2025-10-13",
            "summary": "Text.",
            "links": link,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["links"]
    assert not Evidence.objects.exists()


def test_markup_inside_a_web_address_stays_inside_its_attribute():
    case = CaseFactory()
    client = client_for(case.candidate)
    response = client.post(
        reverse("reviews:evidence_create", args=[case.pk]),
        with_token(
            {
                "capability": case.guide.capabilities.first().pk,
                "title": "Links",
                "date": "2025-10-13",
                "summary": "Text.",
                "links": "\n".join(MARKUP_IN_WEB_LINKS),
            }
        ),
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.links == MARKUP_IN_WEB_LINKS
    html = assert_nothing_runs(client, evidence.get_absolute_url())
    assert set(MARKUP_IN_WEB_LINKS) <= hrefs(html)
    assert_nothing_runs(client, reverse("reviews:case_review", args=[case.pk]))


def test_vectors_in_an_imported_guide_are_shown_harmlessly(seed_guide_text):
    result = import_guide(source=hostile_guide_markdown(seed_guide_text).encode())
    client = client_for(HRFactory())
    html = assert_nothing_runs(client, reverse("guides:guide_detail", args=[result.guide.slug]))
    assert "window.__xss" in html


def test_vectors_in_an_imported_packet_are_shown_harmlessly(case):
    imported = import_hostile_packet(case, imported_by=HRFactory())

    assert imported.pk != case.pk
    assert imported.narrative == ALL_VECTORS
    assert imported.evidence.count() == len(VECTORS)
    sponsor = client_for(imported.sponsor)
    for url in case_pages(imported):
        assert_nothing_runs(sponsor, url)
    assert_nothing_runs(client_for(HRFactory()), reverse("reviews:case_list"))


@pytest.mark.today("2027-05-07")
def test_vectors_in_scores_outcomes_and_appeals_are_shown_harmlessly():
    """What the panel, the committee and the candidate write, on every page that shows it."""
    from reviews import scoring
    from tests.reviews.scoring_world import make_world, move

    world = make_world(capabilities=2)
    hostile = "\n".join(VECTORS)
    for panellist in world.panel:
        scoring.submit_scores(
            nomination=world.nomination,
            panellist=panellist,
            scores={c.pk: (1, hostile) for c in world.capabilities},
            recommendation="promote",
            reason=hostile,
        )
    move(world, "committee")
    scoring.record_outcome(
        nomination=world.nomination,
        result="not_yet",
        rationale=hostile,
        justification=hostile,
        by=world.hr,
    )
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    appeal = scoring.appeal(nomination=world.nomination, by=world.case.candidate, reason=hostile)
    outcome_page = reverse("reviews:case_outcome", args=[world.case.pk])
    hr = client_for(world.hr)
    assert_nothing_runs(hr, outcome_page)
    scoring.answer_appeal(appeal=appeal, result="not_upheld", note=hostile, by=world.hr)

    # (who reads it, the page, whether it shows what was written)
    pages = [
        (world.panel[0], reverse("scoring:score_sheet", args=[world.nomination.pk]), True),
        (
            world.hr,
            reverse("scoring:outcome_record", args=[world.cycle.pk, world.nomination.pk]),
            True,
        ),
        (world.hr, reverse("scoring:cycle_publish", args=[world.cycle.pk]), False),
        (world.hr, outcome_page, True),
        (world.case.candidate, outcome_page, True),
    ]
    for user, url, shows_text in pages:
        shown = assert_nothing_runs(client_for(user), url)
        assert (escape(VECTORS[0]) in shown) == shows_text, url
