"""A packet can name anyone: what it says of people is checked, shown and confirmed.

Imported feedback is marked as imported wherever it is shown; usernames are matched without
case and look-alike letters; people who are here already are linked only once HR has seen who
they are; HR is never a candidate by import, and nobody decides their own case; a key given
twice is refused with its path.
"""

import copy
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import User
from reviews import services
from reviews.models import Case, Decision, Feedback
from reviews.notifications import send_due_notifications
from reviews.packets.build import build_packet
from reviews.packets.exports import EVIDENCE_COLUMNS, evidence_rows, write_csv, write_xlsx
from reviews.packets.importing import (
    LinkingNeedsConfirmation,
    PacketRefused,
    import_packet,
    load_packet_file,
)
from reviews.packets.pdf import render_packet_pdf
from reviews.packets.shapes import PacketProblem
from reviews.services import OWN_DECISION
from tests.factories import CaseFactory, HRFactory, UserFactory
from tests.form_tokens import with_token
from tests.reviews.test_packet_import import (
    packet_for,
    packet_guide,
    refused,
    row_counts,
    upload,
)
from tests.security.hostile import client_for

DAY = "2026-11-16"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]

IMPORTED_BY_HANA = "Imported from a packet by Hana People on 16 Nov 2026"


def pdf_text(case) -> str:
    pdf = render_packet_pdf(case)
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


@pytest.fixture
def guide():
    return packet_guide()


@pytest.fixture
def packet(guide) -> dict:
    return packet_for(guide)


@pytest.fixture
def hana():
    return HRFactory(username="hana", name="Hana People")


def sam_here(guide, username="sam") -> User:
    return UserFactory(username=username, name="Sam Here", current_level=guide.to_level)


# (a) Imported feedback is marked as imported, wherever it is shown


def test_imported_feedback_is_marked_with_who_imported_it_and_when(packet, hana):
    response = upload(client_for(hana), json.dumps(packet).encode())
    assert response.status_code == 302
    case = Case.objects.with_people().get()

    messages = list(case.feedback.order_by("created_at"))
    assert len(messages) == 2
    for message in messages:
        assert message.imported_by == hana
        assert message.imported_at.date().isoformat() == DAY

    # The packet JSON: each message says so, its time as before.
    exported = build_packet(case)["feedback"]
    assert [m["imported"]["by"] for m in exported] == ["hana", "hana"]
    assert exported[0]["at"] == "2025-02-10T09:00:00Z"

    # Every page that shows feedback.
    item = messages[0].evidence
    for url in (
        case.get_absolute_url(),
        reverse("reviews:case_review", args=[case.pk]),
        reverse("reviews:evidence_detail", args=[case.pk, item.pk]),
    ):
        page = client_for(case.candidate).get(url).content.decode()
        assert page.count(IMPORTED_BY_HANA) == 2, url

    # The PDF and the spreadsheets.
    assert pdf_text(case).count(IMPORTED_BY_HANA) == 2
    cases = Case.objects.filter(pk=case.pk)
    rows = list(evidence_rows(cases))
    column = EVIDENCE_COLUMNS.index("Imported feedback")
    assert sorted(row[column] for row in rows) == [0, 2]
    table = b"".join(write_csv(evidence_rows(cases), EVIDENCE_COLUMNS)).decode("utf-8-sig")
    assert "Imported feedback" in table.splitlines()[0]
    sheet = load_workbook(
        io.BytesIO(write_xlsx({"Evidence": (EVIDENCE_COLUMNS, evidence_rows(cases))}))
    )["Evidence"]
    assert sorted(r[column] for r in sheet.iter_rows(min_row=2, values_only=True)) == [0, 2]


def test_feedback_written_here_carries_no_mark(packet, hana):
    case = import_packet(packet=packet, by=hana)
    item = case.evidence.order_by("date").first()
    services.give_feedback(evidence=item, author=case.sponsor, kind="endorse", text="Here.")

    page = client_for(case.candidate).get(
        reverse("reviews:evidence_detail", args=[case.pk, item.pk])
    )
    assert page.content.decode().count(IMPORTED_BY_HANA) == 2
    written_here = build_packet(Case.objects.with_people().get(pk=case.pk))["feedback"][-1]
    assert written_here["text"] == "Here."
    assert "imported" not in written_here


def test_feedback_imported_on_the_command_line_says_so(packet, tmp_path):
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(packet))
    call_command("import_case", str(path), stdout=io.StringIO())
    case = Case.objects.with_people().get()

    assert set(case.feedback.values_list("imported_by", flat=True)) == {None}
    assert build_packet(case)["feedback"][0]["imported"]["by"] is None
    assert "Imported from a packet on the command line on 16 Nov 2026" in (pdf_text(case))


def test_a_packet_with_import_marks_imports_again_and_is_marked_anew(packet, hana):
    case = import_packet(packet=packet, by=None)
    again = json.loads(json.dumps(build_packet(Case.objects.with_people().get(pk=case.pk))))
    for person in ("candidate", "sponsor"):
        again[person]["username"] += ".two"
    for message in again["feedback"]:
        message["author"] += ".two"

    second = import_packet(packet=again, by=hana)

    assert set(second.feedback.values_list("imported_by", flat=True)) == {hana.pk}


def test_imported_feedback_is_not_mailed_as_if_its_author_had_written_it(packet, mailoutbox):
    recent = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)
    for message in packet["feedback"]:
        message["at"] = recent.isoformat()
    case = import_packet(packet=packet, by=None)
    assert case.feedback.count() == 2

    sent = send_due_notifications(now=recent + datetime.timedelta(hours=1))

    assert sent["feedback"] == 0
    assert not [m for m in mailoutbox if "your evidence" in m.subject]


# (b) Usernames: without case, after look-alike letters


@pytest.mark.parametrize("written", ["Sam", "SAM", "\u0455am", "\u0405am"])
def test_a_look_alike_or_differently_cased_username_is_the_existing_person(guide, packet, written):
    sam = sam_here(guide)
    packet["sponsor"]["username"] = written
    packet["feedback"][0]["author"] = written
    people = User.objects.count()

    case = import_packet(packet=packet, by=None, link_existing=True)

    assert case.sponsor == sam
    assert User.objects.count() == people + 1  # the candidate, new
    assert case.feedback.get(kind="question").author == sam
    sam.refresh_from_db()
    assert (sam.username, sam.name) == ("sam", "Sam Here")


def test_the_candidate_and_the_sponsor_cannot_be_one_person_in_other_capitals(packet):
    packet["sponsor"]["username"] = "ADA"
    assert PacketProblem(
        "$.sponsor", "the sponsor cannot be the candidate (both are ada)"
    ) in refused(packet)


def test_a_username_that_could_be_several_people_here_is_refused(guide, packet):
    sam_here(guide, "sam")
    sam_here(guide, "Sam")

    assert refused(packet) == [
        PacketProblem(
            "$.sponsor",
            "'sam' could be any of 2 people here (sam, Sam), whose usernames differ only in "
            "capitals or in letters that look alike; rename them so that each can be told apart",
        )
    ]


# (c) People who are here already: listed, and linked only on confirmation


def test_an_import_naming_existing_people_lists_them_and_writes_nothing(guide, packet):
    sam = sam_here(guide)
    packet["sponsor"]["username"] = "\u0455am"
    before = row_counts()

    with pytest.raises(LinkingNeedsConfirmation) as needed:
        import_packet(packet=packet, by=None)

    assert row_counts() == before
    assert [(p.role, p.user) for p in needed.value.linked] == [("sponsor", sam)]


def test_the_upload_page_links_existing_people_only_once_hr_confirms(guide, packet, hana):
    sam_here(guide)
    packet["sponsor"]["username"] = "\u0455am"
    raw = json.dumps(packet).encode()
    hr = client_for(hana)
    before = row_counts()

    first = upload(hr, raw)
    assert first.status_code == 200
    page = first.content.decode()
    assert "This file names people who are here already" in page
    assert first.context["linking"] == [
        "The sponsor: Sam Here (sam, sam@example.org), who is here already; the file writes "
        "the username “\u0455am”, with look-alike letters from another alphabet."
    ]
    token = first.context["form"].initial["confirmation"]
    assert row_counts() == before

    def confirm(raw: bytes, *, ticked: bool, token: str = token):
        data = {"packet": SimpleUploadedFile("packet.json", raw), "confirmation": token}
        if ticked:
            data["link_existing"] = "on"
        return hr.post(reverse("reviews:case_import"), data)

    unticked = confirm(raw, ticked=False)
    assert "Tick the box to link them, or cancel." in unticked.content.decode()
    assert row_counts() == before

    # The token is of the file that was listed: another file is listed anew, and not imported.
    other = copy.deepcopy(packet)
    other["narrative"] = "Another file."
    assert confirm(json.dumps(other).encode(), ticked=True).context["linking"]
    assert row_counts() == before

    done = confirm(raw, ticked=True)
    case = Case.objects.get()
    assert done.status_code == 302
    assert case.sponsor.username == "sam"


def test_the_command_links_existing_people_only_with_its_flag(guide, packet, tmp_path):
    sam_here(guide)
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(packet))

    with pytest.raises(CommandError) as error:
        call_command("import_case", str(path), stdout=io.StringIO())
    assert "names people who are here already; nothing was imported" in str(error.value)
    assert "The sponsor: Sam Here (sam, sam@example.org), who is here already." in str(error.value)
    assert "--link-existing" in str(error.value)
    assert not Case.objects.exists()

    call_command("import_case", str(path), "--link-existing", stdout=io.StringIO())
    assert Case.objects.get().sponsor.username == "sam"


# (d) Nobody decides their own case; HR is never a candidate by import


def test_an_import_cannot_make_someone_in_hr_a_candidate(packet, hana):
    packet["candidate"]["username"] = "Hana"
    packet["feedback"] = []

    assert refused(packet) == [
        PacketProblem(
            "$.candidate",
            "Hana People (hana) works in HR here, and HR decides promotions: an import cannot "
            "make them a candidate. HR can open their case on the Open a case page, for another "
            "HR person to decide",
        )
    ]


@pytest.fixture
def own_case(hana):
    case = CaseFactory(candidate=hana)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    case.refresh_from_db()
    return case


def test_hr_cannot_record_the_decision_on_their_own_case(own_case, hana):
    client = client_for(hana)
    url = reverse("reviews:case_manage", args=[own_case.pk])

    page = client.get(url)
    assert OWN_DECISION in page.content.decode()
    assert "Record the decision" not in page.content.decode()

    posted = client.post(
        url,
        with_token(
            {
                "action": "decision",
                "outcome": "promoted",
                "effective_date": "2026-12-01",
                "confirm_promotion": "on",
            }
        ),
    )
    assert posted.status_code == 200
    assert OWN_DECISION in posted.context["decision_form"].non_field_errors()
    assert not Decision.objects.exists()

    with pytest.raises(PermissionDenied, match="you cannot record its decision"):
        services.record_decision(
            case=own_case,
            outcome="promoted",
            effective_date=datetime.date(2026, 12, 1),
            note="",
            decided_by=hana,
        )
    assert not Decision.objects.exists()


def test_another_hr_person_records_it(own_case):
    other = client_for(HRFactory())
    url = reverse("reviews:case_manage", args=[own_case.pk])

    other.post(
        url,
        with_token(
            {
                "action": "decision",
                "outcome": "promoted",
                "effective_date": "2026-12-01",
                "confirm_promotion": "on",
            }
        ),
    )

    assert Decision.objects.get().case == own_case


# (e) A key given twice is refused with its path


def test_a_key_given_twice_is_refused_with_its_path(packet):
    text = json.dumps(packet)
    title = '"title": "Hired two managers"'
    assert text.count(title) == 1
    text = text.replace(title, f'{title}, "title": "Someone else\'s work"')
    text = text.replace('"format": ', '"format": "promotion-packet/1", "format": ', 1)
    answers = '"answers": {"1": "yes"'
    text = text.replace(answers, f'{answers}, "1": "no", "1": "partly"', 1)

    with pytest.raises(PacketRefused) as refused_file:
        load_packet_file(text.encode())

    assert refused_file.value.problems == [
        PacketProblem("$", 'the key "format" appears twice'),
        PacketProblem("$.evidence[1]", 'the key "title" appears twice'),
        PacketProblem("$.check_ins[0].answers", 'the key "1" appears 3 times'),
    ]
    assert Feedback.objects.count() == 0


def test_the_upload_page_and_the_command_refuse_a_key_given_twice(packet, hana, tmp_path):
    text = json.dumps(packet).replace('"narrative": ', '"narrative": "x", "narrative": ', 1)

    page = upload(client_for(hana), text.encode()).content.decode()
    assert "the key &quot;narrative&quot; appears twice" in page
    path = tmp_path / "packet.json"
    path.write_text(text)
    with pytest.raises(CommandError, match='\\$: the key "narrative" appears twice'):
        call_command("import_case", str(path), stdout=io.StringIO())
    assert not Case.objects.exists()
