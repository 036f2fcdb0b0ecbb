"""The deployment files say only what this code base can do.

Docker does not run here, so the image and the compose file are checked against the code: every
management command they run exists and accepts its options, every variable they use is one the
settings read, and .env.example is a configuration that passes Django's deployment checks.
"""

import importlib
import os
import re
import shlex
import subprocess

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection

from tests.ops.stack import PYTHON, ROOT, database_url

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "docker-compose.yml").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SETTINGS = (ROOT / "config" / "settings.py").read_text()


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in ENV_EXAMPLE.splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key: value for key, value in pairs}


def settings_variables() -> set[str]:
    """The environment variables config/settings.py reads."""
    return set(
        re.findall(r'(?:os\.environ\.get|env_bool|env_int|env_list)\(\s*"([A-Z0-9_]+)"', SETTINGS)
    )


def manage_commands() -> list[list[str]]:
    """Each `manage.py NAME ARGS…` that the Dockerfile and the compose file run."""
    found = []
    for text in (DOCKERFILE, COMPOSE):
        for line in text.splitlines():
            if "manage.py" not in line or line.lstrip().startswith("#"):
                continue
            flat = re.sub(r'[\[\]",\\]', " ", line)
            for part in re.split(r"&&|;", flat):
                words = shlex.split(part)
                if "manage.py" in words:
                    found.append(words[words.index("manage.py") + 1 :])
    return found


def test_the_image_and_compose_run_real_management_commands_with_real_options():
    commands = manage_commands()
    names = [command[0] for command in commands]
    assert names == ["collectstatic", "migrate", "send_notifications", "db_worker"]
    available = get_commands()
    for name, *options in commands:
        assert name in available, f"manage.py {name} is not a command"
        command = load_command_class(available[name], name)
        # Raises CommandError on an option the command does not have.
        command.create_parser("manage.py", name).parse_args(options)


def test_the_web_command_serves_the_wsgi_application():
    cmd = re.search(r"^CMD (\[.*?\])$", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert cmd, "the Dockerfile should end with a CMD in exec form"
    words = re.findall(r'"([^"]+)"', cmd.group(1))
    assert words[:2] == ["gunicorn", "config.wsgi"]
    assert callable(importlib.import_module(words[1]).application)
    assert "0.0.0.0:8000" in words
    assert '"127.0.0.1:8000:8000"' in COMPOSE


def test_the_image_is_slim_non_root_locked_and_has_the_packet_fonts():
    python = (ROOT / ".python-version").read_text().strip()
    assert DOCKERFILE.startswith(("FROM", "#")) and f"FROM python:{python}-slim\n" in DOCKERFILE
    assert "uv sync --frozen --no-dev" in DOCKERFILE
    for package in ("fonts-dejavu-core", "fonts-dejavu-extra", "fonts-droid-fallback"):
        assert package in DOCKERFILE
    assert "manage.py collectstatic" in DOCKERFILE
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".git", ".pg", "private", "backups"} <= ignored


def test_compose_runs_the_database_migrations_web_and_worker():
    services = re.search(r"^services:\n(.*?)^\S", COMPOSE, re.MULTILINE | re.DOTALL).group(1)
    assert re.findall(r"^  (\w+):$", services, re.MULTILINE) == ["db", "migrate", "web", "worker"]
    # Web and worker wait for the migrations, which wait for a healthy database.
    assert COMPOSE.count("condition: service_completed_successfully") == 2
    assert "condition: service_healthy" in COMPOSE
    assert "pg_isready" in COMPOSE
    assert "/healthz" in COMPOSE
    assert re.search(r"^  pgdata:$", COMPOSE, re.MULTILINE)
    assert re.search(r"^  private:$", COMPOSE, re.MULTILINE)


def test_every_variable_in_the_deployment_files_is_read_by_the_settings():
    read = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"} <= read
    # POSTGRES_PASSWORD builds DATABASE_URL in docker-compose.yml; gunicorn reads WEB_CONCURRENCY.
    not_settings = {"POSTGRES_PASSWORD", "WEB_CONCURRENCY"}
    assert set(env_example()) - not_settings <= read
    for name in re.findall(r"\$\{(\w+)", COMPOSE):
        assert name in env_example(), (
            f"{name} is used by docker-compose.yml but not in .env.example"
        )
    assert "STATIC_ROOT" in read and "PRIVATE_STORAGE_ROOT" in read


@pytest.mark.slow
def test_env_example_passes_the_deployment_checks():
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    # The checks look at the database too, so it must be one that exists here.
    env |= env_example() | {"DATABASE_URL": database_url(connection.settings_dict)}
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
