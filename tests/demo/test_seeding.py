"""`manage.py seed_demo`: a large organisation, the same for the same seed, on small numbers."""

import datetime
import io
import json
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F

from accounts.models import User
from core import clock
from demo.seeding import seed
from guides.models import Guide, Indicator
from reviews.models import Answer, Attachment, Case, CheckIn, Decision, Evidence, Feedback, SignOff
from reviews.packets.build import build_packet
from reviews.packets.verify import verify_packet
from reviews.readiness.snapshots import readiness_for_cases
from reviews.roles import roles_for

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("files_on_disk")]

# Seeded as of the session's day: `make test-dates` tries month ends and leap days.
AS_OF = clock.today()
SMALL = {"candidates": 12, "sponsors": 3, "months": 9, "items_per_month": 4}


def run_seed(seed_number: int = 1, **sizes):
    return seed(**{**SMALL, **sizes}, seed=seed_number, as_of=AS_OF, password="seed-test-pass")


def snapshot() -> dict[str, list]:
    """Everything written, without ids or insert times, in a fixed order."""
    tags = defaultdict(list)
    for evidence_id, capability, position in Evidence.indicators.through.objects.values_list(
        "evidence_id", "indicator__capability__number", "indicator__position"
    ):
        tags[evidence_id].append((capability, position))
    return {
        "people": sorted(
            User.objects.values_list("username", "name", "email", "current_level__code")
        ),
        "cases": sorted(
            Case.objects.values_list(
                "candidate__username", "sponsor__username", "opened_on", "status", "narrative"
            )
        ),
        "evidence": sorted(
            (
                e.case.candidate.username,
                e.capability.number,
                e.title,
                e.date,
                e.summary,
                e.outcome,
                tuple(e.links),
                tuple(sorted(tags[e.pk])),
            )
            for e in Evidence.objects.select_related("case__candidate", "capability")
        ),
        "feedback": sorted(
            Feedback.objects.values_list(
                "case__candidate__username",
                "evidence__title",
                "author__username",
                "kind",
                "text",
                "created_at",
            )
        ),  # fmt: skip
        "answers": sorted(
            Answer.objects.values_list(
                "check_in__case__candidate__username",
                "check_in__date",
                "question__position",
                "value",
                "note",
            )
        ),  # fmt: skip
        "sign_offs": sorted(
            SignOff.objects.values_list(
                "case__candidate__username",
                "signer__username",
                "decision",
                "override",
                "readiness_status",
                "packet_sha256",
            )
        ),  # fmt: skip
        "decisions": sorted(
            Decision.objects.values_list("case__candidate__username", "outcome", "effective_date")
        ),
        "attachments": sorted(
            Attachment.objects.values_list("evidence__title", "original_name", "size")
        ),
    }


class Discard(Exception):
    pass


def seeded_then_discarded(seed_number: int) -> dict[str, list]:
    try:
        with transaction.atomic():
            run_seed(seed_number)
            rows = snapshot()
            raise Discard
    except Discard:
        return rows


def test_the_same_seed_writes_the_same_rows():
    first = seeded_then_discarded(1)
    run_seed(1)
    again = snapshot()

    assert again == first
    assert len(first["evidence"]) > 100
    assert first["sign_offs"], "some cases are signed off at this size"


def test_another_seed_writes_other_rows():
    assert seeded_then_discarded(1)["evidence"] != seeded_then_discarded(2)["evidence"]


def test_counts_people_and_levels():
    result = run_seed()

    assert result.counts["cases"] == Case.objects.count() == 12
    assert User.objects.filter(username__startswith="seed-candidate-").count() == 12
    assert User.objects.filter(username__startswith="seed-sponsor-").count() == 3
    assert roles_for(User.objects.get(username="seed-hr")).hr
    assert result.counts["evidence"] == Evidence.objects.count()
    # Nine months at about four a month.
    assert 12 * 9 * 2 < Evidence.objects.count() < 12 * 9 * 6
    guide = Guide.objects.get()
    assert {c.guide_id for c in Case.objects.all()} == {guide.pk}
    assert set(
        User.objects.filter(sponsored_cases__isnull=False).values_list(
            "current_level__code", flat=True
        )
    ) == {"E1"}
    decided = Decision.objects.filter(outcome="promoted").values_list("case__candidate", flat=True)
    for candidate in User.objects.filter(candidate_cases__isnull=False):
        expected = "E1" if candidate.pk in set(decided) else "M3"
        assert candidate.current_level.code == expected


def test_one_sponsor_carries_fifty_candidates_and_the_rest_unevenly():
    run_seed(candidates=120, sponsors=6, months=3, items_per_month=1)

    loads = Counter(Case.objects.values_list("sponsor__username", flat=True))
    assert loads["seed-sponsor-000"] == 50
    others = [n for name, n in loads.items() if name != "seed-sponsor-000"]
    assert sum(others) == 70
    assert max(others) > min(others)


def test_every_capability_and_indicator_is_used():
    run_seed()
    guide = Guide.objects.get()

    used = set(
        Evidence.indicators.through.objects.values_list("indicator_id", flat=True).distinct()
    )
    assert used == set(
        Indicator.objects.filter(capability__guide=guide).values_list("pk", flat=True)
    )
    assert set(Evidence.objects.values_list("capability__number", flat=True)) == set(
        guide.capabilities.values_list("number", flat=True)
    )
    # Tags belong to the item's own capability.
    assert not Evidence.objects.exclude(indicators__capability=F("capability")).filter(
        indicators__isnull=False
    )


def test_dates_spread_over_the_months_and_never_after_as_of():
    run_seed()

    months = {(d.year, d.month) for d in Evidence.objects.values_list("date", flat=True)}
    assert len(months) == 9
    assert max(Evidence.objects.values_list("date", flat=True)) <= AS_OF
    assert max(Feedback.objects.values_list("created_at", flat=True)).date() <= AS_OF


def test_a_check_in_each_quarter_answering_every_question():
    run_seed()
    questions = Guide.objects.get().questions.count()

    for case in Case.objects.all():
        dates = list(CheckIn.objects.filter(case=case).values_list("date", flat=True))
        assert len(dates) == 3
        quarters = {((d.year * 12 + d.month - 1) - (AS_OF.year * 12 + AS_OF.month - 9)) // 3
                    for d in dates}  # fmt: skip
        assert quarters == {0, 1, 2}
    counts = Counter(Answer.objects.values_list("check_in", flat=True))
    assert set(counts.values()) == {questions}


def test_feedback_threads_links_and_attachments():
    run_seed(candidates=30)

    assert Feedback.objects.filter(kind__in=Feedback.SPONSOR_KINDS).exists()
    replies = Feedback.objects.filter(kind=Feedback.Kind.REPLY).select_related("case")
    assert replies and all(r.author_id == r.case.candidate_id for r in replies)
    assert not Feedback.objects.filter(kind__in=Feedback.SPONSOR_KINDS).exclude(
        author=F("case__sponsor")
    )
    assert Evidence.objects.exclude(links=[]).exists()
    attachment = Attachment.objects.first()
    assert attachment is not None
    with attachment.file.open("rb") as handle:
        assert len(handle.read()) == attachment.size


def test_readiness_of_the_generated_cases_and_signed_packets_verify():
    # Two years, as the benchmark seeds: long enough for the guide's readiness window.
    run_seed(candidates=30, months=24)
    cases = list(Case.objects.with_people())

    readiness = readiness_for_cases(cases, AS_OF)
    assert {report.status for report in readiness.values()} >= {"ready", "building"}
    signed = SignOff.objects.select_related("case")
    assert signed
    for sign_off in signed:
        case = Case.objects.with_people().get(pk=sign_off.case_id)
        assert sign_off.readiness_status == readiness[case.pk].status
        assert sign_off.override == (
            sign_off.decision == "ready" and sign_off.readiness_status != "ready"
        )
        packet = json.loads(json.dumps(build_packet(case, as_of=AS_OF), default=str))
        assert verify_packet(packet).ok, verify_packet(packet).message
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert (
        statuses["signed_off"]
        == SignOff.objects.filter(decision="ready", case__decision__isnull=True).count()
    )
    assert statuses["decided"] == Decision.objects.count()


def test_the_command_reports_what_it_wrote_and_refuses_to_seed_twice():
    out = io.StringIO()
    call_command(
        "seed_demo", "--candidates=4", "--sponsors=2", "--months=3", "--as-of=2026-11-18",
        "--force", stdout=out,
    )  # fmt: skip
    assert "4 cases" in out.getvalue()
    assert "seed-hr" in out.getvalue()
    assert User.objects.get(username="seed-candidate-0003").check_password("seed-pass-2026")

    with pytest.raises(CommandError, match="already exist"):
        call_command("seed_demo", "--candidates=4", "--sponsors=2", "--force", stdout=io.StringIO())


def test_the_command_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--candidates=2", "--sponsors=1", stdout=io.StringIO())
    assert not User.objects.exists()

    settings.DEBUG = True
    call_command("seed_demo", "--candidates=2", "--sponsors=1", "--months=3", stdout=io.StringIO())
    assert Case.objects.count() == 2


def test_everyone_seeded_with_a_level_has_a_history_that_ends_at_it():
    from accounts.levels import current_since, history_column

    run_seed()
    people = User.objects.filter(current_level__isnull=False).annotate(
        levels=history_column(), code=F("current_level__code")
    )
    assert people.count() == 15
    for person in people:
        assert person.levels[-1]["level"] == person.code
        assert current_since(person.levels, person.code) is not None
        assert datetime.date.fromisoformat(person.levels[0]["since"]) < AS_OF
    promoted = Decision.objects.filter(outcome="promoted").values_list("case__candidate", flat=True)
    for person in people.filter(pk__in=promoted):
        assert [step["reason"] for step in person.levels] == ["start", "decision"]
