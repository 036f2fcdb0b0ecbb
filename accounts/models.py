from django.contrib.auth.models import AbstractUser
from django.db import models


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

    class Meta:
        ordering = ["name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()

    def get_short_name(self) -> str:
        return (self.name.split()[0] if self.name else "") or super().get_short_name()
