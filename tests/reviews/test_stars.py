"""Stars: the candidate's chosen best items, at most two per capability, for the committee
brief; they change neither readiness nor what a sponsor signs."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.urls import reverse

from reviews.case_writes import CaseNotOpen
from reviews.history import case_history
from reviews.models import Case, Evidence
from reviews.packets.build import build_packet, packet_sha256
from reviews.readiness.snapshots import case_readiness
from reviews.stars import STARS_PER_CAPABILITY, star_evidence
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, UserFactory, signed_case
from tests.locks import at_once, wait_for_a_lock_wait

# Not about the calendar: the whole module runs on one day.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


@pytest.fixture
def case():
    case = CaseFactory(candidate=UserFactory(name="Ada Example"))
    first, second = case.guide.capabilities.order_by("number")[:2]
    for n in range(3):
        EvidenceFactory(case=case, capability=first, title=f"First {n}")
    EvidenceFactory(case=case, capability=second, title="Second 0")
    return case


def item(case, title) -> Evidence:
    return case.evidence.get(title=title)


def star(case, title, starred=True, by=None) -> Evidence:
    return star_evidence(evidence=item(case, title), by=by or case.candidate, starred=starred)


def test_two_stars_per_capability_and_a_third_is_refused(case):
    assert STARS_PER_CAPABILITY == 2
    star(case, "First 0")
    star(case, "First 1")
    with pytest.raises(ValidationError) as refused:
        star(case, "First 2")
    assert refused.value.messages == [
        "You have starred 2 items for Capability 1 already: unstar one first."
    ]
    assert not item(case, "First 2").starred
    # Another capability has stars of its own.
    assert star(case, "Second 0").starred


def test_unstarring_makes_room_for_another(case):
    star(case, "First 0")
    star(case, "First 1")
    assert not star(case, "First 0", starred=False).starred
    assert star(case, "First 2").starred
    assert sorted(case.evidence.filter(starred=True).values_list("title", flat=True)) == [
        "First 1",
        "First 2",
    ]


def test_starring_twice_is_harmless(case):
    star(case, "First 0")
    star(case, "First 0")
    star(case, "First 1")
    assert case.evidence.filter(starred=True).count() == 2


@pytest.mark.parametrize("who", ["sponsor", "hr", "outsider"])
def test_only_the_candidate_stars(case, who):
    by = {"sponsor": case.sponsor, "hr": HRFactory(), "outsider": UserFactory()}[who]
    with pytest.raises(PermissionDenied):
        star(case, "First 0", by=by)
    assert not item(case, "First 0").starred


def test_a_signed_off_case_keeps_its_stars():
    case = signed_case()
    evidence = EvidenceFactory.build(case=case)
    Evidence.objects.bulk_create([evidence])
    with pytest.raises(CaseNotOpen) as refused:
        star_evidence(evidence=evidence, by=case.candidate, starred=True)
    assert refused.value.messages == [
        "This case is signed off, so its chosen best items can no longer change."
    ]
    assert not Evidence.objects.get(pk=evidence.pk).starred


def test_a_star_changes_neither_readiness_nor_the_packet_a_sponsor_signs(case):
    case = Case.objects.with_people().get(pk=case.pk)
    readiness, packet = case_readiness(case), build_packet(case)
    star(case, "First 0")
    assert case_readiness(case) == readiness
    starred = build_packet(case)
    assert packet_sha256(starred) == packet_sha256(packet)
    assert starred["evidence"] == packet["evidence"]
    # The snapshot the pages read is up to date after the star.
    case.refresh_from_db()
    assert case.readiness_snapshot.data_version == case.data_version


def test_the_history_says_who_starred_what(case):
    star(case, "First 0")
    rows = [row for row in case_history(case) if row.changes]
    assert ("chosen as a best item", "no", "yes") in rows[0].changes


@pytest.mark.django_db(transaction=True)
def test_a_star_waits_for_the_case_lock_and_counts_the_stars_given_meanwhile(case):
    """Two stars sent at once cannot both be a capability's second: the count is taken under
    the case's row lock, after the other star is committed."""
    star(case, "First 0")
    outcome = []

    def third_star():
        try:
            star(case, "First 2")
            outcome.append("starred")
        except ValidationError as error:
            outcome.extend(error.messages)
        finally:
            connections.close_all()

    holding, release = threading.Event(), threading.Event()
    other_star = item(case, "First 1").pk

    def another_star_meanwhile():
        try:
            with transaction.atomic():
                list(Case.objects.select_for_update().filter(pk=case.pk))
                holding.set()
                release.wait(timeout=30)
                Evidence.objects.filter(pk=other_star).update(starred=True)
        finally:
            connections.close_all()

    holder = threading.Thread(target=another_star_meanwhile)
    holder.start()
    holding.wait(timeout=30)
    thread = threading.Thread(target=third_star)
    thread.start()
    wait_for_a_lock_wait("the star")
    release.set()
    holder.join(timeout=30)
    thread.join(timeout=30)

    assert outcome == ["You have starred 2 items for Capability 1 already: unstar one first."]
    assert not item(case, "First 2").starred


@pytest.mark.django_db(transaction=True)
def test_two_second_stars_at_once_make_one(case):
    star(case, "First 0")
    titles = iter(["First 1", "First 2"])

    def attempt() -> str:
        return star(case, next(titles)).title

    outcomes = at_once(attempt, refused=ValidationError, words=lambda error: error.messages[0])
    assert len(outcomes) == 2
    assert sorted(outcomes)[1] == (
        "You have starred 2 items for Capability 1 already: unstar one first."
    )
    assert case.evidence.filter(starred=True).count() == 2


# --- The toggle and what others see -------------------------------------------------------------


def test_the_candidate_stars_from_the_evidence_list_and_comes_back_to_it(client, case):
    client.force_login(case.candidate)
    listed = reverse("reviews:evidence_list", args=[case.pk]) + "?capability=1"
    page = client.get(listed)
    assert page.text.count("Star as one of your best items") == 3
    title_id = f"item-{item(case, 'First 0').pk}-title"
    assert f'id="{title_id}"' in page.text
    assert f'aria-describedby="{title_id}"' in page.text
    evidence = item(case, "First 0")
    response = client.post(
        reverse("reviews:evidence_star", args=[case.pk, evidence.pk]),
        {"starred": "1", "next": listed},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == listed
    assert "Starred “First 0” as one of your best items." in response.text
    assert response.text.count("Remove star") == 1
    assert Evidence.objects.get(pk=evidence.pk).starred


def test_a_refused_third_star_is_said_plainly(client, case):
    star(case, "First 0")
    star(case, "First 1")
    client.force_login(case.candidate)
    evidence = item(case, "First 2")
    response = client.post(
        reverse("reviews:evidence_star", args=[case.pk, evidence.pk]), {"starred": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == evidence.get_absolute_url()
    assert "You have starred 2 items for Capability 1 already: unstar one first." in response.text


def test_a_star_from_the_case_page_goes_back_to_it(client, case):
    client.force_login(case.candidate)
    page = client.get(case.get_absolute_url())
    assert "Star as one of your best items" in page.text
    evidence = item(case, "First 0")
    response = client.post(
        reverse("reviews:evidence_star", args=[case.pk, evidence.pk]),
        {"starred": "1", "next": case.get_absolute_url()},
    )
    assert response["Location"] == case.get_absolute_url()


def test_a_star_goes_back_only_to_the_case_s_own_pages(client, case):
    client.force_login(case.candidate)
    evidence = item(case, "First 0")
    response = client.post(
        reverse("reviews:evidence_star", args=[case.pk, evidence.pk]),
        {"starred": "1", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == evidence.get_absolute_url()


def test_the_item_page_offers_the_toggle_to_the_candidate(client, case):
    client.force_login(case.candidate)
    evidence = item(case, "First 0")
    page = client.get(evidence.get_absolute_url())
    assert "Star as one of your best items" in page.text
    client.post(reverse("reviews:evidence_star", args=[case.pk, evidence.pk]), {"starred": "1"})
    page = client.get(evidence.get_absolute_url())
    assert "Remove star" in page.text
    client.post(reverse("reviews:evidence_star", args=[case.pk, evidence.pk]), {"starred": "0"})
    assert not Evidence.objects.get(pk=evidence.pk).starred


@pytest.mark.parametrize("who", ["sponsor", "hr"])
def test_the_sponsor_and_hr_read_the_star_as_the_candidate_s_choice(client, case, who):
    star(case, "First 0")
    client.force_login(case.sponsor if who == "sponsor" else HRFactory())
    evidence = item(case, "First 0")
    for url in (
        evidence.get_absolute_url(),
        reverse("reviews:evidence_list", args=[case.pk]),
        reverse("reviews:case_review", args=[case.pk]),
    ):
        page = client.get(url)
        assert page.text.count("Chosen by Ada Example as a best item") == 1, url
        assert "Star as one of your best items" not in page.text
        assert "Remove star" not in page.text


def test_the_sponsor_s_queue_shows_the_star(client, case):
    star(case, "First 0")
    client.force_login(case.sponsor)
    queue = reverse("reviews:review_queue")
    starred, plain = item(case, "First 0"), item(case, "First 1")
    page = client.get(queue, {"item": starred.pk})
    assert page.context["item"].pk == starred.pk
    assert "Chosen by Ada Example as a best item" in page.text
    page = client.get(queue, {"item": plain.pk})
    assert page.context["item"].pk == plain.pk
    assert "Chosen by Ada Example as a best item" not in page.text
