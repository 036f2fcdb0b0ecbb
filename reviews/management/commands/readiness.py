import json

from django.core.management.base import BaseCommand, CommandError

from core.dates import command_date
from reviews.models import Case
from reviews.readiness.snapshots import case_readiness


class Command(BaseCommand):
    help = "Print a case's readiness report as JSON."

    def add_arguments(self, parser):
        parser.add_argument("case_id", type=int)
        parser.add_argument("--as-of", type=command_date, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, case_id, as_of, **options):
        case = Case.objects.select_related("guide").filter(pk=case_id).first()
        if case is None:
            raise CommandError(f"There is no case {case_id}.")
        report = case_readiness(case, as_of).as_dict(case.pk)
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
