"""The forms of every page of a case, kept together as a Django app keeps them (about 430 lines)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Exists, OuterRef
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt, pretty_name
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from accounts.models import User, display_name_of
from core import clock
from guides.models import Capability, Guide, Indicator
from reviews.markdown import validate_marks
from reviews.models import MAX_ATTACHMENTS, MAX_LINKS, Answer, Case, Decision, Feedback, SignOff
from reviews.packets.importing import MAX_PACKET_BYTES
from reviews.services import sponsor_problem
from reviews.uploads import ALLOWED_DESCRIPTION, BY_EXTENSION
from reviews.words import FLAG_LABELS, STATUS_LABELS


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


class CaseForm(OptionalMarked, forms.Form):
    candidate = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("current_level")
    )
    guide = forms.ModelChoiceField(
        queryset=Guide.objects.published().with_levels(), empty_label="Choose a guide"
    )
    sponsor = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("current_level"),
        help_text="A director at or above the level the guide leads to.",
    )
    opened_on = forms.DateField(widget=DateInput(), initial=clock.today)

    def clean(self):
        data = super().clean()
        sponsor, guide, candidate = data.get("sponsor"), data.get("guide"), data.get("candidate")
        if sponsor and guide and (problem := sponsor_problem(sponsor, guide)):
            self.add_error("sponsor", problem)
        if sponsor and candidate and sponsor == candidate:
            self.add_error("sponsor", "A candidate cannot sponsor their own case.")
        return data


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


class EvidenceForm(OptionalMarked, forms.Form):
    capability = forms.ModelChoiceField(queryset=Capability.objects.none(), empty_label=None)
    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Tick what this evidence shows. Only the chosen capability's indicators count.",
    )
    title = forms.CharField(max_length=200, help_text="A short name for the work.")
    date = forms.DateField(
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
        help_text=f"Up to {MAX_ATTACHMENTS} files of at most 10 MB each: {ALLOWED_DESCRIPTION}.",
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Remove files"
    )

    def __init__(self, *args, case: Case, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        capabilities = case.guide.capabilities.all()
        self.fields["capability"].queryset = capabilities
        self.fields["capability"].label_from_instance = lambda c: f"{c.number}. {c.title}"
        self.fields["indicators"].queryset = Indicator.objects.filter(
            capability__guide=case.guide
        ).select_related("capability")
        self.fields["attachments"].widget.attrs["accept"] = ",".join(sorted(BY_EXTENSION))
        if evidence is not None:
            self.fields["remove_attachments"].queryset = evidence.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.original_name
        else:
            del self.fields["remove_attachments"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > clock.today():
            raise ValidationError("The date of the work cannot be in the future.")
        return date

    def clean(self):
        data = super().clean()
        capability, indicators = data.get("capability"), data.get("indicators") or []
        if capability and any(i.capability_id != capability.pk for i in indicators):
            self.add_error(
                "indicators", "Choose only indicators of the capability this evidence is for."
            )
        return data

    def indicator_groups(self):
        """The indicator checkboxes grouped under their capability, for the page without script."""
        by_capability: dict[int, list] = {}
        capability_of = {i.pk: i.capability for i in self.fields["indicators"].queryset}
        for checkbox in self["indicators"]:
            capability = capability_of[int(checkbox.data["value"].value)]
            by_capability.setdefault(capability.pk, [capability, []])[1].append(checkbox)
        return list(by_capability.values())


class NarrativeForm(OptionalMarked, forms.Form):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=50_000,
        validators=[validate_marks],
        help_text="Your own statement for the promotion committee, in Markdown. "
        "Promotion packets open with it.",
    )


class CheckInForm(OptionalMarked, forms.Form):
    date = forms.DateField(widget=DateInput(), initial=clock.today)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{question.position}. {question.text}",
                choices=Answer.Value.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"note{question.pk}"] = forms.CharField(
                label="Note",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > clock.today():
            raise ValidationError("A check-in cannot be dated in the future.")
        return date

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            q.pk: (self.cleaned_data[f"q{q.pk}"], self.cleaned_data[f"note{q.pk}"])
            for q in self.questions
        }

    def question_rows(self):
        return [(q, self[f"q{q.pk}"], self[f"note{q.pk}"]) for q in self.questions]


class EvidenceFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    capability = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    indicator = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        label="From", required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, capabilities, **kwargs):
        super().__init__(*args, **kwargs)
        capabilities = list(capabilities)
        self.fields["capability"].choices = [("", "All capabilities")] + [
            (c.number, f"{c.number}. {c.title}") for c in capabilities
        ]
        self.fields["indicator"].choices = [("", "All indicators")] + [
            (i.pk, f"{c.number}.{i.position} {i.text[:60]}")
            for c in capabilities
            for i in c.indicators.all()
        ]


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label="Your response",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[],
    )
    text = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, sponsor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if sponsor:
            kinds = [*Feedback.SPONSOR_KINDS, Feedback.Kind.REPLY]
            self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        else:
            self.fields["kind"].choices = [(Feedback.Kind.REPLY.value, "Reply")]
            self.fields["kind"].initial = Feedback.Kind.REPLY
            self.fields["kind"].widget = forms.HiddenInput()


class SignOffForm(OptionalMarked, forms.Form):
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
    expected_sign_offs = forms.IntegerField(widget=forms.HiddenInput(), min_value=0)


class SponsorForm(forms.Form):
    sponsor = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("current_level"),
        help_text="A director at or above the level the guide leads to.",
    )


class DecisionForm(OptionalMarked, forms.Form):
    outcome = forms.ChoiceField(
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    effective_date = forms.DateField(widget=DateInput(), initial=clock.today)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


class PlainSelect(forms.Select):
    """A single select written out in Python. The stock widget renders a template for every
    option, and a filter listing every sponsor of the organisation would cost more than the
    page of cases under it."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for key, label in self.choices:
            key = str(key)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            # Every value and label escaped above.
            mark_safe("".join(options)),  # noqa: S308
        )


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices from one ordinary query: Django's own iterator reads them through a
    server-side cursor, three round trips to the database for a short list."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for choice in list(self.queryset):
            yield self.choice(choice)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class PersonChoiceIterator(ModelChoiceIterator):
    """(id, name) for each person, from one query of the columns a name is made of: every
    sponsor of the organisation would otherwise be a User object read through a server-side
    cursor, which costs more than the page of cases under the filter."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, *names in self.queryset.values_list("pk", *User.NAME_FIELDS):
            yield (pk, display_name_of(*names))


class PersonChoiceField(forms.ModelChoiceField):
    iterator = PersonChoiceIterator


class CaseFilterForm(forms.Form):
    guide = ListedChoiceField(
        # A label needs the levels, not the guide's text (its source is the whole document).
        queryset=Guide.objects.with_levels().defer(*Guide.LONG_TEXTS),
        required=False,
        empty_label="All guides",
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *Case.Status.choices],
        required=False,
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    sponsor = PersonChoiceField(
        queryset=User.objects.filter(Exists(Case.objects.filter(sponsor=OuterRef("pk")))).order_by(
            "name", "username"
        ),
        required=False,
        empty_label="All sponsors",
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    readiness = forms.ChoiceField(
        choices=[("", "Any readiness"), *STATUS_LABELS.items()],
        required=False,
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    flag = forms.ChoiceField(
        choices=[("", "Any flag"), *FLAG_LABELS.items()],
        required=False,
        widget=PlainSelect(attrs={"class": "form-select"}),
    )


class PacketUploadForm(forms.Form):
    packet = forms.FileField(
        label="Packet file (JSON)",
        help_text="A promotion-packet/1 JSON file, as this app exports it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_packet(self):
        packet = self.cleaned_data["packet"]
        if packet.size > MAX_PACKET_BYTES:
            limit = MAX_PACKET_BYTES // (1024 * 1024)
            raise ValidationError(
                f"The file is {packet.size / (1024 * 1024):.1f} MB; packets of at most "
                f"{limit} MB can be imported."
            )
        return packet
