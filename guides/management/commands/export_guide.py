from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guides.guidemd import render_guide
from guides.models import Guide
from guides.services import guide_to_doc


class Command(BaseCommand):
    help = "Write a guide version back as Markdown, in the structure import_guide reads."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, output: Path | None, **options) -> None:
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            known = list(Guide.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No guide with slug {slug!r}. Known slugs: {', '.join(known) or 'none yet'}."
            )
        text = render_guide(guide_to_doc(guide))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8", newline="\n")
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from None
        self.stdout.write(f"Wrote {guide.slug} to {output}.")
