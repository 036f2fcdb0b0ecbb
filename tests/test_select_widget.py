"""The project draws Django's select with its options in place (templates/django/forms/widgets/
select.html): the markup is Django's own, byte for byte."""

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template

CHOICES = [
    ("", "Any"),
    ("a", "A & <B>"),
    ("Later", [("g1", "One"), ("g2", "Two")]),
]


class MarkedOption(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"


def both(widget: forms.Widget, value) -> tuple[str, str]:
    return widget.render("pick", value), widget.render("pick", value, renderer=DjangoTemplates())


def test_the_projects_select_template_is_the_one_drawn():
    origin = get_template("django/forms/widgets/select.html").origin.name
    assert origin == str(settings.BASE_DIR / "templates/django/forms/widgets/select.html")


def test_a_select_is_drawn_as_django_draws_it():
    widget = forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True})
    ours, djangos = both(widget, "g1")
    assert ours == djangos
    assert "selected" in ours and "A &amp; &lt;B&gt;" in ours


def test_a_multiple_select_and_no_value_are_drawn_as_django_draws_them():
    ours, djangos = both(forms.SelectMultiple(choices=CHOICES), ["a", "g2"])
    assert ours == djangos
    ours, djangos = both(forms.Select(choices=CHOICES), None)
    assert ours == djangos


def test_a_widget_with_its_own_option_template_still_uses_it():
    ours, djangos = both(MarkedOption(choices=CHOICES), "a")
    assert ours == djangos
    assert "<input" in ours
