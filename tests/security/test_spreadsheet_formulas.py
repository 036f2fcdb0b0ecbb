"""Every formula vector, alone and behind every ASCII control character, is text in both
spreadsheet exports: in the CSV a quote comes first, and the XLSX holds no formula cell.

The exports drop control characters first and neutralise formulas second: a cell that started
with a control character and then "=" would otherwise lose the control character on its way into
the XLSX and run there.
"""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews.packets.build import build_packet
from reviews.packets.exports import neutralise, write_csv, write_xlsx
from reviews.packets.importing import import_packet
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, published_guide
from tests.security.hostile import client_for
from tests.security.xss_vectors import CONTROL_CHARACTERS, FORMULA_VECTORS

# Control characters a cell keeps inside its text: links are one per line, summaries have lines.
KEPT = {"\t", "\n", "\r"}

HOSTILE = [
    *FORMULA_VECTORS,
    *(control + vector for control in CONTROL_CHARACTERS for vector in FORMULA_VECTORS[:2]),
    # A control character inside a formula's text, and several before it.
    '\x01\x02\x1b=HYPERLINK("http://evil.example/","x")',
    '=HYPER\x00LINK("http://evil.example/","x")',
]


def expected(vector: str) -> str:
    return "'" + "".join(c for c in vector if c in KEPT or c not in CONTROL_CHARACTERS)


def assert_harmless(text: str, vector: str, *, xlsx: bool = False) -> None:
    assert text.startswith("'"), repr(vector)
    assert not (set(text) & set(CONTROL_CHARACTERS)) - KEPT, repr(vector)
    want = expected(vector)
    # XML reads a carriage return back as a line feed.
    assert text == (want.replace("\r\n", "\n").replace("\r", "\n") if xlsx else want)


def read_csv(chunks) -> list[list[str]]:
    data = b"".join(chunks).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data, newline="")))


def read_xlsx(data: bytes, sheet: str):
    return load_workbook(io.BytesIO(data))[sheet]


def test_the_corpus_covers_every_ascii_control_character_and_every_formula_start():
    assert len(CONTROL_CHARACTERS) == 33
    assert {vector[0] for vector in FORMULA_VECTORS} >= {"=", "+", "-", "@", "\t", "\r", "\n"}


def test_a_cell_is_stripped_of_control_characters_before_it_is_neutralised():
    for vector in HOSTILE:
        assert neutralise(vector) == expected(vector), repr(vector)
    # A control character before plain text is dropped and nothing is added.
    for control in sorted(set(CONTROL_CHARACTERS) - KEPT):
        assert neutralise(control + "Led the migration") == "Led the migration"
    assert neutralise("Line one\nline\ttwo\r\n") == "Line one\nline\ttwo\r\n"
    assert neutralise(7) == 7


def test_csv_cells_starting_with_a_formula_or_a_control_character_are_text():
    table = read_csv(write_csv(([vector] for vector in HOSTILE), ["Title"]))

    assert len(table) == 1 + len(HOSTILE)
    for (text,), vector in zip(table[1:], HOSTILE, strict=True):
        assert_harmless(text, vector)


def test_xlsx_cells_starting_with_a_formula_or_a_control_character_are_text():
    data = write_xlsx({"Evidence": (["Title"], ([vector] for vector in HOSTILE))})
    sheet = read_xlsx(data, "Evidence")

    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(HOSTILE)
    for cell, vector in zip(cells, HOSTILE, strict=True):
        assert cell.data_type != "f", repr(vector)
        assert_harmless(cell.value, vector, xlsx=True)


@pytest.mark.django_db
@pytest.mark.today("2026-06-15")
def test_hr_exports_keep_a_title_and_an_imported_name_as_text():
    """Through HR's downloads: an evidence title typed with a control character, and the name of
    a candidate from an imported packet."""
    guide = published_guide()
    case = CaseFactory(guide=guide)
    title = "\x01" + FORMULA_VECTORS[0]
    EvidenceFactory(case=case, title=title)
    packet = build_packet(case)
    name = "\x08" + FORMULA_VECTORS[1]
    packet["candidate"].update(username="imported", email="imported@example.org", name=name)
    # The sponsor is the same person: linked, as HR would confirm.
    imported = import_packet(packet=json.loads(json.dumps(packet)), by=None, link_existing=True)
    hr = client_for(HRFactory())

    def download(kind: str) -> bytes:
        response = hr.get(reverse("reviews:cycle_export", args=[kind]))
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    evidence = read_csv([download("evidence-csv")])
    column = evidence[0].index("Title")
    titles = [row[column] for row in evidence[1:]]
    assert titles == [expected(title)] * 2
    cases = read_csv([download("cases-csv")])
    column = cases[0].index("Candidate name")
    names = {row[0]: row[column] for row in cases[1:]}
    assert names[str(imported.pk)] == expected(name)

    workbook = download("xlsx")
    for sheet, value in (("Evidence", title), ("Cases", name)):
        cells = [cell for row in read_xlsx(workbook, sheet).iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells), sheet
        assert expected(value) in [cell.value for cell in cells], sheet
