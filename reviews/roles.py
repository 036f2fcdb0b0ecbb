"""Who someone is in the app. Roles are derived, never stored twice.

HR is membership of a group holding `reviews.manage_cases`; candidate and sponsor follow from the
cases a person is on; panellist from a seat on the panel of a cycle that is not closed.

Kept in the session, invalidated by one counter. A page's top bar needs the roles of the person
logged in, and the query deriving them would be paid on every page. So `request_roles` keeps them
in the session (loaded with the request anyway; they are put there at login) next to a stamp
read in the same query: `User.roles_version`, `is_superuser` and `is_active`, which each request
compares with the person's row (loaded with the request anyway). The
receivers at the bottom raise `roles_version` of everyone whose roles may have changed, in the
same transaction as the change (or right after it, which is as safe: roles derived in between
are stored under the old stamp and derived again on the next request):

- a case saved with a new candidate or sponsor, or deleted: the old and the new people;
- a panel seat saved or deleted: its holder; a cycle closed: its panel;
- group membership added, removed or cleared, from either side; a group deleted: its members;
- a group's permissions changed, a person's own permissions changed, a permission deleted: the
  people who hold it directly or through a group.

A change to `is_superuser` or `is_active` changes the stamp itself. Changes that bypass signals
(`QuerySet.update`, `bulk_create`) do not raise the counter: nothing in the app changes cases'
people or memberships that way (demo seeding bulk-creates cases, but only for people it has just
created, who have no session yet). Derived fresh on the next request, a change shows at once.
"""

from dataclasses import astuple, dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from accounts.models import User
from reviews.models import Case, Cycle, Panellist

HR_GROUP = "HR"
HR_PERMISSION = "reviews.manage_cases"
SESSION_KEY = "roles"


@dataclass(frozen=True)
class Roles:
    hr: bool = False
    sponsor: bool = False
    candidate: bool = False
    panellist: bool = False


def roles_for(user) -> Roles:
    """All four roles in one query, remembered on the user object for the rest of the request."""
    return _derive(user)[0]


def _derive(user) -> tuple[Roles, list | None]:
    """The roles and the stamp they were derived under, both from the database."""
    if not user.is_authenticated:
        return Roles(), None
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
                has_seat=Exists(
                    Panellist.objects.filter(user=OuterRef("pk")).exclude(
                        cycle__state=Cycle.State.CLOSED
                    )
                ),
            )
            .values_list(
                "roles_version",
                "is_superuser",
                "is_active",
                "has_hr",
                "has_sponsored",
                "has_candidacy",
                "has_seat",
            )
            .first()
        )
        version, superuser, active, hr, sponsor, candidate, seat = row or (
            0,
            False,
            False,
            False,
            False,
            False,
            False,
        )
        cached = Roles(
            hr=active and (superuser or hr), sponsor=sponsor, candidate=candidate, panellist=seat
        )
        user._roles = cached
        user._roles_stamp = [version, superuser, active] if row else None
    return cached, getattr(user, "_roles_stamp", None)


def request_roles(request) -> Roles:
    """The roles of the person logged in, from their session while its stamp is current."""
    session = getattr(request, "session", None)
    return roles_for(request.user) if session is None else session_roles(session, request.user)


def manages_guides(request) -> bool:
    """HR manages the level guides: the guides app asks this through GUIDE_MANAGER_CHECK."""
    return request_roles(request).hr


def manages_grouping_fields(request) -> bool:
    """HR defines the grouping fields: the accounts app asks this through
    GROUPING_FIELD_MANAGER_CHECK."""
    return request_roles(request).hr


def session_roles(session, user) -> Roles:
    if not user.is_authenticated or hasattr(user, "_roles"):
        return roles_for(user)
    kept = session.get(SESSION_KEY)
    # Roles kept before there were four read as a stale stamp would: derived again.
    if (
        kept
        and kept[0] == [user.roles_version, user.is_superuser, user.is_active]
        and len(kept[1]) == len(astuple(Roles()))
    ):
        user._roles = Roles(*kept[1])
        return user._roles
    roles, stamp = _derive(user)
    if stamp is not None:
        session[SESSION_KEY] = [stamp, list(astuple(roles))]
    return roles


@receiver(user_logged_in)
def _keep_roles_at_login(sender, request, user, **kwargs):
    """Derived as someone logs in, so that even their first page reads them from the session."""
    if request is not None and hasattr(request, "session"):
        session_roles(request.session, user)


def hr_group():
    """The HR group with its permission; made here too, since a flushed test database loses it."""
    group, created = Group.objects.get_or_create(name=HR_GROUP)
    if created:
        app_label, codename = HR_PERMISSION.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


# --- Invalidation: the one place `roles_version` is raised -------------------------------------


def roles_changed(people) -> None:
    """Raise the roles version of `people`, a queryset of users or a collection of user ids."""
    if not isinstance(people, QuerySet):
        people = User.objects.filter(pk__in=[pk for pk in people if pk is not None])
    people.update(roles_version=F("roles_version") + 1)


@receiver(pre_save, sender=Case)
def _remember_case_people(sender, instance, update_fields=None, **kwargs):
    people = {"candidate", "candidate_id", "sponsor", "sponsor_id"}
    if instance._state.adding or (update_fields is not None and not people & set(update_fields)):
        instance._people_before = None
        return
    instance._people_before = (
        Case.objects.filter(pk=instance.pk).values_list("candidate_id", "sponsor_id").first()
    )


@receiver(post_save, sender=Case)
def _case_saved(sender, instance, created, **kwargs):
    after = (instance.candidate_id, instance.sponsor_id)
    before = getattr(instance, "_people_before", None)
    instance._people_before = None
    if created or (before is not None and tuple(before) != after):
        roles_changed({*after, *(before or ())})


@receiver(post_delete, sender=Case)
def _case_deleted(sender, instance, **kwargs):
    roles_changed({instance.candidate_id, instance.sponsor_id})


@receiver(post_save, sender=Panellist)
@receiver(post_delete, sender=Panellist)
def _seat_changed(sender, instance, **kwargs):
    roles_changed([instance.user_id])


@receiver(pre_save, sender=Cycle)
def _remember_cycle_state(sender, instance, update_fields=None, **kwargs):
    instance._state_before = (
        instance.state
        if instance._state.adding or (update_fields is not None and "state" not in update_fields)
        else Cycle.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
    )


@receiver(post_save, sender=Cycle)
def _cycle_saved(sender, instance, created, **kwargs):
    """A cycle that closes (or, in the admin, reopens) takes its panel's role with it."""
    before = getattr(instance, "_state_before", None)
    instance._state_before = None
    closed = Cycle.State.CLOSED
    if not created and before != instance.state and closed in (before, instance.state):
        roles_changed(User.objects.filter(panel_seats__cycle=instance))


@receiver(m2m_changed, sender=User.groups.through)
def _membership_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("post_add", "post_remove"):
        roles_changed(pk_set if reverse else [instance.pk])
    elif action == "pre_clear":  # inside the clear's transaction, while the members are known
        roles_changed(User.objects.filter(groups=instance) if reverse else [instance.pk])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "pre_clear"):
        if not reverse:
            groups = [instance.pk]
        elif action == "pre_clear":
            groups = instance.group_set.all()
        else:
            groups = pk_set
        roles_changed(User.objects.filter(groups__in=groups))


@receiver(m2m_changed, sender=User.user_permissions.through)
def _own_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("post_add", "post_remove"):
        roles_changed(pk_set if reverse else [instance.pk])
    elif action == "pre_clear":
        roles_changed(User.objects.filter(user_permissions=instance) if reverse else [instance.pk])


@receiver(pre_delete, sender=Group)
def _group_deleted(sender, instance, **kwargs):
    roles_changed(User.objects.filter(groups=instance))


@receiver(pre_delete, sender=Permission)
def _permission_deleted(sender, instance, **kwargs):
    holders = Q(user_permissions=instance) | Q(groups__permissions=instance)
    roles_changed(User.objects.filter(pk__in=User.objects.filter(holders).values("pk")))
