from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guides.guidemd import GuideFormatError
from guides.models import guide_label
from guides.services import MAX_BYTES, import_guide


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


class Command(BaseCommand):
    help = (
        "Import a level guide written in Markdown as the next version of its from/to pair. "
        "A malformed file is refused whole, with the line number and what was expected."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--draft", action="store_true", help="Leave the new version as a draft."
        )
        parser.add_argument(
            "--if-new",
            action="store_true",
            help="Do nothing when the latest version of the pair already says the same.",
        )

    def handle(self, *args, file: Path, draft: bool, if_new: bool, **options) -> None:
        try:
            with file.open("rb") as handle:
                # One byte over the limit is enough for the importer to refuse the file.
                source = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            result = import_guide(source=source, publish=not draft, if_new=if_new)
        except GuideFormatError as error:
            raise CommandError(f"{file}: {error}") from None

        guide, doc = result.guide, result.doc
        name = f"{guide_label(doc.from_code, doc.to_code, guide.version)} (slug {guide.slug})"
        if not result.created:
            self.stdout.write(f"Unchanged: {name} already says this; nothing imported.")
            return
        counts = [
            _count(len(doc.capabilities), "capability", "capabilities"),
            _count(sum(len(c.indicators) for c in doc.capabilities), "indicator", "indicators"),
            _count(sum(len(c.practices) for c in doc.capabilities), "practice", "practices"),
            _count(len(doc.shifts), "shift", "shifts"),
            _count(len(doc.pitfalls), "pitfall", "pitfalls"),
            _count(len(doc.track_record_steps), "track-record step", "track-record steps"),
            _count(len(doc.questions), "self-assessment question", "self-assessment questions"),
            _count(len(doc.timeline_points), "timeline point", "timeline points"),
        ]
        state = "draft" if draft else "published"
        self.stdout.write(self.style.SUCCESS(f"Imported {name}: {', '.join(counts)}; {state}."))
