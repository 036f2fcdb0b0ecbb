from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from guides.ladder import build_ladders
from guides.models import Guide, Level
from tests.factories import GuideFactory, LevelFactory, UserFactory, publish

DATA = settings.BASE_DIR / "guides" / "data"


def level(code: str, rank: int, track: str = Level.Track.MANAGEMENT) -> Level:
    return Level(code=code, title=f"Title {code}", track=track, rank=rank)


def guide(low: Level, high: Level, version: int = 1) -> Guide:
    return Guide(from_level=low, to_level=high, version=version, slug=f"{low}-{high}-{version}")


def test_a_ladder_orders_levels_by_rank_with_the_guide_between_each_pair():
    m2, m3, e1 = level("M2", 40), level("M3", 50), level("E1", 60, Level.Track.EXECUTIVE)
    upper, lower = guide(m3, e1), guide(m2, m3)
    (ladder,) = build_ladders([upper, lower])
    assert ladder.track == "Management"
    assert [rung.level.code for rung in ladder.rungs] == ["M2", "M3", "E1"]
    assert [[step.guide for step in rung.steps] for rung in ladder.rungs] == [
        [lower],
        [upper],
        [],
    ]


def test_only_the_latest_version_of_a_pair_is_the_step_and_earlier_ones_stay_listed():
    m3, e1 = level("M3", 50), level("E1", 60, Level.Track.EXECUTIVE)
    first, second, third = guide(m3, e1, 1), guide(m3, e1, 2), guide(m3, e1, 3)
    (ladder,) = build_ladders([second, third, first])
    (step,) = ladder.rungs[0].steps
    assert step.guide is third
    assert step.earlier == [second, first]


def test_ladders_are_grouped_by_track_in_the_tracks_order():
    ic4, ic5 = level("IC4", 40, Level.Track.IC), level("IC5", 50, Level.Track.IC)
    m2, m3 = level("M2", 40), level("M3", 50)
    ladders = build_ladders([guide(m2, m3), guide(ic4, ic5)])
    assert [ladder.track for ladder in ladders] == ["Individual contributor", "Management"]
    assert [[r.level.code for r in ladder.rungs] for ladder in ladders] == [
        ["IC4", "IC5"],
        ["M2", "M3"],
    ]


def test_a_gap_in_the_ladder_is_a_level_with_no_step():
    m1, m2, m3, m4 = level("M1", 30), level("M2", 40), level("M3", 50), level("M4", 60)
    (ladder,) = build_ladders([guide(m1, m2), guide(m3, m4)])
    assert [(r.level.code, len(r.steps)) for r in ladder.rungs] == [
        ("M1", 1),
        ("M2", 0),
        ("M3", 1),
        ("M4", 0),
    ]


def test_no_guides_make_no_ladder():
    assert build_ladders([]) == []


@pytest.mark.django_db
def test_the_shipped_guides_import_as_one_ladder_of_three_levels():
    for name in ("m2-to-m3.md", "m3-to-e1.md"):
        call_command("import_guide", str(DATA / name), stdout=StringIO())
    (ladder,) = build_ladders(Guide.objects.published().with_levels())
    assert [(r.level.code, r.level.title) for r in ladder.rungs] == [
        ("M2", "Engineering Manager"),
        ("M3", "Head of Engineering"),
        ("E1", "Director of Engineering"),
    ]
    lower = Guide.objects.get(from_level__code="M2")
    assert (lower.to_level.code, lower.min_months, lower.capabilities.count()) == ("M3", 12, 4)


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory())
    return client


def ladder_of(steps: int, prefix: str = "M") -> list[Guide]:
    levels = [LevelFactory(code=f"{prefix}{n}", rank=10 * n) for n in range(1, steps + 2)]
    return [
        publish(GuideFactory(from_level=low, to_level=high, version=1))
        for low, high in zip(levels, levels[1:], strict=False)
    ]


@pytest.mark.django_db
def test_the_guides_page_shows_the_ladder_in_order(member_client):
    lower, upper = ladder_of(2)
    text = member_client.get(reverse("guides:guide_list")).text
    positions = [text.index(f"{code} Level {code}") for code in ("M1", "M2", "M3")]
    assert positions == sorted(positions)
    assert (
        text.index(lower.get_absolute_url()) < positions[1] < text.index(upper.get_absolute_url())
    )


@pytest.mark.django_db
def test_the_guides_page_links_earlier_published_versions(member_client):
    (first,) = ladder_of(1)
    second = publish(GuideFactory(from_level=first.from_level, to_level=first.to_level, version=2))
    text = member_client.get(reverse("guides:guide_list")).text
    assert second.get_absolute_url() in text
    assert first.get_absolute_url() in text
    assert "Earlier versions" in text


@pytest.mark.django_db
def test_the_guides_page_queries_do_not_grow_with_the_ladder(
    member_client, django_assert_num_queries
):
    ladder_of(2)
    # session, user (the menu's roles are kept in the session), published guides with levels
    with django_assert_num_queries(3):
        member_client.get(reverse("guides:guide_list"))
    ladder_of_more = ladder_of(6, prefix="IC")
    assert len(ladder_of_more) == 6
    with django_assert_num_queries(3):
        member_client.get(reverse("guides:guide_list"))
