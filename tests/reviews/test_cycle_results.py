"""A cycle's results for HR (CSV, XLSX) and its ZIP of briefs, packets, scores and outcomes:
what each holds in each state of the cycle, in words, in a fixed number of queries."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reviews import scoring
from reviews.export_jobs import CycleExport
from reviews.models import Cycle
from reviews.packets.cycle_results import cycle_results_zip, results, results_csv
from reviews.words import NOT_IN_COMMITTEE, NOT_PUBLISHED
from tests.factories import (
    CaseFactory,
    NominationFactory,
    PanellistFactory,
    ScoreSheetFactory,
    UserFactory,
)
from tests.reviews.scoring_world import make_world, move, submit
from tests.security.hostile import client_for
from tests.worker import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


def rows_of(cycle) -> list[dict]:
    found = results(cycle)
    return [dict(zip(found.header, row, strict=True)) for row in found.rows]


def scored_world(**cycle):
    world = make_world(capabilities=2, **cycle)
    submit(world, world.panel[0], recommendation="promote", value=1)
    submit(world, world.panel[1], recommendation="not_yet", value=3)
    return world


def test_before_committee_scores_and_outcomes_say_they_are_not_shown_yet():
    world = scored_world()
    [row] = rows_of(world.cycle)
    assert row["Candidate"] == "Cora Candidate"
    assert row["Sponsor"] == "Seth Sponsor"
    assert row["Panel's recommendations"] == NOT_IN_COMMITTEE
    assert row["Scores: 1. Capability 1"] == NOT_IN_COMMITTEE
    assert row["Outcome"] == row["Rationale"] == row["Answer to the appeal"] == NOT_PUBLISHED
    found = results(world.cycle)
    assert found.scores == [] and found.outcomes == []


def test_in_committee_the_scores_range_shows_in_words_and_outcomes_wait():
    world = scored_world()
    move(world, Cycle.State.COMMITTEE)
    [row] = rows_of(world.cycle)
    assert row["Panel's recommendations"] == "Promote 1 · Not yet 1"
    assert row["Scores: 1. Capability 1"] == "Emerging to Strong"
    assert row["Scores: 2. Capability 2"] == "Emerging to Strong"
    assert row["Readiness"] in {"Ready", "Building", "Not started"}
    assert row["Outcome"] == NOT_PUBLISHED
    scores = results(world.cycle).scores
    # One row per panellist and capability, named although the cycle hides names from candidates.
    assert not world.cycle.show_panel_names
    assert [(r[2], r[3], r[4], r[6]) for r in scores] == [
        ("Panellist Ana", "1. Capability 1", "Emerging", "Promote"),
        ("Panellist Ana", "2. Capability 2", "Emerging", "Promote"),
        ("Panellist Ben", "1. Capability 1", "Strong", "Not yet"),
        ("Panellist Ben", "2. Capability 2", "Strong", "Not yet"),
    ]


def publish(world, *, rationale="Sustained across the window.", justification=""):
    submit(world, world.panel[2], recommendation="not_yet", value=2)
    move(world, Cycle.State.COMMITTEE)
    scoring.record_outcome(
        nomination=world.nomination,
        result="promoted",
        rationale=rationale,
        justification=justification or "The committee read more than the panel.",
        by=world.hr,
    )
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    world.cycle.refresh_from_db()


def test_once_published_the_outcome_its_reasons_and_the_appeal_are_in_the_row():
    world = scored_world()
    publish(world)
    [row] = rows_of(world.cycle)
    assert row["Outcome"] == "Promoted"
    assert row["Rationale"] == "Sustained across the window."
    assert row["Justification against the panel"] == "The committee read more than the panel."
    assert row["Appeal"] == "no appeal"
    appeal = scoring.appeal(nomination=world.nomination, by=world.case.candidate, reason="Why?")
    [row] = rows_of(world.cycle)
    assert (row["Appeal"], row["Answer to the appeal"]) == ("Why?", "not answered yet")
    scoring.answer_appeal(appeal=appeal, result="not_upheld", note="It stands.", by=world.hr)
    [row] = rows_of(world.cycle)
    assert row["Answer to the appeal"] == "Not upheld: the outcome stands: It stands."
    [outcome] = results(world.cycle).outcomes
    assert outcome[:3] == ["Cora Candidate", world.case.guide.label, "Hana HR"]


def test_a_formula_in_a_rationale_reaches_the_csv_as_text():
    world = scored_world()
    publish(world, rationale='=HYPERLINK("https://example.org","x")')
    text = b"".join(results_csv(results(world.cycle))).decode("utf-8-sig")
    [header, row] = list(csv.reader(io.StringIO(text)))
    assert row[header.index("Rationale")] == '\'=HYPERLINK("https://example.org","x")'


def grow(world, count: int) -> None:
    for _ in range(count):
        case = CaseFactory(guide=world.case.guide, candidate=UserFactory())
        nomination = NominationFactory(cycle=world.cycle, case=case)
        for panellist in world.panel:
            ScoreSheetFactory(nomination=nomination, panellist=panellist, values={1: 0})


def queries_for(cycle) -> int:
    with CaptureQueriesContext(connection) as queries:
        results(cycle)
    return len(queries)


def test_the_results_cost_the_same_queries_at_two_sizes():
    world = scored_world()
    publish(world)
    grow(world, 1)
    few = queries_for(world.cycle)
    grow(world, 4)
    assert len(results(world.cycle).rows) == 6
    # nominations (1); readiness, computed for cases without a snapshot (4); capabilities (1);
    # current sheets with their panellists (1); their scores (1); outcomes (1); appeals (1)
    assert queries_for(world.cycle) == few == 10


def test_the_zip_holds_the_briefs_packets_and_the_results():
    world = scored_world()
    move(world, Cycle.State.COMMITTEE)
    told = []
    body = b"".join(cycle_results_zip(world.cycle, on_packet=lambda *done: told.append(done)))
    archive = zipfile.ZipFile(io.BytesIO(body))
    folder = f"{world.case.candidate.username}-{world.case.pk}"
    assert sorted(archive.namelist()) == sorted(
        [
            "results.xlsx",
            "scores.csv",
            "outcomes.csv",
            f"{folder}/packet.json",
            f"{folder}/packet.pdf",
            f"{folder}/brief.pdf",
        ]
    )
    assert told == [(1, 1)]
    assert json.loads(archive.read(f"{folder}/packet.json"))["candidate"]["name"] == (
        "Cora Candidate"
    )
    assert archive.read(f"{folder}/brief.pdf").startswith(b"%PDF")
    assert archive.read(f"{folder}/packet.pdf").startswith(b"%PDF")
    scores = archive.read("scores.csv").decode("utf-8-sig")
    assert "Panellist Ana" in scores and "Panellist Ben" in scores
    book = load_workbook(io.BytesIO(archive.read("results.xlsx")), read_only=True)
    assert book.sheetnames == ["Results", "Scores", "Outcomes"]
    [header, row] = list(book["Results"].iter_rows(values_only=True))
    assert row[header.index("Outcome")] == NOT_PUBLISHED


def test_hr_downloads_the_results_from_the_cycle_page():
    world = scored_world()
    client = client_for(world.hr)
    page = client.get(reverse("cycles:cycle_detail", args=[world.cycle.pk])).content.decode()
    csv_url = reverse("cycles:cycle_results", args=[world.cycle.pk, "csv"])
    assert csv_url in page
    assert "name the panellists beside their scores" in page
    response = client.get(csv_url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Cora Candidate" in b"".join(response.streaming_content).decode("utf-8-sig")
    response = client.get(reverse("cycles:cycle_results", args=[world.cycle.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Results"
    response = client.get(reverse("cycles:cycle_export", args=[world.cycle.pk]))
    assert response.streaming and not CycleExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_cycle_is_exported_by_the_job(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("reviews.views.cycle_exports.STREAM_AT_MOST", 0)
    world = scored_world()
    PanellistFactory(cycle=world.cycle)
    client = client_for(world.hr)
    url = reverse("cycles:cycle_export", args=[world.cycle.pk])
    page = client.get(url).content.decode()
    assert reverse("cycles:cycle_export_start", args=[world.cycle.pk]) in page
    assert not CycleExport.objects.exists()
    response = client.post(reverse("cycles:cycle_export_start", args=[world.cycle.pk]))
    export = CycleExport.objects.get()
    assert response.url == reverse("reviews:export_detail", args=[export.pk])
    assert (export.cycle_id, export.case_ids) == (world.cycle.pk, [world.case.pk])

    run_queued_tasks()

    export.refresh_from_db()
    assert (export.status, export.done) == (CycleExport.Status.DONE, 1)
    response = client.get(reverse("reviews:export_download", args=[export.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "results.xlsx" in archive.namelist()
    assert any(name.endswith("/brief.pdf") for name in archive.namelist())
