"""HR's forms: opening a case, changing its sponsor, recording the decision, importing a packet."""

from django import forms
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.forms.models import ModelChoiceIterator

from accounts.models import User
from core import clock
from core.dates import DateField
from guides.models import Guide
from reviews.forms import DateInput, EditsACopy, OptionalMarked, form_helper
from reviews.models import Case, Decision
from reviews.packets.importing import MAX_PACKET_BYTES
from reviews.roles import HR_PERMISSION
from reviews.services import EFFECTIVE_DATE, OPENING_DATE, OWN_DECISION, sponsor_problem


def required(words: str) -> dict:
    """The message of a required field left empty, naming it."""
    return {"required": words}


def not_hr() -> Q:
    """People outside HR: neither superusers nor holders of its permission, directly or by group."""
    app_label, codename = HR_PERMISSION.split(".")
    holds = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return Q(is_superuser=False) & ~Q(
        Exists(holds.filter(Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk"))))
    )


def candidates_for(highest_rank) -> models.QuerySet:
    """Active people outside HR who have no level yet or one below `highest_rank` (an
    expression), by name."""
    return (
        User.objects.filter(
            Q(current_level__isnull=True) | Q(current_level__rank__lt=highest_rank),
            not_hr(),
            is_active=True,
        )
        .select_related("current_level")
        .order_by("name", "username")
    )


def candidate_problem(candidate, guide: Guide) -> str | None:
    """Why this person cannot be a candidate on this guide, or None when they can."""
    level = candidate.current_level
    if level is not None and level.rank >= guide.to_level.rank:
        return (
            f"{candidate.display_name} already holds {level.code} {level.title}, at or above "
            f"{guide.to_level.code} {guide.to_level.title}, the level this guide leads to."
        )
    if not User.objects.filter(not_hr(), pk=candidate.pk).exists():
        return (
            f"{candidate.display_name} works in HR, who see every case, so cannot be a candidate."
        )
    return None


def sponsors_for(lowest_rank) -> models.QuerySet:
    """Active people whose level is at least `lowest_rank` (an expression), by name."""
    return (
        User.objects.filter(is_active=True, current_level__rank__gte=lowest_rank)
        .select_related("current_level")
        .order_by("name", "username")
    )


class OfferedChoices(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.offered.all()


class PersonChoiceField(forms.ModelChoiceField):
    """Offers only the people in `offered`, each with their level, so HR sees why they are
    listed. Any active person is accepted, so that one sent anyway is refused by
    `sponsor_problem` or `candidate_problem` with the reason, not as an unknown choice."""

    iterator = OfferedChoices

    def __init__(self, *, offered, **kwargs):
        self.offered = offered
        super().__init__(
            queryset=User.objects.filter(is_active=True).select_related("current_level"),
            **kwargs,
        )

    def offer(self, offered) -> None:
        self.offered = offered
        self.widget.choices = self.choices

    def label_from_instance(self, obj):
        level = obj.current_level
        held = f"{level.code} {level.title}" if level else "no level"
        return f"{obj.display_name} ({held})"


def published_target_rank(highest: bool):
    """The rank of the lowest (or highest) level a published guide leads to, as an expression."""
    ranks = Guide.objects.published().values("to_level__rank")
    return Subquery(ranks.order_by("-to_level__rank" if highest else "to_level__rank")[:1])


class CaseForm(OptionalMarked, forms.Form):
    # Those below the level at least one published guide leads to; the chosen guide's own
    # level is checked when the form is sent, as the sponsor's is.
    candidate = PersonChoiceField(
        offered=candidates_for(published_target_rank(highest=True)),
        empty_label="Choose a candidate",
        error_messages=required("Choose the candidate."),
        help_text="People below the level the guide leads to, HR aside.",
    )
    guide = forms.ModelChoiceField(
        queryset=Guide.objects.published().with_levels(),
        empty_label="Choose a guide",
        error_messages=required("Choose the guide."),
    )
    # Those senior enough for at least one published guide.
    sponsor = PersonChoiceField(
        offered=sponsors_for(published_target_rank(highest=False)),
        empty_label="Choose a sponsor",
        error_messages=required("Choose the sponsor."),
        help_text="People at or above the level the guide leads to.",
    )
    opened_on = DateField(
        name=OPENING_DATE,
        widget=DateInput(),
        initial=clock.today,
        error_messages=required("Enter the date the case opens."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        sponsor, guide, candidate = data.get("sponsor"), data.get("guide"), data.get("candidate")
        if candidate and guide and (problem := candidate_problem(candidate, guide)):
            self.add_error("candidate", problem)
        if sponsor and guide and (problem := sponsor_problem(sponsor, guide)):
            self.add_error("sponsor", problem)
        if sponsor and candidate and sponsor == candidate:
            self.add_error("sponsor", "A candidate cannot sponsor their own case.")
        return data


class SponsorForm(EditsACopy, forms.ModelForm):
    """HR's change of sponsor; `services.reassign_sponsor` makes it. Only people at or above
    the guide's target level are offered, the candidate aside."""

    sponsor = PersonChoiceField(
        offered=User.objects.none(),
        empty_label="Choose a sponsor",
        error_messages=required("Choose the sponsor."),
        help_text="People at or above the level the guide leads to.",
    )

    class Meta:
        model = Case
        fields = ["sponsor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        self.fields["sponsor"].offer(
            sponsors_for(case.guide.to_level.rank).exclude(pk=case.candidate_id)
        )
        self.helper = form_helper()


class DecisionForm(OptionalMarked, forms.ModelForm):
    """HR's decision; `services.record_decision` records it."""

    outcome = forms.ChoiceField(
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages=required("Choose the outcome."),
    )
    effective_date = DateField(
        name=EFFECTIVE_DATE,
        widget=DateInput(),
        initial=clock.today,
        error_messages=required("Enter the date the decision takes effect."),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    # "Promoted" changes the candidate's level, so it is confirmed in so many words.
    confirm_promotion = forms.BooleanField(required=False)

    class Meta:
        model = Decision
        fields = ["outcome", "effective_date", "note"]

    def __init__(self, *args, case: Case, decided_by, **kwargs):
        super().__init__(*args, instance=Decision(case=case, decided_by=decided_by), **kwargs)
        level = case.guide.to_level
        self.promotion = f"{case.candidate.display_name} to {level.code} {level.title}"
        field = self.fields["confirm_promotion"]
        field.label = f"Yes, move {self.promotion}"
        field.help_text = "Needed for a promotion only: it changes the candidate's level."
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if self.instance.case.candidate_id == self.instance.decided_by.pk:
            raise ValidationError(OWN_DECISION)
        if data.get("outcome") == Decision.Outcome.PROMOTED and not data.get("confirm_promotion"):
            self.add_error(
                "confirm_promotion",
                f"Tick the box to confirm the promotion: it moves {self.promotion}.",
            )
        return data


class PacketUploadForm(forms.Form):
    packet = forms.FileField(
        label="Packet file (JSON)",
        help_text="A promotion-packet/1 or promotion-packet/2 JSON file, as this app exports it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    # The second step, once the page has listed the people who are here already: the same file
    # again, this box ticked, and the token of what was listed (importing.linking_token).
    link_existing = forms.BooleanField(
        required=False,
        label="Yes, link the case and the feedback in their names to these people",
    )
    confirmation = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, confirming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not confirming:
            del self.fields["link_existing"]
        self.helper = form_helper()

    def clean_packet(self):
        packet = self.cleaned_data["packet"]
        if packet.size > MAX_PACKET_BYTES:
            limit = MAX_PACKET_BYTES // (1024 * 1024)
            raise ValidationError(
                f"The file is {packet.size / (1024 * 1024):.1f} MB; packets of at most "
                f"{limit} MB can be imported."
            )
        return packet
