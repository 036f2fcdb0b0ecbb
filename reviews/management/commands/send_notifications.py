from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import get_date_max

from reviews.notifications import KINDS, send_due_notifications
from reviews.tasks import schedule_notifications, waiting_runs


class Command(BaseCommand):
    help = (
        "Send the notification mails that are due and print how many of each kind went out. "
        "With --schedule, queue the hourly background run instead (the worker is "
        "`manage.py db_worker`)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--dry-run", action="store_true", help="Count what is due; send and record nothing."
        )
        action.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the first background run unless one is already waiting.",
        )

    def handle(self, *args, dry_run, schedule, **options):
        if schedule:
            self.schedule()
            return
        counts = send_due_notifications(dry_run=dry_run)
        self.stdout.write("Would send:" if dry_run else "Sent:")
        for kind in KINDS:
            self.stdout.write(f"  {kind}: {counts[kind]}")
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} mail(s) could not be sent; the next run retries them. "
                "The log has the errors."
            )

    def schedule(self):
        if schedule_notifications() is not None:
            self.stdout.write("Queued a notifications run; `manage.py db_worker` will run it.")
            return
        run_after = waiting_runs().values_list("run_after", flat=True).order_by("run_after").first()
        if run_after is None or run_after == get_date_max():
            when = "as soon as a worker is free"
        else:
            when = f"at {timezone.localtime(run_after):%Y-%m-%d %H:%M}"
        self.stdout.write(f"A notifications run is already queued; it runs {when}.")
