"""HR's forms: opening a case, changing its sponsor, recording the decision, importing a packet."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Subquery
from django.forms.models import ModelChoiceIterator

from accounts.models import User
from core import clock
from core.dates import DateField
from guides.models import Guide
from reviews.forms import DateInput, EditsACopy, OptionalMarked, form_helper
from reviews.models import Case, Decision
from reviews.packets.importing import MAX_PACKET_BYTES
from reviews.services import EFFECTIVE_DATE, OPENING_DATE, OWN_DECISION, sponsor_problem


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


class SponsorChoiceField(forms.ModelChoiceField):
    """Offers only the people in `offered`, each with their level, so HR sees why they are
    listed. Any active person is accepted, so that one sent anyway is refused by
    `sponsor_problem` with the reason, not as an unknown choice."""

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


class CaseForm(OptionalMarked, forms.Form):
    candidate = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("current_level")
    )
    guide = forms.ModelChoiceField(
        queryset=Guide.objects.published().with_levels(), empty_label="Choose a guide"
    )
    # Those senior enough for at least one published guide; the chosen guide's own level is
    # checked when the form is sent.
    sponsor = SponsorChoiceField(
        offered=sponsors_for(
            Subquery(
                Guide.objects.published().order_by("to_level__rank").values("to_level__rank")[:1]
            )
        ),
        help_text="People at or above the level the guide leads to.",
    )
    opened_on = DateField(name=OPENING_DATE, widget=DateInput(), initial=clock.today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        sponsor, guide, candidate = data.get("sponsor"), data.get("guide"), data.get("candidate")
        if sponsor and guide and (problem := sponsor_problem(sponsor, guide)):
            self.add_error("sponsor", problem)
        if sponsor and candidate and sponsor == candidate:
            self.add_error("sponsor", "A candidate cannot sponsor their own case.")
        return data


class SponsorForm(EditsACopy, forms.ModelForm):
    """HR's change of sponsor; `services.reassign_sponsor` makes it. Only people at or above
    the guide's target level are offered, the candidate aside."""

    sponsor = SponsorChoiceField(
        offered=User.objects.none(),
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
    )
    effective_date = DateField(name=EFFECTIVE_DATE, widget=DateInput(), initial=clock.today)
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
        help_text="A promotion-packet/1 JSON file, as this app exports it.",
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
