"""The forms of the panel's scores, the committee's outcomes and the appeals; the services of
reviews/scoring.py make the changes."""

from django import forms

from reviews.forms import form_helper
from reviews.models import Appeal, CapabilityScore, Outcome, Recommendation, ScoreSheet
from reviews.words import SCORE_MEANINGS

RADIO = {"class": "form-check-input"}


def radios(label: str, choices, required: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"required": required},
    )


class Helped:
    """A form drawn inside its page's own <form> tag (reviews.forms.form_helper)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ScoreSheetForm(forms.ModelForm):
    """A score and a reason for each capability of the guide, then the recommendation."""

    recommendation = radios(
        "Your overall recommendation", Recommendation.choices, "Choose promote or not yet."
    )
    reason = forms.CharField(
        label="Why you recommend this",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for your recommendation."},
    )

    class Meta:
        model = ScoreSheet
        fields = ["recommendation", "reason"]

    def __init__(self, *args, capabilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.capabilities = list(capabilities)
        choices = [
            (value, f"{label} — {SCORE_MEANINGS[value]}")
            for value, label in CapabilityScore.Value.choices
        ]
        for capability in self.capabilities:
            self.fields[f"value_{capability.pk}"] = forms.TypedChoiceField(
                label=f"Score for {capability.number}. {capability.title}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs=RADIO),
                error_messages={
                    "required": f"Choose a score for capability {capability.number}.",
                    "invalid_choice": f"Choose a score for capability {capability.number}.",
                },
            )
            self.fields[f"reason_{capability.pk}"] = forms.CharField(
                label=f"Reason for your score on {capability.number}",
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "required": f"Give the reason for your score on capability {capability.number}."
                },
            )
        # The page draws the capability fields itself, each in its own fieldset.
        self.helper = form_helper()

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"value_{c.pk}"], self.cleaned_data[f"reason_{c.pk}"])
            for c in self.capabilities
        }

    def capability_rows(self):
        return [(c, self[f"value_{c.pk}"], self[f"reason_{c.pk}"]) for c in self.capabilities]


class OutcomeForm(Helped, forms.ModelForm):
    result = radios(
        "The committee's outcome", Outcome.Result.choices, "Choose promoted or not yet."
    )

    class Meta:
        model = Outcome
        fields = ["result", "rationale", "justification"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "justification": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "rationale": "Rationale, as the candidate will read it",
            "justification": "Why the committee decided against the panel's majority",
        }
        error_messages = {"rationale": {"required": "Give the committee's rationale."}}

    def __init__(self, *args, majority_words: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["justification"].required = False
        self.fields["justification"].help_text = (
            f"Needed only when the outcome goes against the panel's majority ({majority_words})."
            if majority_words
            else "The panel has no majority, so no justification is needed."
        )


class AppealForm(Helped, forms.ModelForm):
    class Meta:
        model = Appeal
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}
        labels = {"reason": "Why you appeal the outcome"}
        error_messages = {"reason": {"required": "Say why you appeal the outcome."}}


class AppealAnswerForm(Helped, forms.ModelForm):
    result = radios("HR's answer", Appeal.Result.choices, "Choose upheld or not upheld.")

    class Meta:
        model = Appeal
        fields = ["result", "result_note"]
        widgets = {"result_note": forms.Textarea(attrs={"rows": 3})}
        labels = {"result_note": "What HR found, as the candidate will read it"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result_note"].required = True
        self.fields["result_note"].error_messages["required"] = "Say what HR found."
