"""scripts/pg.sh from any folder: under a private parent, with spaces, on a long path."""

import os
import pwd
import stat
import subprocess
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from tests.ops.stack import ROOT, pg_script, run_pg_script

pytestmark = pytest.mark.slow

AS_ROOT = os.getuid() == 0
needs_root = pytest.mark.skipif(
    not AS_ROOT, reason="only as root does the server run as another user, postgres"
)
# What a Unix socket's path may hold on Linux (sun_path, less its closing NUL).
SOCKET_PATH_LIMIT = 107


def start(folder: Path, *, cwd: Path = ROOT) -> str:
    """Start the cluster named `folder` and give the URL of its database promotions."""
    pg_script("start", str(folder), cwd=cwd)
    pg_script("createdb", str(folder), "promotions", cwd=cwd)
    return pg_script("url", str(folder), "promotions", cwd=cwd)


def socket_folder(url: str) -> Path:
    """The socket folder, read from the URL the way the app's settings read it."""
    return Path(dj_database_url.parse(url)["HOST"])


def assert_serves(url: str) -> None:
    port = dj_database_url.parse(url)["PORT"]
    socket = socket_folder(url) / f".s.PGSQL.{port}"
    assert stat.S_ISSOCK(socket.stat().st_mode), socket
    assert len(os.fsencode(socket)) <= SOCKET_PATH_LIMIT
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == ("promotions",)


def may_enter(user: str, folder: Path) -> bool:
    return subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(folder)]).returncode == 0


@needs_root
def test_as_root_a_cluster_starts_under_a_parent_the_server_user_may_not_enter(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)
    clone = private / "clone"
    clone.mkdir()
    folder = clone / ".pg"
    assert not may_enter("postgres", private)

    try:
        # From inside the clone, as `make run` does.
        url = start(folder, cwd=clone)
        assert_serves(url)
        data = Path(pg_script("where", str(folder)))
        assert data.parent.parent == Path(pwd.getpwnam("postgres").pw_dir) / "promotion-reviews"
        assert data.stat().st_uid == pwd.getpwnam("postgres").pw_uid
        pg_script("stop", str(folder), cwd=clone)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url)
    finally:
        pg_script("remove", str(folder), cwd=clone)

    mode = private.stat()
    assert (stat.S_IMODE(mode.st_mode), mode.st_uid) == (0o700, 0)
    assert list(private.iterdir()) == [clone]
    assert list(clone.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a folder with spaces/my clone/.pg", id="spaces"),
        pytest.param("/".join(["a-rather-long-folder-name"] * 5) + "/.pg", id="long"),
    ],
)
def test_a_cluster_starts_and_serves_wherever_its_folder_is(tmp_path, name):
    folder = tmp_path / name
    if "spaces" not in name:
        assert len(os.fsencode(folder)) > 110
    try:
        url = start(folder)
        assert_serves(url)
        # Started again while running, it is left as it is.
        assert start(folder) == url
        assert_serves(url)
    finally:
        pg_script("remove", str(folder))


def test_remove_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "cluster"
    url = start(folder)
    data = Path(pg_script("where", str(folder)))
    socket = socket_folder(url)
    assert data.is_dir() and socket.is_dir()

    pg_script("remove", str(folder))

    assert not socket.exists()
    assert not data.exists()
    assert not folder.exists()
    if AS_ROOT:
        assert not data.parent.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url)


def test_remove_refuses_the_folder_it_runs_in(tmp_path):
    result = run_pg_script("remove", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "holds the current folder" in result.stderr
    assert tmp_path.is_dir()


@needs_root
def test_a_socket_folder_of_another_user_is_refused(tmp_path):
    folder = tmp_path / "cluster"
    socket = socket_folder(start(folder))
    postgres = pwd.getpwnam("postgres")
    try:
        pg_script("stop", str(folder))
        nobody = pwd.getpwnam("nobody")
        os.chown(socket, nobody.pw_uid, nobody.pw_gid)
        result = run_pg_script("start", str(folder))
        assert result.returncode == 1
        assert f"{socket}, the folder for the cluster's socket, is not postgres's own" in (
            result.stderr
        )
        assert socket.stat().st_uid == nobody.pw_uid
    finally:
        os.chown(socket, postgres.pw_uid, postgres.pw_gid)
        pg_script("remove", str(folder))
