"""A small office document that inflates to a gigabyte is refused in little memory.

The check runs in a child process that only reads the file and checks it, so that its memory
high-water mark is the check's own: what counts is how much the peak grows during the check.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "bomb.odt is named as an OpenDocument text but its content is not a file type we accept."

CHILD = """
import json, resource, sys
from pathlib import Path

from reviews.uploads import UploadRefused, check_upload

data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_upload("bomb.odt", data, max_bytes=10 * 1024 * 1024)
    message = None
except UploadRefused as refusal:
    message = str(refusal)
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"growth_kib": growth, "message": message}))
"""


def check_in_child(path: Path) -> dict:
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(finished.stdout)


@pytest.mark.slow
def test_an_odt_whose_mimetype_inflates_to_a_gigabyte_is_refused_in_little_memory(tmp_path):
    path = tmp_path / "bomb.odt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w") as entry:
            zeros = bytes(1 << 20)
            for _ in range(1024):
                entry.write(zeros)
        archive.writestr("content.xml", "<office:document-content/>")
    assert path.stat().st_size < 1_100_000  # about 1 MB on disk

    result = check_in_child(path)

    assert result["growth_kib"] < 50 * 1024, f"peak memory grew by {result['growth_kib']} KiB"
    assert result["message"] == REFUSAL
