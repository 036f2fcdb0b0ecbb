"""Who someone is in the app. Roles are derived, never stored twice.

HR is membership of a group holding `reviews.manage_cases`; candidate and sponsor follow from the
cases a person is on.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from reviews.models import Case

HR_GROUP = "HR"
HR_PERMISSION = "reviews.manage_cases"


@dataclass(frozen=True)
class Roles:
    hr: bool = False
    sponsor: bool = False
    candidate: bool = False


def roles_for(user) -> Roles:
    """All three roles in one query, remembered on the user object for the rest of the request."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_roles", None)
    if cached is None:
        app_label, codename = HR_PERMISSION.split(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).filter(Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")))
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                has_hr=Exists(permission),
                has_sponsored=Exists(Case.objects.filter(sponsor=OuterRef("pk"))),
                has_candidacy=Exists(Case.objects.filter(candidate=OuterRef("pk"))),
            )
            .values_list("is_superuser", "is_active", "has_hr", "has_sponsored", "has_candidacy")
            .first()
        )
        superuser, active, hr, sponsor, candidate = row or (False, False, False, False, False)
        cached = Roles(hr=active and (superuser or hr), sponsor=sponsor, candidate=candidate)
        user._roles = cached
    return cached


def hr_group():
    """The HR group with its permission; made here too, since a flushed test database loses it."""
    group, created = Group.objects.get_or_create(name=HR_GROUP)
    if created:
        app_label, codename = HR_PERMISSION.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
