import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guides.models import Capability
from tests.factories import CaseFactory, CheckInFactory, EvidenceFactory, guide_with_parts, publish

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

AS_OF = "2026-11-28"


def readiness(*args) -> dict:
    out = io.StringIO()
    call_command("readiness", *args, stdout=out)
    return json.loads(out.getvalue())


def months(counts: dict[str, int]) -> dict[str, int]:
    """The heat strip row: the 24 months from 2024-12 to 2026-11, zero unless given."""
    strip = [f"{2024 + (11 + n) // 12}-{(11 + n) % 12 + 1:02d}" for n in range(24)]
    assert (strip[0], strip[-1]) == ("2024-12", "2026-11")
    return {month: counts.get(month, 0) for month in strip}


@pytest.fixture
def case():
    case = CaseFactory(opened_on=datetime.date(2025, 1, 6))
    first, second = (case.guide.capabilities.get(number=n) for n in (1, 2))

    def item(capability, date, position):
        EvidenceFactory(
            case=case,
            capability=capability,
            date=datetime.date.fromisoformat(date),
            indicators=[capability.indicators.get(position=position)],
        )

    # Capability 1: one item in every block of the window, one before it, one after the as-of date.
    item(first, "2025-03-04", 4)
    item(first, "2026-01-15", 1)
    item(first, "2026-04-10", 2)
    item(first, "2026-07-01", 3)
    item(first, "2026-10-30", 1)
    item(first, "2026-12-05", 5)
    # Capability 2: a single item in the third block; capabilities 3 and 4: nothing.
    item(second, "2026-06-15", 1)

    def check_in(date, answers):
        CheckInFactory(case=case, date=datetime.date.fromisoformat(date), answers=answers)

    check_in("2024-06-01", "no")
    check_in("2026-02-01", "yes")
    check_in("2026-05-01", {6: "partly"})
    check_in("2026-08-01", {1: "partly", 2: "partly", 3: "no"})
    check_in("2026-11-01", "yes")
    check_in("2026-12-01", "no")
    return case


def test_prints_the_report_in_the_design_shape(case):
    assert readiness(case.pk, "--as-of", AS_OF) == {
        "case": case.pk,
        "as_of": AS_OF,
        "status": "building",
        "flags": ["lopsided", "thin:2", "thin:3", "thin:4"],
        "window": {
            "months": 12,
            "blocks": [
                ["2025-12", "2026-02"],
                ["2026-03", "2026-05"],
                ["2026-06", "2026-08"],
                ["2026-09", "2026-11"],
            ],
        },
        "capabilities": [
            {
                "number": 1,
                "title": "Capability 1",
                "items": 5,
                "items_in_window": 4,
                "sustained": True,
                "first": "2025-03-04",
                "last": "2026-10-30",
                "indicators_covered": 3,
                "indicators_total": 5,
                "months": months(
                    {"2025-03": 1, "2026-01": 1, "2026-04": 1, "2026-07": 1, "2026-10": 1}
                ),
            },
            {
                "number": 2,
                "title": "Capability 2",
                "items": 1,
                "items_in_window": 1,
                "sustained": False,
                "first": "2026-06-15",
                "last": "2026-06-15",
                "indicators_covered": 1,
                "indicators_total": 5,
                "months": months({"2026-06": 1}),
            },
            *(
                {
                    "number": number,
                    "title": f"Capability {number}",
                    "items": 0,
                    "items_in_window": 0,
                    "sustained": False,
                    "first": None,
                    "last": None,
                    "indicators_covered": 0,
                    "indicators_total": 5,
                    "months": months({}),
                }
                for number in (3, 4)
            ),
        ],
        "self_assessment": {"check_ins_in_window": 4, "mostly_yes": 3, "consistent": False},
    }


def test_an_earlier_as_of_date_ignores_what_came_later(case):
    report = readiness(case.pk, "--as-of", "2026-03-31")

    assert report["as_of"] == "2026-03-31"
    assert report["window"]["blocks"][-1] == ["2026-01", "2026-03"]
    first, second = report["capabilities"][:2]
    assert (first["items"], first["last"]) == (2, "2026-01-15")
    assert (second["items"], second["first"]) == (0, None)
    assert report["self_assessment"]["check_ins_in_window"] == 1
    assert "stale" in report["flags"]


def test_as_of_defaults_to_today():
    case = CaseFactory()
    report = readiness(case.pk)
    assert report["as_of"] == timezone.localdate().isoformat()


def test_a_case_without_evidence_has_not_started():
    case = CaseFactory()

    report = readiness(case.pk, "--as-of", AS_OF)

    assert report["status"] == "not_started"
    assert report["flags"] == ["thin:1", "thin:2", "thin:3", "thin:4"]
    assert [c["items"] for c in report["capabilities"]] == [0, 0, 0, 0]
    assert report["self_assessment"] == {
        "check_ins_in_window": 0,
        "mostly_yes": 0,
        "consistent": False,
    }


def test_output_is_indented_json_keeping_non_ascii_as_is():
    guide = guide_with_parts()
    Capability.objects.filter(guide=guide, number=1).update(title="Führung — “org” design")
    case = CaseFactory(guide=publish(guide))

    out = io.StringIO()
    call_command("readiness", case.pk, "--as-of", AS_OF, stdout=out)

    assert out.getvalue().startswith('{\n  "case": ')
    assert '"title": "Führung — “org” design"' in out.getvalue()


def test_unknown_case_is_a_command_error():
    with pytest.raises(CommandError, match="There is no case 999999."):
        readiness(999999)


def test_malformed_as_of_date_is_a_command_error(case):
    with pytest.raises(CommandError, match="--as-of"):
        readiness(case.pk, "--as-of", "28/11/2026")
