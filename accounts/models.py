from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person in the organisation: candidate, sponsor, HR, or several of these at once."""

    name = models.CharField("full name", max_length=150, blank=True)
    email = models.EmailField("email address", blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    current_level = models.ForeignKey(
        "guides.Level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Since when the person has held `current_level`: the latest step of their level history to
    # it, kept by accounts/levels.py `change_level` with every change, so that lists show time at
    # level from the row they read anyway.
    level_since = models.DateField(null=True, blank=True, editable=False)
    # Raised whenever the roles of this person may have changed (reviews/roles.py), so that the
    # roles kept in their session are known stale when this row is loaded with the request.
    roles_version = models.PositiveIntegerField(default=0, editable=False)
    # How many of this person's notifications are unread, kept by inbox/services.py with each
    # notice written or read, so the top bar's count comes with the row and costs no query.
    unread_notices = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name", "username"]

    def __str__(self) -> str:
        return self.display_name

    # The columns `display_name` is made from, for lists that read them without a User each.
    NAME_FIELDS = ("name", "first_name", "last_name", "username")

    @property
    def display_name(self) -> str:
        return display_name_of(self.name, self.first_name, self.last_name, self.username)

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()

    def get_short_name(self) -> str:
        return (self.name.split()[0] if self.name else "") or super().get_short_name()


def display_name_of(name: str, first_name: str, last_name: str, username: str) -> str:
    """A person's name as the app shows it: their full name, else first and last, else username."""
    return name or f"{first_name} {last_name}".strip() or username


class PasswordResetRequest(models.Model):
    """A reset link someone asked for, kept for an hour to limit how many are sent
    (accounts/throttles.py). The email and network addresses are kept only as keyed digests."""

    email_digest = models.CharField(max_length=64)
    address_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "requested_at"]),
            models.Index(fields=["address_digest", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Password reset asked for at {self.requested_at:%Y-%m-%d %H:%M}"


class LevelChange(models.Model):
    """One step of a person's level history: from `since` on, they held `level`.

    Rows are only appended, by accounts/levels.py `change_level`, which also sets the person's
    `current_level`; the latest row for that level says since when they have held it.
    """

    class Reason(models.TextChoices):
        START = "start", "Level on record when the history began"
        DECISION = "decision", "Promotion decision"
        HR_EDIT = "hr_edit", "Changed by HR"
        IMPORT = "import", "Imported with a case packet"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="level_changes")
    level = models.ForeignKey(
        "guides.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    since = models.DateField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    # What the reason refers to, in words: the case and guide of a decision, say.
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["since", "id"]
        # The order every read takes, so the latest step of a person is one index probe.
        indexes = [models.Index(fields=["user", "since", "id"], name="level_change_user_since")]

    def __str__(self) -> str:
        return f"{self.user_id}: level {self.level_id} from {self.since}"


class GroupingField(models.Model):
    """A question the organisation asks everyone, to count outcomes by its answers (the fairness
    view). Answering is optional, self-declared and read by HR only, as counts of groups of at
    least five people: a person's own answer is shown to them alone."""

    name = models.CharField(max_length=80, unique=True, help_text="A short name, e.g. Gender.")
    question = models.CharField(
        max_length=300, help_text="What people are asked, e.g. How do you describe your gender?"
    )
    active = models.BooleanField(
        default=True,
        help_text="Only active fields are asked and counted on the fairness view.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class GroupingAnswer(models.Model):
    """One of a grouping field's answers. Removing it removes the declarations that chose it:
    those people count as not declared until they choose again."""

    field = models.ForeignKey(GroupingField, on_delete=models.CASCADE, related_name="answers")
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["field", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["field", "label"], name="grouping_answer_once")
        ]

    def __str__(self) -> str:
        return self.label


class Declaration(models.Model):
    """What a person says of themselves for one grouping field: an answer, or that they prefer
    not to say. Withdrawing deletes the row; nothing of it is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="declarations")
    field = models.ForeignKey(GroupingField, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(
        GroupingAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    prefer_not_to_say = models.BooleanField(default=False)
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "field"], name="declaration_once_per_field"),
            models.CheckConstraint(
                condition=Q(answer__isnull=True, prefer_not_to_say=True)
                | Q(answer__isnull=False, prefer_not_to_say=False),
                name="declaration_answer_or_prefer_not",
            ),
        ]

    def __str__(self) -> str:
        return f"Declaration of {self.user_id} for field {self.field_id}"
