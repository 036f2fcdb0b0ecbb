import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 30 + "0123456789abcdefghijklmnopqrst"


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "x.example.org"}, "SECRET_KEY is required"),
        (
            {"DEBUG": "false", "ALLOWED_HOSTS": "x.example.org", "SECRET_KEY": "short"},
            "SECRET_KEY is too weak",
        ),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS is required"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must point to PostgreSQL"),
        (
            {
                "EMAIL_PORT": "twenty-five",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            },
            "EMAIL_PORT must be a whole number",
        ),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or more"),
    ],
)
def test_bad_configuration_stops_start_up_with_a_clear_message(env, message):
    result = start(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_with_good_values():
    result = start({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org"})
    assert result.returncode == 0, result.stderr
