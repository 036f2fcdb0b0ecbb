"""Reading a packet file named on the command line, for the commands that take one."""

from pathlib import Path

from django.core.management.base import CommandError

from reviews.packets.importing import MAX_PACKET_BYTES


def read_packet_bytes(file: Path) -> bytes:
    """The file's bytes, up to one over the limit: enough for the loader to refuse a larger one."""
    try:
        with file.open("rb") as handle:
            return handle.read(MAX_PACKET_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{file}: {error.strerror}") from None
