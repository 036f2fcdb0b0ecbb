"""The forms of every page of a case, kept together as a Django app keeps them (about 480 lines).

Model forms validate; the views hand their cleaned data to a service (reviews.services), which
makes the change. Each form carries its crispy `helper`; the page draws its own <form> tag.
"""

import copy

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.utils import pretty_name

from core import clock
from core.dates import DateField
from guides.models import Capability, Indicator
from reviews.limits import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, megabytes
from reviews.markdown import validate_marks
from reviews.models import (
    MAX_LINKS,
    Answer,
    Case,
    Evidence,
    Feedback,
    SignOff,
)
from reviews.services import (
    CHECK_IN_DATE,
    WORK_DATE,
    attachments_problem,
)
from reviews.uploads import ALLOWED_DESCRIPTION, BY_EXTENSION
from reviews.words import override_needed


def form_helper(layout: Layout | None = None) -> FormHelper:
    """A crispy helper for a form drawn inside its page's own <form> tag, beside its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    # The page's <form> carries the CSRF token.
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class EditsACopy:
    """A model form whose cleaned data a service turns into the change: it validates a copy of
    the instance, so that a change the service refuses never shows on the page as made."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=copy.copy(instance), **kwargs)


class OptionalMarked:
    """Labels of optional fields end in "(optional)"; required ones carry no mark."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not field.required and not isinstance(
                field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                field.label = f"{field.label or pretty_name(name)} (optional)"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class LinksField(forms.CharField):
    """One http or https address per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        # An item's links as the model holds them, a list, shown one per line.
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        if len(value) > MAX_LINKS:
            raise ValidationError(f"Add at most {MAX_LINKS} links ({len(value)} given).")
        check = URLValidator(schemes=["http", "https"])
        for link in value:
            if len(link) > 500:
                raise ValidationError(f"This link is longer than 500 characters: {link[:60]}…")
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    f"“{link[:80]}” is not a web address starting with http:// or https://."
                ) from None


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.text


class EvidenceForm(OptionalMarked, EditsACopy, forms.ModelForm):
    """Logging or editing one item; `services.save_evidence` makes the change."""

    capability = forms.ModelChoiceField(
        queryset=Capability.objects.none(),
        empty_label="Choose a capability",
        error_messages={"required": "Choose the capability this evidence is for."},
    )
    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Tick what this evidence shows. Only the chosen capability's indicators count.",
    )
    title = forms.CharField(max_length=200, help_text="A short name for the work.")
    date = DateField(
        name=WORK_DATE,
        happened=True,
        label="Date of the work",
        widget=DateInput(),
        help_text="When it happened; it can be months back, never in the future.",
    )
    summary = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        validators=[validate_marks],
        help_text="Markdown: **bold**, lists, [links](https://…).",
    )
    outcome = forms.CharField(
        label="Business outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        validators=[validate_marks],
        required=False,
        help_text="What changed for the business because of it. Markdown.",
    )
    links = LinksField(
        required=False,
        help_text=f"Up to {MAX_LINKS} web addresses, one per line (http or https).",
    )
    attachments = MultipleFileField(
        required=False,
        help_text=f"Up to {MAX_ATTACHMENTS} files of at most {megabytes(MAX_ATTACHMENT_BYTES)} "
        f"each: {ALLOWED_DESCRIPTION}.",
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Remove files"
    )

    class Meta:
        model = Evidence
        fields = ["capability", "indicators", "title", "date", "summary", "outcome", "links"]

    def __init__(self, *args, case: Case, instance: Evidence | None = None, kept=(), **kwargs):
        """`kept`: the files a draft holds for this item (reviews.drafts), attached with it."""
        super().__init__(*args, instance=instance or Evidence(case=case), **kwargs)
        self.case = case
        self.kept = list(kept)
        self.fields["capability"].queryset = case.guide.capabilities.all()
        self.fields["capability"].label_from_instance = lambda c: f"{c.number}. {c.title}"
        self.fields["indicators"].queryset = Indicator.objects.filter(
            capability__guide=case.guide
        ).select_related("capability")
        self.fields["attachments"].widget.attrs["accept"] = ",".join(sorted(BY_EXTENSION))
        if instance is not None:
            self.fields["remove_attachments"].queryset = instance.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.original_name
        else:
            del self.fields["remove_attachments"]
        markdown_preview = HTML(
            '<div class="markdown-preview border rounded p-2 mb-3" hidden aria-live="polite"></div>'
        )
        self.helper = form_helper(
            Layout(
                "capability",
                HTML('{% include "reviews/includes/_indicator_groups.html" %}'),
                "title",
                "date",
                Div("summary", markdown_preview, css_class="markdown-field"),
                Div("outcome", markdown_preview, css_class="markdown-field"),
                "links",
                *(["remove_attachments"] if instance is not None else []),
                "attachments",
            )
        )

    def clean(self):
        data = super().clean()
        capability, indicators = data.get("capability"), data.get("indicators") or []
        if capability and any(i.capability_id != capability.pk for i in indicators):
            self.add_error(
                "indicators", "Choose only indicators of the capability this evidence is for."
            )
        # By their number and sizes, before any file is read.
        if problem := attachments_problem(
            case=self.case,
            evidence=self.instance if self.instance.pk else None,
            removing=data.get("remove_attachments") or [],
            sizes=[kept.size for kept in self.kept]
            + [upload.size for upload in data.get("attachments") or []],
        ):
            self.add_error("attachments", problem)
        return data

    def indicator_groups(self):
        """The indicator checkboxes grouped under their capability, for the page without script."""
        by_capability: dict[int, list] = {}
        capability_of = {i.pk: i.capability for i in self.fields["indicators"].queryset}
        for checkbox in self["indicators"]:
            capability = capability_of[int(checkbox.data["value"].value)]
            by_capability.setdefault(capability.pk, [capability, []])[1].append(checkbox)
        return list(by_capability.values())


class NarrativeForm(OptionalMarked, EditsACopy, forms.ModelForm):
    """The candidate's statement; `services.save_narrative` makes the change."""

    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=50_000,
        validators=[validate_marks],
        help_text="Your own statement for the promotion committee, in Markdown. "
        "Promotion packets open with it.",
    )

    class Meta:
        model = Case
        fields = ["narrative"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class CheckInForm(OptionalMarked, forms.Form):
    date = DateField(name=CHECK_IN_DATE, happened=True, widget=DateInput(), initial=clock.today)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{question.position}. {question.text}",
                choices=Answer.Value.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": f"Choose yes, partly or no for question {question.position}.",
                    "invalid_choice": f"Choose yes, partly or no for question {question.position}.",
                },
            )
            self.fields[f"note{question.pk}"] = forms.CharField(
                label="Note",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            q.pk: (self.cleaned_data[f"q{q.pk}"], self.cleaned_data[f"note{q.pk}"])
            for q in self.questions
        }

    def question_rows(self):
        return [(q, self[f"q{q.pk}"], self[f"note{q.pk}"]) for q in self.questions]


class FeedbackForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label="Your response",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[],
    )
    text = forms.CharField(
        label="Message",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed unless you endorse.",
    )

    class Meta:
        model = Feedback
        fields = ["kind", "text"]

    def clean(self):
        data = super().clean()
        if data.get("kind") != Feedback.Kind.ENDORSE and not data.get("text", "").strip():
            self.add_error("text", "Write a message.")
        return data

    def __init__(self, *args, sponsor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if sponsor:
            kinds = [*Feedback.SPONSOR_KINDS, Feedback.Kind.REPLY]
            self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        else:
            self.fields["kind"].choices = [(Feedback.Kind.REPLY.value, "Reply")]
            self.fields["kind"].initial = Feedback.Kind.REPLY
            self.fields["kind"].widget = forms.HiddenInput()


class SignOffForm(OptionalMarked, forms.ModelForm):
    """The sponsor's decision; `services.sign_off` records it."""

    decision = forms.ChoiceField(
        choices=SignOff.Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="What the committee should know about your decision.",
    )
    override_reason = forms.CharField(
        label="Reason for overriding readiness",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        help_text="Needed only to sign ready while readiness is not Ready.",
    )
    # How many sign-offs the sponsor saw: one made meanwhile makes this one refuse.
    expected_sign_offs = forms.IntegerField(widget=forms.HiddenInput(), min_value=0)

    class Meta:
        model = SignOff
        fields = ["decision", "rationale", "override_reason"]

    def __init__(self, *args, case: Case, readiness_label: str | None = None, **kwargs):
        """`readiness_label`: readiness today in words, when it is not Ready (the override
        reason is then required to sign ready); None when it is Ready (no override needed)."""
        super().__init__(*args, instance=SignOff(case=case), **kwargs)
        reason = self.fields["override_reason"]
        if readiness_label is None:
            del self.fields["override_reason"]
        else:
            reason.label = "Reason for overriding readiness (required to sign ready)"
            reason.help_text = (
                f"{override_needed(readiness_label)} Not needed to sign not ready yet."
            )
        self.helper = form_helper()
