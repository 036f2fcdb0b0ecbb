"""make backup and make restore: a dump restored into a scratch database holds the same data."""

import io
import json
import os
import subprocess

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from reviews import services
from reviews.models import Case, SignOff
from tests.ops.stack import PYTHON, ROOT, SHIPPED_GUIDE, database_url, row_counts

pytestmark = pytest.mark.slow

# The packet of every signed case, rebuilt from the database it runs in, with its sign-offs.
PACKET_HASHES = """
import json
from reviews.models import Case
from reviews.packets.build import build_packet, packet_sha256
cases = Case.objects.filter(sign_offs__isnull=False).distinct().order_by("pk")
print(json.dumps({
    case.pk: {
        "now": packet_sha256(build_packet(case)),
        "signed": list(case.sign_offs.order_by("pk").values_list("decision", "packet_sha256")),
    }
    for case in cases
}))
"""


def sequences(url: str) -> dict[str, int | None]:
    with psycopg.connect(url, autocommit=True) as connection:
        return dict(
            connection.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall()
        )


def packet_hashes(url: str) -> dict:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--verbosity", "0", "-c", PACKET_HASHES],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def scratch_url(transactional_db):
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin_url = database_url(connection.settings_dict, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url(connection.settings_dict, name)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_with_the_same_rows_and_packet_hashes(
    test_database_url, scratch_url, tmp_path
):
    call_command("import_guide", str(SHIPPED_GUIDE), verbosity=0)
    call_command("load_demo", force=True, stdout=io.StringIO())
    case = Case.objects.filter(status=Case.Status.OPEN).order_by("pk").first()
    signed = services.sign_off(
        case=case,
        signer=case.sponsor,
        decision=SignOff.Decision.READY,
        rationale="Sustained evidence across the guide.",
        override_reason="Signed for the backup test.",
        expected_sign_offs=case.sign_offs.count(),
    )

    env = os.environ | {"DATABASE_URL": test_database_url, "BACKUP_DIR": str(tmp_path)}
    backup = subprocess.run(
        ["scripts/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert backup.returncode == 0, backup.stderr
    dump = ROOT / backup.stdout.strip()
    assert dump.parent == tmp_path
    assert dump.name.startswith("promotions-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restore = subprocess.run(
        ["scripts/restore.sh", str(dump)],
        cwd=ROOT,
        env=env | {"DATABASE_URL": scratch_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restore.returncode == 0, restore.stderr

    original, restored = row_counts(test_database_url), row_counts(scratch_url)
    assert restored == original
    for table in ("accounts_user", "reviews_case", "reviews_evidence", "reviews_caseevent"):
        assert original[table] > 0, table
    assert original["reviews_signoff"] >= 2  # the demo's earlier case and the one signed here
    assert sequences(scratch_url) == sequences(test_database_url)

    hashes = packet_hashes(scratch_url)
    assert hashes == packet_hashes(test_database_url)
    mine = hashes[str(case.pk)]
    assert mine["signed"] == [["ready", signed.packet_sha256]]
    # The restored case, rebuilt from the restored rows, is still exactly what was signed.
    assert mine["now"] == signed.packet_sha256


def test_restore_refuses_without_a_file():
    make = subprocess.run(["make", "restore"], cwd=ROOT, capture_output=True, text=True)
    assert make.returncode != 0
    assert "usage: make restore FILE=" in make.stderr
    script = subprocess.run(["scripts/restore.sh"], cwd=ROOT, capture_output=True, text=True)
    assert script.returncode == 2
    assert "usage: scripts/restore.sh FILE" in script.stderr
