from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.public import BlockSyntaxError, parse_body

from .models import Category


class PostForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("Title"))
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label=None, label=_("Category"))
    format = forms.ChoiceField(choices=[("markdown", "Markdown"), ("html", "HTML")], initial="markdown",
                               widget=forms.HiddenInput)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "data-editor-body": ""}), max_length=100_000,
                           label=_("Body"),
                           help_text=_('Put AI-written text inside an AI-written section: '
                                       '<code>:::ai-written model="…"</code> … <code>:::</code>.'))

    HTML_HELP = _('Put AI-written text inside an AI-written section: '
                  '<code>&lt;section data-ai-written data-model="…"&gt;</code> … <code>&lt;/section&gt;</code>.')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength on the textarea: a browser would silently cut a long paste.
        # The server says "at most 100,000 characters" and gives the text back instead.
        self.fields["body"].widget.attrs.pop("maxlength", None)
        fmt = self.data.get("format") if self.is_bound else self.initial.get("format")
        if fmt == "html":
            self.fields["body"].help_text = self.HTML_HELP

    def clean_body(self):
        # Browsers submit textarea lines ending in CRLF (HTML spec); store what the author sees, with LF.
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        body, fmt = cleaned.get("body"), cleaned.get("format") or "markdown"
        if body:
            try:
                parse_body(body, fmt)
            except BlockSyntaxError as exc:
                self.add_error("body", exc.message)
        return cleaned
