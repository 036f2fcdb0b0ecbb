"""The plainly fictional organisation ("Example Org") that `manage.py load_demo` creates.

Later demo data (cases, evidence, check-ins) builds on these people, so they live here as plain
constants rather than inside the command.
"""

from dataclasses import dataclass

from axes.utils import reset as reset_lockouts
from django.db import transaction

from accounts.models import User
from guides.models import Level
from reviews.roles import hr_group as get_hr_group

# Known to everyone who reads the README: that is why load_demo refuses to run with DEBUG off.
DEMO_PASSWORD = "demo-pass-2026"
DEMO_EMAIL_DOMAIN = "example.org"

HR = "hr"
SPONSOR = "sponsor"
CANDIDATE = "candidate"

# The same defaults the guide importer gives these levels, so either may run first.
DEMO_LEVELS = {
    "M3": {"title": "Head of Engineering", "track": Level.Track.MANAGEMENT, "rank": 50},
    "E1": {"title": "Director of Engineering", "track": Level.Track.EXECUTIVE, "rank": 60},
}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    role: str
    level_code: str | None
    job_title: str

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson("hana", "Hana Example", HR, None, "People Partner"),
    DemoPerson("sam", "Sam Example", SPONSOR, "E1", "Director of Engineering"),
    DemoPerson("tess", "Tess Example", SPONSOR, "E1", "Director of Engineering"),
    DemoPerson("ada", "Ada Example", CANDIDATE, "M3", "Head of Engineering"),
    DemoPerson("ben", "Ben Example", CANDIDATE, "M3", "Head of Engineering"),
    DemoPerson("cleo", "Cleo Example", CANDIDATE, "M3", "Head of Engineering"),
    DemoPerson("eli", "Eli Example", CANDIDATE, "M3", "Head of Engineering"),
]


def demo_level(code: str) -> Level:
    level, _ = Level.objects.get_or_create(code=code, defaults=DEMO_LEVELS[code])
    return level


@transaction.atomic
def create_demo_people() -> dict[str, User]:
    """Create or refresh every demo person; returns them by username.

    Existing demo users are put back as listed, password included, so the printed logins always
    work even after someone changed them while trying the app.
    """
    levels = {code: demo_level(code) for code in DEMO_LEVELS}
    hr_group = get_hr_group()
    users = {}
    for person in DEMO_PEOPLE:
        user = User.objects.filter(username=person.username).first() or User(
            username=person.username
        )
        user.name = person.name
        user.email = person.email
        user.job_title = person.job_title
        user.current_level = levels[person.level_code] if person.level_code else None
        user.is_active = True
        user.is_staff = person.role == HR
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person.role == HR:
            user.groups.add(hr_group)
        # A lockout from earlier wrong guesses would otherwise outlive the password reset.
        reset_lockouts(username=person.username)
        users[person.username] = user
    return users
