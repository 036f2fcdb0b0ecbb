from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.packets.importing import (
    MAX_PACKET_BYTES,
    PacketRefused,
    import_packet,
    load_packet_file,
)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


class Command(BaseCommand):
    help = (
        "Import a case from a promotion packet (JSON, format promotion-packet/1). A bad file is "
        "refused whole, with the JSON path of every problem. Sign-offs and decisions in the "
        "file are not imported, and the case is opened as open."
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
            case = import_packet(packet=data, by=None)
        except PacketRefused as refused:
            raise CommandError(f"{file} was refused; nothing was imported.\n{refused}") from None

        counts = [
            _count(case.evidence.count(), "evidence item", "evidence items"),
            _count(case.check_ins.count(), "check-in", "check-ins"),
            _count(case.feedback.count(), "feedback message", "feedback messages"),
        ]
        candidate = case.candidate
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported case {case.pk} for {candidate.display_name} ({candidate.username}) "
                f"on {case.guide}: {', '.join(counts)}."
            )
        )
        left_out = [
            what
            for what, present in (
                ("sign-offs", data.get("sign_offs")),
                ("the decision", data.get("decision")),
            )
            if present
        ]
        if left_out:
            self.stdout.write(
                f"Not imported: {' and '.join(left_out)}; they are for this organisation to make."
            )
        if data.get("status", "open") != "open":
            self.stdout.write(f"The packet's status was {data['status']}; the case is open here.")
