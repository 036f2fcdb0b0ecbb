import datetime
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from demo.cases import DEMO_CANDIDATES, create_demo_cases
from demo.people import create_demo_people, demo_level
from guides.models import Guide
from reviews.models import Case, CheckIn, Evidence
from reviews.readiness.snapshots import case_readiness
from reviews.services import open_case
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

SHIPPED_GUIDE = settings.BASE_DIR / "guides/data/m3-to-e1.md"


@pytest.fixture
def guide() -> Guide:
    call_command("import_guide", str(SHIPPED_GUIDE), stdout=StringIO())
    return Guide.objects.get()


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def demo_cases() -> dict[str, Case]:
    cases = (
        Case.objects.active()
        .filter(candidate__username__in=DEMO_CANDIDATES)
        .select_related("candidate", "sponsor", "guide")
    )
    return {case.candidate.username: case for case in cases}


def assert_intended_states(cases: dict[str, Case], today: datetime.date) -> None:
    ada, ben, cleo, eli = (
        case_readiness(cases[name], as_of=today) for name in ("ada", "ben", "cleo", "eli")
    )
    assert (ada.status, ada.flags) == ("ready", ())
    assert ben.status == "building"
    assert "stale" in ben.flags
    assert cleo.status == "building"
    assert "lopsided" in cleo.flags
    assert any(flag.startswith("thin:") for flag in cleo.flags)
    assert "stale" not in cleo.flags
    assert eli.status == "not_started"


def test_each_demo_candidate_shows_one_state(guide):
    load_demo()
    cases = demo_cases()
    assert {name: case.sponsor.username for name, case in cases.items()} == {
        "ada": "sam",
        "ben": "sam",
        "cleo": "tess",
        "eli": "tess",
    }
    assert {case.guide for case in cases.values()} == {guide}
    assert_intended_states(cases, timezone.localdate())


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2024, 1, 1),
        datetime.date(2024, 2, 29),
        datetime.date(2025, 3, 1),  # the two months before hold only 59 days
        datetime.date(2025, 3, 31),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 7, 15),
    ],
)
def test_states_hold_whatever_the_date(guide, today):
    create_demo_cases(create_demo_people(), today=today)
    assert_intended_states(demo_cases(), today)
    assert not Evidence.objects.filter(date__gt=today).exists()
    assert not CheckIn.objects.filter(date__gt=today).exists()


def test_prints_one_readiness_line_per_case_in_words(guide):
    output = load_demo()
    rows = {line.split()[0]: line for line in output.splitlines() if line.strip()}
    assert re.fullmatch(r"ada\s+sam\s+Ready\s+none", rows["ada"])
    assert re.fullmatch(r"ben\s+sam\s+Building\s+Stale.*", rows["ben"])
    assert re.fullmatch(r"cleo\s+tess\s+Building\s+Lopsided; Thin: .+", rows["cleo"])
    assert re.fullmatch(r"eli\s+tess\s+Not started\s+Thin: every capability", rows["eli"])
    for code in ("not_started", "thin:", "lopsided", "stale"):
        assert code not in output


def test_running_twice_keeps_exactly_four_demo_cases(guide):
    load_demo()
    first = Evidence.objects.count()
    load_demo()
    assert Case.objects.active().count() == 4
    assert Case.objects.filter(status=Case.Status.DECIDED).count() == 1
    assert set(demo_cases()) == set(DEMO_CANDIDATES)
    assert Evidence.objects.count() == first


def test_a_new_guide_version_moves_the_demo_cases_to_it(guide):
    load_demo()
    call_command("import_guide", str(SHIPPED_GUIDE), stdout=StringIO())
    load_demo()
    newer = Guide.objects.get(version=2)
    assert {case.guide for case in demo_cases().values()} == {newer}
    assert Case.objects.active().count() == 4
    assert Case.objects.filter(status=Case.Status.DECIDED).count() == 1


def test_rerun_leaves_other_peoples_cases_alone(guide):
    load_demo()
    someone = UserFactory(current_level=demo_level("M3"))
    theirs = open_case(
        candidate=someone,
        sponsor=demo_cases()["ada"].sponsor,
        guide=guide,
        opened_on=timezone.localdate(),
    )
    load_demo()
    assert Case.objects.filter(pk=theirs.pk).exists()
    assert Case.objects.active().count() == 5


def test_nothing_is_dated_after_today_or_before_the_case_opened(guide):
    load_demo()
    today = timezone.localdate()
    assert Evidence.objects.exists()
    assert not Evidence.objects.filter(date__gt=today).exists()
    assert not CheckIn.objects.filter(date__gt=today).exists()
    assert not Evidence.objects.filter(date__lt=F("case__opened_on")).exists()
    assert not CheckIn.objects.filter(date__lt=F("case__opened_on")).exists()


def test_evidence_tags_only_indicators_of_its_capability(guide):
    load_demo()
    through = Evidence.indicators.through.objects
    assert through.exists()
    assert not through.exclude(indicator__capability=F("evidence__capability")).exists()
    assert not Evidence.objects.filter(indicators=None).exists()
    assert not Evidence.objects.exclude(capability__guide=guide).exists()


def test_every_check_in_answers_every_question(guide):
    load_demo()
    questions = guide.questions.count()
    for check_in in CheckIn.objects.prefetch_related("answers"):
        assert len(check_in.answers.all()) == questions


def test_content_reads_like_a_record_of_work(guide):
    load_demo()
    cases = demo_cases()
    assert cases["ada"].narrative and cases["cleo"].narrative
    for case in cases.values():
        titles = list(case.evidence.values_list("title", flat=True))
        assert len(set(titles)) >= len(titles) * 0.9
    items = list(Evidence.objects.all())
    assert all(item.summary and item.outcome for item in items)
    assert all(len(item.links) <= 2 for item in items)
    assert all(link.startswith("https://example.org/") for item in items for link in item.links)
    assert any(item.links for item in items)
    assert len({item.date.strftime("%Y-%m") for item in items}) >= 20


def test_without_a_published_guide_cases_are_skipped():
    output = load_demo()
    assert "no demo cases" in output
    assert not Case.objects.exists()


def test_a_case_signed_while_trying_the_app_survives_a_rerun(guide):
    from reviews.models import Feedback, SignOff
    from reviews.services import sign_off

    load_demo()
    ada = Case.objects.get(candidate__username="ada")
    sign_off(
        case=ada,
        signer=ada.sponsor,
        decision=SignOff.Decision.READY,
        rationale="Tried in the demo.",
        expected_sign_offs=0,
    )
    load_demo()
    assert Case.objects.get(candidate__username="ada").pk == ada.pk
    assert Case.objects.active().filter(candidate__username__in=DEMO_CANDIDATES).count() == 4
    assert Feedback.objects.filter(kind=Feedback.Kind.REPLY).exists()


def test_an_older_case_is_signed_off_and_decided(guide):
    load_demo()
    load_demo()
    decided = Case.objects.get(status=Case.Status.DECIDED)
    assert decided.candidate.username == "ben"
    assert decided.sign_offs.get().decision == "ready"
    assert decided.decision.outcome == "not_yet"
