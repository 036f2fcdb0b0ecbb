"""The plainly fictional organisation ("Example Org") that `manage.py load_demo` creates.

Later demo data (cases, evidence, check-ins) builds on these people, so they live here as plain
constants rather than inside the command.
"""

import datetime
from dataclasses import dataclass

from axes.utils import reset as reset_lockouts
from django.db import transaction

from accounts.levels import change_level
from accounts.models import LevelChange, User
from core import clock
from guides.models import Level
from reviews.readiness.months import month_start
from reviews.roles import hr_group as get_hr_group

# Known to everyone who reads the README: that is why load_demo refuses to run with DEBUG off.
DEMO_PASSWORD = "demo-pass-2026"
DEMO_EMAIL_DOMAIN = "example.org"

HR = "hr"
SPONSOR = "sponsor"
CANDIDATE = "candidate"
PANELLIST = "panellist"

# The same defaults the guide importer gives these levels, so either may run first.
DEMO_LEVELS = {
    "M2": {"title": "Engineering Manager", "track": Level.Track.MANAGEMENT, "rank": 40},
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
    # How long ago, in months, they reached their level, and the one they held before it (a
    # level code and the months since they reached that), for their level history.
    months_at_level: int = 0
    earlier: tuple[str, int] | None = None

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson("hana", "Hana Example", HR, None, "People Partner"),
    DemoPerson("sam", "Sam Example", SPONSOR, "E1", "Director of Engineering", 50, ("M3", 110)),
    DemoPerson("tess", "Tess Example", SPONSOR, "E1", "Director of Engineering", 27, ("M3", 80)),
    DemoPerson("ada", "Ada Example", CANDIDATE, "M3", "Head of Engineering", 52, ("M2", 96)),
    DemoPerson("ben", "Ben Example", CANDIDATE, "M3", "Head of Engineering", 62, ("M2", 100)),
    DemoPerson("cleo", "Cleo Example", CANDIDATE, "M3", "Head of Engineering", 40, ("M2", 70)),
    DemoPerson("eli", "Eli Example", CANDIDATE, "M3", "Head of Engineering", 19, ("M2", 55)),
    # On the ladder's lower step: M2 → M3, sponsored by a director.
    DemoPerson("fay", "Fay Example", CANDIDATE, "M2", "Engineering Manager", 33),
    # The promotion committee's panel (demo/cycles.py): directors who sponsor none of the cases.
    DemoPerson("uma", "Uma Example", PANELLIST, "E1", "Director of Platform", 44, ("M3", 90)),
    DemoPerson("vic", "Vic Example", PANELLIST, "E1", "Director of Data", 38, ("M3", 85)),
    DemoPerson("wyn", "Wyn Example", PANELLIST, "E1", "Director of Product Engineering", 60),
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
        user.is_active = True
        user.is_staff = person.role == HR
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person.role == HR:
            user.groups.add(hr_group)
        # A lockout from earlier wrong guesses would otherwise outlive the password reset.
        reset_lockouts(username=person.username)
        write_level_history(user, person, levels, today=clock.today())
        users[person.username] = user
    return users


def write_level_history(
    user: User, person: DemoPerson, levels: dict[str, Level], *, today: datetime.date
) -> None:
    """Put the person's level history back as listed, dated back from today; a promotion
    recorded while trying the app goes with it, as the person's level does."""
    user.level_changes.all().delete()
    steps = [person.earlier] if person.earlier else []
    if person.level_code:
        steps.append((person.level_code, person.months_at_level))
    for code, months_ago in steps:
        change_level(
            user=user,
            level=levels[code],
            since=month_start(today, months_ago),
            reason=LevelChange.Reason.HR_EDIT,
            note="Entered by the people team",
        )
    if not person.level_code and user.current_level_id is not None:
        user.current_level = None
        user.save(update_fields=["current_level"])
