import datetime
import zoneinfo
from pathlib import Path

import pytest
import time_machine

SHARED = Path(__file__).resolve().parent.parent / "shared"
SEED_GUIDE = SHARED / "seeds" / "000_9726a862c9a2dca9.txt"


@pytest.fixture
def seed_guide_path() -> Path:
    assert SEED_GUIDE.exists(), f"the user's guide is expected at {SEED_GUIDE}"
    return SEED_GUIDE


@pytest.fixture
def seed_guide_text(seed_guide_path) -> str:
    return seed_guide_path.read_text(encoding="utf-8")


def pytest_collection_modifyitems(items):
    """Browser tests last: their session-wide browser must not overlap the other tests."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def stored_files() -> set[Path]:
    from django.conf import settings

    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def files_on_disk():
    """The files a test adds to private storage, as a function; removed afterwards."""
    before = stored_files()
    yield lambda: stored_files() - before
    for path in stored_files() - before:
        path.unlink()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs about half a second a password; what is tested here is the app.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with the caches empty, as a freshly started process does."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _travel_to_the_marked_day(request, settings):
    """`pytest.mark.today("YYYY-MM-DD")`: the test runs on that day, at noon in the organisation's
    time zone with the clock ticking, whatever day the session runs on (see tests/session.py)."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    day = datetime.date.fromisoformat(marker.args[0])
    start = datetime.datetime.combine(
        day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    with time_machine.travel(start, tick=True):
        yield
