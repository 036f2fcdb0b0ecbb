"""The filters of the lists: the evidence list's, and HR's case filters, shared by the case list
and every export of "these cases"."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User, display_name_of
from core import clock
from core.dates import DateField
from guides.models import Guide, guide_label
from reviews.forms import DateInput
from reviews.models import Case
from reviews.readiness.rule import Readiness
from reviews.readiness.snapshots import matching_readiness
from reviews.views.common import visible_cases
from reviews.words import FLAG_LABELS, STATUS_LABELS


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
    date_from = DateField(
        label="From", required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    date_to = DateField(
        label="To", required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, capabilities, **kwargs):
        """`capabilities`: the guide's outline (reviews.views.case_page.guide_outline)."""
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [("", "All capabilities")] + [
            (c.number, f"{c.number}. {c.title}") for c in capabilities
        ]
        self.fields["indicator"].choices = [("", "All indicators")] + [
            (i.pk, f"{c.number}.{i.position} {i.text[:60]}")
            for c in capabilities
            for i in c.indicators
        ]


class CaseFilterForm(forms.Form):
    """HR's case filters. The guide and sponsor choices are read as plain rows, one query each:
    a label needs a few columns, not a model instance per option."""

    guide = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *Case.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sponsor = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    readiness = forms.ChoiceField(
        choices=[("", "Any readiness"), *STATUS_LABELS.items()],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    flag = forms.ChoiceField(
        choices=[("", "Any flag"), *FLAG_LABELS.items()],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guides = Guide.objects.values_list("pk", "from_level__code", "to_level__code", "version")
        self.fields["guide"].choices = [("", "All guides")] + [
            (pk, guide_label(from_code, to_code, version))
            for pk, from_code, to_code, version in guides
        ]
        sponsors = (
            User.objects.filter(Exists(Case.objects.filter(sponsor=OuterRef("pk"))))
            .order_by("name", "username")
            .values_list("pk", *User.NAME_FIELDS)
        )
        self.fields["sponsor"].choices = [("", "All sponsors")] + [
            (pk, display_name_of(*names)) for pk, *names in sponsors
        ]


@dataclass(frozen=True)
class FilteredCases:
    """The matching cases, as a queryset that exports can stream, and the readiness that
    filtering had to compute (of the cases without a fresh snapshot), for the page to show."""

    cases: QuerySet
    computed: dict[int, Readiness] = field(default_factory=dict)


def filter_cases(cases: QuerySet, data: dict, *, as_of: datetime.date) -> FilteredCases:
    """Cases matching the filter form's cleaned data. Readiness filters match today's fresh
    snapshots in SQL and compute the others' readiness in memory (readiness.snapshots,
    `matching_readiness`); nothing is written."""
    if data.get("guide"):
        cases = cases.filter(guide=data["guide"])
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("sponsor"):
        cases = cases.filter(sponsor=data["sponsor"])
    wanted_status, wanted_flag = data.get("readiness"), data.get("flag")
    if not (wanted_status or wanted_flag):
        return FilteredCases(cases)
    match = matching_readiness(cases, status=wanted_status, flag=wanted_flag, as_of=as_of)
    return FilteredCases(cases.filter(match.condition), match.computed)


def hr_cases() -> QuerySet:
    return Case.objects.with_people().order_by("-opened_on", "-id")


def hr_filtered_cases(request) -> QuerySet:
    """The cases HR's list shows with the request's filters, for its exports."""
    filters = CaseFilterForm(request.GET or None)
    cases = visible_cases(request).with_people().order_by("-opened_on", "-id")
    if filters.is_valid():
        cases = filter_cases(cases, filters.cleaned_data, as_of=clock.today()).cases
    return cases
