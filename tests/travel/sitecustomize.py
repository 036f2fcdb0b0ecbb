"""Imported by Python at start-up when this folder is on PYTHONPATH (tests/session.py puts it there
when TEST_TODAY is set): the process starts on TEST_TODAY at noon in TIME_ZONE, clock ticking."""

import datetime
import os
import zoneinfo

_day = os.environ.get("TEST_TODAY")
if _day:
    import time_machine

    _zone = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE") or "UTC")
    _start = datetime.datetime.combine(
        datetime.date.fromisoformat(_day), datetime.time(12), tzinfo=_zone
    )
    time_machine.travel(_start, tick=True).start()
