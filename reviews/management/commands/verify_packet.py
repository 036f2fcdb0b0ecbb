from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.packets.importing import MAX_PACKET_BYTES, PacketRefused, load_packet_file
from reviews.packets.verify import verify_packet


class Command(BaseCommand):
    help = (
        "Say whether a packet JSON file still matches its sign-off: the ready sign-off if any, "
        "else the latest. Exits with 1 when it does not, or when there is nothing to verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            with file.open("rb") as handle:
                # One byte over the limit is enough for the loader to refuse the file.
                raw = handle.read(MAX_PACKET_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            data = load_packet_file(raw)
        except PacketRefused as refused:
            raise CommandError(f"{file} is not a packet:\n{refused}") from None
        result = verify_packet(data)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
