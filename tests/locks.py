"""Waiting, in a test, until another session of the test database is blocked on a lock."""

import threading
import time

import pytest
from django.db import connection, connections


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


def at_once(attempt, *, refused: type[Exception], words=str, times: int = 2) -> list[str]:
    """Run `attempt` in `times` threads released together, each on its own connection; what each
    returned, or the words of its refusal (`words(error)`), in no particular order."""
    barrier = threading.Barrier(times)
    outcomes: list[str] = []

    def run():
        try:
            barrier.wait()
            outcomes.append(attempt())
        except refused as error:
            outcomes.append(words(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
