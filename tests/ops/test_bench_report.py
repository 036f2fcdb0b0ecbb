"""The benchmark's arithmetic: rounds of page timings merged into one median and p95 per page."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(times, queries=3):
    return {"url": "/about/", "times": times, "queries": queries}


def test_rounds_are_merged_into_one_median_and_p95_over_every_timed_request(bench):
    rounds = [
        {"pages": {"floor": page([0.001, 0.002, 0.003])}, "sponsor_cases": 50, "case_items": 150},
        {"pages": {"floor": page([0.010, 0.011, 0.012])}, "sponsor_cases": 50, "case_items": 150},
    ]
    merged = bench.merge_rounds(rounds)
    floor = merged["pages"]["floor"]
    assert floor["requests"] == 6
    assert floor["median"] == pytest.approx((0.003 + 0.010) / 2)
    assert floor["p95"] == pytest.approx(0.012)
    assert floor["queries"] == 3
    assert merged["sponsor_cases"] == 50
    assert merged["case_items"] == 150


def test_a_round_with_more_queries_is_not_hidden(bench):
    rounds = [
        {"pages": {"case": page([0.01], queries=8)}},
        {"pages": {"case": page([0.01], queries=9)}},
    ]
    assert bench.merge_rounds(rounds)["pages"]["case"]["queries"] == 9


def test_percentile_is_the_nearest_rank(bench):
    values = [float(n) for n in range(1, 21)]
    assert bench.percentile(values, 0.95) == 19.0
    assert bench.percentile(values, 0.5) == 11.0
    assert bench.percentile([4.0], 0.95) == 4.0


class Running:
    """A server process that has not exited."""

    def poll(self):
        return None


def test_a_server_slow_to_answer_is_waited_for_not_a_crash(bench):
    """A busy machine: the port is bound and takes connections, but the worker has not yet
    answered. Waiting goes on until the deadline rather than crashing on the first timeout."""
    import socket

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        base = f"http://127.0.0.1:{listening.getsockname()[1]}"
        with pytest.raises(SystemExit, match="gunicorn did not start"):
            bench.wait_until_up(base, Running(), seconds=1.0, attempt_timeout=0.2)
