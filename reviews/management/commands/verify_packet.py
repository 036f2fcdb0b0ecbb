from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.management.packet_files import read_packet_bytes
from reviews.packets.importing import PacketRefused, load_packet_file
from reviews.packets.verify import verify_packet


class Command(BaseCommand):
    help = (
        "Say whether a packet JSON file still matches its sign-off: the ready sign-off if any, "
        "else the latest. Exits with 1 when it does not, or when there is nothing to verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        raw = read_packet_bytes(file)
        try:
            data = load_packet_file(raw)
        except PacketRefused as refused:
            raise CommandError(f"{file} is not a packet:\n{refused}") from None
        result = verify_packet(data)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
