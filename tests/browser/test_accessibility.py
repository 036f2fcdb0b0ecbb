"""axe-core (from the axe-playwright-python package) finds no serious or critical violation on
any page of the app, as each persona who may read it sees it, on the demo organisation.

The pages are those of the access matrix (tests/security/test_access_matrix.py): every named URL
that answers a persona with an HTML page, so a new page is checked as soon as it has a route.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command

from accounts.declarations import save_grouping_field
from accounts.models import User
from demo.cycles import CURRENT, EARLIER, PANEL
from demo.people import DEMO_PASSWORD
from inbox.services import notify
from reviews.models import Case, Cycle, CycleExport, EvidenceDraft
from reviews.notices import thread_link
from tests.browser.conftest import log_in
from tests.security.test_access_matrix import EXPECTED, checked_patterns, urls_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
PERSONAS = ("anonymous", "candidate", "sponsor", "hr", "panellist")
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def demo():
    call_command("import_guide", str(settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"))
    call_command("load_demo", force=True)
    case = Case.objects.select_related("candidate", "sponsor", "guide").get(
        candidate__username="ada"
    )
    evidence = case.evidence.filter(attachments__isnull=False).first() or case.evidence.first()
    notify(
        recipient_id=case.candidate_id,
        kind="feedback",
        text=f"{case.sponsor.display_name} asked a question about",
        about=evidence.title,
        link=thread_link(evidence),
    )
    attachment = evidence.attachments.first()
    draft = EvidenceDraft.objects.create(case=case, title="A draft to finish")
    hr = User.objects.get(username="hana")
    export = CycleExport.objects.create(
        requested_by=hr, case_ids=[case.pk], as_of=case.opened_on, total=1
    )
    # The demo's cycles: the current one in committee (Ada's case among its three, every sheet
    # in) and the earlier, published one.
    cycle = Cycle.objects.get(name=CURRENT)
    published = Cycle.objects.get(name=EARLIER)
    nomination = cycle.nominations.get(case=case)
    panellist = User.objects.get(username=PANEL[0])
    grouping_field = save_grouping_field(
        name="Region", question="Where are you based?", answers=["North", "South"], active=True
    )
    return {
        "case": case,
        "users": {
            "candidate": case.candidate,
            "sponsor": case.sponsor,
            "hr": "hana",
            "panellist": panellist,
        },
        "arguments": {
            "slug": [case.guide.slug],
            "case_id": [case.pk],
            "evidence_id": [evidence.pk],
            "attachment_id": [attachment.pk if attachment else 0],
            "kind": [],
            "fmt": [],
            "uidb64": ["MQ"],
            "token": ["not-a-token"],
            "notice_id": [1],
            "draft_id": [draft.pk],
            "export_id": [export.pk],
            "pk": [cycle.pk],
            "cycle_id": [cycle.pk, published.pk],
            "nomination_id": [nomination.pk],
            "user_id": [panellist.pk],
            "field_id": [grouping_field.pk],
            "spreadsheet": [],
        },
    }


def serious(page, axe) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


# Files, not pages: their answers are downloads, which axe has nothing to read in.
DOWNLOADS = {
    "reviews:packet_download",
    "reviews:case_brief_pdf",
    "reviews:cycle_export",
    "reviews:attachment_download",
    "packet_schema",
    "fairness:overview_export",
    "fairness:cycle_export",
}


def pages_for(persona, demo) -> list[str]:
    patterns = checked_patterns()
    return [
        url
        for name in sorted(patterns)
        if EXPECTED[name]["GET"][persona] == 200 and name not in DOWNLOADS
        for url in urls_of(name, patterns[name], demo["arguments"])
    ]


VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


def test_the_pages_checked_are_enough_to_mean_something(demo):
    assert sum(len(pages_for(persona, demo)) for persona in PERSONAS) > 40


# One test per persona, so that the suite's workers share them.
@pytest.mark.parametrize("persona", PERSONAS)
def test_axe_finds_nothing_serious_on_any_page(browser, live_server, demo, persona):
    axe = Axe()
    found, checked = {}, 0
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    if persona != "anonymous":
        user = demo["users"][persona]
        log_in(page, getattr(user, "username", user), DEMO_PASSWORD)
    pages = []
    for url in pages_for(persona, demo):
        # Asked first, so that a refusal or a redirect is not checked as the page.
        answer = context.request.get(url, max_redirects=0)
        if answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html"):
            pages.append(url)
    for viewport in sorted(VIEWPORTS):
        page.set_viewport_size(VIEWPORTS[viewport])
        for url in pages:
            page.goto(url)
            checked += 1
            if problems := serious(page, axe):
                found[f"{url} at {VIEWPORTS[viewport]['width']} px"] = problems
    context.close()
    assert checked > 0, "no page of this persona was checked"
    assert found == {}, "\n".join(f"{where}: {problems}" for where, problems in found.items())
