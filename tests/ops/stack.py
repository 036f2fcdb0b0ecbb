"""The production processes, started natively: gunicorn, the task worker, PostgreSQL clusters.

What docker-compose.yml runs, without Docker: the same commands with production settings
(DEBUG=false), talking HTTP the way the TLS proxy in front of them does (X-Forwarded-Proto: https).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from django.contrib.auth.hashers import PBKDF2PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SHIPPED_GUIDE = ROOT / "guides" / "data" / "m3-to-e1.md"
# Each gunicorn worker names its database connections after its pid, so that a test can tell
# which worker is inside which transaction (pg_stat_activity.application_name).
GUNICORN_CONFIG = """
import os


def post_fork(server, worker):
    os.environ["PGAPPNAME"] = f"gunicorn-worker-{worker.pid}"
"""
# Only the static files the pages use (and the source maps they name): collecting all of them,
# as the Dockerfile does, compresses 30 MB and takes half a minute here.
STATIC_IGNORE = [
    "admin",
    "bootstrap-*",
    "*.rtl.*",
    "bootstrap.css*",
    "bootstrap.js*",
    "bootstrap.esm*",
    "bootstrap.bundle.js*",
    "bootstrap.min.js*",
]


def database_url(settings_dict: dict, name: str | None = None) -> str:
    """A DATABASE_URL for a database of the cluster that `settings_dict` connects to."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = settings_dict["PASSWORD"]
    auth = f"{user}:{quote(password, safe='')}@" if password else f"{user}@"
    host = quote(settings_dict["HOST"] or "", safe="")
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{name or settings_dict['NAME']}"


def production_env(database_url: str, *, static_root: Path, private_root: Path) -> dict[str, str]:
    """The environment of .env.example, pointed at this machine."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "EMAIL_", "SECURE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://reviews.example.org",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        PRIVATE_STORAGE_ROOT=str(private_root),
        # Mail goes to the worker's output, where the test reads it, instead of to an SMTP server.
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def collect_static(env: dict[str, str]) -> None:
    ignore = [arg for pattern in STATIC_IGNORE for arg in ("--ignore", pattern)]
    result = manage(env, "collectstatic", "--no-input", "-v0", *ignore, timeout=300)
    assert result.returncode == 0, result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout} s waiting for {what}")


class Process:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.log.name} exited early:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=15)
        self._log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


class Gunicorn(Process):
    """gunicorn serving config.wsgi on a free local port, as the Dockerfile's CMD does."""

    def __init__(self, *, env: dict[str, str], folder: Path, workers: int = 2) -> None:
        self.port = free_port()
        config = folder / "gunicorn_test_config.py"
        config.write_text(GUNICORN_CONFIG)
        super().__init__(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--config",
                str(config),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env=env,
            log=folder / "gunicorn.log",
        )
        self.workers = workers
        wait_for(self._answers, timeout=60, what="gunicorn to answer /healthz")

    def _answers(self) -> bool:
        self.check_running()
        try:
            self.client().get("/healthz", proxied=False)
        except OSError:
            return False
        return True

    def client(self) -> "Client":
        return Client(self.port)

    def worker_pids(self) -> set[int]:
        """The master's children: its workers."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                pids.add(int(stat.parent.name))
        return pids


class Worker(Process):
    """The task worker of docker-compose.yml: manage.py db_worker."""

    def __init__(self, *, env: dict[str, str], folder: Path) -> None:
        super().__init__(
            [PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
            env=env,
            log=folder / "worker.log",
        )


@dataclass
class Response:
    status: int
    headers: Message
    text: str

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Client:
    """HTTP as the TLS-terminating proxy forwards it: X-Forwarded-Proto says the browser used https.

    Cookies are kept by hand: they are Secure, which a cookie jar would not send over plain HTTP.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(
        self, method: str, path: str, form: dict | None = None, *, proxied: bool = True
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = f"{self.origin}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(response.status, response.headers, text)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def csrf_token(self, page: Response) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, f"no CSRF token in the page:\n{page.text[:2000]}"
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        assert page.status == 200, page.status
        response = self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self.csrf_token(page),
                "username": username,
                "password": password,
            },
        )
        assert response.status == 302, f"login answered {response.status}:\n{response.text[:2000]}"


def set_real_password(user, password: str) -> None:
    """A password the production processes can check: they do not have the tests' MD5 hasher.

    Few iterations keep it quick; the first login upgrades it, as it would any old hash.
    """
    user.password = PBKDF2PasswordHasher().encode(password, "opstestsalt", iterations=1000)
    user.save(update_fields=["password"])


# A throwaway PostgreSQL cluster of its own, for a test that stops the server.


def pg_bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
    if found.returncode == 0 and (Path(found.stdout.strip()) / "pg_ctl").exists():
        return Path(found.stdout.strip())
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    assert candidates, "no PostgreSQL server installed"
    return candidates[-1].parent


def run_pg_script(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def pg_script(*args: str, cwd: Path = ROOT) -> str:
    result = run_pg_script(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def stop_immediately(cluster: Path) -> None:
    """pg_ctl stop -m immediate: every server process quits at once, as in a crash."""
    data = pg_script("where", str(cluster))
    command = [str(pg_bindir() / "pg_ctl"), "-D", data, "-m", "immediate", "stop"]
    if os.getuid() == 0:
        # The cluster belongs to the postgres user when pg.sh runs as root.
        command = ["runuser", "-u", "postgres", "--", *command]
    # From /, which the postgres user may enter whatever folder the tests run in.
    subprocess.run(command, cwd="/", check=True, capture_output=True, timeout=60)


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the public schema."""
    with psycopg.connect(url, autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }


def waiting_on(connection: psycopg.Connection, table: str) -> list[tuple[int, str]]:
    """(backend pid, application name) of each session waiting for a lock on `table`."""
    return connection.execute(
        """
        SELECT l.pid, a.application_name
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.relation = %s::regclass AND NOT l.granted
        """,
        [table],
    ).fetchall()


def holds_write_lock(connection: psycopg.Connection, pid: int, table: str) -> bool:
    """Whether backend `pid` has written to `table` in its open transaction."""
    return bool(
        connection.execute(
            """
            SELECT 1 FROM pg_locks
            WHERE pid = %s AND relation = %s::regclass AND mode = 'RowExclusiveLock' AND granted
            """,
            [pid, table],
        ).fetchone()
    )
