"""Spreadsheet exports and the cycle ZIP: contents, CSV injection, query counts, streaming."""

import csv
import datetime
import io
import json
import os
import subprocess
import zipfile

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from reviews.models import Attachment, Case, Decision
from reviews.packets.build import FORMAT
from reviews.packets.exports import (
    CASE_COLUMNS,
    EVIDENCE_COLUMNS,
    case_rows,
    cycle_zip,
    evidence_rows,
    neutralise,
    write_csv,
    write_xlsx,
)
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    SignOffFactory,
    UserFactory,
    published_guide,
)
from tests.ops.stack import PYTHON, ROOT, database_url

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

AS_OF = datetime.date(2026, 6, 15)
EVIL = '=HYPERLINK("http://evil","x")'
DANGEROUS = [EVIL, "+1+2", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


def add_evidence(case: Case, n: int, *, title: str | None = None):
    """Item n of a case: capabilities in turn, one or two indicators, every few a file."""
    capabilities = list(case.guide.capabilities.order_by("number"))
    capability = capabilities[n % len(capabilities)]
    indicators = list(capability.indicators.order_by("position"))
    item = EvidenceFactory(
        case=case,
        capability=capability,
        title=title or f"Item {n}",
        date=AS_OF - datetime.timedelta(days=20 * n + 1),
        indicators=indicators[: 1 + n % 2],
        links=["https://example.org/a", "https://example.org/b"][: n % 3],
    )
    if n % 3 == 2:
        # A row only: exports list file names and never open the files.
        Attachment.objects.create(
            evidence=item,
            file=f"evidence/{case.pk}/file-{n}",
            original_name=f"design-{n}.pdf",
            content_type="application/pdf",
            size=1024,
        )
    return item


def make_cases(count: int, items: int = 3, guide=None) -> list[Case]:
    guide = guide or published_guide()
    cases = []
    for c in range(count):
        case = CaseFactory(guide=guide, opened_on=AS_OF - datetime.timedelta(days=400))
        for n in range(items):
            add_evidence(case, n + c)
        cases.append(case)
    return cases


def cases_of(cases: list[Case]):
    return Case.objects.filter(pk__in=[c.pk for c in cases])


def read_csv(chunks) -> list[list[str]]:
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def cycle():
    """Two cases on one guide: one signed off and decided, with dangerous text; one plain."""
    guide = published_guide()
    hr = HRFactory()
    signed = CaseFactory(
        guide=guide,
        candidate=UserFactory(username="ada", name="Ada Lovelace"),
        opened_on=datetime.date(2025, 1, 6),
    )
    items = [add_evidence(signed, n, title=title) for n, title in enumerate(DANGEROUS)]
    FeedbackFactory(evidence=items[0])
    FeedbackFactory(evidence=items[0], kind="question", text="Which team?")
    CheckInFactory(case=signed, date=AS_OF - datetime.timedelta(days=10))
    SignOffFactory(case=signed, decision="not_ready", packet_sha256="a" * 64)
    SignOffFactory(case=signed, decision="ready", packet_sha256="b" * 64)
    Decision.objects.create(
        case=signed, outcome="promoted", effective_date=datetime.date(2026, 7, 1), decided_by=hr
    )
    Case.objects.filter(pk=signed.pk).update(status=Case.Status.DECIDED)
    plain = CaseFactory(guide=guide, candidate=UserFactory(username="bob", name="-Bob"))
    add_evidence(plain, 0, title="Plain item")
    return signed, plain


def test_neutralise_prefixes_formula_starts_and_leaves_other_values():
    for text in DANGEROUS:
        assert neutralise(text) == "'" + text
    assert neutralise("Led the migration = done") == "Led the migration = done"
    assert neutralise("") == ""
    assert neutralise(-3) == -3
    assert neutralise(2.5) == 2.5
    assert neutralise(AS_OF) == AS_OF
    assert neutralise(None) is None


def test_case_rows_summarise_each_case(cycle):
    signed, plain = cycle
    rows = list(case_rows(cases_of([plain, signed]), as_of=AS_OF))

    assert [row[0] for row in rows] == [signed.pk, plain.pk]
    row = dict(zip(CASE_COLUMNS, rows[0], strict=True))
    assert row["Candidate username"] == "ada"
    assert row["Candidate name"] == "Ada Lovelace"
    assert row["Candidate email"] == "ada@example.org"
    assert row["Sponsor username"] == signed.sponsor.username
    assert row["Guide"] == f"M3→E1 v{signed.guide.version}"
    assert row["Opened on"] == datetime.date(2025, 1, 6)
    assert row["Status"] == "Decided"
    assert row["Readiness"] == "Building"
    assert row["Items"] == len(DANGEROUS)
    assert row["Items in window"] == len(DANGEROUS)
    assert row["Capabilities sustained"] == "0 of 4"
    assert row["Check-ins in window"] == 1
    assert row["Last evidence"] == AS_OF - datetime.timedelta(days=1)
    # The latest sign-off, not the first.
    assert row["Sign-off"] == "Ready"
    assert row["Signed on"] == timezone.localdate()
    assert row["Packet SHA-256"] == "b" * 64
    assert (row["Decision"], row["Effective date"]) == ("Promoted", datetime.date(2026, 7, 1))
    assert row["Flags"] == "Thin: every capability"

    unsigned = dict(zip(CASE_COLUMNS, rows[1], strict=True))
    assert (unsigned["Sign-off"], unsigned["Signed on"], unsigned["Decision"]) == ("", None, "")
    assert unsigned["Items"] == 1


def test_evidence_rows_give_one_row_per_item_with_its_tags_links_files_and_feedback(cycle):
    signed, plain = cycle
    rows = [dict(zip(EVIDENCE_COLUMNS, r, strict=True)) for r in evidence_rows(cases_of(cycle))]

    assert len(rows) == len(DANGEROUS) + 1
    assert [r["Case"] for r in rows] == [signed.pk] * len(DANGEROUS) + [plain.pk]
    # By date within a case: item 0 is the most recent, so it comes last.
    evil = rows[len(DANGEROUS) - 1]
    assert evil["Title"] == EVIL
    assert (evil["Capability"], evil["Capability title"]) == (1, "Capability 1")
    assert evil["Indicators"] == "1.1"
    assert evil["Feedback"] == 2
    second = next(r for r in rows if r["Title"] == "+1+2")
    assert second["Indicators"] == "2.1 2.2"
    assert second["Links"] == "https://example.org/a"
    third = next(r for r in rows if r["Title"] == "-2+3")
    assert third["Links"] == "https://example.org/a\nhttps://example.org/b"
    assert third["Attachments"] == "design-2.pdf"
    assert third["Feedback"] == 0
    assert rows[-1]["Candidate username"] == "bob"


def test_csv_neutralises_dangerous_cells_and_keeps_one_row_per_case_and_item(cycle):
    cases = cases_of(cycle)
    case_table = read_csv(write_csv(case_rows(cases, as_of=AS_OF), CASE_COLUMNS))
    evidence_table = read_csv(write_csv(evidence_rows(cases), EVIDENCE_COLUMNS))

    assert case_table[0] == list(CASE_COLUMNS)
    assert len(case_table) == 1 + 2
    assert evidence_table[0] == list(EVIDENCE_COLUMNS)
    assert len(evidence_table) == 1 + len(DANGEROUS) + 1

    titles = [row[EVIDENCE_COLUMNS.index("Title")] for row in evidence_table[1:]]
    assert "'" + EVIL in titles
    for text in DANGEROUS:
        assert "'" + text in titles
    assert "Plain item" in titles
    assert case_table[2][CASE_COLUMNS.index("Candidate name")] == "'-Bob"
    # Numbers and dates are written as they are.
    assert case_table[1][0] == str(cycle[0].pk)
    assert case_table[1][CASE_COLUMNS.index("Opened on")] == "2025-01-06"
    assert case_table[1][CASE_COLUMNS.index("Effective date")] == "2026-07-01"
    assert "2" in [row[EVIDENCE_COLUMNS.index("Feedback")] for row in evidence_table[1:]]


def test_csv_streams_in_pieces():
    rows = ([n, "x" * 100] for n in range(2000))
    chunks = list(write_csv(rows, ["n", "text"]))

    assert len(chunks) > 1
    assert len(read_csv(chunks)) == 2001


def test_xlsx_has_both_sheets_with_neutralised_cells_and_untouched_numbers(cycle):
    cases = cases_of(cycle)
    data = write_xlsx(
        {
            "Cases": (CASE_COLUMNS, case_rows(cases, as_of=AS_OF)),
            "Evidence": (EVIDENCE_COLUMNS, evidence_rows(cases)),
        }
    )
    workbook = load_workbook(io.BytesIO(data))

    assert workbook.sheetnames == ["Cases", "Evidence"]
    case_sheet, evidence_sheet = workbook["Cases"], workbook["Evidence"]
    case_table = list(case_sheet.iter_rows(values_only=True))
    evidence_table = list(evidence_sheet.iter_rows(values_only=True))
    assert case_table[0] == CASE_COLUMNS
    assert len(case_table) == 1 + 2
    assert evidence_table[0] == EVIDENCE_COLUMNS
    assert len(evidence_table) == 1 + len(DANGEROUS) + 1

    titles = [row[EVIDENCE_COLUMNS.index("Title")] for row in evidence_table[1:]]
    for text in DANGEROUS:
        # XML reads a carriage return back as a line feed.
        assert "'" + text.replace("\r", "\n") in titles
    # Not one cell was stored as a formula.
    assert all(cell.data_type != "f" for row in evidence_sheet.iter_rows() for cell in row)
    assert case_table[2][CASE_COLUMNS.index("Candidate name")] == "'-Bob"
    assert case_table[1][0] == cycle[0].pk
    assert case_table[1][CASE_COLUMNS.index("Items")] == len(DANGEROUS)
    assert case_table[1][CASE_COLUMNS.index("Opened on")] == datetime.datetime(2025, 1, 6)
    assert 2 in [row[EVIDENCE_COLUMNS.index("Feedback")] for row in evidence_table[1:]]


def test_xlsx_drops_control_characters_and_cuts_cells_excel_would_refuse():
    data = write_xlsx({"Sheet": (["text"], [["bell\x07, vertical\x0b tab"], ["y" * 40_000]])})
    rows = list(load_workbook(io.BytesIO(data))["Sheet"].iter_rows(values_only=True))

    assert rows[1] == ("bell, vertical tab",)
    assert len(rows[2][0]) == 32_767


# the cases with people, guide, decision and latest sign-off;
# readiness: capabilities with indicator counts, question counts, evidence, check-in answers
CASE_ROWS_QUERIES = 5
# the items with capability, candidate, indicator positions, file names and feedback count
EVIDENCE_ROWS_QUERIES = 1


def test_row_queries_do_not_grow_with_cases(django_assert_num_queries):
    few = make_cases(2)
    many = make_cases(18) + make_cases(2, guide=published_guide())

    for cases in (few, many):
        with django_assert_num_queries(CASE_ROWS_QUERIES):
            assert len(list(case_rows(cases_of(cases), as_of=AS_OF))) == len(cases)
        with django_assert_num_queries(EVIDENCE_ROWS_QUERIES):
            assert len(list(evidence_rows(cases_of(cases)))) == 3 * len(cases)


def read_zip(chunks) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    return archive


def test_cycle_zip_holds_every_packet_and_both_spreadsheets(cycle):
    signed, plain = cycle
    archive = read_zip(cycle_zip(cases_of(cycle), as_of=AS_OF))

    assert sorted(archive.namelist()) == sorted(
        [
            "cases.csv",
            "evidence.csv",
            f"ada-{signed.pk}/packet.json",
            f"ada-{signed.pk}/packet.pdf",
            f"bob-{plain.pk}/packet.json",
            f"bob-{plain.pk}/packet.pdf",
        ]
    )
    for case in cycle:
        folder = f"{case.candidate.username}-{case.pk}"
        packet = json.loads(archive.read(f"{folder}/packet.json"))
        assert packet["format"] == FORMAT
        assert packet["candidate"]["username"] == case.candidate.username
        assert packet["readiness"]["as_of"] == AS_OF.isoformat()
        assert archive.read(f"{folder}/packet.pdf").startswith(b"%PDF")
    assert json.loads(archive.read(f"ada-{signed.pk}/packet.json"))["decision"]["outcome"] == (
        "promoted"
    )
    assert len(read_csv([archive.read("cases.csv")])) == 1 + 2
    evidence = read_csv([archive.read("evidence.csv")])
    assert len(evidence) == 1 + len(DANGEROUS) + 1
    assert "'" + EVIL in [row[EVIDENCE_COLUMNS.index("Title")] for row in evidence]
    # Written without going back: sizes and CRC follow each member's data.
    assert all(info.flag_bits & 0x08 for info in archive.infolist())


def test_cycle_zip_keeps_folder_names_to_one_plain_segment():
    case = CaseFactory(candidate=UserFactory(username="../../etc/passwd"))
    archive = read_zip(cycle_zip(cases_of([case]), as_of=AS_OF))

    assert f".._.._etc_passwd-{case.pk}/packet.json" in archive.namelist()


def test_cycle_zip_of_no_cases_is_an_empty_export():
    archive = read_zip(cycle_zip(Case.objects.none(), as_of=AS_OF))

    assert sorted(archive.namelist()) == ["cases.csv", "evidence.csv"]
    assert read_csv([archive.read("cases.csv")]) == [list(CASE_COLUMNS)]


def test_cycle_zip_streams_one_case_at_a_time():
    cases = make_cases(5, items=4)
    chunks = cycle_zip(cases_of(cases), as_of=AS_OF)

    first = next(chunks)
    # Read after the first piece went out, so the last case's packet shows the change.
    Case.objects.filter(pk=cases[-1].pk).update(narrative="Written while the export ran.")
    pieces = [first, *chunks]

    total = sum(map(len, pieces))
    assert len(pieces) >= 2 + 2 * len(cases)
    assert max(map(len, pieces)) < total / 4
    archive = read_zip(pieces)
    last = f"{cases[-1].candidate.username}-{cases[-1].pk}/packet.json"
    assert json.loads(archive.read(last))["narrative"] == "Written while the export ran."


# A child process exports every case, noting its resident memory after each case's PDF.
EXPORT_AND_MEASURE = """
import datetime, json, os
import django
django.setup()
from reviews.models import Case
from reviews.packets.exports import cycle_zip
def resident_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
as_of = datetime.date.fromisoformat(os.environ["AS_OF"])
after_each_pdf = []
for chunk in cycle_zip(Case.objects.all(), as_of=as_of):
    # A piece that opens with the local header of a member named .../packet.pdf.
    name = chunk[30 : 30 + int.from_bytes(chunk[26:28], "little")]
    if chunk.startswith(b"PK\\x03\\x04") and name.endswith(b"/packet.pdf"):
        after_each_pdf.append(resident_kb())
print(json.dumps(after_each_pdf))
"""
MEASURED_CASES = 30
# Measured with these 4-item cases: within 10 MB up and down from case to case once warmed up,
# while a layout kept alive per case adds about 16 MB each.
GROWTH_LIMIT_MB = 30


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cycle_zip_memory_stays_flat_from_case_to_case(tmp_path):
    make_cases(MEASURED_CASES, items=4)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        # No PDF kept from an earlier run: every packet is laid out.
        "PRIVATE_STORAGE_ROOT": str(tmp_path),
        "AS_OF": AS_OF.isoformat(),
    }
    result = subprocess.run(
        [PYTHON, "-c", EXPORT_AND_MEASURE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    resident = json.loads(result.stdout.splitlines()[-1])
    assert len(resident) == MEASURED_CASES
    # After the first cases have loaded fonts, the stylesheet and templates, no case adds to it.
    warmed = resident[9]
    growth = (max(resident[10:]) - warmed) / 1024
    assert growth < GROWTH_LIMIT_MB, [round(kb / 1024) for kb in resident]
