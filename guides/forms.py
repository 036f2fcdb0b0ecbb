"""HR's form for importing a guide in the browser: a file, or Markdown pasted in."""

from crispy_forms.helper import FormHelper
from django import forms

from guides.services import MAX_BYTES


class GuideImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a Markdown file",
        required=False,
        help_text="A .md or .txt file saved from any editor, in the level guide's structure.",
    )
    text = forms.CharField(
        label="Or paste the Markdown",
        required=False,
        strip=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("file")) == bool(data.get("text")):
            raise forms.ValidationError("Upload a file or paste the Markdown, one of the two.")
        return data

    def source(self) -> bytes:
        """The document's bytes; a file is read only up to one byte over the importer's limit,
        which is enough for it to be refused."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(MAX_BYTES + 1)
        return self.cleaned_data["text"].encode("utf-8")
