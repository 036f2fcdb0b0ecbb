"""The fairness view: who is counted, rates and medians on a known organisation, the "fewer than
5" rule with its complementary cells, HR only, exports equal to the page, constant queries."""

import csv
import datetime
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse

from accounts.declarations import PREFER_NOT, declare, save_grouping_field
from accounts.levels import change_level
from reviews import fairness
from reviews.cycle_models import Panellist
from reviews.fairness import FEWER, Candidacy, Data, Row, build, hide_complements, whole_months
from reviews.models import Case, Decision
from tests.factories import (
    CaseFactory,
    CycleFactory,
    HRFactory,
    NominationFactory,
    OutcomeFactory,
    UserFactory,
    published_cycle,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

CLOSE = datetime.date(2026, 3, 1)
PUBLISHED_ON = datetime.date(2026, 5, 31)
# Level starts of the promoted, and their whole months to publication.
STARTS = {
    datetime.date(2025, 5, 1): 12,
    datetime.date(2024, 11, 1): 18,
    datetime.date(2024, 5, 1): 24,
    datetime.date(2023, 11, 1): 30,
    datetime.date(2023, 5, 1): 36,
}


def make_cycle(guide, **kwargs):
    return published_cycle(
        guides=[guide],
        nominations_close=CLOSE,
        scores_due=CLOSE + datetime.timedelta(days=30),
        committee_meets=CLOSE + datetime.timedelta(days=60),
        outcomes_due=PUBLISHED_ON,
        **kwargs,
    )


def candidate(guide, sponsor, *, nominated=False, promoted_from=None, cycle, **case):
    person = UserFactory()
    kase = CaseFactory(
        guide=guide, candidate=person, sponsor=sponsor, opened_on=datetime.date(2025, 1, 6), **case
    )
    if promoted_from is not None:
        change_level(user=person, level=guide.from_level, since=promoted_from, reason="start")
    if nominated or promoted_from is not None:
        nomination = NominationFactory(case=kase, cycle=cycle)
        OutcomeFactory(
            nomination=nomination, result="promoted" if promoted_from is not None else "not_yet"
        )
    return person


@pytest.fixture
def world():
    """Eighteen people eligible in one published cycle, and four who are not.

    Sam A sponsors 10 (6 nominated, 5 promoted after 12, 18, 24, 30 and 36 months), Sam B 6 (3
    nominated, 1 promoted after 24 months), Sam C 2 (1 nominated). Their team: 7 North, 6 South,
    none West, 2 prefer not to say, 3 not declared.
    """
    guide = published_guide()
    cycle = make_cycle(guide)
    sponsors = [UserFactory(name=f"Sam {letter}", current_level=guide.to_level) for letter in "ABC"]
    a, b, c = sponsors
    people = []
    starts = list(STARTS)
    for n in range(10):
        promoted = starts[n] if n < 5 else None
        people.append(candidate(guide, a, nominated=n < 6, promoted_from=promoted, cycle=cycle))
    for n in range(6):
        promoted = datetime.date(2024, 5, 1) if n == 0 else None
        people.append(candidate(guide, b, nominated=n < 3, promoted_from=promoted, cycle=cycle))
    for n in range(2):
        people.append(candidate(guide, c, nominated=n == 0, cycle=cycle))
    team = save_grouping_field(
        name="Team",
        question="Which team are you in?",
        answers=["North", "South", "West"],
        active=True,
    )
    north, south, _west = team.answers.all()
    choices = [north] * 7 + [south] * 6 + [PREFER_NOT] * 2
    for person, choice in zip(people, choices, strict=False):
        value = choice if choice == PREFER_NOT else str(choice.pk)
        declare(user=person, choices={team.pk: value})
    # Not eligible: opened after nominations closed, decided and withdrawn before, another guide.
    CaseFactory(guide=guide, sponsor=a, opened_on=CLOSE + datetime.timedelta(days=4))
    decided = CaseFactory(guide=guide, sponsor=a, status=Case.Status.DECIDED)
    Decision.objects.create(
        case=decided, outcome="not_yet", effective_date=CLOSE, decided_by=HRFactory()
    )
    Decision.objects.filter(case=decided).update(
        created_at=datetime.datetime(2026, 2, 20, 12, tzinfo=datetime.UTC)
    )
    withdrawn = CaseFactory(guide=guide, sponsor=a)
    withdrawn.status = Case.Status.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    withdrawn.events.filter(status=Case.Status.WITHDRAWN).update(
        pgh_created_at=datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC)
    )
    CaseFactory(sponsor=a)
    return {"guide": guide, "cycle": cycle, "sponsors": sponsors, "team": team}


def table(report, key):
    return {row.label: row.cells() for row in next(t for t in report.tables if t.key == key).rows}


def test_rates_and_medians_of_a_known_organisation(world):
    report = fairness.report_for([world["cycle"]])
    assert report.overall.cells() == [18, 10, "56%", 6, "33%", 24]
    by_guide = table(report, "guide")
    assert list(by_guide.values()) == [[18, 10, "56%", 6, "33%", 24]]


def test_a_case_closed_before_nominations_closed_is_not_eligible_but_one_closed_after_is(world):
    decided_after = CaseFactory(guide=world["guide"], status=Case.Status.DECIDED)
    Decision.objects.create(
        case=decided_after, outcome="not_yet", effective_date=CLOSE, decided_by=HRFactory()
    )
    Decision.objects.filter(case=decided_after).update(
        created_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    )
    assert fairness.report_for([world["cycle"]]).overall.people == 19


def test_a_group_of_fewer_than_5_hides_every_number_and_its_complement_too(world):
    by_sponsor = table(fairness.report_for([world["cycle"]]), "sponsor")
    # Sam A's median is of 5 promotions; Sam C's 2 people are hidden, and Sam B's 6 with them,
    # or Sam C's numbers would be the total less Sam A's and Sam B's.
    assert by_sponsor == {
        "Sam A": [10, 6, "60%", 5, "50%", 24],
        "Sam B": [FEWER] * 6,
        "Sam C": [FEWER] * 6,
    }


def test_grouping_answers_with_prefer_not_and_not_declared_as_groups(world):
    by_team = table(fairness.report_for([world["cycle"]]), "field-" + str(world["team"].pk))
    assert list(by_team) == ["North", "South", "West", "Prefer not to say", "Not declared"]
    # Three groups are small, so no complement is needed; medians of fewer than 5 promotions
    # are hidden as well.
    assert by_team["North"] == [7, 6, "86%", 5, "71%", 24]
    assert by_team["South"] == [6, 3, "50%", 1, "17%", FEWER]
    for small in ("West", "Prefer not to say", "Not declared"):
        assert by_team[small] == [FEWER] * 6


def test_an_unpublished_cycle_counts_nominations_only(world):
    cycle = CycleFactory(guides=[world["guide"]], nominations_close=CLOSE)
    report = fairness.report_for([cycle])
    assert report.overall.cells() == [18, 0, "0%", *[fairness.NOT_PUBLISHED] * 3]


def redefine_team(world, *, answers=("North", "South", "West"), active=True):
    team = world["team"]
    save_grouping_field(
        field=team, name="Team", question=team.question, answers=list(answers), active=active
    )


def test_inactive_fields_are_not_counted(world):
    redefine_team(world, active=False)
    keys = [t.key for t in fairness.report_for([world["cycle"]]).tables]
    assert keys == ["guide", "sponsor"]


def test_whole_months():
    assert whole_months(datetime.date(2025, 5, 1), datetime.date(2026, 5, 31)) == 12
    assert whole_months(datetime.date(2025, 5, 31), datetime.date(2026, 5, 30)) == 11
    assert whole_months(datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)) == 0


def test_the_median_leaves_out_promotions_without_a_level_start():
    months = [10, 20, 30, 45, 50, None]
    row = fairness.count(
        "Everyone",
        [Candidacy(1, n, n, 1, 1, True, True, m) for n, m in enumerate(months)],
        published=True,
    )
    assert row.promotions_timed == 5
    assert row.cells() == [6, 6, "100%", 6, "100%", 30]
    halves = fairness.count(
        "Everyone",
        [Candidacy(1, n, n, 1, 1, True, True, m) for n, m in enumerate([10, 20, 31, 40, 50, 60])],
        published=True,
    )
    assert halves.cells()[-1] == 35.5


def rows(*people):
    return [Row(str(n), n, 0, 0, None, 0, hidden=n < 5) for n in people]


def test_one_hidden_row_hides_the_smallest_other_one():
    assert [r.hidden for r in hide_complements(rows(9, 3, 6, 7))] == [False, True, True, False]
    # Two hidden already, of 5 people together: the total less the rest gives only their sum.
    assert [r.hidden for r in hide_complements(rows(9, 3, 2, 7))] == [False, True, True, False]
    # Two hidden of 3 people together: that sum would count fewer than 5.
    assert [r.hidden for r in hide_complements(rows(9, 1, 2, 7))] == [False, True, True, True]
    assert [r.hidden for r in hide_complements(rows(5, 1, 0))] == [True, True, True]
    assert [r.hidden for r in hide_complements(rows(9, 8))] == [False, False]
    assert [r.hidden for r in hide_complements(rows(3))] == [True]


def candidacies(cycle, sponsor, count, start=0):
    return [
        Candidacy(cycle, start + n, start + n, 1, sponsor, n % 2 == 0, False, None)
        for n in range(count)
    ]


def test_across_cycles_a_group_hidden_in_one_cycle_stays_hidden():
    """Sam B has 3 people in cycle 1 and 6 in cycle 2: across cycles their 9 would give cycle
    1's hidden 3 as 9 less cycle 2's 6."""

    class Cycle:
        def __init__(self, pk):
            self.pk, self.state = pk, fairness.Cycle.State.PUBLISHED

    data = Data(
        cycles=[Cycle(1), Cycle(2)],
        candidacies=candidacies(1, 10, 12)
        + candidacies(1, 20, 3, start=100)
        + candidacies(2, 10, 8, start=200)
        + candidacies(2, 20, 6, start=300),
        guides={1: "M3 → E1 v1"},
        sponsors={10: "Sam A", 20: "Sam B"},
        fields=[],
        declared={},
    )
    across = {row.label: row for row in build(data).tables[1].rows}
    assert across["Sam B"].hidden
    # Sam A is hidden with it, or Sam B would be the total less Sam A.
    assert across["Sam A"].hidden
    assert build(data).overall.cells()[:3] == [29, 15, "52%"]


def test_across_cycles_counts_published_cycles(world, client):
    CycleFactory(name="Still nominating", guides=[world["guide"]])
    client.force_login(HRFactory())
    response = client.get(reverse("fairness:overview"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["report"].cycles] == [world["cycle"].pk]
    assert response.context["report"].overall.cells() == [18, 10, "56%", 6, "33%", 24]
    assert b"Still nominating" in response.content


# --- The page and its exports -------------------------------------------------------------


class TableCells(HTMLParser):
    """The text of every cell of the page's fairness tables, row by row; a cell spanning
    columns counts once for each."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.in_table = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "fairness-table" in (dict(attrs).get("class") or ""):
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell, self.span = "", int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1] += [self.cell.strip()] * self.span
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def page_rows(content: bytes, report) -> list[list[str]]:
    """The page's body rows, with the table each is in, as the exports write them."""
    parser = TableCells()
    parser.feed(content.decode())
    body = [row for row in parser.rows if row[1:] != list(fairness.COLUMNS)]
    titles = ["Everyone"] + [t.title for t in report.tables for _ in t.rows]
    return [[title, *row] for title, row in zip(titles, body, strict=True)]


def test_exports_equal_the_page(world, client):
    client.force_login(HRFactory())
    cycle = world["cycle"]
    page = client.get(reverse("fairness:cycle", args=[cycle.pk]))
    shown = page_rows(page.content, page.context["report"])
    assert [FEWER] * 6 in [row[2:] for row in shown]

    response = client.get(reverse("fairness:cycle_export", args=[cycle.pk, "csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="fairness-cycle-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    written = list(csv.reader(io.StringIO(text)))
    assert written[0] == list(fairness.EXPORT_HEADER)
    assert written[1:] == shown

    response = client.get(reverse("fairness:cycle_export", args=[cycle.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Fairness"]
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells[1:] == shown


def test_exported_names_cannot_run_as_formulas(world, client):
    redefine_team(world, answers=['=HYPERLINK("http://x")', "South", "West"])
    client.force_login(HRFactory())
    cycle = world["cycle"]
    response = client.get(reverse("fairness:cycle_export", args=[cycle.pk, "csv"]))
    written = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["By Team", '\'=HYPERLINK("http://x")'] in [row[:2] for row in written]
    response = client.get(reverse("fairness:cycle_export", args=[cycle.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Fairness"]
    groups = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in groups


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "panellist", "outsider"])
def test_only_hr_reaches_the_fairness_view(world, client, persona):
    cycle = world["cycle"]
    panellist = UserFactory(current_level=world["guide"].to_level)
    Panellist.objects.create(cycle=cycle, user=panellist, appointed_by=HRFactory())
    users = {
        "candidate": cycle.nominations.first().case.candidate,
        "sponsor": world["sponsors"][0],
        "panellist": panellist,
        "outsider": UserFactory(),
    }
    client.force_login(users[persona])
    for url in (
        reverse("fairness:overview"),
        reverse("fairness:overview_export", args=["csv"]),
        reverse("fairness:cycle", args=[cycle.pk]),
        reverse("fairness:cycle_export", args=[cycle.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(reverse("fairness:cycle", args=[world["cycle"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_page_says_what_it_cannot_show(world, client):
    client.force_login(HRFactory())
    response = client.get(reverse("fairness:cycle", args=[world["cycle"].pk]))
    text = response.content.decode()
    for words in ("cannot say why", "not proof of bias", "self-declared", "next smallest group"):
        assert words in text


# --- Queries ----------------------------------------------------------------------------


def organisation(size: int):
    guide = published_guide()
    cycle = make_cycle(guide)
    team = save_grouping_field(
        name="Site", question="Where do you work?", answers=["Here", "There"], active=True
    )
    here = team.answers.first()
    for n in range(size):
        sponsor = UserFactory(current_level=guide.to_level)
        person = candidate(
            guide,
            sponsor,
            nominated=n % 2 == 0,
            cycle=cycle,
            promoted_from=datetime.date(2024, 1, 1) if n % 4 == 0 else None,
        )
        declare(user=person, choices={team.pk: str(here.pk)})
    return cycle


# session and user; the cycles (for across: the published ones, and the others as links);
# their guides; nominations with outcomes and level starts; cases; guide names; grouping
# fields and their answers; declarations
ACROSS_QUERIES = 11
# session and user; the cycle; then as above, without the other cycles
CYCLE_QUERIES = 10


@pytest.mark.parametrize("size", [6, 30])
def test_query_count_does_not_grow(client, django_assert_num_queries, size):
    cycle = organisation(size)
    client.force_login(HRFactory())
    with django_assert_num_queries(ACROSS_QUERIES):
        assert client.get(reverse("fairness:overview")).status_code == 200
    with django_assert_num_queries(CYCLE_QUERIES):
        assert client.get(reverse("fairness:cycle", args=[cycle.pk])).status_code == 200
