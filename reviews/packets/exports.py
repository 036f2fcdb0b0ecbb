"""Spreadsheet exports (CSV, XLSX) and the whole cycle as one streamed ZIP.

Rows: one per case (its summary, with readiness) and one per evidence item. `case_rows` and
`evidence_rows` cost a fixed number of queries whatever the number of cases; evidence is read
through a server-side cursor in chunks, so a cycle of any size never sits in memory at once.

Every cell of both formats goes through `neutralise` (CSV injection, OWASP): a spreadsheet must show
what a candidate typed, never run it. It drops control characters first and neutralises formulas
second, so that nothing dropped can uncover a formula: "\x01=HYPERLINK(…)" becomes
"'=HYPERLINK(…)". Tab, line feed and carriage return are kept, since cells hold lines (links, one
per line; Markdown); at the start of a cell they are formula starts, so they are neutralised.
Statuses, flags and decisions are worded by reviews/words.py, as on
the pages; the JSON packet keeps their codes.

CSV is UTF-8 with a byte order mark: without it Excel reads UTF-8 as the local code page and
mangles names and the guide's arrow; every other reader skips the mark.
"""

import collections
import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core import clock
from guides.models import Indicator, guide_label
from reviews import words
from reviews.models import Attachment, Case, Evidence, Feedback, SignOff
from reviews.packets.build import read_packet
from reviews.readiness.snapshots import readiness_for_cases

CASE_COLUMNS = (
    "Case",
    "Candidate username",
    "Candidate name",
    "Candidate email",
    "Sponsor username",
    "Sponsor name",
    "Guide",
    "Opened on",
    "Status",
    "Readiness",
    "Flags",
    "Items",
    "Items in window",
    "Capabilities sustained",
    "Check-ins in window",
    "Last evidence",
    "Sign-off",
    "Signed on",
    "Packet SHA-256",
    "Decision",
    "Effective date",
)
EVIDENCE_COLUMNS = (
    "Case",
    "Candidate username",
    "Capability",
    "Capability title",
    "Indicators",
    "Title",
    "Date",
    "Summary",
    "Outcome",
    "Links",
    "Attachments",
    "Feedback",
    # How many of those messages came in an imported packet, not written here.
    "Imported feedback",
)

# What a spreadsheet may read as the start of a formula: OWASP's "CSV Injection" list, and the line
# feed, which some readers skip like the carriage return before reading what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Every control character but tab, line feed and carriage return: ASCII's (C0 and DEL) and C1's.
# XML 1.0, so XLSX, cannot hold most of them, and no spreadsheet shows any of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EVIDENCE_CHUNK = 2000
CSV_CHUNK_BYTES = 64 * 1024
# The cycle ZIP reads cases.csv's rows this many cases at a time (five queries each), so that
# readiness never holds a whole large cycle's evidence dates at once.
CASE_BATCH = 200
# Packets read and waiting for their PDF while the one before is laid out.
LAYOUTS_AHEAD = 1
# Excel refuses longer cells.
XLSX_MAX_CELL = 32_767


def neutralise(value):
    """A string without control characters, and as text if a spreadsheet would take it for a
    formula; anything else as it is."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cases_for_rows(cases: QuerySet) -> QuerySet:
    latest_sign_off = SignOff.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        cases.select_related(
            "candidate", "sponsor", "guide__from_level", "guide__to_level", "decision"
        )
        .defer("narrative")
        .annotate(
            sign_off_decision=Subquery(latest_sign_off.values("decision")[:1]),
            sign_off_at=Subquery(latest_sign_off.values("created_at")[:1]),
            sign_off_sha256=Subquery(latest_sign_off.values("packet_sha256")[:1]),
        )
        .order_by("id")
    )


def case_rows(cases: QuerySet, *, as_of: datetime.date | None = None) -> Iterator[list]:
    """One row per case, in case id order, as CASE_COLUMNS; five queries whatever the count."""
    as_of = as_of or clock.today()
    # the cases with people, guide, decision and latest sign-off; then readiness's four
    cases = list(_cases_for_rows(cases))
    readiness = readiness_for_cases(cases, as_of)
    for case in cases:
        report = readiness[case.pk]
        decision = getattr(case, "decision", None)
        lasts = [c.last for c in report.capabilities if c.last]
        yield [
            case.pk,
            case.candidate.username,
            case.candidate.display_name,
            case.candidate.email,
            case.sponsor.username,
            case.sponsor.display_name,
            guide_label(
                case.guide.from_level.code,
                case.guide.to_level.code,
                case.guide.version,
                compact=True,
            ),
            case.opened_on,
            words.case_status_label(case.status),
            words.status_label(report.status),
            words.flag_labels(report),
            sum(c.items for c in report.capabilities),
            sum(c.items_in_window for c in report.capabilities),
            # "3/4" would become the 3rd of April in Excel.
            f"{sum(c.sustained for c in report.capabilities)} of {len(report.capabilities)}",
            report.self_assessment.check_ins_in_window,
            max(lasts) if lasts else None,
            words.sign_off_label(case.sign_off_decision) if case.sign_off_decision else "",
            timezone.localdate(case.sign_off_at) if case.sign_off_at else None,
            case.sign_off_sha256 or "",
            words.decision_label(decision.outcome) if decision else "",
            decision.effective_date if decision else None,
        ]


def evidence_rows(cases: QuerySet) -> Iterator[list]:
    """One row per evidence item of these cases, by case, date and id, as EVIDENCE_COLUMNS.

    One query, read through a server-side cursor. Indicators, file names and the feedback count
    come as subqueries of each row rather than prefetched: prefetch caches point back at their
    items, so a long export would keep every chunk alive until the garbage collector ran.
    """
    positions = Indicator.objects.filter(evidence=OuterRef("pk")).order_by("position")
    files = Attachment.objects.filter(evidence=OuterRef("pk")).order_by("id")

    def feedback_count(**only):
        return Coalesce(
            Subquery(
                Feedback.objects.filter(evidence=OuterRef("pk"), **only)
                .order_by()
                .values("evidence")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    rows = (
        Evidence.objects.filter(case__in=cases.values("pk"))
        .annotate(
            positions=ArraySubquery(positions.values("position")),
            files=ArraySubquery(files.values("original_name")),
            feedback_count=feedback_count(),
            imported_count=feedback_count(imported_at__isnull=False),
        )
        .order_by("case_id", "date", "id")
        # In EVIDENCE_COLUMNS order.
        .values_list(
            "case_id",
            "case__candidate__username",
            "capability__number",
            "capability__title",
            "positions",
            "title",
            "date",
            "summary",
            "outcome",
            "links",
            "files",
            "feedback_count",
            "imported_count",
        )
    )
    for row in rows.iterator(chunk_size=EVIDENCE_CHUNK):
        row = list(row)
        row[4] = " ".join(f"{row[2]}.{position}" for position in row[4])
        row[9] = "\n".join(row[9])
        row[10] = "\n".join(row[10])
        yield row


class _Echo:
    """csv.writer's file: writerow returns the line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def write_csv(rows: Iterable[Sequence], header: Sequence[str]) -> Iterator[bytes]:
    """The CSV (UTF-8 with BOM, CRLF lines) in pieces of about CSV_CHUNK_BYTES."""
    writer = csv.writer(_Echo())
    pending = [("\ufeff" + writer.writerow([neutralise(v) for v in header])).encode()]
    size = len(pending[0])
    for row in rows:
        line = writer.writerow([neutralise(v) for v in row]).encode()
        pending.append(line)
        size += len(line)
        if size >= CSV_CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _xlsx_value(value):
    value = neutralise(value)
    if isinstance(value, str) and len(value) > XLSX_MAX_CELL:
        value = value[: XLSX_MAX_CELL - 1] + "…"
    return value


def write_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per entry, header bold and frozen; rows stream to disk."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(name))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class _ZipStream:
    """A write-only file for zipfile that keeps only what was written since the last `take`.

    It can tell its position but not seek, so zipfile writes each member's sizes and CRC in a
    data descriptor after its data instead of going back to the member's header.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._position = 0

    def write(self, data) -> int:
        self._buffer += data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def zip_members() -> Callable[[str], zipfile.ZipInfo]:
    """A maker of a ZIP's members, each compressed, readable by all and dated now."""
    moment = timezone.localtime(clock.now()).timetuple()[:6]

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=moment)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    return member


_SAFE_NAME = re.compile(r"[^A-Za-z0-9@.+_-]")


def _folder(case: Case) -> str:
    # Imported users keep whatever username their file gave: keep paths to one plain segment.
    return f"{_SAFE_NAME.sub('_', case.candidate.username)}-{case.pk}"


def cycle_zip(
    cases: QuerySet,
    *,
    as_of: datetime.date | None = None,
    on_packet: Callable[[int, int], None] | None = None,
) -> Iterator[bytes]:
    """The cases as one ZIP, in pieces, holding only one case or one CSV chunk at a time.

    At the root `cases.csv` and `evidence.csv`; then per case `<username>-<id>/packet.json` and
    `packet.pdf`. The list of cases is fixed when the export starts; a case deleted meanwhile is
    left out. `on_packet(done, total)` is told after each case's packet.

    While one packet is laid out (in a process of its own, reviews/packets/typesetter.py), the
    next is read: at most LAYOUTS_AHEAD packets are waiting for their PDF at once.
    """
    from reviews.packets.pdf import start_layout

    as_of = as_of or clock.today()
    ids = list(cases.order_by("id").values_list("id", flat=True))
    stream = _ZipStream()
    member = zip_members()

    def write_chunks(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]):
        with archive.open(member(name), "w") as target:
            for chunk in chunks:
                target.write(chunk)
                if data := stream.take():
                    yield data
        if data := stream.take():
            yield data

    def case_rows_in_batches():
        for start in range(0, len(ids), CASE_BATCH):
            batch = Case.objects.filter(pk__in=ids[start : start + CASE_BATCH])
            yield from case_rows(batch, as_of=as_of)

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        yield from write_chunks(
            archive, "cases.csv", write_csv(case_rows_in_batches(), CASE_COLUMNS)
        )
        yield from write_chunks(
            archive,
            "evidence.csv",
            write_csv(evidence_rows(Case.objects.filter(pk__in=ids)), EVIDENCE_COLUMNS),
        )
        waiting = collections.deque()

        def finish_oldest():
            done, folder, future = waiting.popleft()
            archive.writestr(member(f"{folder}/packet.pdf"), future.result())
            if on_packet:
                on_packet(done, len(ids))
            return stream.take()

        for done, pk in enumerate(ids, start=1):
            case = Case.objects.with_people().with_level_history().filter(pk=pk).first()
            if case is None:
                continue
            # One read for both, so that the PDF says what the JSON beside it says.
            read = read_packet(case, as_of=as_of)
            text = json.dumps(read.packet, indent=2, ensure_ascii=False) + "\n"
            archive.writestr(member(f"{_folder(case)}/packet.json"), text.encode())
            yield stream.take()
            waiting.append((done, _folder(case), start_layout(case, as_of=as_of, read=read)))
            if len(waiting) > LAYOUTS_AHEAD:
                yield finish_oldest()
        while waiting:
            yield finish_oldest()
    if data := stream.take():
        yield data
