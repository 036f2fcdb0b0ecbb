import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from core import clock
from core.dates import command_date
from demo.seed_cycle import CYCLE_CASES
from demo.seeding import seed

DEFAULT_PASSWORD = "seed-pass-2026"


class Command(BaseCommand):
    help = (
        "Fill an empty database with a large fictional organisation for load and speed tests: "
        "M3 candidates with cases on the published M3 → E1 guide, E1 sponsors and one HR person "
        "(usernames seed-…), evidence spread over the months before --as-of, quarterly "
        "check-ins, feedback, sign-offs, decisions, a few attachments, and a cycle in committee "
        "scored by a panel of three (seed-panellist-…). The same --seed and --as-of always "
        "write the same data. Every person shares one published password, so it "
        "refuses to run when DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--candidates", type=int, default=200)
        parser.add_argument("--sponsors", type=int, default=10)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--items-per-month", type=int, default=6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--cycle-cases",
            type=int,
            default=CYCLE_CASES,
            help=f"Cases nominated to a cycle in committee, scored by a panel of three "
            f"(default {CYCLE_CASES}; 0 for no cycle)",
        )
        parser.add_argument(
            "--as-of",
            type=command_date,
            help="The day the data leads up to, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (a throwaway database for benchmarks only).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to seed while DEBUG is off: every seeded person shares a published "
                "password. Use --force only on a throwaway database."
            )
        as_of = options["as_of"] or clock.today()
        started = time.monotonic()
        try:
            result = seed(
                candidates=options["candidates"],
                sponsors=options["sponsors"],
                months=options["months"],
                items_per_month=options["items_per_month"],
                seed=options["seed"],
                as_of=as_of,
                cycle_cases=options["cycle_cases"],
                password=options["password"],
                progress=lambda message: (
                    self.stderr.write(message) if options["verbosity"] > 1 else None
                ),
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        # Statistics for the planner after a bulk load, as PostgreSQL advises, rather than
        # whenever autovacuum comes round to it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in result.counts.items())
        self.stdout.write(f"Seeded up to {as_of} in {elapsed:.1f} s: {counts}.")
        self.stdout.write(
            f"Log in as {result.hr.username} (HR), {result.sponsors[0].username} (sponsor) or "
            f"{result.candidates[0].username} (candidate) with the password "
            f"{options['password']!r}."
        )
