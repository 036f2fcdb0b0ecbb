from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE, create_demo_people

ROLE_LABELS = {"hr": "HR", "sponsor": "Sponsor", "candidate": "Candidate"}


class Command(BaseCommand):
    help = (
        "Create the people of the fictional demo organisation and print their logins. Safe to run "
        "repeatedly: existing demo users are updated, not duplicated, and their password is reset "
        "to the shared demo password every time so the printed logins always work. Refuses to run "
        "when DEBUG is off unless --force is given."
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
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        rows.insert(1, tuple("-" * width for width in widths))
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        self.stdout.write(f"Demo logins ({len(DEMO_PEOPLE)} people of Example Org):")
        self.stdout.write("\n".join(lines))
