"""HR's forms of a promotion cycle: the cycle itself, its panel and a nomination with a reason.
The services in reviews.cycles make the changes and refuse what these cannot check."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from guides.models import Guide
from reviews.cycles import dates_problem
from reviews.forms import DateInput, form_helper
from reviews.models import Case, Cycle, Nomination

DATE_FIELDS = ["nominations_close", "scores_due", "committee_meets", "outcomes_due"]


class GuideChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label}: {obj.from_level.title} to {obj.to_level.title}"


class CycleForm(forms.ModelForm):
    guides = GuideChoiceField(
        queryset=Guide.objects.exclude(status=Guide.Status.DRAFT).with_levels(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one guide the cycle covers."},
        help_text="Cases on these guides may be nominated to the cycle.",
    )

    class Meta:
        model = Cycle
        fields = ["name", "guides", *DATE_FIELDS, "appeal_days", "show_panel_names"]
        widgets = {name: DateInput() for name in DATE_FIELDS}
        help_texts = {"name": "For example “Spring 2027”: people see it on their cases."}
        error_messages = {
            "name": {
                "required": "Give the cycle a name.",
                "unique": "There is a cycle of this name already.",
            },
            "nominations_close": {"required": "Enter the date nominations close."},
            "scores_due": {"required": "Enter the date the panel's scores are due."},
            "committee_meets": {"required": "Enter the date the committee meets."},
            "outcomes_due": {"required": "Enter the date outcomes are published."},
            "appeal_days": {"required": "Enter how many days candidates have to appeal."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appeal_days"].min_value = 1
        self.fields["appeal_days"].widget.attrs["min"] = 1
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        dates = [data.get(name) for name in DATE_FIELDS]
        if None not in dates and (problem := dates_problem(*dates)):
            raise ValidationError(problem)
        return data

    def validate_constraints(self, exclude=None):
        # The dates' order is said in plain words by `clean`, the name's uniqueness by the
        # service: the constraints' own messages name the constraints.
        pass


class PanelForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Choose the person to appoint."},
        help_text="They will not score the cases they sponsor or are the candidate of.",
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(panel_seats__cycle=cycle)
            .select_related("current_level")
            .order_by("name", "username")
        )
        self.fields["user"].label_from_instance = _person_label
        self.helper = form_helper()


def _person_label(user) -> str:
    level = user.current_level
    return f"{user.display_name} ({level.code} {level.title})" if level else user.display_name


class NominationForm(forms.Form):
    """HR's nomination of a case, which needs a reason."""

    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        empty_label="Choose a case",
        error_messages={"required": "Choose the case to nominate."},
        help_text="Open and signed-off cases on the cycle's guides that are in no open cycle.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Say why the people team nominates this case."},
        help_text="The panel reads it beside the case.",
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        held = Nomination.objects.filter(active=True).values("case")
        field = self.fields["case"]
        field.queryset = (
            Case.objects.active()
            .filter(guide__cycles=cycle)
            .exclude(pk__in=held)
            .select_related("candidate", "sponsor")
            .order_by("candidate__name", "candidate__username", "id")
        )
        field.label_from_instance = lambda case: (
            f"{case.candidate.display_name}, sponsored by {case.sponsor.display_name}"
            f" ({case.get_status_display().lower()})"
        )
        self.helper = form_helper()
