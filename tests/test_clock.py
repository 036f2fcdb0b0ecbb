"""Nothing depends on the calendar behind the tests' back.

The app reads the clock only through `core.clock`; a test module that builds its data from today
is marked `dates`, so that `make test-dates` (and CI) runs it on the awkward days of the year.
"""

import ast
import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from core import clock

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "config", "core", "guides", "reviews"]
CLOCK = ROOT / "core" / "clock.py"
# Calls that read the clock when called without arguments (with one they only convert a value).
READS = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("time", "time"),
}


def clock_reads(path: Path) -> list[str]:
    """Each place in `path` that reads the clock: `name.attr()` called without arguments, or
    `name.attr` handed on uncalled (as a default or an initial value, to be called later)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(
            node.value, ast.Name | ast.Attribute
        ):
            continue
        owner = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
        call = calls.get(id(node))
        if (owner, node.attr) in READS and not (call and (call.args or call.keywords)):
            found.append(f"{path.name}:{node.lineno}: {owner}.{node.attr}")
    return found


def app_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path != CLOCK
    )


def test_the_app_reads_the_clock_only_through_core_clock():
    reads = [read for path in app_modules() for read in clock_reads(path)]
    assert reads == [], "read today and now from core.clock:\n" + "\n".join(reads)


def test_the_scan_finds_each_way_of_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime\nfrom django.utils import timezone\n"
        "a = datetime.date.today()\nb = timezone.now()\nc = timezone.localdate()\n"
        "d = timezone.localdate(b)\ne = dict(initial=datetime.date.today)\n"
    )
    reads = [read.split(": ", 1)[1] for read in clock_reads(sample)]
    assert reads == ["date.today", "timezone.now", "timezone.localdate", "date.today"]


# What marks a test module as building its data from today.
TODAY_IN_TESTS = (
    "clock.today",
    "clock.now",
    "localdate",
    "timezone.now",
    "date.today",
    "time_machine",
)


def date_sensitive_modules() -> list[str]:
    modules = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        if any(word in text for word in TODAY_IN_TESTS):
            modules.append(path)
    return modules


def runs_on_every_test_date_or_sets_its_day(path: Path) -> bool:
    """Whether the module's `pytestmark` holds `dates` or `today(...)`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            marks = ast.unparse(node.value)
            return "mark.dates" in marks or "mark.today(" in marks
    return False


def test_every_module_that_builds_its_data_from_today_runs_on_every_test_date():
    unmarked = [
        str(path.relative_to(ROOT))
        for path in date_sensitive_modules()
        if not runs_on_every_test_date_or_sets_its_day(path)
    ]
    assert unmarked == [], (
        "these modules build their data from today: add pytest.mark.dates to their pytestmark, "
        "so that `make test-dates` runs them on every day CI checks, or pytest.mark.today(DAY) "
        "when the calendar is not what they test:\n" + "\n".join(unmarked)
    )


def test_today_is_the_day_in_the_organisations_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 on New Year's Eve in London is already New Year's Day in Berlin.
    with time_machine.travel(
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert clock.today() == datetime.date(2027, 1, 1)
        assert clock.now() == datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)


def test_a_module_reading_today_without_either_mark_is_caught(tmp_path):
    module = tmp_path / "test_sample.py"
    module.write_text("from core import clock\n\ndef test_x():\n    clock.today()\n")
    assert not runs_on_every_test_date_or_sets_its_day(module)
    module.write_text(
        "import pytest\nfrom core import clock\n\npytestmark = [pytest.mark.dates]\n"
        "def test_x():\n    clock.today()\n"
    )
    assert runs_on_every_test_date_or_sets_its_day(module)


@pytest.mark.dates
def test_processes_the_tests_start_live_on_the_sessions_day():
    started = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert started.stdout.strip() == datetime.date.today().isoformat()
    if day := os.environ.get("TEST_TODAY"):
        assert datetime.date.today().isoformat() == day
