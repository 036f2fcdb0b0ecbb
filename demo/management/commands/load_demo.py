from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock
from demo.cases import DEMO_CANDIDATES, FROM_LEVEL, TO_LEVEL, create_demo_cases
from demo.cycles import create_demo_cycles
from demo.ladder import create_ladder_case
from demo.people import DEMO_PASSWORD, DEMO_PEOPLE, create_demo_people
from reviews.models import Case
from reviews.readiness.snapshots import case_readiness
from reviews.words import flag_labels, status_label

ROLE_LABELS = {"hr": "HR", "sponsor": "Sponsor", "candidate": "Candidate", "panellist": "Panellist"}


def table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns under a dashed rule; the first row is the header."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    rows = [rows[0], tuple("-" * width for width in widths), *rows[1:]]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


class Command(BaseCommand):
    help = (
        "Create the people of the fictional demo organisation and their cases, and print their "
        "logins and each case's readiness. Safe to run repeatedly: existing demo users are "
        "updated, not duplicated, and their password is reset to the shared demo password every "
        "time so the printed logins always work; the demo candidates' M3 → E1 cases are deleted "
        "and written afresh, dated up to today. Refuses to run when DEBUG is off unless --force "
        "is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo password is public: never in production).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo users while DEBUG is off: they share a published password. "
                "Use --force only on a throwaway installation."
            )
        users = create_demo_people()
        rows = [("Username", "Password", "Role", "Name")]
        for person in DEMO_PEOPLE:
            role = ROLE_LABELS[person.role]
            if person.level_code:
                role = f"{role} ({person.level_code})"
            rows.append((person.username, DEMO_PASSWORD, role, users[person.username].name))
        self.stdout.write(f"Demo logins ({len(DEMO_PEOPLE)} people of Example Org):")
        self.stdout.write(table(rows))
        cases = self.write_cases(users)
        self.write_cycles(users, cases)
        self.write_ladder_case(users)

    def write_cases(self, users) -> list[Case]:
        today = clock.today()
        cases = create_demo_cases(users, today=today)
        if not cases:
            self.stdout.write(
                f"No published {FROM_LEVEL} → {TO_LEVEL} guide, so no demo cases: import one "
                "first (manage.py import_guide guides/data/m3-to-e1.md)."
            )
            return cases
        self.stdout.write(f"\nDemo cases on {cases[0].guide}, readiness as of {today}:")
        rows = [("Candidate", "Sponsor", "Readiness", "Flags")]
        for case in cases:
            readiness = case_readiness(case, as_of=today)
            rows.append(
                (
                    case.candidate.username,
                    case.sponsor.username,
                    status_label(readiness.status),
                    flag_labels(readiness) or "none",
                )
            )
        self.stdout.write(table(rows))
        for earlier in Case.objects.filter(
            candidate__username__in=DEMO_CANDIDATES, status=Case.Status.DECIDED
        ).select_related("candidate", "decision"):
            self.stdout.write(
                f"Earlier case: {earlier.candidate.username}, opened {earlier.opened_on}, signed "
                f"off and decided “{earlier.decision.get_outcome_display().lower()}”."
            )
        return cases

    def write_cycles(self, users, cases: list[Case]) -> None:
        made = create_demo_cycles(users, cases, today=clock.today())
        if made:
            self.stdout.write("\nPromotion cycles:")
        for cycle in made:
            names = ", ".join(
                nomination.case.candidate.username
                for nomination in cycle.nominations.select_related("case__candidate")
            )
            panel = ", ".join(seat.user.username for seat in cycle.panel.select_related("user"))
            self.stdout.write(
                f"{cycle.name}: {cycle.get_state_display().lower()}, cases of {names}; "
                f"panel {panel}."
            )

    def write_ladder_case(self, users) -> None:
        today = clock.today()
        case = create_ladder_case(users, today=today)
        if case is None:
            self.stdout.write(
                "\nNo published M2 → M3 guide, so no case on the ladder's lower step: import one "
                "first (manage.py import_guide guides/data/m2-to-m3.md)."
            )
            return
        readiness = case_readiness(case, as_of=today)
        flags = flag_labels(readiness) or "no flags"
        self.stdout.write(
            f"\nOn the ladder's lower step: {case.candidate.username} on {case.guide}, sponsored "
            f"by {case.sponsor.username}, {status_label(readiness.status).lower()} ({flags})."
        )
