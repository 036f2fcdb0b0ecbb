"""Every URL of the app, every persona, GET and POST, against an explicit table of outcomes.

The URLconf is walked, not listed by hand: a named URL missing from EXPECTED fails the test, so a
new view fails closed until someone decides who may reach it. Each request runs in a savepoint
that is rolled back, so one persona's POST (a deletion, say) cannot change what the next sees.
Every page a persona may read is also searched for the other case's people and evidence: no
list, page or export shows one person's data to someone outside their case. And every answer to a
logged-in person, whatever its status, tells browsers and proxies not to keep it.
"""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.declarations import PREFER_NOT, declare, save_grouping_field
from accounts.models import Declaration, GroupingAnswer, GroupingField
from inbox.services import notify
from reviews.models import (
    Appeal,
    Attachment,
    Case,
    CheckIn,
    Cycle,
    CycleExport,
    CycleMove,
    Decision,
    Evidence,
    EvidenceDraft,
    Feedback,
    Nomination,
    Outcome,
    Panellist,
    ScoreSheet,
    SignOff,
)
from reviews.packets.jobs import export_path
from reviews.scoring import submit_scores
from tests.factories import (
    AttachmentFactory,
    CaseFactory,
    CheckInFactory,
    CycleFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    NominationFactory,
    PanellistFactory,
    SignOffFactory,
    UserFactory,
    published_guide,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "candidate",
    "other_candidate",
    "sponsor",
    "other_sponsor",
    "hr",
    # On the panel of a cycle the candidate's case is nominated to; the other case is in none.
    "panellist",
]
METHODS = ["GET", "POST"]

# Outcomes: a status code, "login" (302 to the login page) or "redirect" (302 anywhere else).
LOGIN = "login"
REDIRECT = "redirect"
# Only Django's admin is left out of the walk, apart from its index: its own tests cover it.
SKIPPED_NAMESPACES = {"admin"}
INCLUDED_SKIPPED = {"admin:index"}


def everyone(outcome):
    return dict.fromkeys(PERSONAS, outcome)


def people(outcome, anonymous=LOGIN):
    """Any logged-in person gets `outcome`; anonymous is sent to log in."""
    return {**everyone(outcome), "anonymous": anonymous}


def hr_only(outcome):
    # HR pages are 404 to everyone else: they do not learn the page exists.
    return {**people(404), "hr": outcome}


def case_readers(outcome):
    """The candidate, the sponsor and HR read the case; the other people get 404."""
    return {
        "anonymous": LOGIN,
        "candidate": outcome,
        "other_candidate": 404,
        "sponsor": outcome,
        "other_sponsor": 404,
        "hr": outcome,
        "panellist": 404,
    }


def packet_readers(outcome):
    """The case's readers and the panel of a cycle it is nominated to read its packet: the
    case's page, evidence, check-ins, files and downloads."""
    return {**case_readers(outcome), "panellist": outcome}


def case_writer(outcome):
    """Only the candidate writes; the sponsor and HR see the case, so they get 403, not 404."""
    return {**case_readers(403), "candidate": outcome}


ALL_405 = everyone(405)

EXPECTED = {
    "home": {"GET": people(REDIRECT), "POST": ALL_405},
    "about": {"GET": people(200), "POST": ALL_405},
    "healthz": {"GET": everyone(200), "POST": ALL_405},
    # The packet format's JSON Schema holds no one's data: anyone may read it.
    "packet_schema": {"GET": everyone(200), "POST": ALL_405},
    "admin:index": {"GET": everyone(REDIRECT), "POST": everyone(REDIRECT)},
    "accounts:login": {"GET": people(REDIRECT, 200), "POST": people(REDIRECT, 200)},
    "accounts:logout": {"GET": ALL_405, "POST": everyone(REDIRECT)},
    "accounts:password_change": {"GET": people(200), "POST": people(200)},
    "accounts:password_change_done": {"GET": people(200), "POST": people(405)},
    "accounts:password_reset": {"GET": everyone(200), "POST": everyone(200)},
    "accounts:password_reset_done": {"GET": everyone(200), "POST": ALL_405},
    "accounts:password_reset_confirm": {"GET": everyone(200), "POST": everyone(200)},
    "accounts:password_reset_complete": {"GET": everyone(200), "POST": ALL_405},
    # A post with no form in it changes nothing and shows the page again.
    "accounts:details": {"GET": people(200), "POST": people(200)},
    "accounts:grouping_field_list": {"GET": hr_only(200), "POST": ALL_405},
    # An empty definition is refused on the form itself.
    "accounts:grouping_field_create": {"GET": hr_only(200), "POST": hr_only(200)},
    "accounts:grouping_field_edit": {"GET": hr_only(200), "POST": hr_only(200)},
    "fairness:overview": {"GET": hr_only(200), "POST": ALL_405},
    "fairness:overview_export": {"GET": hr_only(200), "POST": ALL_405},
    "fairness:cycle": {"GET": hr_only(200), "POST": ALL_405},
    "fairness:cycle_export": {"GET": hr_only(200), "POST": ALL_405},
    "guides:guide_list": {"GET": people(200), "POST": ALL_405},
    "guides:guide_detail": {"GET": people(200), "POST": ALL_405},
    "guides:guide_markdown": {"GET": people(200), "POST": ALL_405},
    # An empty import is refused on the form itself.
    "guides:guide_import": {"GET": hr_only(200), "POST": hr_only(200)},
    "guides:guide_review": {"GET": hr_only(200), "POST": ALL_405},
    # The world's guide is published already: HR is sent back to it with the refusal.
    "guides:guide_publish": {"GET": ALL_405, "POST": hr_only(REDIRECT)},
    "guides:guide_retire": {"GET": hr_only(200), "POST": hr_only(REDIRECT)},
    "guides:guide_discard": {"GET": ALL_405, "POST": hr_only(REDIRECT)},
    "reviews:case_list": {"GET": hr_only(200), "POST": ALL_405},
    "reviews:case_create": {"GET": hr_only(200), "POST": hr_only(200)},
    "reviews:dashboard": {"GET": people(200), "POST": ALL_405},
    "reviews:case_import": {"GET": hr_only(200), "POST": hr_only(200)},
    "reviews:cycle_export": {"GET": hr_only(200), "POST": ALL_405},
    "reviews:export_create": {"GET": ALL_405, "POST": hr_only(REDIRECT)},
    # HR's own export: another HR person would get 404 as well (tests/reviews/test_export_jobs.py).
    "reviews:export_detail": {"GET": hr_only(200), "POST": ALL_405},
    "reviews:export_download": {"GET": hr_only(200), "POST": ALL_405},
    "reviews:markdown_preview": {"GET": ALL_405, "POST": people(200)},
    "reviews:case_detail": {"GET": packet_readers(200), "POST": ALL_405},
    # An empty narrative is refused on the form itself.
    "reviews:narrative_edit": {"GET": case_writer(200), "POST": case_writer(200)},
    "reviews:evidence_list": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:evidence_create": {"GET": case_writer(200), "POST": case_writer(200)},
    "reviews:evidence_detail": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:evidence_edit": {"GET": case_writer(200), "POST": case_writer(200)},
    "reviews:evidence_delete": {"GET": case_writer(200), "POST": case_writer(REDIRECT)},
    "reviews:attachment_download": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:case_review": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:draft_discard": {"GET": ALL_405, "POST": case_writer(REDIRECT)},
    "reviews:case_manage": {"GET": hr_only(200), "POST": hr_only(200)},
    # A move without the box ticked is refused on its own page.
    "reviews:case_move": {"GET": hr_only(200), "POST": hr_only(200)},
    "reviews:packet_download": {"GET": packet_readers(200), "POST": ALL_405},
    # The committee brief goes to the people who may download the packet.
    "reviews:case_brief": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:case_brief_pdf": {"GET": packet_readers(200), "POST": ALL_405},
    # Only the candidate stars their best items; the star sends them back to the item.
    "reviews:evidence_star": {"GET": ALL_405, "POST": case_writer(REDIRECT)},
    "reviews:sign_off_create": {
        "GET": {**case_readers(403), "sponsor": 200},
        "POST": {**case_readers(403), "sponsor": 200},
    },
    "reviews:case_history": {
        "GET": {**case_readers(200), "candidate": 403},
        "POST": ALL_405,
    },
    # An empty message is refused on the thread's page, so the writers are sent back there.
    "reviews:feedback_create": {
        "GET": ALL_405,
        "POST": {**case_readers(REDIRECT), "hr": 403},
    },
    # Everyone's queue holds only the items of the cases they sponsor: most people's is empty.
    "reviews:review_queue": {"GET": people(200), "POST": ALL_405},
    # A post ticking nothing is sent back to the confirmation.
    "reviews:queue_endorse_all": {"GET": people(200), "POST": people(REDIRECT)},
    # Only the item's sponsor answers from the queue; an empty answer goes back to the queue.
    # An empty answer is refused on the queue's own page, as the other forms refuse theirs.
    "reviews:queue_answer": {"GET": ALL_405, "POST": {**people(404), "sponsor": 200}},
    "reviews:check_in_list": {"GET": packet_readers(200), "POST": ALL_405},
    "reviews:check_in_create": {"GET": case_writer(200), "POST": case_writer(200)},
    # Only the case's sponsor nominates from the case page; the others who see the case get 403.
    # The world's cycle is in committee, no longer open for nominations: not found for the
    # sponsor too (tests/reviews/test_cycle_views.py nominates in an open cycle).
    "reviews:case_nominate": {
        "GET": {**case_readers(403), "sponsor": 404},
        "POST": {**case_readers(403), "sponsor": 404},
    },
    "cycles:cycle_list": {"GET": hr_only(200), "POST": ALL_405},
    # An empty form is refused on its own page.
    "cycles:cycle_create": {"GET": hr_only(200), "POST": hr_only(200)},
    "cycles:cycle_detail": {"GET": hr_only(200), "POST": ALL_405},
    # A move to no state is refused on the cycle's page.
    "cycles:cycle_move": {"GET": hr_only(200), "POST": hr_only(REDIRECT)},
    "cycles:cycle_nominate": {"GET": ALL_405, "POST": hr_only(200)},
    "cycles:cycle_panel": {"GET": hr_only(200), "POST": hr_only(200)},
    "cycles:panel_remove": {"GET": ALL_405, "POST": hr_only(REDIRECT)},
    "cycles:panel_home": {"GET": {**people(404), "panellist": 200}, "POST": ALL_405},
    # The candidate's case, nominated to a cycle in committee that is not published: its outcome
    # page says only that; the candidate has nothing to appeal yet, the others do not appeal.
    "reviews:case_outcome": {
        "GET": case_readers(200),
        "POST": {**case_readers(403), "candidate": 404},
    },
    # Nothing published, so no appeal to answer.
    "reviews:appeal_answer": {"GET": ALL_405, "POST": people(404)},
    # The panellist has scored; an empty change is refused on the form.
    "scoring:score_sheet": {
        "GET": {**people(404), "panellist": 200},
        "POST": {**people(404), "panellist": 200},
    },
    # An empty outcome is refused on the form.
    "scoring:outcome_record": {"GET": hr_only(200), "POST": hr_only(200)},
    # The case has no outcome yet: HR is sent back to the confirmation with the refusal.
    "scoring:cycle_publish": {"GET": hr_only(200), "POST": hr_only(REDIRECT)},
    # The committee's page: HR and the cycle's panel (tests/reviews/test_calibration.py).
    "cycles:cycle_calibration": {"GET": {**hr_only(200), "panellist": 200}, "POST": ALL_405},
    # HR's exports of the cycle: results, and its ZIP (streamed: the world's cycle is small).
    "cycles:cycle_results": {"GET": hr_only(200), "POST": ALL_405},
    "cycles:cycle_export": {"GET": hr_only(200), "POST": ALL_405},
    "cycles:cycle_export_start": {"GET": ALL_405, "POST": hr_only(REDIRECT)},
    "inbox:notice_list": {"GET": people(200), "POST": ALL_405},
    # The notice is the candidate's: anyone else is told it does not exist.
    "inbox:notice_open": {"GET": ALL_405, "POST": {**people(404), "candidate": REDIRECT}},
    "inbox:notice_read_all": {"GET": ALL_405, "POST": people(REDIRECT)},
}


def named_patterns(resolver=None, namespace="", params=()):
    """(full name, URL parameter names) of every named pattern, through every include."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        names = params + tuple(_parameters(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", names


def _parameters(pattern):
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def checked_patterns():
    found = {}
    for name, params in named_patterns():
        namespace = name.split(":", 1)[0] if ":" in name else ""
        if namespace in SKIPPED_NAMESPACES and name not in INCLUDED_SKIPPED:
            continue
        found.setdefault(name, params)
    return found


OTHER_TITLE = "Quarterly plan for the Zanzibar office"
OTHER_NARRATIVE = "Narrative kept between Quentin and his sponsor"
OWN_TITLE = "Migration of the billing platform"


@pytest.fixture
def world():
    guide = published_guide()
    candidate = UserFactory(username="carla", name="Carla Example")
    sponsor = UserFactory(username="simon", name="Simon Example", current_level=guide.to_level)
    other_candidate = UserFactory(username="quentin", name="Quentin Zedexample")
    other_sponsor = UserFactory(
        username="olga", name="Olga Yardexample", current_level=guide.to_level
    )
    case = CaseFactory(guide=guide, candidate=candidate, sponsor=sponsor)
    other_case = CaseFactory(
        guide=guide,
        candidate=other_candidate,
        sponsor=other_sponsor,
        narrative=OTHER_NARRATIVE,
    )
    evidence = EvidenceFactory(case=case, title=OWN_TITLE)
    attachment = AttachmentFactory(evidence=evidence)
    other_evidence = EvidenceFactory(case=other_case, title=OTHER_TITLE)
    other_attachment = AttachmentFactory(
        evidence=other_evidence, original_name="zanzibar-budget.txt"
    )
    FeedbackFactory(evidence=evidence)
    FeedbackFactory(evidence=other_evidence, text="Zanzibar feedback from Olga")
    CheckInFactory(case=case)
    CheckInFactory(case=other_case)
    draft = EvidenceDraft.objects.create(case=case, title="Half-written draft")
    SignOffFactory(case=other_case, decision=SignOff.Decision.NOT_READY, rationale="Zanzibar gap")
    hr = HRFactory(username="hanna", name="Hanna Example")
    panellist = UserFactory(username="paula", name="Paula Example")
    cycle = CycleFactory(name="Spring cycle", guides=[guide], created_by=hr)
    nomination = NominationFactory(cycle=cycle, case=case, by=hr, reason="Ready for the committee.")
    PanellistFactory(cycle=cycle, user=panellist)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.SCORING)
    submit_scores(
        nomination=nomination,
        panellist=panellist,
        scores={c.pk: (2, "Shown.") for c in guide.capabilities.all()},
        recommendation="promote",
        reason="Sustained.",
    )
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    grouping_field = save_grouping_field(
        name="Region", question="Where are you based?", answers=["North", "South"], active=True
    )
    declare(user=candidate, choices={grouping_field.pk: PREFER_NOT})
    export = CycleExport.objects.create(
        requested_by=hr,
        case_ids=[case.pk, other_case.pk],
        as_of=datetime.date(2026, 11, 16),
        total=2,
        done=2,
        status=CycleExport.Status.DONE,
        file="exports/access-matrix.zip",
    )
    export_path(export).parent.mkdir(parents=True, exist_ok=True)
    export_path(export).write_bytes(b"PK\x05\x06" + bytes(18))
    notice = notify(
        recipient_id=candidate.pk,
        kind="feedback",
        text="Simon Example endorsed",
        about=OWN_TITLE,
        link=evidence.get_absolute_url(),
    )
    notify(
        recipient_id=other_candidate.pk,
        kind="feedback",
        text="Olga Yardexample endorsed",
        about=OTHER_TITLE,
        link=other_evidence.get_absolute_url(),
    )
    users = {
        "candidate": candidate,
        "other_candidate": other_candidate,
        "sponsor": sponsor,
        "other_sponsor": other_sponsor,
        "hr": hr,
        "panellist": panellist,
    }
    yield {
        "cycle": cycle,
        "guide": guide,
        "case": case,
        "evidence": evidence,
        "attachment": attachment,
        "export": export,
        "draft": draft,
        "notice": notice,
        "nomination": nomination,
        "grouping_field": grouping_field,
        "users": users,
    }
    export_path(export).unlink(missing_ok=True)
    for item in (attachment, other_attachment):
        item.file.delete(save=False)


def url_arguments(world):
    """Each URL parameter's values: every variant of a regex choice is checked on its own."""
    return {
        "slug": [world["guide"].slug],
        "case_id": [world["case"].pk],
        "evidence_id": [world["evidence"].pk],
        "attachment_id": [world["attachment"].pk],
        "export_id": [world["export"].pk],
        "draft_id": [world["draft"].pk],
        "notice_id": [world["notice"].pk],
        "pk": [world["cycle"].pk],
        "cycle_id": [world["cycle"].pk],
        "user_id": [world["users"]["panellist"].pk],
        "nomination_id": [world["nomination"].pk],
        "field_id": [world["grouping_field"].pk],
        "spreadsheet": ["csv", "xlsx"],
        "kind": ["zip", "cases-csv", "evidence-csv", "xlsx"],
        "fmt": ["json", "pdf"],
        "version": [1],
        "uidb64": ["MQ"],
        "token": ["not-a-token"],
    }


def urls_of(name, params, arguments) -> list[str]:
    urls = [{}]
    for param in params:
        urls = [{**kwargs, param: value} for kwargs in urls for value in arguments[param]]
    return [reverse(name, kwargs=kwargs) for kwargs in urls]


# Each persona's secrets: what the people outside their case must never see.
SECRETS = {
    "mine": [OWN_TITLE, "Carla Example", "Simon Example"],
    "other": [OTHER_TITLE, OTHER_NARRATIVE, "Quentin Zedexample", "Olga Yardexample", "Zanzibar"],
}
MUST_NOT_SEE = {
    "candidate": SECRETS["other"],
    "sponsor": SECRETS["other"],
    "other_candidate": SECRETS["mine"],
    "other_sponsor": SECRETS["mine"],
    "panellist": SECRETS["other"],
    "anonymous": SECRETS["mine"] + SECRETS["other"],
}


def snapshot(case):
    """What a refused request must leave untouched."""
    case = Case.objects.get(pk=case.pk)
    return (
        Case.objects.count(),
        Evidence.objects.count(),
        Evidence.objects.filter(starred=True).count(),
        Attachment.objects.count(),
        Feedback.objects.count(),
        CheckIn.objects.count(),
        SignOff.objects.count(),
        Cycle.objects.count(),
        list(Cycle.objects.values_list("state", flat=True)),
        CycleMove.objects.count(),
        Nomination.objects.count(),
        Panellist.objects.count(),
        case.narrative,
        case.status,
        case.sponsor_id,
        ScoreSheet.objects.count(),
        Outcome.objects.count(),
        Appeal.objects.count(),
        Decision.objects.count(),
        list(Cycle.objects.values_list("state", "published_at")),
        GroupingField.objects.count(),
        GroupingAnswer.objects.count(),
        CycleExport.objects.count(),
        sorted(Declaration.objects.values_list("user", "field", "answer", "prefer_not_to_say")),
    )


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def is_kept_from_caches(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def outcome_of(response):
    if response.status_code == 302:
        login = reverse("accounts:login")
        return LOGIN if response["Location"].startswith(login + "?next=") else REDIRECT
    return response.status_code


def test_every_named_url_has_an_expected_outcome():
    """New views fail closed: naming a URL means deciding who may reach it."""
    found = set(checked_patterns())
    assert found - set(EXPECTED) == set(), "add these URLs to EXPECTED"
    assert set(EXPECTED) - found == set(), "these URLs in EXPECTED no longer exist"


@pytest.mark.slow
def test_access_matrix(world, capsys):
    arguments = url_arguments(world)
    patterns = checked_patterns()
    mismatches = []
    leaks = []
    cacheable = []
    checked = 0
    urls = [
        (name, url) for name in sorted(patterns) for url in urls_of(name, patterns[name], arguments)
    ]
    for name, url in urls:
        for method in METHODS:
            for persona in PERSONAS:
                expected = EXPECTED[name][method][persona]
                client = Client()
                if persona != "anonymous":
                    client.force_login(world["users"][persona])
                before = snapshot(world["case"])
                with transaction.atomic():
                    response = client.generic(method, url)
                    got = outcome_of(response)
                    body = body_of(response) if got == 200 else ""
                    after = snapshot(world["case"])
                    transaction.set_rollback(True)
                checked += 1
                if got != expected:
                    mismatches.append(f"{method} {url} as {persona}: {got}, expected {expected}")
                if got in (LOGIN, 403, 404, 405) and after != before:
                    mismatches.append(f"{method} {name} as {persona} was refused yet wrote")
                if persona != "anonymous" and not is_kept_from_caches(response):
                    cache_control = response.get("Cache-Control")
                    cacheable.append(f"{method} {url} as {persona}: {cache_control}")
                leaks += [
                    f"{method} {name} as {persona} shows {secret!r}"
                    for secret in MUST_NOT_SEE.get(persona, [])
                    if secret in body
                ]
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(patterns)} URL names ({len(urls)} URLs) x {len(PERSONAS)} "
            f"personas x {len(METHODS)} methods = {checked} requests checked"
        )
    assert checked == len(urls) * len(PERSONAS) * len(METHODS)
    assert mismatches == []
    assert leaks == []
    assert cacheable == []
