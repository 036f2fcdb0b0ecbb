"""Run what the web requests queued, as `manage.py db_worker` does in production."""

import signal

from django.core.management import call_command


def run_queued_tasks() -> None:
    # The worker installs its own SIGINT/SIGTERM handlers; pytest's are put back afterwards.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
