"""Waiting, in a test, until another session of the test database is blocked on a lock."""

import time

import pytest
from django.db import connection


def wait_for_a_lock_wait(what: str) -> None:
    """Until a session of this database waits on a lock; `what` says which, if none ever does."""
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail(f"{what} never waited on a lock")
