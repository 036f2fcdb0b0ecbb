"""Set up before Django is (`-p tests.session` in pyproject.toml): what the whole session shares.

- `TEST_TODAY=YYYY-MM-DD` travels the session, and every Python process it starts, to that day at
  noon in the organisation's time zone, with the clock ticking on from there. Child processes
  (gunicorn, manage.py) travel through `tests/travel/sitecustomize.py`, which Python imports at
  start-up from PYTHONPATH.
- Under pytest-xdist each worker keeps attachments in a folder of its own, since the tests look
  at everything in the storage folder.
"""

import os
from pathlib import Path

TRAVEL = Path(__file__).resolve().parent / "travel"

if os.environ.get("TEST_TODAY"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(TRAVEL), os.environ.get("PYTHONPATH")])
    )
    import sys

    sys.path.insert(0, str(TRAVEL))
    import sitecustomize  # noqa: F401  (starts the travel in this process too)

if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    root = Path(os.environ.get("PRIVATE_STORAGE_ROOT", Path.cwd() / "private"))
    os.environ["PRIVATE_STORAGE_ROOT"] = str(root / worker)
