from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.declarations import PREFER_NOT
from accounts.models import GroupingField


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


def _helper() -> FormHelper:
    """Drawn inside the page's own <form> tag, which carries the CSRF token and the buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class GroupingFieldForm(forms.ModelForm):
    """HR's definition of a grouping field; the answers are one a line, saved by
    accounts.declarations.save_grouping_field with the rest."""

    answers = forms.CharField(
        label="Answers",
        help_text=(
            "One a line, in the order people see them. “Prefer not to say” is added for you. "
            "Removing an answer removes the answers people gave with it."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Give the answers people may choose, one a line."},
    )

    class Meta:
        model = GroupingField
        fields = ["name", "question", "active"]
        error_messages = {
            "name": {"required": "Give the field a short name."},
            "question": {"required": "Write the question people are asked."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["answers"] = "\n".join(a.label for a in self.instance.answers.all())
        self.helper = _helper()

    def answer_lines(self) -> list[str]:
        return self.cleaned_data["answers"].splitlines()


class DeclarationForm(forms.Form):
    """A person's own answers, one question per active grouping field. Built from the fields
    rather than a model form: one submission answers every question at once."""

    def __init__(self, *args, fields, declarations, **kwargs):
        super().__init__(*args, **kwargs)
        self.grouping_fields = list(fields)
        for field in self.grouping_fields:
            choices = [(str(a.pk), a.label) for a in field.answers.all()]
            choices += [(PREFER_NOT, "Prefer not to say"), ("", "No answer")]
            declared = declarations.get(field.pk)
            if declared is None:
                initial = ""
            elif declared.prefer_not_to_say:
                initial = PREFER_NOT
            else:
                initial = str(declared.answer_id)
            self.fields[f"field_{field.pk}"] = forms.ChoiceField(
                label=field.question,
                help_text=f"{field.name} (optional)",
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )
        self.helper = _helper()

    def choices(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data[f"field_{f.pk}"] for f in self.grouping_fields}
