"""The one place the app reads the clock.

Every "today" and "now" in the app comes from here, so that a test can set the date once
(time-machine, or `make test TEST_TODAY=YYYY-MM-DD`) and nothing else reads the calendar behind
its back. Today is the organisation's day: the date in `TIME_ZONE`.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate()
