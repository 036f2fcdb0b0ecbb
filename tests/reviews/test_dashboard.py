"""The sponsor's dashboard: one row per candidate they sponsor, sortable and filterable."""

import datetime
import re
from html import escape

import pytest
import time_machine
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from reviews.models import Case, Feedback
from reviews.readiness.months import months_open
from reviews.readiness.snapshots import case_readiness
from reviews.views.dashboard import dashboard_context
from reviews.words import flags_for
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    SignOffFactory,
    UserFactory,
    guide_with_parts,
    publish,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

AS_OF = datetime.date(2026, 6, 15)
# The window is July 2025 to June 2026; one date in each of its four 3-month blocks.
BLOCK_DATES = [datetime.date(2025, 8, 10), datetime.date(2025, 11, 10)] + [
    datetime.date(2026, 2, 10),
    datetime.date(2026, 5, 10),
]


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def add_item(case: Case, number: int, date: datetime.date, positions=(1, 2, 3)):
    capability = case.guide.capabilities.get(number=number)
    return EvidenceFactory(
        case=case,
        capability=capability,
        date=date,
        indicators=list(capability.indicators.filter(position__in=positions)),
    )


OPENED_ON = datetime.date(2025, 1, 6)


def make_case(sponsor, name: str, *, guide=None, opened_on=OPENED_ON, **kwargs) -> Case:
    return CaseFactory(
        sponsor=sponsor,
        candidate=UserFactory(name=name),
        guide=guide or published_guide(),
        opened_on=opened_on,
        **kwargs,
    )


def ready_case(sponsor, name="Ada Ready", **kwargs) -> Case:
    """Every capability in every block, three of five indicators, a yes check-in each block."""
    case = make_case(sponsor, name, **kwargs)
    for number in range(1, 5):
        for date in BLOCK_DATES:
            add_item(case, number, date)
    for date in BLOCK_DATES:
        CheckInFactory(case=case, date=date.replace(day=1))
    return case


def stale_case(sponsor, name="Bo Stale", **kwargs) -> Case:
    """Building: every capability once, all in September 2025, so nothing in the last 60 days."""
    case = make_case(sponsor, name, **kwargs)
    for number in range(1, 5):
        add_item(case, number, d("2025-09-01"))
    return case


def lopsided_case(sponsor, name="Di Lopsided", **kwargs) -> Case:
    """Building: four recent items on capability 1, none on 2–4, so lopsided and thin:2,3,4."""
    case = make_case(sponsor, name, **kwargs)
    for date in ("2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"):
        add_item(case, 1, d(date))
    return case


def context(user, query: str = "", as_of=AS_OF) -> dict:
    return dashboard_context(user, QueryDict(query), as_of=as_of)


def names(ctx: dict) -> list[str]:
    return [row.case.candidate.display_name for row in ctx["rows"]]


def render(rf, user, ctx: dict) -> str:
    request = rf.get("/cases/sponsored/")
    request.user = user
    return render_to_string("reviews/dashboard.html", ctx, request=request)


def table(page: str) -> str:
    return re.search(r"<tbody>.*</tbody>", page, re.S).group()


def html(row) -> str:
    """One row's markup, as the dashboard draws it: the page with that row alone."""
    request = RequestFactory().get("/cases/sponsored/")
    request.user = row.case.sponsor
    ctx = {**dashboard_context(row.case.sponsor, QueryDict(), as_of=AS_OF), "rows": [row]}
    return table(render_to_string("reviews/dashboard.html", ctx, request=request))


@pytest.fixture
def sponsor():
    return UserFactory(name="Sam Sponsor")


@pytest.fixture
def four(sponsor):
    """Four cases whose every sortable column orders them differently (see the sort test)."""
    ready = ready_case(sponsor, opened_on=d("2024-01-01"))
    stale = stale_case(sponsor, opened_on=d("2022-06-01"))
    new = make_case(sponsor, "Cy New", opened_on=d("2025-12-01"))
    lopsided = lopsided_case(sponsor, opened_on=d("2025-03-01"))
    # Awaiting feedback: Ada 1 of 16, Bo 4 of 4, Cy none, Di 2 of 4.
    for item in list(ready.evidence.order_by("date", "id"))[1:]:
        FeedbackFactory(evidence=item)
    for item in list(lopsided.evidence.order_by("date"))[:2]:
        FeedbackFactory(evidence=item)
    return {"ready": ready, "stale": stale, "new": new, "lopsided": lopsided}


def test_the_four_cases_have_the_readiness_the_tests_rely_on(four):
    report = {key: case_readiness(case, AS_OF) for key, case in four.items()}
    assert report["ready"].status == "ready" and report["ready"].flags == ()
    assert report["stale"].status == "building" and report["stale"].flags == ("stale",)
    assert report["new"].status == "not_started"
    assert report["lopsided"].status == "building"
    assert report["lopsided"].flags == ("lopsided", "thin:2", "thin:3", "thin:4")


def test_rows_show_what_the_sponsor_needs_per_candidate(sponsor, four):
    rows = {row.case.pk: row for row in context(sponsor)["rows"]}

    ready, stale, new, lopsided = (rows[four[k].pk] for k in ("ready", "stale", "new", "lopsided"))
    assert (ready.status, ready.months_open, ready.last_evidence, ready.awaiting) == (
        "ready",
        29,
        d("2026-05-10"),
        1,
    )
    assert (stale.status, stale.months_open, stale.last_evidence, stale.awaiting) == (
        "building",
        48,
        d("2025-09-01"),
        4,
    )
    assert (new.status, new.months_open, new.last_evidence, new.awaiting) == (
        "not_started",
        6,
        None,
        0,
    )
    assert (lopsided.months_open, lopsided.last_evidence, lopsided.awaiting) == (
        15,
        d("2026-06-01"),
        2,
    )
    assert flag_labels(ready) == []
    assert flag_labels(stale) == ["Stale"]
    assert flag_labels(new) == ["Thin: every capability"]
    assert flag_labels(lopsided) == [
        "Lopsided",
        "Thin: Capability 2",
        "Thin: Capability 3",
        "Thin: Capability 4",
    ]
    assert [row.flag_kinds for row in (ready, stale, new, lopsided)] == [
        (),
        ("stale",),
        ("thin",),
        ("lopsided", "thin"),
    ]
    assert 'class="heat-strip heat-strip-small"' in html(ready)
    assert html(ready).count("<tr>") == 1


def flag_labels(row) -> list[str]:
    return re.findall(r'<li title="[^"]*">([^<]*)</li>', html(row))


def test_summary_counts_statuses_and_stale_cases(sponsor, four):
    summary = context(sponsor)["summary"]
    assert [(item["count"], item["label"]) for item in summary] == [
        (1, "ready"),
        (2, "building"),
        (1, "not started"),
        (1, "stale"),
    ]


def test_summary_says_statuses_in_a_line_and_staleness_in_a_sentence(rf, sponsor, four):
    page = render(rf, sponsor, context(sponsor))
    line = re.search(r'<p class="lead dashboard-summary">(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"\s+", " ", line).strip() == (
        "1 ready · 2 building · 1 not started. 1 case has had no new evidence in the last 60 days."
    )


def test_summary_leaves_out_what_no_case_has(sponsor):
    ready_case(sponsor)
    assert [(i["count"], i["label"]) for i in context(sponsor)["summary"]] == [(1, "ready")]


def test_summary_ignores_the_status_and_flag_filters(sponsor, four):
    assert context(sponsor, "status=ready")["summary"] == context(sponsor)["summary"]


def test_another_sponsors_cases_never_appear(sponsor, four):
    other = UserFactory(name="Olive Other")
    theirs = ready_case(other, name="Their Candidate")
    FeedbackFactory(evidence=theirs.evidence.first())

    mine = context(sponsor, "closed=1")
    assert sorted(names(mine)) == ["Ada Ready", "Bo Stale", "Cy New", "Di Lopsided"]
    assert names(context(other)) == ["Their Candidate"]


@pytest.mark.parametrize("persona", ["candidate", "hr"])
def test_people_who_sponsor_nothing_get_the_empty_state(rf, sponsor, four, persona):
    user = four["stale"].candidate if persona == "candidate" else HRFactory()

    ctx = context(user)
    page = render(rf, user, ctx)

    assert ctx["rows"] == [] and not ctx["has_cases"]
    assert "No one you sponsor has a case yet. HR opens cases and names you as sponsor." in page
    assert "<table" not in page
    assert "Ada Ready" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=ready", ["Ada Ready"]),
        ("status=building", ["Bo Stale", "Di Lopsided"]),
        ("status=not_started", ["Cy New"]),
        ("flag=stale", ["Bo Stale"]),
        ("flag=lopsided", ["Di Lopsided"]),
        ("flag=thin", ["Cy New", "Di Lopsided"]),
        ("status=building&flag=thin", ["Di Lopsided"]),
        ("status=ready&flag=stale", []),
        # Values that are not choices are ignored rather than matching nothing.
        ("status=promoted&flag=bogus", ["Ada Ready", "Bo Stale", "Cy New", "Di Lopsided"]),
    ],
)
def test_filters_by_status_and_flag(sponsor, four, query, expected):
    ctx = context(sponsor, query)
    assert names(ctx) == expected
    assert ctx["in_scope_count"] == 4


def test_a_filter_that_matches_nothing_says_so_with_a_way_back(rf, sponsor, four):
    ctx = context(sponsor, "status=ready&flag=stale&sort=last&dir=desc")
    page = render(rf, sponsor, ctx)
    assert "No candidates match these filters." in page
    assert f'href="{escape(ctx["clear_url"])}">Clear filters</a>' in page
    assert QueryDict(ctx["clear_url"][1:]).dict() == {"sort": "last", "dir": "desc"}


# Ada: ready, opened Jan 2024, last item 10 May 2026, 1 awaiting;
# Bo: building, opened Jun 2022, last item 1 Sep 2025, 4 awaiting;
# Cy: not started, opened Dec 2025, no items, 0 awaiting;
# Di: building, opened Mar 2025, last item 1 Jun 2026, 2 awaiting.
ASCENDING = {
    "name": ["Ada Ready", "Bo Stale", "Cy New", "Di Lopsided"],
    "status": ["Cy New", "Bo Stale", "Di Lopsided", "Ada Ready"],
    "months": ["Cy New", "Di Lopsided", "Ada Ready", "Bo Stale"],
    "last": ["Cy New", "Bo Stale", "Ada Ready", "Di Lopsided"],
    "awaiting": ["Cy New", "Ada Ready", "Di Lopsided", "Bo Stale"],
}
DESCENDING = {
    "name": ["Di Lopsided", "Cy New", "Bo Stale", "Ada Ready"],
    # Bo and Di are both building: a tie keeps name order whichever the direction.
    "status": ["Ada Ready", "Bo Stale", "Di Lopsided", "Cy New"],
    "months": ["Bo Stale", "Ada Ready", "Di Lopsided", "Cy New"],
    "last": ["Di Lopsided", "Ada Ready", "Bo Stale", "Cy New"],
    "awaiting": ["Bo Stale", "Di Lopsided", "Ada Ready", "Cy New"],
}


@pytest.mark.parametrize("key", list(ASCENDING))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorts_by_each_column_in_both_directions(sponsor, four, key, direction):
    ctx = context(sponsor, f"sort={key}&dir={direction}")
    expected = ASCENDING[key] if direction == "asc" else DESCENDING[key]
    assert names(ctx) == expected
    assert (ctx["sort"], ctx["dir"]) == (key, direction)


def test_default_order_is_by_name(sponsor, four):
    ctx = context(sponsor, "sort=nonsense&dir=sideways")
    assert names(ctx) == ASCENDING["name"]
    assert (ctx["sort"], ctx["dir"]) == ("name", "asc")


def test_a_column_without_a_direction_sorts_its_natural_way_first(sponsor, four):
    assert names(context(sponsor, "sort=awaiting")) == DESCENDING["awaiting"]
    assert names(context(sponsor, "sort=name")) == ASCENDING["name"]


def test_sort_links_flip_the_sorted_column_and_keep_the_filters(sponsor, four):
    ctx = context(sponsor, "status=building&flag=thin&closed=1&sort=last&dir=desc")
    headers = {h["key"]: h for h in ctx["headers"]}

    assert headers["guide"]["href"] is None and headers["flags"]["href"] is None
    assert headers["last"]["aria_sort"] == "descending"
    assert headers["last"]["action"] == "sort ascending"
    assert QueryDict(headers["last"]["href"][1:]).dict() == {
        "status": "building",
        "flag": "thin",
        "closed": "1",
        "sort": "last",
        "dir": "asc",
    }
    assert headers["name"]["aria_sort"] is None
    assert QueryDict(headers["name"]["href"][1:])["dir"] == "asc"
    assert QueryDict(headers["months"]["href"][1:])["dir"] == "desc"


def test_awaiting_feedback_ignores_feedback_by_anyone_but_the_sponsor(sponsor):
    case = make_case(sponsor, "Eve Example")
    endorsed, questioned_by_hr, replied_by_candidate, untouched, answered = (
        add_item(case, 1, d(f"2026-0{month}-01")) for month in range(1, 6)
    )
    FeedbackFactory(evidence=endorsed)
    FeedbackFactory(evidence=questioned_by_hr, author=HRFactory(), kind=Feedback.Kind.QUESTION)
    FeedbackFactory(evidence=replied_by_candidate, author=case.candidate, kind=Feedback.Kind.REPLY)
    # Any message of the sponsor's own in the thread means they have looked at the item.
    FeedbackFactory(evidence=answered, kind=Feedback.Kind.REPLY)
    # The same person sponsoring another case: their feedback there counts only there.
    other = make_case(sponsor, "Fay Example")
    FeedbackFactory(evidence=add_item(other, 1, d("2026-01-01")))
    add_item(other, 2, d("2026-01-01"))

    awaiting = {row.case.pk: row.awaiting for row in context(sponsor)["rows"]}
    assert awaiting == {case.pk: 3, other.pk: 1}
    assert untouched.feedback.count() == 0


def test_last_evidence_is_the_latest_item_up_to_the_as_of_date(sponsor):
    case = make_case(sponsor, "Gil Example")
    for date in ("2026-03-01", "2026-05-20", "2025-12-24"):
        add_item(case, 2, d(date))
    add_item(case, 1, d("2026-07-01"))

    (row,) = context(sponsor)["rows"]
    assert row.last_evidence == d("2026-05-20")
    (later,) = context(sponsor, as_of=d("2026-07-31"))["rows"]
    assert later.last_evidence == d("2026-07-01")


@pytest.mark.parametrize(
    ("opened_on", "as_of", "months"),
    [
        ("2026-06-15", "2026-06-15", 0),
        ("2026-01-06", "2026-02-05", 0),
        ("2026-01-06", "2026-02-06", 1),
        ("2025-01-31", "2026-02-28", 12),
        ("2024-06-15", "2026-06-15", 24),
        ("2026-07-01", "2026-06-15", 0),
    ],
)
def test_months_open_counts_whole_calendar_months(opened_on, as_of, months):
    assert months_open(d(opened_on), d(as_of)) == months


def test_thin_flags_name_the_capability_shortened(sponsor):
    guide = guide_with_parts()
    guide.capabilities.filter(number=2).update(title="Domain Ownership & Business Accountability")
    case = lopsided_case(sponsor, guide=publish(guide))

    labels = [f.label for f in flags_for(case_readiness(case, AS_OF))]
    assert labels[1] == "Thin: Domain Ownership & Busi…"
    assert (
        "Domain Ownership & Business Accountability"
        in flags_for(case_readiness(case, AS_OF))[1].description
    )


def test_closed_cases_are_left_out_unless_asked_for(rf, sponsor, four):
    decided = stale_case(sponsor, name="Hal Decided", status=Case.Status.DECIDED)
    withdrawn = make_case(sponsor, "Ivy Withdrawn", status=Case.Status.WITHDRAWN)

    assert "Hal Decided" not in names(context(sponsor))
    shown = context(sponsor, "closed=1")
    assert {"Hal Decided", "Ivy Withdrawn"} <= set(names(shown))
    assert shown["summary"][1] == {"key": "building", "count": 3, "label": "building"}
    page = render(rf, sponsor, shown)
    assert re.search(r"Hal Decided.*?Decided</div>", page, re.S)
    assert decided.pk != withdrawn.pk


def test_a_sponsor_whose_cases_are_all_closed_is_offered_to_see_them(rf, sponsor):
    make_case(sponsor, "Hal Decided", status=Case.Status.DECIDED)

    ctx = context(sponsor)
    page = render(rf, sponsor, ctx)

    assert ctx["rows"] == [] and ctx["has_cases"]
    assert "None of the cases you sponsor is active: 1 decided or withdrawn." in page
    assert 'href="?closed=1&amp;sort=name&amp;dir=asc">Show them</a>' in page
    assert "No one you sponsor has a case yet" not in page


def test_a_signed_off_case_shows_it_with_the_date(rf, sponsor, four):
    case = ready_case(sponsor, name="Jo Signed", status=Case.Status.SIGNED_OFF)
    sign_off = SignOffFactory(case=case)

    ctx = context(sponsor)
    (row,) = [row for row in ctx["rows"] if row.case.pk == case.pk]
    assert row.signed_off_at == sign_off.created_at
    page = render(rf, sponsor, ctx)
    row_html = re.search(r"<tr>\s*<td><a[^>]*>Jo Signed</a>.*?</tr>", page, re.S).group()
    assert f'Signed off <time datetime="{sign_off.created_at:%Y-%m-%d}">' in row_html
    assert "Signed off" not in re.search(r"Ada Ready.*?</tr>", page, re.S).group()


def test_the_page_shows_each_row_accessibly(rf, sponsor, four):
    ctx = context(sponsor, "sort=status&dir=desc&flag=thin")
    page = render(rf, sponsor, ctx)

    assert "<title>Sponsored · Promotion reviews</title>" in page
    assert '<h1 class="h3 mb-2">Sponsored candidates</h1>' in page
    assert "1 ready · 2 building · 1 not started. 1 case has had no new evidence" in page
    assert "Candidates you sponsor, sorted by readiness, descending</caption>" in page
    assert (
        '<th scope="col" aria-sort="descending">'
        '<a href="?flag=thin&amp;sort=status&amp;dir=asc">Readiness'
    ) in page
    assert '<span class="visually-hidden">, sort ascending</span>' in page
    assert page.count('<th scope="col"') == 8
    lopsided = four["lopsided"]
    assert f'<a href="/cases/{lopsided.pk}/">Di Lopsided</a>' in page
    assert f"M3 → E1 v{lopsided.guide.version}" in page
    assert '<span class="badge text-bg-primary status-badge">Building</span>' in page
    assert "<li title=" in page and ">Thin: Capability 2</li>" in page
    assert page.count('class="heat-strip heat-strip-small"') == 2
    assert '<time datetime="2026-06-01">1 Jun 2026</time>' in page
    assert "Ada Ready" not in page and "Bo Stale" not in page
    # The filter form works without JavaScript and keeps the sort.
    assert '<option value="thin" selected>Thin</option>' in page
    assert '<input type="hidden" name="dir" value="desc">' in page
    assert 'class="table-responsive position-relative"' in page
    # The Content Security Policy forbids inline styles and scripts.
    assert "style=" not in page
    assert "<script>" not in page


def build_sponsored_case(sponsor, guide, n: int) -> Case:
    """A case with a few tagged items, two check-ins and feedback on one item."""
    case = make_case(sponsor, f"Candidate {n:02d}", guide=guide, opened_on=d("2025-02-01"))
    for number, date in ((1, "2025-10-01"), (2, "2026-02-01"), (3, "2026-05-01")):
        add_item(case, number, d(date), positions=(1, n % 5 + 1))
    CheckInFactory(case=case, date=d("2025-12-01"))
    CheckInFactory(case=case, date=d("2026-04-01"), answers="partly")
    FeedbackFactory(evidence=case.evidence.first())
    return case


# The roles of the viewer for the navigation (one query, from the context processor);
# the sponsored cases with candidate, last evidence date, items awaiting feedback, ready
# sign-off date and readiness snapshot; their guides with levels; readiness as of a day other
# than today, computed: capabilities with indicator counts, question counts, evidence with
# indicator positions, check-in answers
DASHBOARD_QUERIES = 7
# Readiness without a fresh snapshot is computed, for all the cases together, and not kept:
# capabilities with indicator counts, question counts, evidence, check-in answers.
READINESS_COMPUTED = 4


def test_queries_do_not_grow_with_the_number_of_cases(rf, django_assert_num_queries):
    guides = [published_guide(), published_guide()]
    one, many = UserFactory(), UserFactory()
    build_sponsored_case(one, guides[0], 0)
    for n in range(50):
        case = build_sponsored_case(many, guides[n % 2], n)
    case.status = Case.Status.SIGNED_OFF
    case.save(update_fields=["status"])
    SignOffFactory(case=case)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        one_page = render(rf, one, context(one))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        many_page = render(rf, many, context(many))

    assert one_page.count("<tr>") == 2
    assert many_page.count("<tr>") == 51
    assert "Signed off <time" in many_page


def test_dashboard_page_queries_are_the_same_for_1_and_50_cases(client, django_assert_num_queries):
    """Through the URL: session and user, then the queries of dashboard_context."""
    from django.urls import reverse

    from reviews.models import ReadinessSnapshot
    from reviews.readiness.snapshots import refresh_snapshots
    from tests.factories import CaseFactory, EvidenceFactory, UserFactory, published_guide

    guide = published_guide()
    counts = []
    for size in (1, 50):
        sponsor = UserFactory(current_level=guide.to_level)
        for _ in range(size):
            EvidenceFactory(case=CaseFactory(guide=guide, sponsor=sponsor))
        client.force_login(sponsor)
        # session, user, cases with aggregates and their snapshots, their guides (and
        # without fresh snapshots: capabilities, question counts, evidence, check-in answers)
        with django_assert_num_queries(4 + READINESS_COMPUTED):
            response = client.get(reverse("reviews:dashboard"))
        assert response.status_code == 200
        # Reading wrote nothing; the hourly task brings the snapshots up to date.
        assert not ReadinessSnapshot.objects.filter(case__sponsor=sponsor).exists()
        refresh_snapshots(Case.objects.filter(sponsor=sponsor))
        with django_assert_num_queries(4):
            again = client.get(reverse("reviews:dashboard"))
        assert again.status_code == 200
        # The same rows, from the snapshots rather than computed.
        assert table(again.text) == table(response.text)
        counts.append(response.text.count('class="heat-strip heat-strip-small"'))
    assert counts == [1, 50]


def test_awaiting_feedback_counts_what_the_review_queue_holds(sponsor):
    """A candidate's reply after the sponsor's last message waits for the sponsor again, so the
    count the dashboard links from is the count the queue then shows."""
    from reviews import review_queue

    case = make_case(sponsor, "Gil Example")
    endorsed, replied_after, untouched = (
        add_item(case, 1, d(f"2026-0{month}-01")) for month in range(1, 4)
    )
    with time_machine.travel("2026-06-01 09:00Z", tick=False):
        FeedbackFactory(evidence=endorsed)
        FeedbackFactory(evidence=replied_after, kind=Feedback.Kind.QUESTION, text="Who?")
    with time_machine.travel("2026-06-02 09:00Z", tick=False):
        FeedbackFactory(
            evidence=replied_after, author=case.candidate, kind=Feedback.Kind.REPLY, text="Me."
        )

    (row,) = context(sponsor)["rows"]
    assert row.awaiting == review_queue.waiting(sponsor, case).count() == 2
    assert set(review_queue.waiting(sponsor, case)) == {replied_after, untouched}


def test_awaiting_feedback_follows_a_thread_back_and_forth_as_the_queue_does(sponsor):
    from reviews import review_queue

    case = make_case(sponsor, "Ivo Example")
    item = add_item(case, 1, d("2026-01-01"))
    add_item(case, 2, d("2026-02-01"))

    def both() -> tuple[int, int]:
        (row,) = context(sponsor)["rows"]
        return row.awaiting, review_queue.waiting(sponsor, case).count()

    assert both() == (2, 2)
    for hour, author, expected in (
        (9, case.sponsor, 1),
        (10, case.candidate, 2),
        (11, case.sponsor, 1),
        (12, case.candidate, 2),
        (13, case.candidate, 2),
    ):
        with time_machine.travel(f"2026-06-01 {hour:02}:00Z", tick=False):
            kind = Feedback.Kind.QUESTION if author == case.sponsor else Feedback.Kind.REPLY
            FeedbackFactory(evidence=item, author=author, kind=kind, text="Yes?")
        assert both() == (expected, expected)


def test_nothing_awaits_feedback_on_a_case_no_longer_open(sponsor):
    from reviews import review_queue

    case = make_case(sponsor, "Hal Example", status=Case.Status.SIGNED_OFF)
    add_item(case, 1, d("2026-01-01"))
    (row,) = context(sponsor)["rows"]
    assert row.awaiting == review_queue.waiting(sponsor, case).count() == 0
    assert row.awaiting_url == ""


def test_a_row_shows_what_changed_at_once(client):
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    sponsor = UserFactory()
    case = make_case(sponsor, "Bo Before", opened_on=today - datetime.timedelta(days=400))
    first = add_item(case, 1, today - datetime.timedelta(days=90))
    add_item(case, 2, today - datetime.timedelta(days=80))
    client.force_login(sponsor)
    url = reverse("reviews:dashboard")

    def row() -> str:
        (only,) = re.findall(r"<tr>\s*<td><a .*?</tr>", client.get(url).text, re.S)
        return only

    def day(value) -> str:
        return f"{value.day} {value:%b} {value.year}"

    before = row()
    assert "Bo Before" in before and f">{day(first.date)}</time>" not in before
    assert row() == before

    latest = add_item(case, 3, today)
    assert f">{day(today)}</time>" in row()
    # The count awaiting feedback is the last cell, a link to the candidate's review queue.
    assert (
        '">2<span class="visually-hidden"> awaiting' in before
        and '">3<span class="visually-hidden"> awaiting' in row()
    )
    FeedbackFactory(evidence=latest)
    assert '">2<span class="visually-hidden"> awaiting' in row()
    case.candidate.name = "Bo After"
    case.candidate.save()
    assert "Bo After" in row()
    SignOffFactory(case=case)
    case.status = Case.Status.SIGNED_OFF
    case.save(update_fields=["status"])
    assert "Signed off <time" in row()
