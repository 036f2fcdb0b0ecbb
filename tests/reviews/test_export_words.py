"""What exports put before people speaks in words (reviews/words.py), never in the codes the
database and the JSON packet keep: no `not_started`, `thin:3` or `needs_more` in a spreadsheet
or a PDF."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reviews.models import Answer, Case, Decision, Feedback, SignOff
from reviews.packets.build import build_packet
from reviews.packets.exports import (
    CASE_COLUMNS,
    EVIDENCE_COLUMNS,
    case_rows,
    evidence_rows,
    write_csv,
    write_xlsx,
)
from reviews.packets.pdf import render_packet_pdf
from reviews.packets.verify import verify_packet
from reviews.readiness.rule import FlagKind, Status
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    SignOffFactory,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

AS_OF = datetime.date(2026, 11, 16)
CHOICES = (Status, FlagKind, Case.Status, SignOff.Decision, Decision.Outcome, Feedback.Kind)
# A code with an underscore, as the database spells it, or a flag with its capability ("thin:3").
CODES = sorted({str(value) for choices in CHOICES for value in choices if "_" in str(value)})
FLAG_CODE = re.compile(rf"\b(?:{'|'.join(FlagKind)}):\d+")


def raw_codes(text: str) -> list[str]:
    return [code for code in CODES if code in text] + FLAG_CODE.findall(text)


@pytest.fixture
def cases() -> list[Case]:
    """Between them, a code of every kind: a case signed off as not ready and then ready, with
    thin evidence, feedback asking for more and an HR decision of not yet; a case not started."""
    guide = published_guide()
    signed = CaseFactory(guide=guide, opened_on=AS_OF - datetime.timedelta(days=400))
    item = EvidenceFactory(case=signed, date=AS_OF - datetime.timedelta(days=100))
    FeedbackFactory(evidence=item, kind=Feedback.Kind.NEEDS_MORE, text="Which numbers?")
    CheckInFactory(case=signed, date=AS_OF - datetime.timedelta(days=5), answers="partly")
    SignOffFactory(case=signed, decision=SignOff.Decision.NOT_READY, readiness_status="not_started")
    SignOffFactory(
        case=signed,
        decision=SignOff.Decision.READY,
        readiness_status="building",
        override=True,
        override_reason="Board work outside the guide.",
    )
    Decision.objects.create(
        case=signed, outcome=Decision.Outcome.NOT_YET, effective_date=AS_OF, decided_by=HRFactory()
    )
    Case.objects.filter(pk=signed.pk).update(status=Case.Status.SIGNED_OFF)
    empty = CaseFactory(guide=guide)
    return list(Case.objects.with_people().filter(pk__in=[signed.pk, empty.pk]).order_by("pk"))


def test_the_fixture_holds_the_codes_the_scan_looks_for(cases):
    packets = [build_packet(case, as_of=AS_OF) for case in cases]
    spelled = " ".join(str(packet) for packet in packets)
    for code in ("not_started", "signed_off", "not_ready", "not_yet", "needs_more"):
        assert code in spelled
    assert FLAG_CODE.search(spelled)
    assert Answer.Value.PARTLY in spelled


def test_spreadsheets_and_the_packet_pdf_name_no_code(cases):
    queryset = Case.objects.filter(pk__in=[case.pk for case in cases])
    csv_text = b"".join(
        [
            *write_csv(case_rows(queryset, as_of=AS_OF), CASE_COLUMNS),
            *write_csv(evidence_rows(queryset), EVIDENCE_COLUMNS),
        ]
    ).decode("utf-8-sig")
    workbook = load_workbook(
        io.BytesIO(
            write_xlsx(
                {
                    "Cases": (CASE_COLUMNS, case_rows(queryset, as_of=AS_OF)),
                    "Evidence": (EVIDENCE_COLUMNS, evidence_rows(queryset)),
                }
            )
        )
    )
    xlsx_text = " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    pdf_text = " ".join(
        page.extract_text()
        for case in cases
        for page in PdfReader(io.BytesIO(render_packet_pdf(case, as_of=AS_OF))).pages
    )
    verify_text = verify_packet(build_packet(cases[0], as_of=AS_OF)).message

    found = {
        name: raw_codes(text)
        for name, text in [
            ("CSV", csv_text),
            ("XLSX", xlsx_text),
            ("PDF", pdf_text),
            ("verify", verify_text),
        ]
    }
    assert found == {"CSV": [], "XLSX": [], "PDF": [], "verify": []}
    # The words themselves are there.
    assert "Signed off" in csv_text and "Not yet" in xlsx_text and "Not started" in csv_text
    assert "Needs more" in pdf_text and "Partly" in pdf_text
    assert "the ready sign-off" in verify_text


def test_a_spreadsheets_flags_name_capabilities_in_full():
    from reviews.readiness.rule import Flag, FlagKind
    from reviews.words import flag_labels

    long_title = "Organisational Design and Long-Range Hiring Plans"

    class Capability:
        def __init__(self, number, title):
            self.number, self.title = number, title

    class Report:
        capabilities = [Capability(1, long_title), Capability(2, "Budget")]
        flags = [Flag(FlagKind.STALE), Flag(FlagKind.THIN, 1)]

    assert flag_labels(Report()) == f"Stale; Thin: {long_title}"
