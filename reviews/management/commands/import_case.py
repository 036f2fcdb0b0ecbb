from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.management.packet_files import read_packet_bytes
from reviews.packets.importing import (
    LinkingNeedsConfirmation,
    PacketRefused,
    import_packet,
    load_packet_file,
)
from reviews.words import linked_sentences


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


class Command(BaseCommand):
    help = (
        "Import a case from a promotion packet (JSON, format promotion-packet/1 or "
        "promotion-packet/2). A bad file is "
        "refused whole, with the JSON path of every problem. Sign-offs, decisions, cycles and "
        "outcomes in the "
        "file are not imported, and the case is opened as open. A file that names people who "
        "are here already is imported only with --link-existing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--link-existing",
            action="store_true",
            help="Link the case, and the feedback in their names, to the people the file names "
            "who are here already (run without it first to see who they are).",
        )

    def handle(self, *args, file: Path, link_existing: bool, **options) -> None:
        raw = read_packet_bytes(file)
        try:
            data = load_packet_file(raw)
            case = import_packet(packet=data, by=None, link_existing=link_existing)
        except PacketRefused as refused:
            raise CommandError(f"{file} was refused; nothing was imported.\n{refused}") from None
        except LinkingNeedsConfirmation as needed:
            people = "\n".join(f"- {line}" for line in linked_sentences(needed.linked))
            raise CommandError(
                f"{file} names people who are here already; nothing was imported.\n{people}\n"
                "The case and the feedback in their names would be linked to them. If that is "
                "right, run again with --link-existing."
            ) from None

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
        for sentence in case.left_behind:
            self.stdout.write(sentence)
