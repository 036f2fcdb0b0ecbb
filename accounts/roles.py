"""Who someone is in the app. Roles are derived, never stored twice.

HR is membership of a group holding `reviews.manage_cases`; candidate and sponsor follow from the
cases a person is on.
"""

from dataclasses import dataclass

HR_GROUP = "HR"
HR_PERMISSION = "reviews.manage_cases"


@dataclass(frozen=True)
class Roles:
    hr: bool = False
    sponsor: bool = False
    candidate: bool = False


def roles_for(user) -> Roles:
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_roles", None)
    if cached is None:
        cached = Roles(
            hr=user.has_perm(HR_PERMISSION),
            sponsor=user.sponsored_cases.exists(),
            candidate=user.candidate_cases.exists(),
        )
        user._roles = cached
    return cached


def is_hr(user) -> bool:
    return roles_for(user).hr


def hr_group():
    """The HR group with its permission; made here too, since a flushed test database loses it."""
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=HR_GROUP)
    if created:
        app_label, codename = HR_PERMISSION.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
